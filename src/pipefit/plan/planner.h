// pipefit's main job (CONTRACT.md `plan`): from a measured pipeline, the
// target hardware and the workload, build every candidate, estimate its
// peak VRAM, RAM and time, decide what fits, recommend one per preference
// and attach the diffusers code. Pure: no I/O.
#ifndef PIPEFIT_PLAN_PLANNER_H_
#define PIPEFIT_PLAN_PLANNER_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/hardware/hardware_info.h"
#include "pipefit/model/pipeline.h"
#include "pipefit/plan/candidates.h"
#include "pipefit/plan/measurement.h"
#include "pipefit/plan/plan_context.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

struct PlanRequest {
  std::string model;  // the reference the user gave (for code and output)
  LoadDType dtype = LoadDType::kBF16;
  WorkloadOverrides workload;
  std::optional<Bytes> activation;  // --activation: every stage
  PlanHardware hardware;
  const GpuSpec* gpu = nullptr;  // catalog row for time (may be null)
  // Set when MODEL is a single denoiser file planned inside a catalog
  // pipeline (base_pipeline.h): the repo the other components come from.
  std::string base_repo;
  // Stored measurements (`pipefit calibrate`): those of the planned GPU
  // replace or correct single-GPU estimates (plan/machine_calibration.h).
  std::vector<Measurement> measurements;
  // Partial residency: a block count to plan besides the dial's own (the
  // one a --strategy WEIGHTS+residentK names); 0 for none.
  int resident_blocks = 0;
  // --quality: candidates of a lower quality tier are left out of the plan
  // (its table, recommendations and Pareto front); kInt4 keeps them all.
  QualityTier min_quality = QualityTier::kInt4;
};

// The machine to plan for, from the probe and the flags (CONTRACT.md
// `hardware.source`): --gpu NAME takes the catalog's VRAM ("catalog");
// --vram/--ram override ("flags"); otherwise the first detected GPU and the
// available RAM ("detected"). kUsage when --gpu names no catalog GPU; with
// no GPU detected and no flags, vram is 0 and a note says so.
struct HardwareFlags {
  // --gpu, repeatable; each "NAME" or "NxNAME" (4xH100, 2x"RTX 3090").
  std::vector<std::string> gpus;
  std::optional<Bytes> vram;
  std::optional<Bytes> ram;
};
// The machine: --gpu cards (all of them listed in `gpus`), else the detected
// GPUs, with --vram/--ram on top. The plan itself is for GPU 0: multi-GPU
// layouts are not planned yet, and a note says so whenever there are more.
Result<PlanHardware> ResolvePlanHardware(const HardwareInfo* probed, const HardwareFlags& flags,
                                         const GpuSpec** gpu_row);

// One --gpu value: "H100" is one card, "4xH100" / "4×H100" / "4 x H100" are
// four (1 to 64). kUsage for a name not in the GPU catalog or a bad count.
Result<std::vector<const GpuSpec*>> ParseGpuFlag(const std::string& value);

// The workload: the pipeline class's defaults with the user's overrides.
// kUsage for non-positive or non-multiple-of-8 sizes.
Result<Workload> ResolveWorkload(const Pipeline& pipeline, const WorkloadOverrides& overrides);

Result<PlanContext> BuildPlanContext(const Pipeline& pipeline, const PlanRequest& request);

PlanResult Plan(const Pipeline& pipeline, const PlanRequest& request, const PlanContext& context);

// What the code writer needs to write this plan's code (codegen/script_writer.h);
// Plan puts it in PlanResult::code_context.
CodeContext CodeContextFor(const Pipeline& pipeline, const PlanRequest& request, const PlanContext& context);

// The best attention backend diffusers offers for a GPU (internals §7):
// FA3 hub kernels on Hopper (SM 9.0), FA2 hub kernels on Ampere/Ada
// (SM 8.x), "" (native SDPA) otherwise or when unknown.
std::string BestAttentionBackend(const std::string& compute_capability);

// The path a generated from_single_file call names for a weight file:
// "https://huggingface.co/org/name/blob/main/file.gguf" for one read from
// the Hub (or a mirror), the source path otherwise.
std::string SingleFileReference(const SourceInfo& source);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_PLANNER_H_
