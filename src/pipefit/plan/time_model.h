// Seconds per pipeline call: the denoiser's FLOPs per step against the
// GPU's dense tensor throughput (one efficiency fitted on published FLUX
// times), a per-image overhead for text encoding and decoding, the weight
// traffic over PCIe each placement causes (overlapped with compute for
// streams, serial otherwise), and the quantization kernels' measured
// slowdowns. Every constant cites its shared/reference/measurements.md rows
// in time_model.cc; the errors are in docs/memory-model.md.
#ifndef PIPEFIT_PLAN_TIME_MODEL_H_
#define PIPEFIT_PLAN_TIME_MODEL_H_

#include "pipefit/plan/candidate.h"
#include "pipefit/plan/plan_context.h"

namespace pipefit {

struct TimeEstimate {
  double seconds = 0;
  double compute_seconds = 0;   // denoising compute incl. kernel slowdown
  double transfer_seconds = 0;  // weight traffic not hidden behind compute
  bool reference_gpu = false;   // no catalog row: timed as the reference GPU
};

TimeEstimate EstimateTime(const PlanContext& context, const Candidate& candidate);

// Denoiser FLOPs for one step (all images, guidance batch included).
double DenoiserStepFlops(const PlanContext& context);

// PCIe host-to-device bandwidth in bytes/s for a generation and width
// (PCI-SIG per-lane rates: 0.985, 1.969, 3.938 GB/s for gen 3, 4, 5).
double PcieBytesPerSecond(int generation, int width);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_TIME_MODEL_H_
