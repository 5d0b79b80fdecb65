// The machine and the workload a plan is for (planner.h).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "pipefit/base/text.h"
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

// "2 × H100 SXM5 80GB + 1 × GeForce RTX 4090": the machine in one phrase.
std::string CountedNames(const std::vector<PlanGpu>& gpus) {
  std::vector<std::pair<std::string, int>> counts;
  for (const PlanGpu& gpu : gpus) {
    auto found =
        std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == gpu.name; });
    if (found == counts.end()) {
      counts.emplace_back(gpu.name, 1);
    } else {
      ++found->second;
    }
  }
  std::string out;
  for (const auto& [name, count] : counts)
    out += (out.empty() ? "" : " + ") + std::to_string(count) + " × " + name;
  return out;
}

void NoteOneGpuOfMany(PlanHardware& hw) {
  if (hw.gpus.size() < 2) return;
  hw.notes.push_back(fmt::format(
      "{} GPUs ({}{}): single-GPU candidates run on GPU 0 ({}), multi-GPU ones (context and tensor "
      "parallel, device_map=\"balanced\") on the first N",
      hw.gpus.size(), CountedNames(hw.gpus), hw.interconnect.empty() ? "" : "; " + hw.interconnect,
      hw.gpus[0].name));
}

}  // namespace

Result<std::vector<const GpuSpec*>> ParseGpuFlag(const std::string& value) {
  std::string_view text = TrimWhitespace(value);
  int count = 1;
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits > 0) {
    std::string_view rest = TrimWhitespace(text.substr(digits));
    std::string_view name;
    if (rest.starts_with("x") || rest.starts_with("X")) name = rest.substr(1);
    if (rest.starts_with("×")) name = rest.substr(std::string_view("×").size());
    name = TrimWhitespace(name);
    if (!name.empty() && name != rest) {
      // At most two digits: 1 to 64 cards.
      const int n = digits <= 2 ? std::stoi(std::string(text.substr(0, digits))) : 0;
      if (n < 1 || n > 64)
        return MakeErrorf(ErrorCode::kUsage, "--gpu '{}': the count must be 1 to 64", value);
      count = n;
      text = name;
    }
  }
  if (text.empty() ||
      (digits > 0 && digits + 1 == text.size() && (text.back() == 'x' || text.back() == 'X'))) {
    return MakeErrorf(ErrorCode::kUsage, "--gpu '{}': no GPU name (NAME or NxNAME, e.g. 4xH100)", value);
  }
  const GpuSpec* spec = FindGpu(std::string(text));
  if (spec == nullptr) {
    return MakeErrorf(ErrorCode::kUsage, "--gpu '{}' is not in pipefit's GPU catalog (see `pipefit gpus`)",
                      value);
  }
  return std::vector<const GpuSpec*>(static_cast<size_t>(count), spec);
}

Result<PlanHardware> ResolvePlanHardware(const HardwareInfo* probed, const HardwareFlags& flags,
                                         const GpuSpec** gpu_row) {
  *gpu_row = nullptr;
  PlanHardware hw;
  if (!flags.gpus.empty()) {
    std::vector<const GpuSpec*> cards;
    for (const std::string& value : flags.gpus) {
      PIPEFIT_ASSIGN_OR_RETURN(std::vector<const GpuSpec*> parsed, ParseGpuFlag(value));
      cards.insert(cards.end(), parsed.begin(), parsed.end());
    }
    if (cards.size() > 64) return MakeErrorf(ErrorCode::kUsage, "--gpu: {} GPUs; at most 64", cards.size());
    PIPEFIT_ASSIGN_OR_RETURN(hw, FromCatalog(cards.front()->id, gpu_row));
    for (const GpuSpec* card : cards) {
      hw.gpus.push_back(PlanGpu{static_cast<int>(hw.gpus.size()), card->name, card->id, card->vram});
    }
    NoteOneGpuOfMany(hw);
  } else if (probed != nullptr && !probed->gpus.empty()) {
    const DetectedGpu& gpu = probed->gpus.front();
    hw.gpu = gpu.name;
    hw.vram = gpu.vram_total;
    hw.compute_capability = gpu.compute_capability.value_or("");
    hw.source = "detected";
    *gpu_row = gpu.catalog_match;
    if (gpu.catalog_match != nullptr) hw.gpu_id = gpu.catalog_match->id;
    for (const DetectedGpu& detected : probed->gpus) {
      hw.gpus.push_back(PlanGpu{detected.index, detected.name,
                                detected.catalog_match != nullptr ? detected.catalog_match->id : "",
                                detected.vram_total});
    }
    if (probed->topology) {
      hw.interconnect = DescribeTopology(*probed->topology);
      hw.topology = probed->topology;
    }
    NoteOneGpuOfMany(hw);
  } else {
    hw.source = "detected";
    if (!flags.vram) hw.notes.push_back("no GPU detected: pass --gpu NAME or --vram SIZE to plan for one");
  }
  if (probed != nullptr) hw.ram = probed->ram.available > 0 ? probed->ram.available : probed->ram.total;
  if (flags.vram) {
    hw.vram = *flags.vram;
    hw.source = "flags";
    // --vram is a what-if for every card of the machine.
    for (PlanGpu& gpu : hw.gpus) gpu.vram = *flags.vram;
  }
  if (flags.ram) {
    hw.ram = *flags.ram;
    if (flags.gpus.empty() && !flags.vram && hw.source == "detected") hw.notes.push_back("RAM from --ram");
    if (flags.gpus.empty()) hw.source = "flags";
  }
  if (!flags.gpus.empty() && !flags.ram && probed != nullptr) {
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
