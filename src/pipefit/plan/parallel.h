// Multi-GPU layouts on diffusers' own parallelism (issue 15; the facts, with
// diffusers source lines, are in docs/multi-gpu/diffusers-parallelism.md):
//   - context parallel (Ulysses, Ring) for the denoiser classes that carry a
//     `_cp_plan`, one torchrun process per GPU, every weight on every GPU;
//   - the pipeline's device_map="balanced": whole components spread over the
//     GPUs by diffusers' greedy zig-zag (_assign_components_to_devices).
// The layouts are derived from the single-GPU candidates they extend (same
// weights, placement and VAE modifiers), estimated per GPU, and timed with
// the communication their collectives need over the slowest link.
#ifndef PIPEFIT_PLAN_PARALLEL_H_
#define PIPEFIT_PLAN_PARALLEL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/model/pipeline.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/plan/candidates.h"
#include "pipefit/plan/plan_context.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

// A denoiser class with a `_cp_plan` (diffusers-parallelism.md §2).
struct ContextParallelClass {
  const char* class_name;
  bool splits_text;  // the plan also splits encoder_hidden_states: text tokens must divide too
  // The pipeline pads the text only to the longest prompt (Qwen-Image:
  // pipeline_qwenimage.py:210-216), so its length is not known ahead: only
  // Ulysses "anything" (uneven splits, gloo for the size exchange) runs it.
  bool variable_text;
  const char* source;
};
const ContextParallelClass* FindContextParallelClass(std::string_view class_name);

// The denoiser's tensor-parallel shape from its class's `_tp_plan` (Flux,
// Flux2, QwenImage) and its tensor names: the fraction of parameters split
// (column-wise layers whole, row-wise ones without their bias) and every
// row-wise layer (one all-reduce each). has_plan false for other classes.
TensorParallelFacts ReadTensorParallelFacts(const Component& denoiser);
// Bytes one rank sends per step in the row-wise layers' ring all-reduces.
double TensorParallelBytesPerStep(const PlanContext& context, int degree);

// How fast a collective over the GPUs runs: bytes per second each GPU moves
// in one direction, a fixed cost per collective, and where both come from.
struct LinkSpeed {
  double bytes_per_second = 0;
  double latency_seconds = 0;
  std::string basis;
  bool assumed = false;  // the link kind is assumed (--gpu cards), not detected
};
// Over the first `degree` GPUs: their slowest detected link, else assumed.
LinkSpeed CollectiveLinkSpeed(const PlanContext& context, int degree);

// Bytes one rank moves per denoising step for a context-parallel layout:
// Ulysses, four all-to-alls (Q, K, V, output) per attention, each moving
// (d-1)/d of the rank's shard; Ring (diffusers' all-gather rotate method),
// the other d-1 ranks' K and V shards. Guidance batch and passes included.
double ContextParallelBytesPerStep(const PlanContext& context, ParallelLayout layout);
// Collectives per step (each pays the link latency once).
int ContextParallelCollectivesPerStep(const PlanContext& context, ParallelLayout layout);

// The CPU time eager PyTorch needs to launch one step's kernels (fitted per
// transformer block; docs/multi-gpu/calibration.md).
double EagerStepFloorSeconds(const PlanContext& context);

// Fraction of the ideal 1/d the denoiser's compute keeps when its sequence
// is split d ways; fitted (docs/multi-gpu/calibration.md).
double ContextParallelComputeEfficiency(ParallelKind kind);

// Predicted seconds for a context-parallel call from the single-GPU
// prediction: everything but the denoiser's compute runs on every rank as on
// one GPU (text encoders, VAE, weight transfers); per step, the compute
// divides by d x efficiency and the collectives add bytes / link + a latency
// each, and the step takes at least the eager dispatch floor.
struct ContextParallelTimeInputs {
  double single_seconds = 0;
  double compute_seconds = 0;  // the single-GPU denoise compute within single_seconds
  int degree = 1;
  double efficiency = 1;
  double bytes_per_step = 0;
  int collectives_per_step = 0;
  int steps = 0;
  double floor_step_seconds = 0;  // no step is faster than this (eager dispatch)
};
struct ParallelTime {
  double seconds = 0;
  double communication_seconds = 0;
};
ParallelTime ContextParallelTime(const ContextParallelTimeInputs& inputs, const LinkSpeed& link);

// The multi-GPU candidates extending `single` (the planner's one-GPU
// candidates) on the planned GPUs, and the layouts a rule rules out.
std::vector<Candidate> EnumerateParallelCandidates(const PlanContext& context,
                                                   const std::vector<Candidate>& single,
                                                   std::vector<RejectedCombination>* rejected);

// diffusers' device_map="balanced" placement: component name -> GPU
// position in `budgets`, or -1 for a component that overflows to the CPU.
// The GPUs are ordered by budget, largest first (stable); components in
// descending size take them in that order, then back (0,1,…,n-1,n-1,…,0,…)
// while each fits the GPU's remaining budget; one that does not fit goes to
// the CPU and the cycle waits.
std::vector<std::pair<std::string, int>> BalancedDeviceMap(
    const std::vector<std::pair<std::string, Bytes>>& component_bytes, const std::vector<Bytes>& budgets);

// Memory (per GPU) and time of a multi-GPU candidate; for a single-GPU one,
// fills the one-row GPU table of an existing estimate.
Estimate EstimateParallel(const PlanContext& context, const Candidate& candidate);
void FillSingleGpuShare(const PlanContext& context, Estimate* estimate);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_PARALLEL_H_
