#include "cli/plan_flow.h"

#include <fmt/format.h>

#include "cli/calibration_store.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/codegen/apply_choice.h"
#include "pipefit/hardware/hardware_probe.h"
#include "pipefit/hardware/program_runner.h"
#include "pipefit/plan/base_pipeline.h"

namespace pipefit::cli {
namespace {

Result<PlanRequest> MakeRequest(const PlanInputFlags& flags, const ResolvedModel& resolved,
                                std::optional<Bytes> vram_override) {
  PlanRequest request;
  request.model = resolved.reference;
  request.dtype = resolved.dtype;
  request.workload = {flags.height, flags.width, flags.frames, flags.batch, flags.steps};
  if (std::optional<ParsedStrategyId> parsed = ParseStrategyId(flags.strategy, nullptr))
    request.resident_blocks = parsed->resident_blocks;
  if (!flags.quality.empty()) {
    const std::optional<QualityTier> tier = ParseQualityName(flags.quality);
    if (!tier) {
      return MakeErrorf(ErrorCode::kUsage, "--quality must be full, fp8, int8 or int4, not '{}'",
                        flags.quality);
    }
    request.min_quality = *tier;
  }
  PIPEFIT_ASSIGN_OR_RETURN(request.activation, OptionalSizeFlag("--activation", flags.activation));
  HardwareFlags hw;
  hw.gpus = flags.gpus;
  PIPEFIT_ASSIGN_OR_RETURN(hw.vram, OptionalSizeFlag("--vram", flags.vram));
  PIPEFIT_ASSIGN_OR_RETURN(hw.ram, OptionalSizeFlag("--ram", flags.ram));
  if (vram_override) hw.vram = vram_override;
  std::optional<HardwareInfo> probed;
  if (!hw.vram || !hw.ram || hw.gpus.empty()) {
    RealFileSystem fs;
    ProcessEnvironment env;
    RealProgramRunner runner;
    auto info = ProbeHardware({fs, env, runner, ""});
    if (info.ok()) probed = *info;
    // The capacity comes from somebody else's log (doctor): this machine's
    // GPU is not that GPU; keep only its RAM.
    if (probed && vram_override && hw.gpus.empty()) probed->gpus.clear();
  }
  PIPEFIT_ASSIGN_OR_RETURN(request.hardware,
                           ResolvePlanHardware(probed ? &*probed : nullptr, hw, &request.gpu));
  return request;
}

}  // namespace

// The candidate --strategy names, or a usage error saying why it is not one.
Result<const PlannedCandidate*> FindStrategy(const PlanResult& plan, const std::string& id) {
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.Id() == id) return &p;
  }
  auto offered = ParseOfferedStrategy(id);
  if (!offered.ok()) return offered.error();
  if (Status blocks = CheckResidentBlocks(id, *offered, plan); !blocks.ok()) return blocks.error();
  return MakeErrorf(ErrorCode::kUsage,
                    "--strategy {} is not a candidate for this pipeline, hardware and workload "
                    "(run with --all to list them)",
                    id);
}

// --emit's and --html's file: a folder or an existing file (without
// --force) is refused before anything is written; the write itself is
// atomic and, without --force, never replaces a file that appeared meanwhile.
Status WriteOutputFile(std::string_view flag, const std::string& path, const std::string& text, bool force,
                       std::string_view example) {
  RealFileSystem fs;
  if (fs.IsDirectory(path)) {
    return MakeErrorf(ErrorCode::kUsage, "{} {}: is a directory; give a file name such as {}", flag, path,
                      example);
  }
  if (fs.Exists(path) && !force) {
    return MakeErrorf(ErrorCode::kUsage, "{} {}: file exists (pass --force to replace it)", flag, path);
  }
  Status written = WriteFileAtomically(path, text, {.replace_existing = force});
  if (!written.ok() && written.error().code == ErrorCode::kUsage) {
    return MakeErrorf(ErrorCode::kUsage, "{} {}: file exists (pass --force to replace it)", flag, path);
  }
  return written;
}

Result<const PlannedCandidate*> ChooseCandidate(const PlanResult& plan, const std::string& strategy,
                                                Preference prefer) {
  if (!strategy.empty()) return FindStrategy(plan, strategy);
  if (auto id = RecommendationFor(plan.recommended, prefer)) {
    for (const PlannedCandidate& p : plan.candidates) {
      if (p.candidate.Id() == *id) return &p;
    }
  }
  return static_cast<const PlannedCandidate*>(nullptr);
}

Result<std::optional<Bytes>> OptionalSizeFlag(const std::string& flag, const std::string& text) {
  if (text.empty()) return std::optional<Bytes>();
  auto size = ParseSize(text);
  if (!size.ok()) return MakeErrorf(ErrorCode::kUsage, "{}: {}", flag, size.error().message);
  return std::optional<Bytes>(*size);
}

void AddHardwareOptions(CLI::App& cmd, PlanInputFlags& f, bool uncalibrated_flag) {
  cmd.add_option(
         "--gpu", f.gpus,
         "plan for catalog GPUs instead of the detected ones (see `pipefit gpus`): NAME, or NxNAME for N "
         "cards (4xH100); repeat for mixed cards")
      ->allow_extra_args(false);
  cmd.add_option("--vram", f.vram, "VRAM to plan for: 24GiB, 24GB, 24000MiB, or a bare number of GiB");
  cmd.add_option("--ram", f.ram, "host RAM to plan for (default: available RAM)");
  cmd.add_option("--height", f.height, "image height (default: the pipeline's)");
  cmd.add_option("--width", f.width, "image width (default: the pipeline's)");
  cmd.add_option("--frames", f.frames, "video frames (default: the pipeline's)");
  cmd.add_option("--batch", f.batch, "images per call (default 1)");
  cmd.add_option("--steps", f.steps, "inference steps (default: the pipeline's)");
  cmd.add_option("--activation", f.activation, "pin the activation memory of every stage (seed what-if)");
  cmd.add_option("--quality", f.quality,
                 "leave out candidates below this quality: full, fp8, int8 or int4 (default: keep all)");
  if (uncalibrated_flag)
    cmd.add_flag("--uncalibrated", f.uncalibrated,
                 "ignore this machine's stored measurements (pipefit calibrate): every number predicted");
}

Result<PlanFlow> RunPlanFlow(ResolvedModel resolved, const PlanInputFlags& flags,
                             std::optional<Bytes> vram_override) {
  PlanFlow flow;
  PIPEFIT_ASSIGN_OR_RETURN(flow.request, MakeRequest(flags, resolved, vram_override));
  flow.pipeline = std::move(resolved.pipeline);
  PIPEFIT_ASSIGN_OR_RETURN(std::optional<ComposedPipeline> composed, ComposeWithBasePipeline(flow.pipeline));
  if (composed) {
    flow.request.base_repo = composed->base_repo;
    flow.pipeline = std::move(composed->pipeline);
  }
  std::vector<std::string> store_notes;
  if (!flags.uncalibrated) {
    ProcessEnvironment env;
    auto store = ReadCalibrationStore(CalibrationDir(env));
    if (store.ok()) {
      for (StoredMeasurement& stored : store->measurements)
        flow.request.measurements.push_back(std::move(stored.measurement));
      if (!store->broken.empty()) {
        store_notes.push_back(fmt::format(
            "{} file(s) in the calibration store could not be read and were ignored (pipefit calibrate --list): "
            "{}",
            store->broken.size(), store->broken.front().second));
      }
    } else {
      store_notes.push_back("the calibration store could not be read: " + store.error().message);
    }
  }
  auto context = BuildPlanContext(flow.pipeline, flow.request);
  if (!context.ok()) return context.error().WithContext(resolved.reference);
  flow.context = std::move(*context);
  flow.plan = Plan(flow.pipeline, flow.request, flow.context);
  flow.plan.notes.insert(flow.plan.notes.end(), store_notes.begin(), store_notes.end());
  return flow;
}

}  // namespace pipefit::cli
