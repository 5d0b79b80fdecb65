#include "pipefit/report/doctor_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pipefit/base/units.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/plan/time_model.h"
#include "pipefit/report/json_util.h"
#include "pipefit/report/plan_report.h"

namespace pipefit {
namespace {

// The fitting candidates, smallest VRAM first, at most `limit`.
std::vector<const PlannedCandidate*> Fitting(const PlanResult& plan, size_t limit) {
  std::vector<const PlannedCandidate*> out;
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.fits) out.push_back(&p);
  }
  std::sort(out.begin(), out.end(), [](const PlannedCandidate* a, const PlannedCandidate* b) {
    return a->estimate.seconds < b->estimate.seconds;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

Json PlanJson(const PlanResult& plan) {
  Json j;
  j["model"] = plan.model;
  j["vram"] = plan.hardware.vram;
  j["ram"] = plan.hardware.ram;
  j["recommended"] = RecommendedJson(plan.recommended);
  j["candidates"] = Json::array();
  for (const PlannedCandidate* p : Fitting(plan, 1000)) {
    j["candidates"].push_back({{"id", p->candidate.Id()},
                               {"vram", p->estimate.vram},
                               {"ram", p->estimate.ram},
                               {"seconds", std::round(p->estimate.seconds * 100) / 100}});
  }
  return j;
}

}  // namespace

std::string RenderDoctorJson(const DoctorResult& d) {
  const OomReport& r = d.report;
  Json j;
  j["schema"] = "pipefit.doctor/1";
  j["kind"] = OomKindName(r.kind);
  j["stage"] = OomStageName(r.stage);
  j["requested"] = OptionalOrNull(r.requested);
  j["gpu_total"] = OptionalOrNull(r.gpu_total);
  j["gpu_free"] = OptionalOrNull(r.gpu_free);
  j["process_in_use"] = OptionalOrNull(r.process_in_use);
  j["allocated_by_pytorch"] = OptionalOrNull(r.allocated_by_pytorch);
  j["reserved_unallocated"] = OptionalOrNull(r.reserved_unallocated);
  j["advice"] = Json::array();
  for (const Advice& a : d.advice) j["advice"].push_back(a.text);
  // pipefit's additions.
  j["advice_rules"] = Json::array();
  for (const Advice& a : d.advice) j["advice_rules"].push_back(a.rule);
  j["reserved_total"] = OptionalOrNull(r.reserved_total);
  j["other_allocations"] = OptionalOrNull(r.other_allocations);
  j["gpu_index"] = OptionalOrNull(r.gpu_index);
  j["other_processes"] = Json::array();
  for (const OtherProcess& p : r.other_processes)
    j["other_processes"].push_back({{"pid", p.pid}, {"bytes", p.bytes}});
  j["vae_call"] = StringOrNull(r.vae_call);
  j["message"] = StringOrNull(r.message);
  j["line"] = r.line == 0 ? Json(nullptr) : Json(r.line);
  j["stage_evidence"] = StringOrNull(r.stage_evidence);
  j["model_ids"] = r.model_ids;
  j["truncated"] = r.truncated;
  j["oom_messages"] = r.oom_messages;
  j["gpu_class"] =
      d.card ? Json{{"nominal_gb", d.card->nominal_gb}, {"examples", d.card->examples}} : Json(nullptr);
  j["script"] = d.script.empty() ? Json(nullptr) : Json(d.script);
  j["script_lines"] = Json::array();
  for (const ScriptTie& t : d.script_ties)
    j["script_lines"].push_back({{"rule", t.rule}, {"line", t.line}, {"text", t.text}});
  j["plan"] = d.plan ? PlanJson(*d.plan) : Json(nullptr);
  j["notes"] = d.notes;
  return DumpJson(j);
}

namespace {

void Line(std::string& out, const char* label, const std::optional<Bytes>& value) {
  if (value) out += fmt::format("  {:<28} {}\n", label, FormatGiB(*value));
}

}  // namespace

std::string RenderDoctorText(const DoctorResult& d) {
  const OomReport& r = d.report;
  std::string out;
  if (r.kind == OomKind::kNotOom) {
    out += "No out-of-memory error found in this log.\n";
  } else {
    out += fmt::format("{} during {}{}\n", OomKindName(r.kind), OomStageName(r.stage),
                       r.vae_call.empty() ? "" : " (vae." + r.vae_call + ")");
    out += fmt::format("  line {}: {}\n", r.line, r.message.substr(0, 160));
    if (!r.stage_evidence.empty()) out += "  stage from: " + r.stage_evidence.substr(0, 160) + "\n";
    Line(out, "requested", r.requested);
    Line(out, "GPU total", r.gpu_total);
    Line(out, "GPU free", r.gpu_free);
    Line(out, "this process in use", r.process_in_use);
    Line(out, "allocated by PyTorch", r.allocated_by_pytorch);
    Line(out, "reserved, unallocated", r.reserved_unallocated);
    Line(out, "reserved in total", r.reserved_total);
    Line(out, "other allocations (MPS)", r.other_allocations);
    for (const OtherProcess& p : r.other_processes) {
      out += fmt::format("  {:<28} {}\n", "process " + std::to_string(p.pid), FormatGiB(p.bytes));
    }
    if (r.oom_messages > 1)
      out += fmt::format("  ({} OOM messages in the log; the last one is shown)\n", r.oom_messages);
    if (d.card) {
      std::string names;
      for (size_t i = 0; i < d.card->examples.size(); ++i) names += (i ? ", " : "") + d.card->examples[i];
      out += fmt::format("  {:<28} a {} GB card{}\n", "GPU (from the capacity)", d.card->nominal_gb,
                         names.empty() ? "" : " (" + names + ")");
    }
  }
  if (!d.script_ties.empty()) out += "\nIn " + d.script + "\n";
  for (const ScriptTie& t : d.script_ties) out += "  - " + t.text + "\n";
  if (!d.advice.empty()) out += "\nWhat to do\n";
  for (const Advice& a : d.advice) out += "  - " + a.text + "\n";
  if (d.plan != nullptr) {
    const PlanResult& plan = *d.plan;
    out += fmt::format("\nWhat fits {} in {} VRAM and {} RAM (pipefit plan):\n", plan.model,
                       FormatGiB(plan.hardware.vram), FormatGiB(plan.hardware.ram));
    if (plan.hardware.gpu.empty()) {
      const TimeBasis basis = TimeBasisFor(nullptr);
      out += fmt::format(
          "  (the log names no GPU, only its capacity: seconds are for {}, pipefit's reference GPU, and only "
          "rank the candidates)\n",
          basis.gpu != nullptr ? basis.gpu->name : "a reference GPU");
    }
    const auto fitting = Fitting(plan, 8);
    if (fitting.empty()) out += "  nothing fits\n";
    for (const PlannedCandidate* p : fitting) {
      out += fmt::format("  {:<42} {:>10} VRAM {:>10} RAM {:>8.1f} s\n", p->candidate.Id(),
                         FormatGiB(p->estimate.vram), FormatGiB(p->estimate.ram), p->estimate.seconds);
    }
    if (plan.recommended.balanced) {
      out += "  recommended (balanced): " + *plan.recommended.balanced + "\n";
      for (const PlannedCandidate& p : plan.candidates) {
        if (p.candidate.Id() != *plan.recommended.balanced) continue;
        out += "\n";
        const std::string code = CandidateCode(p.candidate, plan.code_context);
        size_t start = 0;
        while (start < code.size()) {
          const size_t end = code.find('\n', start);
          out +=
              "    " + code.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
          if (end == std::string::npos) break;
          start = end + 1;
        }
      }
    }
  }
  if (!d.notes.empty()) out += "\nNotes\n";
  for (const std::string& note : d.notes) out += "  - " + note + "\n";
  return out;
}

}  // namespace pipefit
