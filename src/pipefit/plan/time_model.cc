#include "pipefit/plan/time_model.h"

#include <algorithm>
#include <cmath>

#include "pipefit/plan/estimator.h"

namespace pipefit {
namespace {

// --- Constants, fitted on shared/reference/measurements.md ----------------
//
// The share of a GPU's dense TFLOPS the denoiser reaches is its class's
// efficiency (time_classes.cc: per architecture and market, each fitted on
// published timings or marked guessed).
//
// Text encoding + decode per 1024x1024 image, in H100-SXM seconds (rows 23
// and 25: 12.339 s for 50 steps and 1.120 s for 4 give 0.2439 s per step
// and 0.144 s outside the loop); scaled by pixels, batch and the GPU's
// effective throughput (TFLOPS x class efficiency) against the H100's.
constexpr double kOverheadSecondsH100 = 0.144;
constexpr double kH100Tflops = 989.4;
// UNet FLOPs per parameter per latent pixel, fitted so that row 60 (SDXL,
// A100 40GB, fp16, batch 4 with CFG = 8 per step, 50 steps, 11.413 s) holds
// at the efficiency then used for every GPU (0.516, now the Hopper class's):
// 0.228 s x 312e12 x 0.516 / (8 x 2.567e9 params x 16384 latent pixels) =
// 0.109. With the Ampere DC class's 0.729 an SDXL step on an A100 comes out
// 0.516 / 0.729 = 0.71 x the row's; refitting waits for the SDXL catalog
// entry (docs/memory-model.md, pending rows).
constexpr double kUnetFlopsPerParamPixel = 0.109;
// Fraction of PCIe bandwidth reached by each kind of transfer.
// Pageable model moves (enable_model_cpu_offload: every model H2D once and
// back D2H at the end of the call): row 62 vs row 60 (SDXL, A100 PCIe 4.0
// x16): +4.669 s for 2 x 6.94 GB = 2.97 GB/s = 0.094 of 31.5 GB/s.
constexpr double kPageableModelEfficiency = 0.094;
// Synchronous per-module pageable copies (sequential offload): row 63 vs
// row 60: +55.62 s for 50 x 5.14 GB + 1.8 GB = 4.65 GB/s = 0.148.
constexpr double kPageableModuleEfficiency = 0.148;
// Pinned, prefetched on a side stream (group offload with streams): row 43
// (FLUX.1-dev transformer, leaf_level + stream on an L40, PCIe 4.0 x16,
// 1.859 s for 23.80 GB) = 12.8 GB/s = 0.406; transfer-bound, so the
// L40's compute does not enter.
constexpr double kPinnedStreamEfficiency = 0.406;
// low_cpu_mem_usage pins each group on the fly: an extra host copy per
// onload. Not measured: half the pinned rate (internals §3.6 "slower").
constexpr double kLowMemStreamEfficiency = kPinnedStreamEfficiency / 2;

// Kernel slowdown of the denoising loop per weights kind, relative to bf16,
// from BLOG-QUANT's 50-step FLUX.1-dev times on an H100 (row 1 = 12 s):
// fp8 layerwise 13 s (row 13), nf4 12 s (row 2), bnb int8 27 s (row 3),
// torchao int8wo 15 s (row 5), fp8wo 15 s (row 6), int4wo 109 s (row 4).
double KernelSlowdown(WeightsKind weights, DType gguf_type) {
  switch (weights) {
    case WeightsKind::kFull:
      return 1.0;
    case WeightsKind::kFp8Layerwise:
      return 13.0 / 12.0;
    case WeightsKind::kBnbNf4:
      return 12.0 / 12.0;
    case WeightsKind::kBnbInt8:
      return 27.0 / 12.0;
    case WeightsKind::kTorchaoInt8wo:
      return 15.0 / 12.0;
    case WeightsKind::kTorchaoFp8wo:
      return 15.0 / 12.0;
    case WeightsKind::kTorchaoInt4wo:
      return 109.0 / 12.0;
    case WeightsKind::kGguf:
      // GGUF Q8_0 15 s (row 11), Q4_1 23 s (row 10), Q2_K 26 s (row 12);
      // other types take the nearest measured one by bits per weight.
      switch (gguf_type) {
        case DType::kQ8_0:
        case DType::kF16:
        case DType::kBF16:
        case DType::kF32:
          return 15.0 / 12.0;
        case DType::kQ2_K:
        case DType::kQ3_K:
          return 26.0 / 12.0;
        default:
          return 23.0 / 12.0;
      }
  }
  return 1.0;
}

double DenseFlops(const GpuSpec& gpu) { return gpu.dense_tflops * 1e12; }

// Bytes of the components a call moves once per pipeline call (everything
// but the denoiser) and the denoiser per step.
struct Traffic {
  double denoiser = 0;
  double others = 0;
};

Traffic TrafficOf(const PlanContext& ctx, const Candidate& c) {
  Traffic t;
  for (size_t i = 0; i < ctx.measurement.components.size(); ++i) {
    const ComponentMeasurement& m = ctx.measurement.components[i];
    if (!m.has_weights()) continue;
    if (std::find(c.group_offload_exclude.begin(), c.group_offload_exclude.end(), m.name) !=
        c.group_offload_exclude.end()) {
      continue;
    }
    const double bytes = static_cast<double>(ComponentWeights(ctx, c, static_cast<int>(i)));
    if (static_cast<int>(i) == ctx.denoiser) {
      t.denoiser = bytes;
    } else {
      t.others += bytes;
    }
  }
  return t;
}

const GpuSpec* ReferenceGpu() { return FindGpu("rtx-4090"); }

// Seconds of a denoising step's compute per FLOP of DenoiserStepFlops.
double SecondsPerFlop(const GpuSpec& gpu, const TimeClassRow& row, const TimeOptions& options) {
  double factor = 1.0;
  if (options.compile) factor *= row.compile.value;
  if (options.attention_backend) factor *= row.attention.value;
  return factor / (DenseFlops(gpu) * row.efficiency);
}

}  // namespace

double PcieBytesPerSecond(int generation, int width) {
  double lane = 0.985e9;  // gen 3
  if (generation == 4) lane = 1.969e9;
  if (generation >= 5) lane = 3.938e9;
  if (generation > 0 && generation < 3) lane = 0.5e9;
  return lane * std::max(1, width);
}

double DenoiserStepFlops(const PlanContext& ctx) {
  const Workload& w = ctx.workload;
  const DenoiserFacts& d = ctx.facts.denoiser;
  const double images = static_cast<double>(w.batch) * w.guidance_batch * w.guidance_passes;
  if (d.unet) {
    const double scale = std::max(1, ctx.facts.vae.spatial_scale);
    const double latent = (w.height / scale) * (w.width / scale);
    return kUnetFlopsPerParamPixel * static_cast<double>(d.params) * latent * images;
  }
  const double tokens = static_cast<double>(DenoiserTokens(ctx.facts, w));
  double tokens_eff = tokens;
  if (tokens == 0) {
    // Unknown architecture: as many tokens as a FLUX-like 16-pixel patch grid.
    tokens_eff = (w.height / 16.0) * (w.width / 16.0) * std::max(1, w.frames / 4 + 1);
  }
  const double linear = 2.0 * static_cast<double>(d.params) * tokens_eff;
  const double attention = 4.0 * tokens_eff * tokens_eff * d.hidden * d.layers;
  return (linear + attention) * images;
}

TimeEstimate EstimateTime(const PlanContext& ctx, const Candidate& c, const TimeOptions& options) {
  TimeEstimate t;
  const GpuSpec* gpu = ctx.gpu;
  if (gpu == nullptr || gpu->dense_tflops <= 0) {
    gpu = ReferenceGpu();
    t.reference_gpu = true;
  }
  if (gpu == nullptr) return t;
  const Workload& w = ctx.workload;
  t.gpu_class = ClassifyGpu(*gpu);
  const TimeClassRow& row = TimeClassFor(t.gpu_class);
  const double step =
      DenoiserStepFlops(ctx) * SecondsPerFlop(*gpu, row, options) * KernelSlowdown(c.weights, ctx.gguf_type);
  const double megapixels = static_cast<double>(w.height) * w.width * w.frames / (1024.0 * 1024.0);
  const double h100 = kH100Tflops * TimeClassFor(TimeClass::kHopperDataCenter).efficiency;
  const double overhead =
      kOverheadSecondsH100 * megapixels * w.batch * h100 / (gpu->dense_tflops * row.efficiency);
  const double bw = PcieBytesPerSecond(gpu->pcie_generation, gpu->pcie_width);
  const Traffic traffic = TrafficOf(ctx, c);
  const double steps = w.steps;
  double per_step = step, once = 0;
  switch (c.placement) {
    case Placement::kGpu:
      break;
    case Placement::kModelOffload:
      once = 2 * (traffic.denoiser + traffic.others) / (bw * kPageableModelEfficiency);
      break;
    case Placement::kSequentialOffload:
      per_step += traffic.denoiser / (bw * kPageableModuleEfficiency);
      once = traffic.others / (bw * kPageableModuleEfficiency);
      break;
    case Placement::kGroupBlock:
    case Placement::kGroupLeaf:
      // No stream: synchronous onload and a D2H copy back per group (§3.6).
      per_step += 2 * traffic.denoiser / (bw * kPageableModuleEfficiency);
      once = 2 * traffic.others / (bw * kPageableModuleEfficiency);
      break;
    case Placement::kGroupBlockStream:
    case Placement::kGroupLeafStream:
      per_step = std::max(step, traffic.denoiser / (bw * kPinnedStreamEfficiency));
      once = traffic.others / (bw * kPinnedStreamEfficiency);
      break;
    case Placement::kGroupLeafStreamLowmem:
      per_step = std::max(step, traffic.denoiser / (bw * kLowMemStreamEfficiency));
      once = traffic.others / (bw * kLowMemStreamEfficiency);
      break;
    case Placement::kPartialResident: {
      // Each streamed block prefetches its own leaves on its own stream, so
      // its copies hide behind that block's compute only, not behind the
      // resident blocks' (docs/partial-residency.md); same pinned rate as
      // row 43's leaf_level + stream. Unmeasured as a whole: guessed.
      const PartialSplit split = SplitForPartialResidency(ctx, c);
      const double streamed_compute = step * split.streamed_share;
      per_step =
          step - streamed_compute +
          std::max(streamed_compute, static_cast<double>(split.streamed) / (bw * kPinnedStreamEfficiency));
      once = traffic.others / (bw * kPinnedStreamEfficiency);
      break;
    }
  }
  t.compute_seconds = steps * step;
  t.transfer_seconds = steps * (per_step - step) + once;
  t.seconds = t.compute_seconds + t.transfer_seconds + overhead;
  return t;
}

TimeBasis TimeBasisFor(const GpuSpec* gpu) {
  TimeBasis basis;
  if (gpu == nullptr || gpu->dense_tflops <= 0) {
    gpu = ReferenceGpu();
    basis.reference_gpu = true;
  }
  basis.gpu = gpu;
  if (gpu != nullptr) basis.gpu_class = ClassifyGpu(*gpu);
  return basis;
}

}  // namespace pipefit
