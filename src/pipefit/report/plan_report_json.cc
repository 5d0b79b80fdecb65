// `pipefit plan --json`: CONTRACT.md's "pipefit.plan/1" fields in the
// contract's order, then pipefit's additions (the contract allows new
// fields, never renamed or removed ones).
#include <cmath>
#include <nlohmann/json.hpp>

#include "pipefit/codegen/script_writer.h"
#include "pipefit/report/json_util.h"
#include "pipefit/report/plan_report.h"
#include "pipefit/report/time_basis_text.h"

namespace pipefit {
namespace {

// Estimates are not exact: 0.01 s is finer than any estimate pipefit makes.
double RoundCentis(double value) { return std::round(value * 100.0) / 100.0; }

Json HardwareJson(const PlanHardware& hw) {
  Json j;
  j["gpu"] = StringOrNull(hw.gpu);
  j["vram"] = hw.vram;
  j["ram"] = hw.ram;
  j["source"] = hw.source;
  j["gpu_id"] = StringOrNull(hw.gpu_id);
  j["compute_capability"] = StringOrNull(hw.compute_capability);
  j["gpus"] = Json::array();
  for (const PlanGpu& gpu : hw.gpus) {
    j["gpus"].push_back(
        {{"index", gpu.index}, {"name", gpu.name}, {"gpu_id", StringOrNull(gpu.gpu_id)}, {"vram", gpu.vram}});
  }
  j["interconnect"] = StringOrNull(hw.interconnect);
  j["notes"] = hw.notes;
  return j;
}

Json WorkloadJson(const Workload& w) {
  Json j;
  j["height"] = w.height;
  j["width"] = w.width;
  j["frames"] = w.frames;
  j["batch"] = w.batch;
  j["steps"] = w.steps;
  j["guidance_batch"] = w.guidance_batch;
  j["text_tokens"] = w.text_tokens;
  j["from_defaults"] = w.from_defaults;
  return j;
}

Json MeasurementsJson(const SeedQuantities& s) {
  Json j;
  j["S_total"] = s.s_total;
  j["S_max"] = s.s_max;
  j["S_block"] = s.s_block;
  j["S_leaf"] = s.s_leaf;
  j["S_total_lc"] = s.s_total_lc;
  j["S_max_lc"] = s.s_max_lc;
  j["denoiser"] = StringOrNull(s.denoiser);
  return j;
}

Json ActivationJson(const StageActivations& a) {
  Json j;
  j["text_encode"] = a.text_encode;
  j["denoise"] = a.denoise;
  j["decode"] = a.decode;
  j["overridden"] = a.overridden;
  if (a.encode != 0) j["encode"] = a.encode;
  j["calibrated"] = a.calibrated;
  j["basis"] = a.basis;
  return j;
}

Json TimeBasisJson(const PlanHardware& hardware) {
  const TimeBasis basis = PlanTimeBasis(hardware);
  Json j;
  const TimeClassRow& row = TimeClassFor(basis.gpu_class);
  j["gpu"] = basis.gpu == nullptr ? Json(nullptr) : Json(basis.gpu->id);
  j["reference_gpu"] = basis.reference_gpu;
  j["gpu_class"] = row.short_name;
  j["calibrated"] = row.fitted;
  j["efficiency"] = row.efficiency;
  j["basis"] = TimeBasisText(basis);
  return j;
}

Json StagesJson(const std::vector<StagePeak>& stages) {
  Json j = Json::array();
  for (const StagePeak& s : stages) {
    j.push_back({{"stage", StageName(s.stage)},
                 {"component", s.component},
                 {"weights", s.weights},
                 {"activations", s.activations},
                 {"transient", s.transient}});
  }
  return j;
}

Json CandidateJson(const PlannedCandidate& p, const PlanHardware& hardware, const CodeContext& code_context) {
  const Candidate& c = p.candidate;
  const Estimate& e = p.estimate;
  Json j;
  j["id"] = c.Id();
  j["group"] = GroupOf(c.weights);
  j["weights"] = WeightsId(c.weights);
  j["placement"] = PlacementId(c.placement);
  j["quantized_components"] = c.quantized_components;
  j["vae_tiling"] = c.vae_tiling;
  j["vae_slicing"] = c.vae_slicing;
  j["num_blocks_per_group"] = OptionalOrNull(c.num_blocks_per_group);
  j["resident_blocks"] = c.placement == Placement::kPartialResident ? Json(c.resident_blocks) : Json(nullptr);
  j["vram"] = e.vram;
  j["vram_allocated"] = e.vram_allocated;
  j["ram"] = e.ram;
  j["fits"] = p.fits;
  j["reason"] = p.fits ? Json(nullptr) : Json(FitReason(p, hardware));
  j["seconds"] = RoundCentis(e.seconds);
  j["relative_time"] = RoundCentis(p.relative_time);
  j["quality"] = QualityName(CandidateQuality(c));
  j["code"] = CandidateCode(c, code_context);
  j["group_offload_exclude"] = c.group_offload_exclude;
  j["peak_stage"] = e.peak_stage ? Json(StageName(*e.peak_stage)) : Json(nullptr);
  j["stages"] = StagesJson(e.stages);
  j["notes"] = e.notes;
  if (c.parallel.kind == ParallelKind::kNone) {
    j["parallel"] = nullptr;
  } else {
    j["parallel"] = {{"kind", ParallelKindId(c.parallel.kind)}, {"degree", c.parallel.degree}};
  }
  Json gpus = Json::array();
  for (const GpuShare& share : e.gpus) {
    gpus.push_back({{"index", share.index},
                    {"vram", share.vram},
                    {"vram_allocated", share.vram_allocated},
                    {"holds", share.holds}});
  }
  j["gpus"] = std::move(gpus);
  j["communication_seconds"] = RoundCentis(e.communication_seconds);
  j["basis"] = EstimateBasisName(e.basis);
  j["basis_note"] = StringOrNull(e.basis_note);
  return j;
}

}  // namespace

Json RecommendedJson(const Recommendations& r) {
  return {{"quality", OptionalOrNull(r.quality)},
          {"speed", OptionalOrNull(r.speed)},
          {"memory", OptionalOrNull(r.memory)},
          {"balanced", OptionalOrNull(r.balanced)}};
}

namespace {

Json ShortfallJson(const std::optional<Shortfall>& s) {
  if (!s) return nullptr;
  return {{"min_vram", s->min_vram},
          {"ram_at_min_vram", s->ram_at_min_vram},
          {"min_ram", s->min_ram},
          {"min_vram_candidate", s->min_vram_candidate},
          {"min_ram_candidate", s->min_ram_candidate}};
}

}  // namespace

std::string RenderPlanJson(const PlanResult& plan, const PlanRenderOptions& options) {
  Json j;
  j["schema"] = "pipefit.plan/1";
  j["hardware"] = HardwareJson(plan.hardware);
  j["workload"] = WorkloadJson(plan.workload);
  j["measurements"] = MeasurementsJson(plan.seed);
  j["activation"] = ActivationJson(plan.activation);
  j["time"] = TimeBasisJson(plan.hardware);
  j["candidates"] = Json::array();
  int hidden = 0;
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.fits || options.all) {
      j["candidates"].push_back(CandidateJson(p, plan.hardware, plan.code_context));
    } else {
      ++hidden;
    }
  }
  j["recommended"] = RecommendedJson(plan.recommended);
  j["model"] = plan.model;
  j["pipeline_class"] = StringOrNull(plan.pipeline_class);
  j["load_dtype"] = LoadDTypeName(plan.load_dtype);
  j["prefer"] = options.prefer;
  std::optional<std::string> chosen = options.chosen;
  if (!chosen) chosen = RecommendationFor(plan.recommended, options.prefer);
  j["chosen"] = OptionalOrNull(chosen);
  j["hidden_candidates"] = hidden;
  j["shortfall"] = ShortfallJson(plan.shortfall);
  j["rejected"] = Json::array();
  for (const RejectedCandidate& r : plan.rejected) {
    j["rejected"].push_back({{"id", r.id}, {"rule", r.rule}, {"reason", r.reason}});
  }
  const PlanCalibration& c = plan.calibration;
  j["calibration"] = {{"stored", c.stored},
                      {"on_this_gpu", c.on_this_gpu},
                      {"of_family", c.of_family},
                      {"seconds_factor", OptionalOrNull(c.seconds_factor)},
                      {"denoise_factor", OptionalOrNull(c.denoise_factor)},
                      {"decode_factor", OptionalOrNull(c.decode_factor)},
                      {"measured", c.measured}};
  j["notes"] = plan.notes;
  // Replace, not throw, on invalid UTF-8 in a name or note: pipefit never throws.
  return DumpJson(j);
}

}  // namespace pipefit
