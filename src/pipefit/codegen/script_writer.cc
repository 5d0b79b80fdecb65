#include "pipefit/codegen/script_writer.h"

#include <algorithm>
#include <string>
#include <vector>

#include "pipefit/codegen/weights_code.h"
#include "pipefit/plan/parallel.h"

namespace pipefit {
namespace {

// The PLACEMENT knob (CONTRACT.md "Strategy ids"). Whole-pipeline calls
// (internals §2, §4) or the pipeline-level enable_group_offload with its
// offload_type / use_stream / low_cpu_mem_usage (internals §3.1, §3.6).
// `pipe.to("cuda")` carries no dtype: a dtype would undo fp8 layerwise
// storage (memory-calculator.md "Compatibility rules").
struct PlacementRow {
  Placement placement;
  const char* call;          // the whole line; nullptr for group offloading
  const char* offload_type;  // group offloading only
  bool use_stream;
  bool low_cpu_mem_usage;
};
constexpr PlacementRow kPlacementRows[] = {
    {Placement::kGpu, "pipe.to(\"cuda\")", nullptr, false, false},
    {Placement::kModelOffload, "pipe.enable_model_cpu_offload()", nullptr, false, false},
    {Placement::kGroupBlock, nullptr, "block_level", false, false},
    // Streams with block_level use one block per group (calculator rules).
    {Placement::kGroupBlockStream, nullptr, "block_level", true, false},
    {Placement::kGroupLeaf, nullptr, "leaf_level", false, false},
    {Placement::kGroupLeafStream, nullptr, "leaf_level", true, false},
    {Placement::kGroupLeafStreamLowmem, nullptr, "leaf_level", true, true},
    {Placement::kSequentialOffload, "pipe.enable_sequential_cpu_offload()", nullptr, false, false},
    // Each streamed block and each other model: apply_group_offloading with
    // these keywords (PartialResidencyCode).
    {Placement::kPartialResident, nullptr, "leaf_level", true, false},
};
static_assert(RowsFollowEnum(kPlacementRows, &PlacementRow::placement, std::size(kAllPlacements)));

// What `pip install` needs beyond torch/diffusers/transformers/accelerate.
struct WeightsPackageRow {
  WeightsKind kind;
  const char* package;
};
constexpr WeightsPackageRow kWeightsPackages[] = {
    {WeightsKind::kBnbInt8, "bitsandbytes"},  {WeightsKind::kBnbNf4, "bitsandbytes"},
    {WeightsKind::kTorchaoInt8wo, "torchao"}, {WeightsKind::kTorchaoFp8wo, "torchao"},
    {WeightsKind::kTorchaoInt4wo, "torchao"}, {WeightsKind::kGguf, "gguf"},
};

// One generation call; Python text for the workload (CONTRACT.md `plan`).
constexpr const char* kPrompt = "A photo of a red fox in a snowy forest at golden hour";

const PlacementRow& PlacementRowOf(Placement placement) { return RowFor(kPlacementRows, placement); }

const char* PipelineClass(const CodeContext& context) {
  return context.pipeline_class.empty() ? "DiffusionPipeline" : context.pipeline_class.c_str();
}

bool IsVideo(const CodeContext& context) { return context.video || context.workload.video; }

// `pipe = X.from_pretrained(repo, kwargs...)`: one line for a lone keyword,
// else one argument per line.
std::string LoadCode(const Candidate& candidate, const CodeContext& context,
                     const std::vector<std::string>& kwargs) {
  const bool gguf = candidate.weights == WeightsKind::kGguf;
  const std::string& repo = gguf && !context.base_repo.empty() ? context.base_repo : context.model_id;
  std::string code = std::string("pipe = ") + PipelineClass(context) + ".from_pretrained(";
  if (kwargs.size() <= 1) {
    code += PythonString(repo);
    for (const std::string& kwarg : kwargs) code += ", " + kwarg;
    return code + ")\n";
  }
  code += "\n    " + PythonString(repo) + ",\n";
  for (const std::string& kwarg : kwargs) code += "    " + kwarg + ",\n";
  return code + ")\n";
}

// fp8 storage, compute in the load dtype (internals §5); written before any
// placement call, which must come after it.
std::string CastingCode(const Candidate& candidate, const CodeContext& context) {
  if (candidate.weights != WeightsKind::kFp8Layerwise) return "";
  std::string code;
  for (const std::string& name : WeightsTargets(candidate, context)) {
    code += "pipe." + name + ".enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=" +
            TorchDTypeExpr(context.dtype) + ")\n";
  }
  return code;
}

// The group offloading keywords a placement row sets, one per line at
// `indent`: the devices, offload_type, the block count (block_level), the
// stream and low_cpu_mem_usage. The pipeline-level enable_group_offload and
// apply_group_offloading take the same ones.
std::string GroupOffloadKeywords(const PlacementRow& row, const Candidate& candidate,
                                 const std::string& indent) {
  std::string code = indent + "onload_device=torch.device(\"cuda\"),\n";
  code += indent + "offload_device=torch.device(\"cpu\"),\n";
  code += indent + "offload_type=\"" + row.offload_type + "\",\n";
  if (!IsLeafLevel(row.placement)) {
    const int blocks = row.use_stream ? 1 : std::max(1, candidate.num_blocks_per_group.value_or(1));
    code += indent + "num_blocks_per_group=" + std::to_string(blocks) + ",\n";
  }
  if (row.use_stream) code += indent + "use_stream=True,\n";
  if (row.low_cpu_mem_usage) code += indent + "low_cpu_mem_usage=True,\n";
  return code;
}

std::string GroupOffloadCode(const PlacementRow& row, const Candidate& candidate) {
  std::string code = "pipe.enable_group_offload(\n" + GroupOffloadKeywords(row, candidate, "    ");
  // Excluded components are moved to the GPU whole by diffusers itself.
  if (!candidate.group_offload_exclude.empty()) {
    code += "    exclude_modules=" + PythonList(candidate.group_offload_exclude) + ",\n";
  }
  return code + ")\n";
}

// `apply_group_offloading(target, ...)` inside a loop body, with the
// keywords of the candidate's placement row (partial residency: leaf_level
// with a stream), one per line; `extra` adds an argument.
std::string ApplyGroupOffloadingCall(const Candidate& candidate, const std::string& target,
                                     const std::string& extra) {
  const std::string in = "        ";
  std::string code = "    apply_group_offloading(\n" + in + target + ",\n";
  code += GroupOffloadKeywords(PlacementRowOf(candidate.placement), candidate, in);
  if (!extra.empty()) code += in + extra + ",\n";
  return code + "    )\n";
}

// Partial residency (docs/partial-residency.md): diffusers has no argument
// for a resident subset, so group offloading (hooks/group_offloading.py
// apply_group_offloading, public API) is applied to each streamed block on
// its own, leaf_level with a stream: every block then prefetches its leaves
// within its own forward. The rest of the denoiser moves to the GPU tensor
// by tensor: ModelMixin.to() skips a model with group offloading
// (modeling_utils.py:1544-1548). The other models are streamed as
// enable_group_offload(leaf_level, use_stream=True) does, one
// apply_group_offloading each (pipeline_utils.py enable_group_offload);
// pipe.to() and enable_model_cpu_offload() are not used (the latter raises
// with group offloading active, pipeline_utils.py:1210).
std::string PartialResidencyCode(const Candidate& candidate, const CodeContext& context) {
  const std::string denoiser = "pipe." + context.denoiser;
  const int n = context.denoiser_blocks;
  const int k = std::min(candidate.resident_blocks, n);
  std::string code = "# Partial residency: the " + context.denoiser + "'s first " + std::to_string(k) +
                     " of " + std::to_string(n) +
                     " blocks and its other modules stay on the GPU; the other " + std::to_string(n - k) +
                     "\n# blocks are streamed from pinned CPU memory at every step.\n";
  code += "blocks = [";
  for (size_t i = 0; i < context.denoiser_block_lists.size(); ++i)
    code += (i > 0 ? ", *" : "*") + denoiser + "." + context.denoiser_block_lists[i];
  code += "]\n";
  code += "streamed = blocks[" + std::to_string(k) + ":]\n";
  code += "streamed_modules = {id(module) for block in streamed for module in block.modules()}\n";
  code += "for module in " + denoiser + ".modules():\n";
  code += "    if id(module) not in streamed_modules:\n";
  code += "        for tensor in [*module.parameters(recurse=False), *module.buffers(recurse=False)]:\n";
  code += "            tensor.data = tensor.data.to(\"cuda\")\n";
  code += "for block in streamed:\n";
  code += ApplyGroupOffloadingCall(candidate, "block", "exclude_kwargs=" + denoiser + "._skip_keys");
  if (context.denoiser_blocks_own_tensors) {
    // The block's own tensors form the group on the block itself, which the
    // first call's tracing leaves non-blocking (group_offloading.py:479-487)
    // while the block reads them before any layer has waited on the stream.
    code +=
        "    # The block's own tensors are read before its first layer: copy them blocking, or the first\n";
    code += "    # call can read them before the side stream's copy lands.\n";
    code += "    block._diffusers_hook.get_hook(\"group_offloading\").group.non_blocking = False\n";
  }
  code += "# The other models: streamed leaf by leaf";
  if (!candidate.group_offload_exclude.empty()) {
    code += ", except " + PythonList(candidate.group_offload_exclude) + " (on the GPU whole)";
  }
  code += ".\n";
  code += "for name, component in pipe.components.items():\n";
  code += "    if not isinstance(component, torch.nn.Module) or name == " + PythonString(context.denoiser) +
          ":\n";
  code += "        continue\n";
  if (!candidate.group_offload_exclude.empty()) {
    code += "    if name in " + PythonList(candidate.group_offload_exclude) + ":\n";
    code += "        component.to(\"cuda\")\n";
    code += "        continue\n";
  }
  code += ApplyGroupOffloadingCall(candidate, "component", "");
  return code;
}

std::string PlacementCode(const Candidate& candidate, const CodeContext& context) {
  if (candidate.placement == Placement::kPartialResident) return PartialResidencyCode(candidate, context);
  const PlacementRow& row = PlacementRowOf(candidate.placement);
  if (row.call != nullptr) return std::string(row.call) + "\n";
  return GroupOffloadCode(row, candidate);
}

// The VAE's own calls; the pipeline-level enable_vae_* were removed
// (internals §9).
std::string VaeCode(const Candidate& candidate, const CodeContext& context) {
  if (!context.has_vae) return "";
  std::string code;
  if (candidate.vae_tiling) code += "pipe.vae.enable_tiling()\n";
  if (candidate.vae_slicing) code += "pipe.vae.enable_slicing()\n";
  return code;
}

// Context parallelism (docs/multi-gpu/diffusers-parallelism.md §1.4-§1.8):
// one process per GPU under torchrun, each on cuda:<rank>; the attention
// backend is set before enable_parallelism, which checks it supports CP;
// Ring needs the log-sum-exp that native SDPA does not return, so it runs
// on _native_cudnn as diffusers' own example does. Offloading is set up
// after parallelism (diffusers #12533), on the rank's device.
// Ulysses "anything" exchanges the uneven sizes over gloo
// (distributed_inference.md:357, 385-392).
std::string ProcessGroupCode(bool gloo_too) {
  return std::string(gloo_too ? "dist.init_process_group(\"cpu:gloo,cuda:nccl\")  # gloo: uneven splits"
                              : "dist.init_process_group(\"nccl\")") +
         "  # torchrun sets the rank and world size\n"
         "rank = dist.get_rank()\n"
         "device = torch.device(\"cuda\", rank % torch.cuda.device_count())\n"
         "torch.cuda.set_device(device)\n";
}

// cache-dit: the same layouts through one call on the whole pipeline,
// after it is on the rank's device; offloading after parallelism
// (cache-dit#316). cache-dit chooses its own attention backend.
std::string CacheDitParallelCode(const Candidate& candidate) {
  std::string code;
  const int d = candidate.parallel.degree;
  std::string config;
  if (candidate.parallel.kind == ParallelKind::kUlysses) config = "ulysses_size=" + std::to_string(d);
  if (candidate.parallel.kind == ParallelKind::kRing) config = "ring_size=" + std::to_string(d);
  if (candidate.parallel.kind == ParallelKind::kTensor) config = "tp_size=" + std::to_string(d);
  code += "cache_dit.enable_cache(pipe, parallelism_config=ParallelismConfig(" + config + "))\n";
  // Then onto the rank's GPU, as cache-dit's own examples do: tensor
  // parallel weights are split before they move.
  code += candidate.placement == Placement::kModelOffload ? "pipe.enable_model_cpu_offload(device=device)\n"
                                                          : "pipe.to(device)\n";
  return code;
}

std::string ContextParallelCode(const Candidate& candidate, const CodeContext& context) {
  if (context.engine == ParallelEngine::kCacheDit) return CacheDitParallelCode(candidate);
  const std::string denoiser = "pipe." + context.denoiser;
  std::string code;
  if (candidate.parallel.kind == ParallelKind::kTensor) {
    // The docs' recipe (distributed_inference.md:458-468): shard the
    // denoiser on the CPU, then move it and every other component.
    code += denoiser + ".enable_parallelism(config=TensorParallelConfig(tp_degree=" +
            std::to_string(candidate.parallel.degree) + "))\n";
    code += "for component in pipe.components.values():\n";
    code += "    if isinstance(component, torch.nn.Module):\n";
    code += "        component.to(device)\n";
    return code;
  }
  if (candidate.placement == Placement::kGpu) code += "pipe.to(device)\n";
  if (candidate.parallel.kind == ParallelKind::kRing)
    code +=
        denoiser + ".set_attention_backend(\"_native_cudnn\")  # Ring needs a backend returning the LSE\n";
  const char* degree = candidate.parallel.kind == ParallelKind::kRing ? "ring_degree" : "ulysses_degree";
  // A text length the pipeline does not fix (Qwen-Image) splits unevenly:
  // Ulysses "anything" (_modeling_parallel.py:62-65, 86).
  const ContextParallelClass* cp = FindContextParallelClass(context.denoiser_class);
  const char* anything = cp != nullptr && cp->variable_text ? ", ulysses_anything=True" : "";
  code += denoiser + ".enable_parallelism(config=ContextParallelConfig(" + degree + "=" +
          std::to_string(candidate.parallel.degree) + anything + "))\n";
  if (candidate.placement == Placement::kModelOffload)
    code += "pipe.enable_model_cpu_offload(device=device)\n";
  return code;
}

// Everything after from_pretrained: casting, placement (or the parallel
// layout), VAE calls.
std::string AfterLoadCode(const Candidate& candidate, const CodeContext& context) {
  std::string code = CastingCode(candidate, context);
  if (RunsUnderTorchrun(candidate.parallel.kind)) {
    code += ContextParallelCode(candidate, context);
  } else if (candidate.parallel.kind != ParallelKind::kBalanced) {
    // device_map="balanced" places the components at load; .to() and
    // offloading raise after it (pipeline_utils.py:495-499, 1212-1216).
    code += PlacementCode(candidate, context);
  }
  return code + VaeCode(candidate, context);
}

std::string LaunchLine(const Candidate& candidate) {
  return "torchrun --nproc-per-node " + std::to_string(candidate.parallel.degree) + " <this script>";
}

}  // namespace

std::string ParallelSetupCode(const Candidate& candidate, const CodeContext& context) {
  if (!RunsUnderTorchrun(candidate.parallel.kind)) return "";
  std::string code = "# Launch with: " + LaunchLine(candidate) + "\n";
  if (candidate.parallel.kind == ParallelKind::kTensor && context.engine == ParallelEngine::kDiffusers)
    code +=
        "# TensorParallelConfig is on diffusers main only (after 0.39.0): install diffusers from source.\n";
  const ContextParallelClass* cp = FindContextParallelClass(context.denoiser_class);
  const bool anything = IsContextParallel(candidate.parallel.kind) && cp != nullptr && cp->variable_text &&
                        context.engine == ParallelEngine::kDiffusers;
  return code + ProcessGroupCode(anything);
}

std::string PipelineCallArguments(const CodeContext& context) {
  const Workload& workload = context.workload;
  if (!context.known_call)
    return "    prompt,\n    num_inference_steps=" + std::to_string(workload.steps) + ",\n";
  const bool video = IsVideo(context);
  std::string code = "    prompt,\n";
  code += "    height=" + std::to_string(workload.height) + ",\n";
  code += "    width=" + std::to_string(workload.width) + ",\n";
  if (video) code += "    num_frames=" + std::to_string(workload.frames) + ",\n";
  code += "    num_inference_steps=" + std::to_string(workload.steps) + ",\n";
  // Video pipelines name the batch num_videos_per_prompt (WanPipeline,
  // LTXPipeline, HunyuanVideoPipeline, CogVideoXPipeline __call__).
  code += std::string(video ? "    num_videos_per_prompt=" : "    num_images_per_prompt=") +
          std::to_string(workload.batch) + ",\n";
  code += "    generator=torch.Generator(\"cpu\").manual_seed(0),\n";
  return code;
}

std::string PromptCode() { return "prompt = " + PythonString(kPrompt) + "\n"; }

namespace {

std::string HeaderCode(const Candidate& candidate, const CodeContext& context) {
  std::string packages = "torch diffusers transformers accelerate";
  for (const WeightsPackageRow& row : kWeightsPackages) {
    if (row.kind == candidate.weights) packages += std::string(" ") + row.package;
  }
  if (RunsUnderTorchrun(candidate.parallel.kind) && context.engine == ParallelEngine::kCacheDit)
    packages += " cache-dit";
  // TensorParallelConfig is on diffusers main only (after 0.39.0).
  if (candidate.parallel.kind == ParallelKind::kTensor && context.engine == ParallelEngine::kDiffusers) {
    packages.replace(packages.find(" diffusers"), std::string(" diffusers").size(),
                     " git+https://github.com/huggingface/diffusers");
  }
  std::string code =
      "# Generated by pipefit: strategy " + candidate.Id() + " for " + CommentSafe(context.model_id) + ".\n";
  code += "# Needs: pip install -U " + packages + "\n";
  return code;
}

}  // namespace

std::string ImportCode(const Candidate& candidate, const CodeContext& context) {
  const WeightsCode weights = WriteWeightsCode(candidate, context);
  std::vector<std::string> names = {PipelineClass(context)};
  for (const std::string& name : weights.diffusers_imports) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  const bool distributed = RunsUnderTorchrun(candidate.parallel.kind);
  const bool cache_dit = distributed && context.engine == ParallelEngine::kCacheDit;
  if (distributed && !cache_dit) names.push_back(ParallelConfigClass(candidate.parallel.kind));
  std::string code = "import torch\n";
  if (distributed) code += "import torch.distributed as dist\n";
  if (cache_dit) code += "import cache_dit\nfrom cache_dit import ParallelismConfig\n";
  code += "from diffusers import ";
  for (size_t i = 0; i < names.size(); ++i) code += (i > 0 ? ", " : "") + names[i];
  code += "\n";
  if (candidate.placement == Placement::kPartialResident)
    code += "from diffusers.hooks import apply_group_offloading\n";
  if (IsVideo(context)) code += "from diffusers.utils import export_to_video\n";
  for (const std::string& line : weights.other_imports) code += line + "\n";
  return code;
}

namespace {

// set_attention_backend validates the backend's requirements and fetches
// hub kernels, so it can raise; the default (native SDPA) then stays
// (internals §7).
std::string AttentionCode(const CodeContext& context) {
  if (context.attention_backend.empty()) return "";
  std::string code =
      "\n# Faster attention; keeps the default (native SDPA) when the backend is unavailable.\n";
  code += "ATTENTION_BACKEND = " + PythonString(context.attention_backend) + "\n";
  code += "try:\n";
  code += "    pipe." + context.denoiser + ".set_attention_backend(ATTENTION_BACKEND)\n";
  code += "except Exception as error:  # missing package or kernel, unsupported GPU or dtype\n";
  code +=
      "    print(f\"Attention backend {ATTENTION_BACKEND} unavailable ({error}); keeping the default.\")\n";
  return code;
}

// Regional compilation of the denoiser's repeated blocks (internals §8).
// fullgraph=True only where no offloading hook runs inside the blocks:
// group offloading's onload/offload are torch.compiler.disable()d
// (hooks/group_offloading.py), which fullgraph turns into an error, and
// sequential offload's accelerate hooks sit inside the blocks too. bnb 8-bit
// needs dynamo to capture its data-dependent output shapes
// (docs quantization/bitsandbytes.md).
std::string CompileCode(const Candidate& candidate, const CodeContext& context) {
  if (!context.compile_repeated_blocks) return "";
  if (candidate.placement == Placement::kPartialResident) {
    // The streamed blocks' hooks are compiler-disabled and rewrite their
    // forward after the first call, so compiling them breaks the graph at
    // every layer and recompiles (group_offloading.py:351-359, 521-524):
    // only the resident blocks are compiled.
    std::string code =
        "\n# torch.compile of the resident blocks: the first call is slow while it compiles,\n";
    code += "# later calls are faster. Set COMPILE = False to skip it.\n";
    code += "COMPILE = True\n";
    code += "if COMPILE:\n";
    code += "    for block in blocks[:" +
            std::to_string(std::min(candidate.resident_blocks, context.denoiser_blocks)) + "]:\n";
    code += "        block.compile()\n";
    return code;
  }
  const bool fullgraph =
      candidate.placement == Placement::kGpu || candidate.placement == Placement::kModelOffload;
  std::string code = "\n# torch.compile of the repeated blocks: the first call is slow while it compiles,\n";
  code += "# later calls are faster. Set COMPILE = False to skip it.\n";
  code += "COMPILE = True\n";
  code += "if COMPILE:\n";
  if (candidate.weights == WeightsKind::kBnbInt8)
    code += "    torch._dynamo.config.capture_dynamic_output_shape_ops = True\n";
  // Group offloading's hooks rewrite each block's forward, so every block
  // recompiles; past dynamo's default limit (8) the rest would run eager.
  // diffusers' own recipe raises the limit (optimization/
  // speed-memory-optims.md, group offloading + compile).
  if (IsGroupOffload(candidate.placement))
    code += "    torch._dynamo.config.cache_size_limit = 1000  # group offloading recompiles every block\n";
  code += "    pipe." + context.denoiser + ".compile_repeated_blocks(" + (fullgraph ? "fullgraph=True" : "") +
          ")\n";
  return code;
}

std::string GenerationCode(const CodeContext& context) {
  const Workload& workload = context.workload;
  const bool video = IsVideo(context);
  std::string code = "\nprompt = " + PythonString(kPrompt) + "\n";
  if (!context.known_call) {
    // pipefit does not know this pipeline's __call__: only the arguments
    // every text-conditioned diffusers pipeline takes.
    code += "# pipefit does not know this pipeline's call arguments: adjust as needed.\n";
    code += "result = pipe(prompt, num_inference_steps=" + std::to_string(workload.steps) + ")\n";
    return code + "print(type(result))\n";
  }
  code += std::string(video ? "frames" : "image") + " = pipe(\n";
  code += PipelineCallArguments(context);
  if (video) return code + ").frames[0]\nexport_to_video(frames, \"output.mp4\", fps=16)\n";
  return code + ").images[0]\nimage.save(\"output.png\")\n";
}

}  // namespace

std::string CandidateCode(const Candidate& candidate, const CodeContext& context) {
  const WeightsCode weights = WriteWeightsCode(candidate, context);
  std::string code = ParallelSetupCode(candidate, context);
  code += weights.setup;
  code += LoadCode(candidate, context, weights.load_kwargs);
  code += AfterLoadCode(candidate, context);
  return code;
}

std::string PostLoadCode(const Candidate& candidate, const CodeContext& context) {
  return AfterLoadCode(candidate, context);
}

std::string EmitScript(const Candidate& candidate, const CodeContext& context) {
  std::string script = HeaderCode(candidate, context);
  const bool cp = RunsUnderTorchrun(candidate.parallel.kind);
  if (cp) {
    script += "# Run on " + std::to_string(candidate.parallel.degree) + " GPUs, one process each:\n#   " +
              LaunchLine(candidate) + "\n";
  }
  script += ImportCode(candidate, context);
  script += "\n" + CandidateCode(candidate, context);
  // cache-dit sets the attention backend its parallelism needs itself, and
  // Ring keeps the _native_cudnn backend its code sets.
  const bool own_backend =
      (cp && context.engine == ParallelEngine::kCacheDit) || candidate.parallel.kind == ParallelKind::kRing;
  if (!own_backend) script += AttentionCode(context);
  // torch.compile with context or tensor parallelism is unverified
  // (diffusers' CLI refuses the pair; diffusers-parallelism.md §4): not
  // written.
  if (!cp) script += CompileCode(candidate, context);
  std::string generation = GenerationCode(context);
  if (cp) {
    // Every rank computes the same result; rank 0 writes it.
    for (const char* save : {"image.save(", "export_to_video("}) {
      const size_t at = generation.find(save);
      if (at != std::string::npos) generation.insert(at, "if rank == 0:\n    ");
    }
    generation += "dist.destroy_process_group()\n";
  }
  return script + generation;
}

}  // namespace pipefit
