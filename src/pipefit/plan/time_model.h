// Seconds per pipeline call: the denoiser's FLOPs per step against the
// GPU's dense tensor throughput times its class's efficiency (time_classes.h:
// per architecture and market, fitted on published FLUX times or marked
// guessed), a per-image overhead for text encoding and decoding, the weight
// traffic over PCIe each placement causes (overlapped with compute for
// streams, serial otherwise), and the quantization kernels' measured
// slowdowns. Every constant cites its shared/reference/measurements.md rows
// in time_model.cc; the errors are in docs/memory-model.md.
#ifndef PIPEFIT_PLAN_TIME_MODEL_H_
#define PIPEFIT_PLAN_TIME_MODEL_H_

#include "pipefit/plan/candidate.h"
#include "pipefit/plan/plan_context.h"
#include "pipefit/plan/time_classes.h"

namespace pipefit {

struct TimeEstimate {
  double seconds = 0;
  double compute_seconds = 0;               // denoising compute incl. kernel slowdown
  double transfer_seconds = 0;              // weight traffic not hidden behind compute
  bool reference_gpu = false;               // no catalog row: timed as the reference GPU
  TimeClass gpu_class = TimeClass::kOther;  // the efficiency row used
};

// Knobs of the written code that change speed but not memory. The default
// is what the calibration rows measure: eager PyTorch with SDPA attention.
struct TimeOptions {
  bool compile = false;            // compile_repeated_blocks, warm calls
  bool attention_backend = false;  // the class's backend (BestAttentionBackend)
};

TimeEstimate EstimateTime(const PlanContext& context, const Candidate& candidate,
                          const TimeOptions& options = {});

// How a plan's times are computed, for the plan header (report/ words it):
// the GPU row timed (the reference RTX 4090 when `gpu` is null or has no
// throughput figure) and its class, whose row says whether the efficiency
// is fitted (and on which rows) or guessed.
struct TimeBasis {
  const GpuSpec* gpu = nullptr;
  bool reference_gpu = false;
  TimeClass gpu_class = TimeClass::kOther;
};
TimeBasis TimeBasisFor(const GpuSpec* gpu);

// Denoiser FLOPs for one step (all images, guidance batch included).
double DenoiserStepFlops(const PlanContext& context);

// PCIe host-to-device bandwidth in bytes/s for a generation and width
// (PCI-SIG per-lane rates: 0.985, 1.969, 3.938 GB/s for gen 3, 4, 5).
double PcieBytesPerSecond(int generation, int width);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_TIME_MODEL_H_
