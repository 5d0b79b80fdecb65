// The estimator: one function reading a candidate's knobs (DESIGN.md).
// Peak VRAM is the maximum over the pipeline's model calls of the resident
// weights (all on GPU; model offload simulated over model_cpu_offload_seq,
// internals §2; group offload per §3.7; sequential per §4) plus that call's
// activations and transient (one layer upcast or dequantized, §12 step 4),
// all allocator-rounded (partial residency: the resident part of the
// denoiser always, plus two streamed leaves while it runs);
// `vram` adds the caching allocator's reserve and the
// CUDA context. Peak RAM follows §3.6 (pinned pow2 copies for streams) and
// the load-time peak of quantization (memory-calculator.md). Time is in
// time_model.h.
#ifndef PIPEFIT_PLAN_ESTIMATOR_H_
#define PIPEFIT_PLAN_ESTIMATOR_H_

#include "pipefit/plan/candidate.h"
#include "pipefit/plan/plan_context.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

// Reserved-minus-allocated at the peak, as a fraction of the peak stage's
// activations: rows 1 (36.166 GiB reserved) and 14 (33.851 GiB allocated),
// FLUX.1-dev bf16 at 1024^2, differ by 2.315 GiB = 0.96 x the 2.413 GiB
// decode activation.
inline constexpr double kReserveSlackFactor = 0.96;
// CUDA context, cuBLAS/cuDNN handles and workspaces: outside torch's
// counters, so no measurements.md row shows it; 0.5 GiB is an assumption
// (typical for CUDA 12 with lazy module loading), stated in the docs.
inline constexpr Bytes kCudaContextBytes = kGiB / 2;

Estimate EstimateMemory(const PlanContext& context, const Candidate& candidate);

// Resident bytes of component `index` under the candidate's weights knob
// (allocator-rounded), as used by EstimateMemory.
Bytes ComponentWeights(const PlanContext& context, const Candidate& candidate, int index);

// How partial residency (Placement::kPartialResident) splits the denoiser:
// the blocks after the first `resident_blocks` (in call order) are streamed,
// everything else of the denoiser stays on the GPU. Bytes under the weights
// knob, allocator-rounded; `streamed_pinned` is their pow2 pinned host
// copies (internals §3.6); `streamed_share` is the streamed blocks' share of
// the denoiser's load-dtype bytes, the time model's proxy for their share
// of a step's FLOPs. All zero for other placements.
struct PartialSplit {
  Bytes resident = 0;
  Bytes streamed = 0;
  Bytes streamed_pinned = 0;
  int streamed_blocks = 0;
  double streamed_share = 0;
};
PartialSplit SplitForPartialResidency(const PlanContext& context, const Candidate& candidate);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_ESTIMATOR_H_
