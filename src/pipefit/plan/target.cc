// The machine and the workload a plan is for (planner.h).
#include <algorithm>

#include "pipefit/catalog/catalog.h"
#include "pipefit/plan/planner.h"

namespace pipefit {
namespace {

Result<PlanHardware> FromCatalog(const std::string& name, const GpuSpec** row) {
  const GpuSpec* spec = FindGpu(name);
  if (spec == nullptr) {
    return MakeErrorf(ErrorCode::kUsage, "--gpu '{}' is not in pipefit's GPU catalog (see `pipefit gpus`)",
                      name);
  }
  *row = spec;
  PlanHardware hw;
  hw.gpu = spec->name;
  hw.gpu_id = spec->id;
  hw.compute_capability = spec->compute_capability;
  hw.vram = spec->vram;
  hw.source = "catalog";
  return hw;
}

}  // namespace

Result<PlanHardware> ResolvePlanHardware(const HardwareInfo* probed, const HardwareFlags& flags,
                                         const GpuSpec** gpu_row) {
  *gpu_row = nullptr;
  PlanHardware hw;
  if (flags.gpu) {
    PIPEFIT_ASSIGN_OR_RETURN(hw, FromCatalog(*flags.gpu, gpu_row));
  } else if (probed != nullptr && !probed->gpus.empty()) {
    const DetectedGpu& gpu = probed->gpus.front();
    hw.gpu = gpu.name;
    hw.vram = gpu.vram_total;
    hw.compute_capability = gpu.compute_capability.value_or("");
    hw.source = "detected";
    *gpu_row = gpu.catalog_match;
    if (gpu.catalog_match != nullptr) hw.gpu_id = gpu.catalog_match->id;
    if (probed->gpus.size() > 1) {
      hw.notes.push_back("planning for GPU 0 of " + std::to_string(probed->gpus.size()) +
                         " (diffusers runs a pipeline on one device unless it is device-mapped)");
    }
  } else {
    hw.source = "detected";
    if (!flags.vram) hw.notes.push_back("no GPU detected: pass --gpu NAME or --vram SIZE to plan for one");
  }
  if (probed != nullptr) hw.ram = probed->ram.available > 0 ? probed->ram.available : probed->ram.total;
  if (flags.vram) {
    hw.vram = *flags.vram;
    hw.source = "flags";
  }
  if (flags.ram) {
    hw.ram = *flags.ram;
    if (!flags.gpu && !flags.vram && hw.source == "detected") hw.notes.push_back("RAM from --ram");
    if (!flags.gpu) hw.source = "flags";
  }
  if (flags.gpu && !flags.ram && probed != nullptr) {
    hw.notes.push_back("RAM is this machine's available memory; pass --ram to plan for another machine");
  }
  return hw;
}

Result<Workload> ResolveWorkload(const Pipeline& pipeline, const WorkloadOverrides& o) {
  Workload w;
  const PipelineTraits* t = FindPipelineTraits(pipeline.pipeline_class);
  if (t != nullptr) {
    w.height = t->height;
    w.width = t->width;
    w.frames = t->frames;
    w.steps = t->steps;
    w.guidance_batch = t->cfg_batched ? 2 : 1;
    w.guidance_passes = t->cfg_sequential ? 2 : 1;
    w.text_tokens = t->text_tokens;
  }
  // A catalog entry may override its pipeline class's call defaults (FLUX.1
  // schnell runs 4 steps, not FluxPipeline's 28: its model card).
  if (pipeline.source.kind == SourceKind::kCatalog) {
    PIPEFIT_ASSIGN_OR_RETURN(std::optional<CatalogEntry> entry, FindCatalogEntry(pipeline.source.repo));
    if (entry) {
      if (entry->workload.height > 0) w.height = entry->workload.height;
      if (entry->workload.width > 0) w.width = entry->workload.width;
      if (entry->workload.frames > 0) w.frames = entry->workload.frames;
      if (entry->workload.steps > 0) w.steps = entry->workload.steps;
    }
  }
  auto check = [](const char* flag, std::optional<int> value, int minimum) -> Status {
    if (value && *value < minimum) {
      return MakeErrorf(ErrorCode::kUsage, "{} must be at least {}", flag, minimum);
    }
    return OkStatus();
  };
  PIPEFIT_RETURN_IF_ERROR(check("--height", o.height, 8));
  PIPEFIT_RETURN_IF_ERROR(check("--width", o.width, 8));
  PIPEFIT_RETURN_IF_ERROR(check("--frames", o.frames, 1));
  PIPEFIT_RETURN_IF_ERROR(check("--batch", o.batch, 1));
  PIPEFIT_RETURN_IF_ERROR(check("--steps", o.steps, 1));
  for (auto [flag, value] : {std::pair{"--height", o.height}, std::pair{"--width", o.width}}) {
    if (value && *value % 8 != 0) {
      return MakeErrorf(ErrorCode::kUsage, "{} must be a multiple of 8 (the VAE's scale)", flag);
    }
    if (value && *value > 16384) return MakeErrorf(ErrorCode::kUsage, "{} must be at most 16384", flag);
  }
  if (o.frames && *o.frames > 4096) return MakeErrorf(ErrorCode::kUsage, "--frames must be at most 4096");
  if (o.batch && *o.batch > 1024) return MakeErrorf(ErrorCode::kUsage, "--batch must be at most 1024");
  if (o.steps && *o.steps > 10000) return MakeErrorf(ErrorCode::kUsage, "--steps must be at most 10000");
  w.from_defaults = !(o.height || o.width || o.frames || o.batch || o.steps);
  w.height = o.height.value_or(w.height);
  w.width = o.width.value_or(w.width);
  w.frames = o.frames.value_or(w.frames);
  w.batch = o.batch.value_or(w.batch);
  w.steps = o.steps.value_or(w.steps);
  w.video = w.frames > 1;
  return w;
}

}  // namespace pipefit
