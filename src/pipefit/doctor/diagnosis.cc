#include "pipefit/doctor/diagnosis.h"

#include <algorithm>
#include <cmath>

#include "pipefit/base/units.h"
#include "pipefit/hardware/gpu_catalog.h"

namespace pipefit {
namespace {

std::optional<Stage> PlanStage(const OomReport& r) {
  switch (r.stage) {
    case OomStage::kTextEncoding:
      return Stage::kTextEncode;
    case OomStage::kDenoising:
      return Stage::kDenoise;
    case OomStage::kVaeDecode:
      return r.vae_call == "encode" ? Stage::kEncode : Stage::kDecode;
    case OomStage::kLoading:
    case OomStage::kTraining:
    case OomStage::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

const PlannedCandidate* FindCandidate(const PlanResult& plan, std::string_view id) {
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.Id() == id) return &p;
  }
  return nullptr;
}

// The stage's largest peak in a candidate's estimate (several text
// encoders are one peak each).
const StagePeak* PeakOf(const PlannedCandidate& p, Stage stage) {
  const StagePeak* best = nullptr;
  for (const StagePeak& s : p.estimate.stages) {
    if (s.stage == stage && (best == nullptr || s.allocated() > best->allocated())) best = &s;
  }
  return best;
}

std::string StageWords(Stage stage) {
  switch (stage) {
    case Stage::kTextEncode:
      return "the text encoder runs";
    case Stage::kDenoise:
      return "the denoiser runs";
    case Stage::kDecode:
      return "the VAE decodes";
    case Stage::kEncode:
      return "the VAE encodes";
    case Stage::kLoad:
      return "the pipeline loads";
  }
  return "the stage runs";
}

std::string ShrinkAdvice(Stage stage) {
  switch (stage) {
    case Stage::kDecode:
    case Stage::kEncode:
      return "tile the VAE (pipe.vae.enable_tiling()) or lower the resolution or frames";
    case Stage::kDenoise:
      return "store the denoiser in fp8 (layerwise casting), quantize it, group-offload it, or lower the "
             "resolution, frames or batch";
    case Stage::kTextEncode:
      return "quantize the text encoder or shorten max_sequence_length";
    case Stage::kLoad:
      return "offload or quantize";
  }
  return "";
}

}  // namespace

// Memory sizes GPUs ship with that the GPU catalog has no row for (it
// keeps the cards pipefit plans for): the 2-6 GB GeForce GTX 10/16 and
// RTX 3050 cards, the 22 GB modded RTX 2080 Ti, the 32 GB data-centre V100,
// from NVIDIA's and AMD's product pages. Sizes only: no examples are named.
constexpr int kOtherNominalGiB[] = {2, 3, 4, 6, 8, 10, 11, 16, 20, 22, 24, 32, 40, 48, 64, 80, 96};

std::optional<CardClass> CardClassFromCapacity(Bytes reported_total) {
  if (reported_total <= 0) return std::nullopt;
  std::vector<Bytes> sizes;
  for (const GpuSpec& spec : GpuCatalog())
    if (spec.vram > 0) sizes.push_back(spec.vram);
  for (int gib : kOtherNominalGiB) sizes.push_back(static_cast<Bytes>(gib) * kGiB);
  Bytes nominal = 0;
  for (Bytes size : sizes) {
    const double ratio = static_cast<double>(reported_total) / static_cast<double>(size);
    if (ratio < 0.85 || ratio > 1.05) continue;
    // Drivers report a little less than the nominal size: the smallest size
    // at or above the capacity, else the largest just below it.
    const bool above = size >= reported_total;
    const bool best_above = nominal >= reported_total;
    if (nominal == 0 || (above && (!best_above || size < nominal)) ||
        (!above && !best_above && size > nominal))
      nominal = size;
  }
  if (nominal == 0) return std::nullopt;
  CardClass out;
  out.nominal_gb = static_cast<int>(std::llround(static_cast<double>(nominal) / static_cast<double>(kGiB)));
  for (const GpuSpec& spec : GpuCatalog()) {  // display order: consumer first
    if (spec.vram == nominal && out.examples.size() < 6) out.examples.push_back(spec.name);
  }
  return out;
}

std::optional<Bytes> AllocatedAtFailure(const OomReport& r) {
  if (r.allocated_by_pytorch) return r.allocated_by_pytorch;
  return r.process_in_use;
}

std::vector<Advice> ReasonWithPlan(const OomReport& r, const PlanResult& plan) {
  std::vector<Advice> out;
  const auto allocated = AllocatedAtFailure(r);
  const auto stage = PlanStage(r);
  const PlannedCandidate* all = FindCandidate(plan, "full+gpu");
  const PlannedCandidate* offload = FindCandidate(plan, "full+model_offload");
  if (!allocated || !stage || all == nullptr || offload == nullptr) return out;
  const StagePeak* all_peak = PeakOf(*all, *stage);
  const StagePeak* own_peak = PeakOf(*offload, *stage);
  if (all_peak == nullptr || own_peak == nullptr) return out;
  const std::string head = FormatGiB(*allocated) + " allocated when it failed while " + StageWords(*stage);
  const double alloc = static_cast<double>(*allocated);
  const double own = static_cast<double>(own_peak->allocated());
  const Bytes others_weights = all_peak->weights - own_peak->weights;
  std::string others = *stage == Stage::kDenoise ? "the text encoders" : "the denoiser";
  const StagePeak* denoise = PeakOf(*all, Stage::kDenoise);
  if (*stage != Stage::kDenoise && denoise != nullptr && !denoise->component.empty())
    others = "the " + denoise->component;
  // More is held than the stage needs by itself: other models (or tensors
  // kept from earlier) are resident.
  if (others_weights >= kGiB && alloc >= 1.25 * own + static_cast<double>(kGiB)) {
    const bool every = alloc >= 0.9 * static_cast<double>(all_peak->weights);
    out.push_back({"resident-weights",
                   head + ", but that stage needs about " + FormatGiB(own_peak->allocated()) +
                       " by itself (" + plan.model + " under model offload): " +
                       FormatGiB(*allocated - own_peak->allocated()) + " more is held. " +
                       (every ? "That is every model's weights (" + FormatGiB(all_peak->weights) +
                                    "): " + others + " is still resident"
                              : "The other models weigh " + FormatGiB(others_weights) +
                                    " in all, and some (" + others + " most likely) are still resident") +
                       " — the pipeline was moved with .to(\"cuda\") or offloading is off. "
                       "Replace pipe.to(\"cuda\") with pipe.enable_model_cpu_offload()."});
    return out;
  }
  // Less than half the stage's own weights: not this plan's precision or
  // placement (a quantized or fp8 pipeline); say nothing.
  if (alloc >= 0.5 * static_cast<double>(own_peak->weights) &&
      alloc <= 1.25 * own + static_cast<double>(kGiB)) {
    out.push_back({"stage-own-needs",
                   head + ", about what that stage needs by itself under model offload (" +
                       FormatGiB(own_peak->allocated()) + " predicted for " + plan.model +
                       "): the other models are already off the GPU, so the stage itself must shrink: " +
                       ShrinkAdvice(*stage) + "."});
  }
  return out;
}

}  // namespace pipefit
