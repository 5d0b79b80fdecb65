#include "pipefit/plan/candidates.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "pipefit/plan/estimator.h"
#include "pipefit/plan/plan_result.h"
#include "pipefit/plan/rules.h"

namespace pipefit {
namespace {

bool HasFp8Hardware(const PlanContext& ctx) {
  // torchao float8 needs SM >= 8.9 (internals §6.2: _check_hardware_support
  // for the dynamic config; the weight-only kernels use the same fp8 dtype
  // support). Unknown GPU: offered, with the catalog's answer when known.
  if (ctx.gpu != nullptr) return ctx.gpu->fp8;
  return PlannedComputeCapability(ctx).value_or(89) >= 89;
}

// torchao int4 (tile_packed_to_4d) needs SM >= 8.0 and bf16 (torchao
// int4_tile_packed_to_4d_tensor.py); an unknown GPU is given the benefit.
bool Int4Supported(const PlanContext& ctx) {
  if (ctx.measurement.load_dtype != LoadDType::kBF16) return false;
  return PlannedComputeCapability(ctx).value_or(80) >= 80;
}

std::vector<std::vector<std::string>> QuantizedSets(const PlanContext& ctx) {
  const std::string& denoiser = ctx.measurement.components[static_cast<size_t>(ctx.denoiser)].name;
  std::vector<std::string> with_te = {denoiser};
  for (const TextEncoderFacts& t : ctx.facts.text_encoders) {
    if (t.bytes >= kLargeTextEncoderBytes) with_te.push_back(t.name);
  }
  std::vector<std::vector<std::string>> sets = {{denoiser}};
  if (with_te.size() > 1) sets.push_back(with_te);
  return sets;
}

struct WeightsChoice {
  WeightsKind kind;
  std::vector<std::string> components;
};

std::vector<WeightsChoice> WeightsChoices(const PlanContext& ctx) {
  if (ctx.denoiser >= 0 && ctx.denoiser_gguf) {
    // The checkpoint is already quantized: GGUF is its only weights kind.
    return {{WeightsKind::kGguf, {ctx.measurement.components[static_cast<size_t>(ctx.denoiser)].name}}};
  }
  std::vector<WeightsChoice> out = {{WeightsKind::kFull, {}}};
  if (ctx.denoiser < 0) return out;
  const ComponentMeasurement& d = ctx.measurement.components[static_cast<size_t>(ctx.denoiser)];
  if (d.format == WeightFormat::kPickle) return out;
  if (d.library == "diffusers") out.push_back({WeightsKind::kFp8Layerwise, {d.name}});
  for (WeightsKind kind : {WeightsKind::kBnbInt8, WeightsKind::kBnbNf4, WeightsKind::kTorchaoInt8wo,
                           WeightsKind::kTorchaoFp8wo, WeightsKind::kTorchaoInt4wo}) {
    if (kind == WeightsKind::kTorchaoFp8wo && !HasFp8Hardware(ctx)) continue;
    if (kind == WeightsKind::kTorchaoInt4wo && !Int4Supported(ctx)) continue;
    for (const auto& set : QuantizedSets(ctx)) out.push_back({kind, set});
  }
  return out;
}

// A GGUF checkpoint's tier from its dominant quant type: 8+ bits per weight
// is int8-class, fewer int4-class, unquantized F16/BF16/F32 full.
QualityTier GgufQuality(DType type) {
  const DTypeInfo& info = GetDTypeInfo(type);
  if (info.kind != DTypeKind::kQuantized) return QualityTier::kFull;
  const double bits = 8.0 * info.block_bytes / std::max(1, info.block_elements);
  return bits >= 8.0 ? QualityTier::kInt8 : QualityTier::kInt4;
}

const ClassTraits* TraitsAt(const PlanContext& ctx, int index) {
  if (index < 0) return nullptr;
  return FindClassTraits(ctx.measurement.components[static_cast<size_t>(index)].class_name);
}

// Components group offloading must leave on the GPU (internals §3.1, §3.3;
// rules.h for bitsandbytes).
std::vector<std::string> GroupExclusions(const PlanContext& ctx, const Candidate& c) {
  std::vector<std::string> out;
  if (!IsGroupOffload(c.placement)) return out;
  if (MustExcludeQuantized(c.weights, c.placement)) out = c.quantized_components;
  for (size_t i = 0; i < ctx.measurement.components.size(); ++i) {
    const ComponentMeasurement& m = ctx.measurement.components[i];
    if (!m.has_weights() || std::find(out.begin(), out.end(), m.name) != out.end()) continue;
    const ClassTraits* t = FindClassTraits(m.class_name);
    const bool unsupported = t != nullptr && !t->supports_group_offload;
    const bool vae_block = static_cast<int>(i) == ctx.vae && !IsLeafLevel(c.placement) &&
                           (t == nullptr || !t->group_offload_block_modules);
    if (unsupported || vae_block) out.push_back(m.name);
  }
  return out;
}

void AddVaeVariants(const PlanContext& ctx, const Candidate& base, std::vector<Candidate>& out) {
  out.push_back(base);
  const ClassTraits* vae = TraitsAt(ctx, ctx.vae);
  if (vae == nullptr || ctx.activation_override) return;
  const ActivationInputs in = MakeActivationInputs(ctx);
  const bool tiling = vae->vae_tiling && TilingApplies(in, vae->tile_sample_min);
  const bool slicing = vae->vae_slicing && SlicingApplies(in);
  if (tiling) {
    Candidate c = base;
    c.vae_tiling = true;
    out.push_back(c);
  }
  if (slicing) {
    Candidate c = base;
    c.vae_slicing = true;
    out.push_back(c);
  }
  if (tiling && slicing) {
    Candidate c = base;
    c.vae_tiling = c.vae_slicing = true;
    out.push_back(c);
  }
}

// Partial residency needs one diffusers transformer with numbered blocks
// (group offloading is applied block by block; a UNet's few down/up blocks
// differ too much in size for a dial), and weights it combines with
// (rules.h partial-residency-quantized).
bool OffersPartialResidency(const PlanContext& ctx, WeightsKind weights) {
  if (ctx.denoiser < 0 || ctx.facts.denoiser.unet || FindRejection(weights, Placement::kPartialResident))
    return false;
  // A second denoiser (Wan 2.2's transformer_2) would be streamed whole,
  // every step it runs: the time model counts other models once per call.
  int denoisers = 0;
  for (const ComponentMeasurement& m : ctx.measurement.components) {
    if (m.has_weights() && m.role == ModelRole::kDenoiser) ++denoisers;
  }
  const ComponentMeasurement& d = ctx.measurement.components[static_cast<size_t>(ctx.denoiser)];
  return denoisers == 1 && d.library == "diffusers" && d.format != WeightFormat::kPickle &&
         d.block_list.size() >= kMinBlocksForPartialResidency;
}

// The dial's settings for one candidate (VAE modifiers set): the largest
// block count that fits the GPU, and for the plain candidate a quarter,
// half and three quarters of the blocks, so the front has points between
// group offloading and everything resident. Ascending, distinct, 1..n.
std::vector<int> ResidentBlockCounts(const PlanContext& ctx, Candidate c) {
  const int n =
      static_cast<int>(ctx.measurement.components[static_cast<size_t>(ctx.denoiser)].block_list.size());
  std::vector<int> counts;
  if (!c.vae_tiling && !c.vae_slicing) {
    for (int quarter = 1; quarter <= 3; ++quarter) counts.push_back(std::max(1, (n * quarter + 2) / 4));
  }
  if (ctx.requested_resident_blocks > 0 && ctx.requested_resident_blocks <= n)
    counts.push_back(ctx.requested_resident_blocks);
  const Bytes capacity = GpuCapacity(ctx.hardware, 0);
  if (capacity > 0) {
    for (int k = n; k >= 1; --k) {
      c.resident_blocks = k;
      if (EstimateMemory(ctx, c).vram <= capacity) {
        counts.push_back(k);
        break;
      }
    }
  }
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

void AddPartialResidency(const PlanContext& ctx, const Candidate& base, std::vector<Candidate>& out) {
  std::vector<Candidate> variants;
  AddVaeVariants(ctx, base, variants);
  for (const Candidate& variant : variants) {
    for (int k : ResidentBlockCounts(ctx, variant)) {
      Candidate c = variant;
      c.resident_blocks = k;
      out.push_back(c);
    }
  }
}

}  // namespace

int TuneBlocksPerGroup(const PlanContext& ctx, Candidate c, Bytes vram) {
  if (ctx.denoiser < 0) return 1;
  const ComponentMeasurement& d = ctx.measurement.components[static_cast<size_t>(ctx.denoiser)];
  const int blocks = static_cast<int>(std::max<int64_t>(1, d.blocks));
  c.num_blocks_per_group = 1;
  const Estimate one = EstimateMemory(ctx, c);
  if (vram <= one.vram || d.block_bytes <= 0) return 1;
  // Each extra block in the group adds one block (scaled like the weights)
  // to the denoising stage only. Computed in double: bytes x bytes
  // overflows int64.
  const double per_block = std::max(1.0, static_cast<double>(ComponentWeights(ctx, c, ctx.denoiser)) *
                                             static_cast<double>(d.block_bytes) /
                                             static_cast<double>(std::max<Bytes>(1, d.bytes)));
  const double extra = std::floor(static_cast<double>(vram - one.vram) / per_block);
  return static_cast<int>(std::min<double>(blocks, 1 + extra));
}

std::vector<Candidate> EnumerateCandidates(const PlanContext& ctx,
                                           std::vector<RejectedCombination>* rejected) {
  std::vector<Candidate> out;
  for (const WeightsChoice& w : WeightsChoices(ctx)) {
    for (Placement p : kAllPlacements) {
      Candidate c;
      c.weights = w.kind;
      c.placement = p;
      c.quantized_components = w.components;
      if (w.kind == WeightsKind::kGguf) c.quality = GgufQuality(ctx.gguf_type);
      if (const CompatibilityRule* rule = FindRejection(w.kind, p)) {
        if (rejected != nullptr && (w.components.size() <= 1)) {
          rejected->push_back({c.Id(), std::string(rule->id), std::string(rule->message)});
        }
        continue;
      }
      c.group_offload_exclude = GroupExclusions(ctx, c);
      if (p == Placement::kPartialResident) {
        if (OffersPartialResidency(ctx, w.kind)) AddPartialResidency(ctx, c, out);
        continue;
      }
      if (p == Placement::kGroupBlockStream) c.num_blocks_per_group = 1;  // forced (internals §3.5)
      // Tuned to fill 80% of the card (the balanced preference's comfort
      // margin): without a stream every group moves every step whatever n
      // is, so larger groups buy little speed and cost headroom.
      if (p == Placement::kGroupBlock) {
        c.num_blocks_per_group = TuneBlocksPerGroup(ctx, c, ctx.hardware.vram / 5 * 4);
      }
      AddVaeVariants(ctx, c, out);
    }
  }
  return out;
}

}  // namespace pipefit
