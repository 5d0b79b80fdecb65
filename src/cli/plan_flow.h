// The plan flow shared by `plan` and `doctor --model`: the hardware flags
// and the probe, the workload flags, a single denoiser file composed with
// its catalog pipeline, the plan context and the plan.
#ifndef PIPEFIT_CLI_PLAN_FLOW_H_
#define PIPEFIT_CLI_PLAN_FLOW_H_

#include <optional>
#include <string>
#include <vector>

#include "cli/model_options.h"
#include "pipefit/base/result.h"
#include "pipefit/plan/planner.h"

namespace pipefit::cli {

// The flags as typed (sizes parsed here, with kUsage errors naming the flag).
struct PlanInputFlags {
  std::string vram, ram, activation;
  std::vector<std::string> gpus;  // --gpu, repeatable
  std::optional<int> height, width, frames, batch, steps;
};

void AddHardwareOptions(CLI::App& command, PlanInputFlags& flags);

struct PlanFlow {
  Pipeline pipeline;
  PlanRequest request;
  PlanContext context;
  PlanResult plan;
};

// `vram_override` (doctor: the capacity printed in the log) replaces --vram.
Result<PlanFlow> RunPlanFlow(ResolvedModel resolved, const PlanInputFlags& flags,
                             std::optional<Bytes> vram_override = std::nullopt);

Result<std::optional<Bytes>> OptionalSizeFlag(const std::string& flag, const std::string& text);

}  // namespace pipefit::cli

#endif  // PIPEFIT_CLI_PLAN_FLOW_H_
