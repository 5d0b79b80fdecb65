#include "pipefit/plan/machine_calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/plan/estimator.h"

namespace pipefit {
namespace {

// Below this a stage's predicted activations are too small for a ratio to
// mean anything (allocator rounding dominates).
constexpr Bytes kMinActivationForFactor = 64 * kMiB;

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::optional<double> ClampedMedian(const std::vector<double>& values) {
  if (values.empty()) return std::nullopt;
  return std::clamp(Median(values), kMinFactor, kMaxFactor);
}

// measured / predicted activations of one stage, when both are meaningful.
std::optional<double> ActivationRatio(const Measurement& m, Stage stage) {
  const PredictedStage* predicted = PredictedStagePeak(m, stage);
  const std::optional<Bytes> measured = StagePeakAllocated(m, stage);
  if (predicted == nullptr || !measured || predicted->activations < kMinActivationForFactor)
    return std::nullopt;
  const Bytes resident = predicted->weights + predicted->transient;
  if (*measured <= resident) return kMinFactor;
  return static_cast<double>(*measured - resident) / static_cast<double>(predicted->activations);
}

bool Usable(const Measurement& m) { return m.status == "ok" && m.device.starts_with("cuda"); }

std::string FactorText(const char* what, const std::optional<double>& factor) {
  return factor ? fmt::format("{} x{:.2f}", what, *factor) : "";
}

}  // namespace

const char* EstimateBasisName(EstimateBasis basis) {
  switch (basis) {
    case EstimateBasis::kPredicted:
      return "predicted";
    case EstimateBasis::kCorrected:
      return "corrected";
    case EstimateBasis::kMeasured:
      return "measured";
  }
  return "predicted";
}

bool MeasuredOnGpu(const Measurement& m, const PlanHardware& hardware) {
  if (m.gpu_name.empty() || hardware.gpu.empty() || hardware.vram <= 0) return false;
  const GpuSpec* row = MatchDetectedGpu(m.gpu_name, m.gpu_total_memory);
  const bool same_gpu = row != nullptr && !hardware.gpu_id.empty()
                            ? row->id == hardware.gpu_id
                            : NormalizeGpuName(m.gpu_name) == NormalizeGpuName(hardware.gpu);
  if (!same_gpu) return false;
  const double ratio = static_cast<double>(m.gpu_total_memory) / static_cast<double>(hardware.vram);
  return ratio > 0.94 && ratio < 1.06;
}

FamilyCorrection FitFamilyCorrection(std::span<const Measurement> measurements, const PlanHardware& hardware,
                                     const std::string& family) {
  std::vector<double> seconds, denoise, decode;
  for (const Measurement& m : measurements) {
    if (!Usable(m) || m.family != family || !MeasuredOnGpu(m, hardware)) continue;
    if (m.predicted_seconds > 0 && CallSeconds(m) > 0)
      seconds.push_back(CallSeconds(m) / m.predicted_seconds);
    if (auto r = ActivationRatio(m, Stage::kDenoise)) denoise.push_back(*r);
    if (auto r = ActivationRatio(m, Stage::kDecode)) decode.push_back(*r);
  }
  FamilyCorrection c;
  c.seconds = ClampedMedian(seconds);
  c.denoise = ClampedMedian(denoise);
  c.decode = ClampedMedian(decode);
  c.seconds_samples = static_cast<int>(seconds.size());
  c.denoise_samples = static_cast<int>(denoise.size());
  c.decode_samples = static_cast<int>(decode.size());
  return c;
}

const Measurement* FindExactMeasurement(std::span<const Measurement> measurements,
                                        const PlanHardware& hardware, const PlannedConfiguration& config,
                                        const std::string& strategy) {
  const Measurement* found = nullptr;
  for (const Measurement& m : measurements) {
    if (m.status == "error" || !m.device.starts_with("cuda")) continue;
    if (m.strategy != strategy || m.model_id != config.model || m.dtype != LoadDTypeName(config.dtype))
      continue;
    const Workload& w = config.workload;
    if (m.height != w.height || m.width != w.width || m.frames != w.frames || m.batch != w.batch ||
        m.steps != w.steps)
      continue;
    if (!MeasuredOnGpu(m, hardware)) continue;
    // Real weights over random ones when both are stored.
    if (found == nullptr || (found->random_weights && !m.random_weights)) found = &m;
  }
  return found;
}

void CalibrateEstimate(std::span<const Measurement> measurements, const FamilyCorrection& correction,
                       const PlanHardware& hardware, const PlannedConfiguration& config,
                       const Candidate& candidate, Estimate* e) {
  if (candidate.parallel.kind != ParallelKind::kNone) return;
  if (const Measurement* m = FindExactMeasurement(measurements, hardware, config, candidate.Id())) {
    e->basis = EstimateBasis::kMeasured;
    const char* weights = m->random_weights ? "random weights" : "the checkpoint";
    if (m->status == "oom") {
      e->measured_oom = true;
      e->basis_note = fmt::format("ran out of memory when measured on this GPU ({}, stage {})", weights,
                                  m->error_stage.empty() ? "unknown" : m->error_stage);
      return;
    }
    e->vram_allocated = PeakAllocated(*m).value_or(e->vram_allocated);
    e->vram = PeakReserved(*m).value_or(e->vram - kCudaContextBytes) + kCudaContextBytes;
    if (auto rss = PeakRss(*m)) e->ram = *rss;
    e->seconds = CallSeconds(*m);
    Bytes best = -1;
    for (const MeasuredStage& s : m->stages) {
      if (s.max_allocated && *s.max_allocated > best) {
        best = *s.max_allocated;
        e->peak_stage = s.stage;
      }
    }
    e->basis_note = fmt::format(
        "measured on this GPU with {} (pipefit {}; torch {}, diffusers {}); VRAM is "
        "peak reserved + {:.1f} GiB CUDA context (assumed)",
        weights, m->version, m->packages.count("torch") ? m->packages.at("torch") : "?",
        m->packages.count("diffusers") ? m->packages.at("diffusers") : "?",
        static_cast<double>(kCudaContextBytes) / kGiB);
    return;
  }
  if (!correction.seconds && !correction.denoise && !correction.decode) return;
  const Bytes old_peak = e->vram_allocated;
  Bytes new_peak = 0;
  Bytes old_stage_peak = 0;
  for (StagePeak& s : e->stages) {
    old_stage_peak = std::max(old_stage_peak, s.allocated());
    const std::optional<double>& f = s.stage == Stage::kDenoise  ? correction.denoise
                                     : s.stage == Stage::kDecode ? correction.decode
                                                                 : std::nullopt;
    if (f) s.activations = static_cast<Bytes>(std::llround(static_cast<double>(s.activations) * *f));
    if (s.allocated() > new_peak) {
      new_peak = s.allocated();
      e->peak_stage = s.stage;
    }
  }
  // A peak set outside the stages (the load floor) stays unless a
  // corrected stage now exceeds it.
  if (!e->stages.empty()) {
    const Bytes peak = old_peak == old_stage_peak ? new_peak : std::max(old_peak, new_peak);
    e->vram += peak - old_peak;
    e->vram_allocated = peak;
  }
  if (correction.seconds) e->seconds *= *correction.seconds;
  e->basis = EstimateBasis::kCorrected;
  std::string factors;
  for (const std::string& part :
       {FactorText("time", correction.seconds), FactorText("denoise activations", correction.denoise),
        FactorText("decode activations", correction.decode)}) {
    if (!part.empty()) factors += (factors.empty() ? "" : ", ") + part;
  }
  e->basis_note = "corrected by measurements of " + config.family + " on this GPU: " + factors;
}

PlanCalibration SummarizeCalibration(std::span<const Measurement> measurements, const PlanHardware& hardware,
                                     const PlannedConfiguration& config, const FamilyCorrection& correction) {
  PlanCalibration c;
  c.stored = static_cast<int>(measurements.size());
  for (const Measurement& m : measurements) {
    if (!MeasuredOnGpu(m, hardware)) continue;
    ++c.on_this_gpu;
    if (Usable(m) && m.family == config.family) ++c.of_family;
  }
  c.seconds_factor = correction.seconds;
  c.denoise_factor = correction.denoise;
  c.decode_factor = correction.decode;
  return c;
}

}  // namespace pipefit
