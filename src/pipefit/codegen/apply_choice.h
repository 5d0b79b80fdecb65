// Which candidate `pipefit apply` writes into a script, and the code
// context it is written with: from a plan of the resolved model (exact
// components, exclusions and block counts), or, when the model does not
// resolve, from the strategy id and what the script says (codegen/script_model).
#ifndef PIPEFIT_CODEGEN_APPLY_CHOICE_H_
#define PIPEFIT_CODEGEN_APPLY_CHOICE_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/codegen/script_pipelines.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/model/measure.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

struct ApplyRequest {
  std::string strategy;             // a candidate id; "" = the plan's pick for `prefer`
  std::string prefer = "balanced";  // quality | speed | memory | balanced
  // --dtype. Given, the plan and the code use it and the script's torch_dtype
  // is rewritten; absent, the script's own dtype is kept (bf16 when it has none).
  std::optional<LoadDType> dtype;
};

struct ApplyChoice {
  Candidate candidate;
  CodeContext context;
  std::vector<std::string> notes;  // for the user: assumptions, a candidate that does not fit
};

// `id` parsed; kUsage when it is malformed or a combination the rules never
// offer ("--strategy ID is never offered (RULE): MESSAGE").
Result<ParsedStrategyId> ParseOfferedStrategy(const std::string& id);

// For a partial residency id ("full+resident20"): kUsage when the plan
// offers no partial residency at all (a UNet, two denoisers, too few
// blocks) or the denoiser has fewer than K blocks; ok otherwise.
Status CheckResidentBlocks(const std::string& id, const ParsedStrategyId& parsed, const PlanResult& plan);

// From the plan of the resolved model; `context` is the plan's code context
// (planner CodeContextFor). A --strategy with VAE modifiers the plan did not
// list (they change nothing at this workload) is the same knobs with them.
// A pinned revision is kept only for a from_pretrained of the planned repo.
// Whether the choice fits is the plan's (PlannedCandidate::fits); the caller
// words it (report/plan_report.h FitReason).
Result<ApplyChoice> ChooseFromPlan(const PlanResult& plan, const CodeContext& context,
                                   const PipelineSite& site, const ApplyRequest& request);

// Without the model: request.strategy's knobs, the denoiser and VAE facts of
// the script's pipeline class, one block per group. kUsage when the strategy
// needs the model (--prefer, gguf, "+te") or the VAE cannot tile.
Result<ApplyChoice> ChooseFromScript(const PipelineSite& site, const ApplyRequest& request);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_APPLY_CHOICE_H_
