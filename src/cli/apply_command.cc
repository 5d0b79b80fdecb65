// `pipefit apply SCRIPT.py [--strategy ID | --prefer P] [MODEL and plan
// options] [--write]` (CONTRACT.md `apply`).
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/plan_flow.h"
#include "cli/script_support.h"
#include "pipefit/base/file_system.h"
#include "pipefit/codegen/apply_choice.h"
#include "pipefit/codegen/script_apply.h"
#include "pipefit/codegen/script_model.h"
#include "pipefit/codegen/unified_diff.h"
#include "pipefit/plan/planner.h"
#include "pipefit/report/json_util.h"
#include "pipefit/report/plan_report.h"

namespace pipefit::cli {
namespace {

struct ApplyFlags {
  std::string script;
  std::string strategy;
  std::string prefer = "balanced";
  std::string target;
  std::string dtype;  // "" = keep the script's
  ModelFlags model;
  PlanInputFlags inputs;
  bool write = false;
  bool json = false;
};

// The plan of the model the script loads (or --model), for the workload the
// script's generation call asks for unless flags say otherwise.
Result<ApplyChoice> ChooseFromModel(const ApplyFlags& flags, const ApplyRequest& request,
                                    ResolvedModel resolved, const PipelineSite& site) {
  PlanInputFlags inputs = flags.inputs;
  if (!inputs.height) inputs.height = site.height;
  if (!inputs.width) inputs.width = site.width;
  if (!inputs.frames) inputs.frames = site.frames;
  if (!inputs.steps) inputs.steps = site.steps;
  if (!inputs.batch) inputs.batch = site.batch;
  inputs.strategy = request.strategy;
  PIPEFIT_ASSIGN_OR_RETURN(PlanFlow flow, RunPlanFlow(std::move(resolved), inputs));
  PIPEFIT_ASSIGN_OR_RETURN(ApplyChoice choice,
                           ChooseFromPlan(flow.plan, flow.plan.code_context, site, request));
  for (const PlannedCandidate& p : flow.plan.candidates) {
    if (p.candidate.Id() == choice.candidate.Id() && !p.fits) {
      choice.notes.push_back(fmt::format("{} does not fit the hardware planned for: {}", p.candidate.Id(),
                                         FitReason(p, flow.plan.hardware)));
    }
  }
  return choice;
}

// --write: SCRIPT.orig first (never replaced: it holds the first original),
// then SCRIPT, both atomically; a symlink is rewritten only when its target
// lies in its folder (issue 8: nothing else is ever written).
Status WriteInPlace(const std::string& path, const std::string& original, const std::string& text,
                    std::vector<std::string>& notes) {
  auto target = ResolveLinkWithinFolder(path);
  if (!target.ok()) {
    return MakeErrorf(target.error().code, "{}: not rewriting it (print the diff instead)",
                      target.error().message);
  }
  const std::string backup = path + ".orig";
  if (RealFileSystem().Exists(backup)) {
    notes.push_back(backup + " already exists: kept it (it holds an earlier original)");
  } else if (Status s =
                 WriteFileAtomically(backup, original, {.mode_from = *target, .replace_existing = false});
             !s.ok()) {
    return MakeErrorf(s.error().code, "{}; cannot write the backup, nothing was changed", s.error().message);
  }
  if (Status s = WriteFileAtomically(path, text, {.follow_link_within_folder = true}); !s.ok()) {
    return MakeErrorf(s.error().code, "{}; nothing was changed", s.error().message);
  }
  return OkStatus();
}

// --json: one pipefit.apply/1 document (docs/json-schemas.md) on stdout; the
// notes go in it instead of on stderr.
std::string RenderJson(const std::string& script, const std::string& strategy, bool changed, bool written,
                       const std::string& diff, const std::vector<std::string>& notes) {
  Json j;
  j["schema"] = "pipefit.apply/1";
  j["script"] = script;
  j["strategy"] = strategy;
  j["changed"] = changed;
  j["written"] = written;
  j["diff"] = diff;
  j["notes"] = notes;
  return DumpJson(j);
}

int RunApply(const ApplyFlags& flags) {
  ApplyRequest request{.strategy = flags.strategy, .prefer = flags.prefer, .dtype = std::nullopt};
  if (!flags.dtype.empty()) {
    request.dtype = ParseLoadDType(flags.dtype);
    if (!request.dtype) {
      return ReportError(
          MakeErrorf(ErrorCode::kUsage, "--dtype must be bf16, fp16 or fp32, not '{}'", flags.dtype));
    }
  }
  auto script = ReadScript(flags.script);
  if (!script.ok()) return ReportError(script.error());
  const std::vector<PipelineSite> sites = FindPipelines(*script);
  const ApplyOptions options{.target = flags.target, .replace_dtype = request.dtype.has_value()};
  const PipelineSite* site = SelectPipeline(sites, options);
  if (site == nullptr) {
    return ReportError(MakeErrorf(ErrorCode::kNotFound, "{}: no diffusers pipeline construction{}",
                                  flags.script, flags.target.empty() ? "" : " bound to " + flags.target));
  }
  std::vector<std::string> notes;
  ModelFlags model = flags.model;
  model.dtype = LoadDTypeName(ScriptLoadDType(*site, request.dtype));
  auto resolved = ResolveScriptModel(model, *script, notes);
  auto choice = resolved ? ChooseFromModel(flags, request, std::move(*resolved), *site)
                         : ChooseFromScript(*site, request);
  if (!choice.ok()) return ReportError(choice.error());
  auto applied = ApplyCandidate(*script, choice->candidate, choice->context, options);
  if (!applied.ok()) return ReportError(applied.error().WithContext(flags.script));
  notes.insert(notes.end(), choice->notes.begin(), choice->notes.end());
  notes.insert(notes.end(), applied->notes.begin(), applied->notes.end());
  const std::string id = choice->candidate.Id();
  const bool changed = applied->rewritten != script->source;
  std::string diff;
  if (!changed) {
    if (!flags.json) {
      std::fprintf(stderr, "pipefit: %s already runs %s: nothing to change\n", flags.script.c_str(),
                   id.c_str());
    }
  } else if (flags.write) {
    if (Status s = WriteInPlace(flags.script, script->source, applied->rewritten, notes); !s.ok()) {
      return ReportError(s.error());
    }
    if (!flags.json) {
      std::fprintf(stderr, "pipefit: rewrote %s for %s (the first original is kept in %s.orig)\n",
                   flags.script.c_str(), id.c_str(), flags.script.c_str());
    }
  } else {
    // git-style labels; an absolute path keeps a single slash ("a/tmp/x.py").
    const std::string label = flags.script.starts_with('/') ? flags.script.substr(1) : flags.script;
    diff = UnifiedDiff(script->source, applied->rewritten, "a/" + label, "b/" + label);
  }
  if (flags.json) {
    const std::string out = RenderJson(flags.script, id, changed, changed && flags.write, diff, notes);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::fwrite(diff.data(), 1, diff.size(), stdout);
  for (const std::string& note : notes) std::fprintf(stderr, "pipefit: note: %s\n", note.c_str());
  return 0;
}

}  // namespace

void RegisterApplyCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "apply",
      "Rewrite a diffusers script to run one candidate (--strategy ID, or the plan's pick for --prefer):\n"
      "removes the calls it replaces, adds the new ones after the pipeline is built, touches nothing else.\n"
      "Keeps the script's torch_dtype unless --dtype is given.\n"
      "Prints a unified diff; --write rewrites the file in place (keeping SCRIPT.orig).");
  cmd->add_option("SCRIPT", f->script, "the Python script")->required();
  cmd->add_option("--strategy", f->strategy, "candidate id, e.g. fp8_layerwise+model_offload");
  cmd->add_option("--prefer", f->prefer, "quality | speed | memory | balanced (needs the model)")
      ->capture_default_str();
  cmd->add_option("--target", f->target, "the pipeline variable to rewrite (default: the first pipeline)");
  cmd->add_option("--model", f->model.model, "the model to plan (default: the id the script loads)");
  cmd->add_option("--dtype", f->dtype,
                  "bf16 | fp16 | fp32: plan for it and rewrite the script's torch_dtype to it\n"
                  "(default: keep the script's torch_dtype, bf16 when it sets none)");
  cmd->add_flag("--offline", f->model.offline, "never use the network (also HF_HUB_OFFLINE=1)");
  AddHardwareOptions(*cmd, f->inputs);
  cmd->add_flag("--write", f->write,
                "rewrite SCRIPT in place (atomically; the original is kept as SCRIPT.orig)");
  cmd->add_flag("--json", f->json, "print one JSON document (schema pipefit.apply/1) instead of the diff");
  cmd->callback([f, &run] { run = [f] { return RunApply(*f); }; });
}

}  // namespace pipefit::cli
