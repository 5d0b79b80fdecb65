#include "pipefit/doctor/advice.h"

#include <functional>

#include "pipefit/base/units.h"

namespace pipefit {
namespace {

bool Gpu(const OomReport& r) {
  return r.kind == OomKind::kCuda || r.kind == OomKind::kHip || r.kind == OomKind::kMps;
}

Bytes OtherProcessBytes(const OomReport& r) {
  // Without a "this process has" figure PyTorch could not tell its own
  // process apart (containers, Colab): a lone process holding at least what
  // PyTorch allocated and reserved is this one.
  if (!r.process_in_use && r.other_processes.size() == 1 && r.allocated_by_pytorch &&
      r.other_processes.front().bytes >= *r.allocated_by_pytorch + r.reserved_unallocated.value_or(0))
    return 0;
  Bytes total = 0;
  for (const OtherProcess& p : r.other_processes) total += p.bytes;
  return total;
}

// Memory on the card that is not this process's (other processes, another
// framework's context): total - free - this process's use.
Bytes Unaccounted(const OomReport& r) {
  if (!r.gpu_total || !r.gpu_free || !r.process_in_use) return 0;
  return *r.gpu_total - *r.gpu_free - *r.process_in_use;
}

// Reserved by PyTorch's cache but not allocated: printed in the current
// message, derived (reserved in total - allocated) from the old one.
std::optional<Bytes> ReservedIdle(const OomReport& r) {
  if (r.reserved_unallocated) return r.reserved_unallocated;
  if (r.reserved_total && r.allocated_by_pytorch && *r.reserved_total >= *r.allocated_by_pytorch)
    return *r.reserved_total - *r.allocated_by_pytorch;
  return std::nullopt;
}

struct Rule {
  const char* id;
  std::function<bool(const OomReport&)> applies;
  std::function<std::string(const OomReport&)> text;
};

// Ordered: the most specific diagnosis first. Sources: the seed's
// "Debugging OOM" steps (memory-calculator.md), internals §2-§9, and
// PyTorch's own message (expandable_segments).
const std::vector<Rule>& Rules() {
  static const std::vector<Rule> rules = {
      {"not-oom", [](const OomReport& r) { return r.kind == OomKind::kNotOom; },
       [](const OomReport&) {
         return std::string(
             "No out-of-memory error in this log: pipefit doctor only triages OOMs. "
             "Check the last exception above for the real failure.");
       }},
      {"truncated", [](const OomReport& r) { return r.truncated; },
       [](const OomReport&) {
         return std::string("The OOM message is cut off: paste the whole traceback for the full numbers.");
       }},
      {"other-process",
       [](const OomReport& r) { return Gpu(r) && (OtherProcessBytes(r) > 0 || Unaccounted(r) > kGiB / 2); },
       [](const OomReport& r) {
         const Bytes other = OtherProcessBytes(r) > 0 ? OtherProcessBytes(r) : Unaccounted(r);
         return "Another process holds " + FormatGiB(other) +
                " of this GPU. Stop it (see nvidia-smi / rocm-smi) or run on a free GPU before changing "
                "the pipeline.";
       }},
      {"fragmentation",
       [](const OomReport& r) {
         const std::optional<Bytes> idle = ReservedIdle(r);
         return Gpu(r) && idle && r.requested && *idle >= kGiB / 4 &&
                *idle + r.gpu_free.value_or(0) >= *r.requested;
       },
       [](const OomReport& r) {
         return FormatGiB(*ReservedIdle(r)) + " is reserved by PyTorch but unallocated" +
                (r.gpu_free ? " (and " + FormatGiB(*r.gpu_free) + " free)" : std::string()) +
                ", enough for the " + FormatGiB(*r.requested) +
                " requested had it been in one piece: the cache is fragmented. Set "
                "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True before starting Python.";
       }},
      {"single-request-too-large",
       [](const OomReport& r) {
         // A tenth of the card and more than is free: one activation
         // (full-card covers smaller requests).
         return Gpu(r) && r.requested && r.gpu_total && *r.requested * 10 >= *r.gpu_total &&
                (!r.gpu_free || *r.requested > *r.gpu_free);
       },
       [](const OomReport& r) {
         std::string text = "One allocation of " + FormatGiB(*r.requested) + " is " +
                            std::to_string(*r.requested * 100 / *r.gpu_total) + "% of the card (" +
                            FormatGiB(*r.gpu_total) + "): that is an activation, not weights — ";
         if (r.stage == OomStage::kVaeDecode)
           return text +
                  "the VAE's full-resolution buffers. Tile the VAE (pipe.vae.enable_tiling()), and "
                  "slice it (pipe.vae.enable_slicing()) for batches.";
         if (r.stage == OomStage::kDenoising)
           return text +
                  "most likely attention scores materialised in full (quadratic in the tokens). Use "
                  "the default SDPA or a flash backend (pipe.transformer.set_attention_backend(...)), "
                  "do not force the math backend, and lower the resolution or frames.";
         return text +
                "an unfused attention (use the default SDPA or pipe.transformer.set_attention_backend(...)) "
                "or an untiled VAE (pipe.vae.enable_tiling()). Lower the resolution, frames or batch "
                "otherwise.";
       }},
      {"loading", [](const OomReport& r) { return Gpu(r) && r.stage == OomStage::kLoading; },
       [](const OomReport&) {
         return std::string(
             "The weights did not fit while loading or moving the pipeline to the GPU. Do not "
             "call pipe.to(\"cuda\"); use pipe.enable_model_cpu_offload() (one model on the GPU "
             "at a time), group offloading, or quantize the transformer (and the T5/LLM text "
             "encoder) with PipelineQuantizationConfig.");
       }},
      {"text-encoding", [](const OomReport& r) { return Gpu(r) && r.stage == OomStage::kTextEncoding; },
       [](const OomReport&) {
         return std::string(
             "The text encoder ran out of memory: with everything on the GPU the T5/LLM encoder "
             "sits next to the transformer. Use pipe.enable_model_cpu_offload() (encoders leave "
             "the GPU before denoising) or quantize the text encoder too.");
       }},
      {"denoising", [](const OomReport& r) { return Gpu(r) && r.stage == OomStage::kDenoising; },
       [](const OomReport&) {
         return std::string(
             "The denoiser (transformer/UNet) plus its activations exceed the GPU. Under model "
             "offload the transformer alone must fit: store it in fp8 with "
             "pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, "
             "compute_dtype=torch.bfloat16), or use group offloading "
             "(pipe.enable_group_offload(..., offload_type=\"leaf_level\", use_stream=True)), "
             "or quantize it; lower the resolution, frames or batch for activations.");
       }},
      {"vae", [](const OomReport& r) { return Gpu(r) && r.stage == OomStage::kVaeDecode; },
       [](const OomReport& r) {
         return std::string("The VAE ran out of memory while ") +
                (r.vae_call == "encode" ? "encoding" : "decoding") +
                ": call pipe.vae.enable_tiling() (tiles bound the peak; the pipeline-level "
                "pipe.enable_vae_tiling() is removed), and pipe.vae.enable_slicing() when the batch is larger "
                "than one.";
       }},
      {"training", [](const OomReport& r) { return r.stage == OomStage::kTraining; },
       [](const OomReport&) {
         return std::string(
             "Training ran out of memory: enable gradient checkpointing, use an 8-bit optimizer "
             "or a smaller batch/resolution; pipefit plans inference, not training.");
       }},
      {"full-card",
       [](const OomReport& r) {
         // A request under a tenth of the card (single-request-too-large
         // takes the rest) on a card that is full: PyTorch (or the process)
         // holds 85% of it, or less than the request is free while 85% is in
         // use by anything (small cards lose a fifth to the CUDA context and
         // the desktop).
         if (!Gpu(r) || !r.requested || !r.gpu_total || *r.requested * 10 >= *r.gpu_total) return false;
         const std::optional<Bytes> held = r.allocated_by_pytorch ? r.allocated_by_pytorch : r.process_in_use;
         if (held && *held * 100 >= *r.gpu_total * 85) return true;
         return held && r.gpu_free && *r.gpu_free < *r.requested &&
                (*r.gpu_total - *r.gpu_free) * 100 >= *r.gpu_total * 85;
       },
       [](const OomReport& r) {
         const Bytes held = r.allocated_by_pytorch ? *r.allocated_by_pytorch : *r.process_in_use;
         std::string in_use = FormatGiB(held) + " of " + FormatGiB(*r.gpu_total) + " held";
         if (held * 100 < *r.gpu_total * 85 && r.gpu_free)
           in_use = FormatGiB(*r.gpu_total - *r.gpu_free) + " of " + FormatGiB(*r.gpu_total) + " in use (" +
                    FormatGiB(held) + " by PyTorch, the rest by the CUDA context and other programs)";
         return "The card was already full: " + in_use + " when a small " + FormatGiB(*r.requested) +
                " request failed. The request is not the problem; what stays resident is (weights of models "
                "that are not running, or tensors kept from earlier steps). Offload what is not running "
                "(pipe.enable_model_cpu_offload() instead of pipe.to(\"cuda\")), or store the weights smaller "
                "(fp8 layerwise casting, quantization).";
       }},
      {"stage-unknown", [](const OomReport& r) { return Gpu(r) && r.stage == OomStage::kUnknown; },
       [](const OomReport&) {
         return std::string(
             "No traceback frame says which stage failed: paste the full traceback. Until then, "
             "run `pipefit plan MODEL --vram <your card>` for what fits.");
       }},
      {"mps-watermark", [](const OomReport& r) { return r.kind == OomKind::kMps; },
       [](const OomReport&) {
         return std::string(
             "On Apple silicon the limit is PyTorch's high watermark over unified memory: close "
             "other apps, lower the resolution, or use pipe.enable_model_cpu_offload(); "
             "PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 removes the limit at the risk of freezing the "
             "system.");
       }},
      {"host-oom", [](const OomReport& r) { return r.kind == OomKind::kHost; },
       [](const OomReport& r) {
         std::string text = "The host ran out of RAM";
         if (r.requested) text += " (one allocation of " + FormatGiB(*r.requested) + ")";
         if (r.stage == OomStage::kLoading)
           text +=
               " while loading: safetensors are memory-mapped and read one tensor at a time with "
               "low_cpu_mem_usage=True (the default with accelerate installed); .bin/.ckpt files, "
               "fp32 loads of half-precision checkpoints and torch_dtype conversions hold full copies";
         text +=
             ". Loading holds each component in RAM at the load dtype; group offloading with streams pins a "
             "second copy (use low_cpu_mem_usage=True), and GGUF files are copied whole. Quantize while "
             "loading (PipelineQuantizationConfig with device_map=\"cpu\"), add swap, or plan with "
             "`pipefit plan MODEL --ram <your RAM>`.";
         return text;
       }},
  };
  return rules;
}

}  // namespace

std::vector<Advice> AdviseOnOom(const OomReport& report) {
  std::vector<Advice> out;
  for (const Rule& rule : Rules()) {
    if (rule.applies(report)) out.push_back({rule.id, rule.text(report)});
  }
  return out;
}

}  // namespace pipefit
