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
#include "pipefit/plan/rank.h"

namespace pipefit::cli {

// The flags as typed (sizes parsed here, with kUsage errors naming the flag).
struct PlanInputFlags {
  std::string vram, ram, activation;
  std::vector<std::string> gpus;  // --gpu, repeatable
  std::optional<int> height, width, frames, batch, steps;
  bool uncalibrated = false;  // --uncalibrated: ignore the calibration store
  std::string quality;        // --quality: full, fp8, int8 or int4 (all); "" for all
  // --strategy as typed: a partial residency id ("full+resident20") has its
  // block count planned even when the plan would not list it.
  std::string strategy;
};

// `uncalibrated_flag`: offer --uncalibrated (not for measure, whose probe
// always carries the uncorrected prediction).
void AddHardwareOptions(CLI::App& command, PlanInputFlags& flags, bool uncalibrated_flag = true);

struct PlanFlow {
  Pipeline pipeline;
  PlanRequest request;
  PlanContext context;
  PlanResult plan;
};

// `vram_override` (doctor: the capacity printed in the log) replaces --vram.
Result<PlanFlow> RunPlanFlow(ResolvedModel resolved, const PlanInputFlags& flags,
                             std::optional<Bytes> vram_override = std::nullopt);

// The candidate --strategy names, or a kUsage error saying why it is not one.
Result<const PlannedCandidate*> FindStrategy(const PlanResult& plan, const std::string& id);

// The candidate --strategy names (kUsage when it is none), else the
// recommendation for `prefer`; null when nothing fits and no --strategy.
Result<const PlannedCandidate*> ChooseCandidate(const PlanResult& plan, const std::string& strategy,
                                                Preference prefer);

// Writes an output file a flag names (--emit, --html, --svg): a folder, or
// an existing file without `force`, is refused before anything is written;
// the write is atomic. `example` is a file name the refusal suggests.
Status WriteOutputFile(std::string_view flag, const std::string& path, const std::string& text, bool force,
                       std::string_view example);

Result<std::optional<Bytes>> OptionalSizeFlag(const std::string& flag, const std::string& text);

}  // namespace pipefit::cli

#endif  // PIPEFIT_CLI_PLAN_FLOW_H_
