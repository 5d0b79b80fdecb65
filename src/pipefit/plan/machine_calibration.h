// Measurements of this machine fed back into its plans (`pipefit calibrate`,
// docs/measure.md "How plans use measurements"):
//   - a stored measurement of the exact configuration (same GPU by name and
//     capacity, model, dtype, strategy and workload) replaces the
//     prediction: its peak reserved memory (+ the CUDA context), peak
//     allocated, peak host RSS and time per call;
//   - every other single-GPU candidate of the same family (denoiser class)
//     on the same GPU is corrected by factors refitted from all such stored
//     measurements: the median of measured / predicted time per call, and of
//     measured / predicted activations of the denoise and decode stages
//     (measured stage peak minus the predicted resident weights).
// Multi-GPU candidates stay predicted. Pure: no I/O.
#ifndef PIPEFIT_PLAN_MACHINE_CALIBRATION_H_
#define PIPEFIT_PLAN_MACHINE_CALIBRATION_H_

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pipefit/plan/measurement.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

// The GPU a measurement ran on is the planned GPU: the same catalog row (or,
// for GPUs pipefit has no row for, the same normalised name) and a capacity
// within 6% of the planned VRAM (drivers and --vram differ by less).
bool MeasuredOnGpu(const Measurement& m, const PlanHardware& hardware);

// What one plan is: the configuration a measurement must match.
struct PlannedConfiguration {
  // What the code loads (CodeContext::model_id: a catalog entry's repo id,
  // a path), so `flux.1-dev` and `black-forest-labs/FLUX.1-dev` match.
  std::string model;
  std::string family;  // denoiser class
  LoadDType dtype = LoadDType::kBF16;
  Workload workload;
};

// Refitted corrections for one GPU and family. A factor is set only when at
// least one usable measurement supports it.
struct FamilyCorrection {
  std::optional<double> seconds;  // measured / predicted seconds per call
  std::optional<double> denoise;  // measured / predicted denoise activations
  std::optional<double> decode;   // measured / predicted decode activations
  int seconds_samples = 0, denoise_samples = 0, decode_samples = 0;
};

// Factors are clamped to [kMinFactor, kMaxFactor]: outside that the
// measurement is of something else (another library version's behaviour,
// a busy GPU), and the plan says the factor was clamped.
inline constexpr double kMinFactor = 0.25;
inline constexpr double kMaxFactor = 4.0;

FamilyCorrection FitFamilyCorrection(std::span<const Measurement> measurements, const PlanHardware& hardware,
                                     const std::string& family);

// The stored measurement of exactly this candidate, or null.
const Measurement* FindExactMeasurement(std::span<const Measurement> measurements,
                                        const PlanHardware& hardware, const PlannedConfiguration& config,
                                        const std::string& strategy);

// Replaces or corrects one single-GPU candidate's estimate, setting
// estimate->basis (and basis_note). An "oom" measurement marks it
// measured_oom: it does not fit, whatever the prediction.
void CalibrateEstimate(std::span<const Measurement> measurements, const FamilyCorrection& correction,
                       const PlanHardware& hardware, const PlannedConfiguration& config,
                       const Candidate& candidate, Estimate* estimate);

// The plan's calibration summary (PlanResult::calibration).
PlanCalibration SummarizeCalibration(std::span<const Measurement> measurements, const PlanHardware& hardware,
                                     const PlannedConfiguration& config, const FamilyCorrection& correction);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_MACHINE_CALIBRATION_H_
