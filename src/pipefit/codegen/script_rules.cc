// The rule table of `pipefit check` (script_check.h): id, severity, the
// message and fix printed, and the source each rule restates.
#include "pipefit/codegen/script_rules.h"

namespace pipefit {
namespace {

using S = Severity;

constexpr ScriptRule kRules[] = {
    {"to-after-model-offload", S::kWarning,
     "pipe.to(\"cuda\") after enable_model_cpu_offload(): every model is moved to the GPU and stays there, so "
     "the offloading's memory savings are lost (diffusers only logs a warning)",
     "remove the .to(\"cuda\") call; model offload moves each model to the GPU when it runs",
     "diffusers pipeline_utils.py DiffusionPipeline.to (logger.warning for model-offloaded pipelines); internals §2"},
    {"to-after-sequential-offload", S::kError,
     "pipe.to(\"cuda\") after enable_sequential_cpu_offload(): diffusers raises",
     "remove the .to(\"cuda\") call; sequential offload places every module itself",
     "diffusers pipeline_utils.py DiffusionPipeline.to; internals §4"},
    {"to-before-offload", S::kWarning,
     "the pipeline is moved to the GPU and then offloaded: every weight crosses to the GPU and back, and the load "
     "peak is the whole pipeline at once (it must fit before the offload starts — pipefit plan's load stage)",
     "drop the .to(\"cuda\") and call the offload method right after from_pretrained",
     "memory-calculator.md Compatibility rules; internals §2"},
    {"model-offload-with-group-offload", S::kError,
     "enable_model_cpu_offload() and group offloading on one pipeline: apply_group_offloading refuses modules that "
     "carry accelerate offload hooks",
     "use one of them: pipe.enable_group_offload(...) for the whole pipeline, or model offload",
     "internals §3.1 (group_offloading.py:992-1003); memory-calculator.md"},
    {"offload-twice", S::kWarning,
     "the pipeline is offloaded twice (the same method again, or model and sequential offload together): the "
     "second call replaces the first's hooks",
     "keep a single offload call", "internals §2, §4"},
    {"pipeline-vae-tiling-removed", S::kError,
     "pipeline-level enable_vae_tiling/enable_vae_slicing (and disable_*) were removed after diffusers 0.39",
     "call it on the VAE: pipe.vae.enable_tiling() / pipe.vae.enable_slicing()",
     "internals §9 (removed in c56add8081, absent in v0.40.0)"},
    {"quant-backend-name", S::kError, "unknown quant_backend for PipelineQuantizationConfig",
     "use one of bitsandbytes_4bit, bitsandbytes_8bit, gguf, torchao, quanto, modelopt, auto-round, nunchaku_lite, "
     "sdnq",
     "internals §6.5 (quantizers/auto.py:55-65)"},
    {"quant-kwargs-empty", S::kError, "quant_backend is given without quant_kwargs: diffusers raises",
     "pass the backend's arguments, e.g. quant_kwargs={\"load_in_4bit\": True, \"bnb_4bit_quant_type\": \"nf4\", "
     "\"bnb_4bit_compute_dtype\": torch.bfloat16}",
     "memory-calculator.md Compatibility rules; quantizers/pipe_quant_config.py"},
    {"quant-backend-kwargs-mismatch", S::kError, "quant_kwargs do not belong to this quant_backend",
     "bitsandbytes_4bit takes load_in_4bit/bnb_4bit_*, bitsandbytes_8bit takes load_in_8bit/llm_int8_*, torchao "
     "takes a torchao config (quant_mapping with TorchAoConfig(...))",
     "internals §6.1, §6.2, §6.5"},
    {"quant-config-not-pipeline-level", S::kError,
     "a model-level quantization config is passed to a pipeline's from_pretrained: pipelines take "
     "PipelineQuantizationConfig",
     "wrap it: PipelineQuantizationConfig(quant_mapping={\"transformer\": config}) or use quant_backend=...",
     "internals §6.5; memory-calculator.md (PipelineQuantizationConfig only at pipeline level)"},
    {"bnb8-with-model-offload", S::kWarning,
     "bitsandbytes 8-bit with enable_model_cpu_offload(): with transformers < 4.58 or bitsandbytes < 0.48 diffusers "
     "skips the 8-bit component's hook, so it stays on the GPU the whole call (no saving for it), and with "
     "bitsandbytes >= 0.48 but transformers < 4.58, pipe.to(\"cpu\") moves it off the GPU with no hook to bring "
     "it back (a device-mismatch error at the first forward)",
     "upgrade to transformers >= 4.58 and bitsandbytes >= 0.48 (then it is offloaded like the others), or use "
     "4-bit (bitsandbytes_4bit, nf4), or keep the int8 component on the GPU and group-offload the rest with "
     "exclude_modules",
     "diffusers pipelines/pipeline_utils.py enable_model_cpu_offload (_check_bnb_status and the version test); "
     "internals §2"},
    {"layerwise-casting-then-to-dtype", S::kWarning,
     "a .to(dtype) after enable_layerwise_casting() upcasts the fp8-stored weights again",
     "move only the device: pipe.to(\"cuda\") without a dtype, and cast before offloading",
     "memory-calculator.md Compatibility rules; internals §5"},
    {"block-stream-multiple-blocks", S::kWarning,
     "block_level with use_stream=True forces num_blocks_per_group=1 (diffusers warns and ignores the value)",
     "set num_blocks_per_group=1, or use leaf_level with use_stream=True",
     "internals §3.5 (group_offloading.py:723-727)"},
    {"block-level-without-num-blocks", S::kError,
     "group offloading at block_level (the default offload_type) without num_blocks_per_group: diffusers raises "
     "ValueError (\"`num_blocks_per_group` must be provided when using `offload_type='block_level'.\")",
     "pass num_blocks_per_group=1 (or 2, 4: more VRAM, fewer transfers), or offload_type=\"leaf_level\"",
     "diffusers hooks/group_offloading.py apply_group_offloading (lines 678-679); internals §3.1"},
    {"sequential-offload-legacy", S::kInfo,
     "enable_sequential_cpu_offload() is the slowest placement (synchronous per-module copies every step)",
     "pipe.enable_group_offload(onload_device=torch.device(\"cuda\"), offload_device=torch.device(\"cpu\"), "
     "offload_type=\"leaf_level\", use_stream=True) uses about as little VRAM and overlaps the copies",
     "internals §3.5, §4; memory-calculator.md"},
    {"attention-backend-unknown", S::kError,
     "unknown attention backend name (or the wrong environment variable): diffusers raises or ignores it",
     "use a name from diffusers' AttentionBackendName (native, flash, flash_hub, _flash_3_hub, sage, xformers, ...) "
     "and the variable DIFFUSERS_ATTN_BACKEND",
     "internals §7 (attention_dispatch.py:214-255, utils/constants.py:45)"},
    {"compile-without-repeated-blocks", S::kInfo,
     "whole-model torch.compile of the denoiser: compile_repeated_blocks() compiles 8-10x faster for the same "
     "speed-up",
     "pipe.transformer.compile_repeated_blocks(fullgraph=True)", "internals §8; memory-calculator.md"},
    {"fp16-for-bf16-model", S::kWarning,
     "torch.float16 for a model stored in bfloat16: activations can overflow (black or NaN images)",
     "load with torch_dtype=torch.bfloat16", "internals §1.3; the checkpoint's stored dtype"},
    {"vae-tiling-unsupported", S::kError, "this pipeline's VAE class has no tiling: enable_tiling() raises",
     "remove the call (decode in chunks with decode_chunk_size where the pipeline offers it)",
     "internals §9 (AutoencoderKLTemporalDecoder, VQModel, AsymmetricAutoencoderKL raise)"},
    {"component-to-before-offload", S::kWarning,
     "a component is moved to the GPU and then the pipeline is offloaded: offloading moves it back to the CPU, so "
     "its weights crossed for nothing, and the load peak holds it on the GPU (with an 8-bit or 4-bit component "
     "the move back can fail)",
     "drop the component's .to(\"cuda\"); the offload call places every component",
     "diffusers pipeline_utils.py enable_model_cpu_offload (self.to(\"cpu\") before the hooks); "
     "hooks/group_offloading.py (groups start on the offload device); internals §2, §3"},
    {"to-dtype-after-offload", S::kWarning,
     "the pipeline's dtype is changed after offloading was set up: under sequential offload the weights live in "
     "the hooks' CPU copies and are not cast, under model or group offload every weight is cast on the CPU with "
     "a full second copy in RAM while it runs",
     "load in the dtype you want: from_pretrained(..., torch_dtype=torch.bfloat16), and call the offload method "
     "after it",
     "diffusers pipeline_utils.py DiffusionPipeline.to; accelerate hooks (weights_map); internals §2, §4"},
    {"fp32-for-half-model", S::kWarning,
     "the model is stored in half precision but loaded in float32 (torch_dtype=torch.float32, or no torch_dtype: "
     "diffusers loads float32 by default): twice the memory of the stored weights, and slower",
     "load with the stored dtype: torch_dtype=torch.bfloat16 (or torch.float16 for fp16 checkpoints)",
     "diffusers modeling_utils.py from_pretrained (torch_dtype default float32); the checkpoint's stored dtype "
     "(pipefit catalog, offline); internals §1.3"},
    {"cudagraphs-with-offload", S::kWarning,
     "torch.compile with mode=\"reduce-overhead\" or \"max-autotune\" (CUDA graphs) on an offloaded or GGUF "
     "model: the weights move between CPU and GPU (or are dequantized) every call, so CUDA graphs are skipped or "
     "re-recorded and the compile buys little",
     "use the default mode (or \"max-autotune-no-cudagraphs\") with offloading, or keep the model on the GPU "
     "to use CUDA graphs",
     "PyTorch torch.compile docs (cudagraphs skipped for CPU tensors); diffusers docs optimization/speed-memory-optims "
     "(compile with offloading); internals §8"},
    {"attention-slicing-with-sdpa", S::kWarning,
     "enable_attention_slicing() on PyTorch 2: scaled_dot_product_attention already avoids the full attention "
     "matrix, so slicing saves no memory and runs slower",
     "remove the call (keep it only on Apple MPS with little memory)",
     "diffusers docs optimization/memory (attention slicing: not needed with SDPA, PyTorch >= 2.0); internals §7"},
    {"device-map-with-offload", S::kError,
     "device_map and CPU offloading together. On a pipeline loaded with device_map=\"balanced\" (or a "
     "per-component map) diffusers refuses enable_model_cpu_offload / enable_sequential_cpu_offload (ValueError): "
     "an error. On a component loaded with device_map (\"auto\", \"cuda\") the offload removes its dispatch "
     "hooks and moves it to the CPU, undoing the map after loading it onto the GPU for nothing: a warning",
     "use one of them: drop device_map and offload, or call pipe.reset_device_map() before enabling offload "
     "(device_map=\"cpu\" followed by offloading is fine)",
     "diffusers pipeline_utils.py enable_model_cpu_offload / enable_sequential_cpu_offload "
     "(_is_pipeline_device_mapped: a map with more than one entry; remove_all_hooks and self.to(\"cpu\") for "
     "the rest); internals §2"},
    {"compile-replaces-offloaded-module", S::kError,
     "the pipeline's component is replaced by torch.compile(...) after CPU offloading was set up: the compiled "
     "wrapper is not the module that carries the offload hook, so the hooks break (AttributeError: _hf_hook) or "
     "the weights never move",
     "compile in place: pipe.transformer.compile() or pipe.transformer.compile_repeated_blocks(fullgraph=True), "
     "or compile before enabling offload",
     "diffusers issue #10729 (torch.compile wrapper after enable_model_cpu_offload); diffusers docs "
     "optimization/speed-memory-optims (compile_repeated_blocks with offloading); internals §8"},
    {"component-loaded-unused", S::kWarning,
     "a model is loaded with from_pretrained into a variable that nothing uses afterwards: its weights are read "
     "and held in memory for nothing (the pipeline loads its own copy)",
     "pass it to the pipeline (e.g. text_encoder=...) or delete the line",
     "diffusers pipeline_utils.py from_pretrained (components not passed in are loaded from the repo); internals §1"},
    {"torchao-deprecated-api", S::kError,
     "function-style torchao configs (int8_weight_only(), int4_weight_only(), float8_weight_only(), "
     "int8_dynamic_activation_int8_weight(), ...) were removed in torchao 0.16 (deprecated since 0.14), and "
     "TorchAoConfig string quant types (\"int8wo\", \"int4wo\", ...) in diffusers 0.38 (TypeError: quant_type must "
     "be an AOBaseConfig instance)",
     "use the config classes: Int8WeightOnlyConfig(), Int4WeightOnlyConfig(), Float8WeightOnlyConfig(), "
     "Int8DynamicActivationInt8WeightConfig(), ... (TorchAoConfig(Int8WeightOnlyConfig()))",
     "torchao quant_api.py (deprecated in #2994, removed in #3308, v0.16.0); diffusers "
     "quantizers/quantization_config.py TorchAoConfig (string path removed in #13291, v0.38.0); internals §6.2"},
    {"to-ignored-keywords", S::kError,
     "DiffusionPipeline.to() reads only device= and dtype=: torch_device= and torch_dtype= are silently ignored, "
     "so this call moves and casts nothing (the pipeline stays on the CPU in its load dtype)",
     "pipe.to(\"cuda\") or pipe.to(device=\"cuda\", dtype=torch.bfloat16)",
     "diffusers pipelines/pipeline_utils.py DiffusionPipeline.to (pops dtype, device, silence_dtype_warnings; "
     "other keyword arguments are never read)"},
    {"sequential-offload-with-quantization", S::kWarning,
     "enable_sequential_cpu_offload() on a pipeline with bitsandbytes or quanto weights: accelerate's per-module "
     "hooks move the packed weights as plain tensors, which fails at the first forward (bitsandbytes 4-bit: "
     "\"Blockwise quantization only supports 16/32-bit floats, but got torch.uint8\"; quanto: WeightQBytesTensor "
     "errors)",
     "use enable_model_cpu_offload() (quantized models offload whole), or group offloading",
     "diffusers issues #10800 (HunyuanVideo + bnb 4-bit) and #10526 (FLUX + quanto): model offload works, "
     "sequential offload fails"},
    {"quantized-component-passed-in", S::kWarning,
     "the PipelineQuantizationConfig names a component that is passed to from_pretrained already loaded: "
     "diffusers quantizes only the components it loads itself, so this one stays unquantized (no warning)",
     "quantize it where it is loaded (its own from_pretrained(..., quantization_config=...)), or drop the "
     "argument and let the pipeline load and quantize it",
     "diffusers pipelines/pipeline_utils.py from_pretrained (passed components are used as given; "
     "pipeline_loading_utils.py load_sub_model applies the quantization config)"},
    {"dtype-cast-of-quantized", S::kError,
     "a dtype cast of a pipeline with torchao, GGUF or quanto weights: diffusers raises \"Casting a quantized model "
     "to a new `dtype` is unsupported\"",
     "load in the dtype you want (torch_dtype= in from_pretrained) and move only the device: pipe.to(\"cuda\")",
     "diffusers models/modeling_utils.py ModelMixin.to (ValueError for non-bitsandbytes quantized models)"},
};

}  // namespace

std::span<const ScriptRule> ScriptRuleTable() { return kRules; }

const ScriptRule* FindScriptRule(std::string_view id) {
  for (const ScriptRule& rule : kRules) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

}  // namespace pipefit
