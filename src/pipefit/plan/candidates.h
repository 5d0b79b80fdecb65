// Enumerates the candidates for a pipeline: weights x placement x VAE
// modifiers (CONTRACT.md "Strategy ids"), with the components each weights
// kind changes (the denoiser alone, and the denoiser plus every large text
// encoder), the group-offload exclusions diffusers needs, and
// num_blocks_per_group tuned to fill 80% of the VRAM, and partial residency
// at several block counts (the dial). Combinations a rule rejects
// (rules.h) are reported, never offered.
#ifndef PIPEFIT_PLAN_CANDIDATES_H_
#define PIPEFIT_PLAN_CANDIDATES_H_

#include <string>
#include <vector>

#include "pipefit/plan/candidate.h"
#include "pipefit/plan/plan_context.h"

namespace pipefit {

struct RejectedCombination {
  std::string id;      // WEIGHTS+PLACEMENT
  std::string rule;    // rule id
  std::string reason;  // the rule's message
};

// A text encoder this large (at the load dtype) is quantized along with the
// denoiser in the "+te" candidates: T5-XXL (9.5 GB) and LLM encoders, not
// CLIP (0.25-1.4 GB). memory-calculator.md "Quantized sizes".
inline constexpr Bytes kLargeTextEncoderBytes = 2 * kGiB;

// Partial residency (Placement::kPartialResident) is offered for denoisers
// with at least this many blocks: below it the dial has too few settings to
// matter and the group offloading candidates cover it.
inline constexpr size_t kMinBlocksForPartialResidency = 4;

std::vector<Candidate> EnumerateCandidates(const PlanContext& context,
                                           std::vector<RejectedCombination>* rejected);

// blocks per group so that the block-level peak fills `vram` (at least 1,
// at most the denoiser's block count).
int TuneBlocksPerGroup(const PlanContext& context, Candidate candidate, Bytes vram);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_CANDIDATES_H_
