// Compatibility rules between the WEIGHTS and PLACEMENT knobs, one row per
// rule with its source (shared/reference/memory-calculator.md
// "Compatibility rules", shared/reference/diffusers-internals.md). A
// combination a rule rejects is never offered; a rule may instead require
// the quantized components to stay on the GPU outside group offloading.
#ifndef PIPEFIT_PLAN_RULES_H_
#define PIPEFIT_PLAN_RULES_H_

#include <span>
#include <string_view>

#include "pipefit/plan/candidate.h"

namespace pipefit {

enum class RuleAction {
  kReject,            // the combination raises or fails in diffusers
  kExcludeQuantized,  // group offloading must leave the quantized components on the GPU
};

struct CompatibilityRule {
  std::string_view id;
  std::span<const WeightsKind> weights;   // the rule applies to these weights...
  std::span<const Placement> placements;  // ...combined with these placements
  RuleAction action = RuleAction::kReject;
  std::string_view message;
  std::string_view source;
};

std::span<const CompatibilityRule> CompatibilityRules();

// The first rejecting rule for the combination, or nullptr when allowed.
const CompatibilityRule* FindRejection(WeightsKind weights, Placement placement);
// True when group offloading must exclude the quantized components.
bool MustExcludeQuantized(WeightsKind weights, Placement placement);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_RULES_H_
