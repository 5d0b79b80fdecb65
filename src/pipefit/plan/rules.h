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
  // The combination runs, but enable_model_cpu_offload() skips the hook of
  // the quantized components, which stay on the GPU for the whole call: a
  // candidate with a note, modelled as it behaves.
  kQuantizedStaysResident,
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
// The kQuantizedStaysResident rule for the combination, or nullptr.
const CompatibilityRule* QuantizedStaysResidentRule(WeightsKind weights, Placement placement);

// Where from_pretrained puts a candidate's weights while the generated code
// loads the pipeline (the `device_map=` it passes, internals §1.3, §6):
enum class LoadDeviceMap {
  kNone,  // no device_map: diffusers / transformers load on the CPU, except
          // bitsandbytes components, whose quantizer maps them to the
          // current GPU (update_device_map, §6.1)
  kCpu,   // device_map="cpu": every component on the CPU, quantized there
  kCuda,  // device_map="cuda": every component loaded onto the GPU (the
          // caching-allocator warmup runs first, §1.3 step 7)
};
LoadDeviceMap LoadDeviceMapFor(const Candidate& candidate);
// The device_map value as Python code writes it ("cpu", "cuda"), or "" for
// kNone.
const char* LoadDeviceMapValue(LoadDeviceMap map);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_RULES_H_
