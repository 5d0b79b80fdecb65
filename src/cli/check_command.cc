// `pipefit check SCRIPT.py [--json]` (CONTRACT.md `check`).
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/script_support.h"
#include "pipefit/report/json_util.h"

namespace pipefit::cli {
namespace {

struct CheckFlags {
  std::string script;
  ModelFlags model;
  bool json = false;
};

std::string RenderJson(const std::string& path, const CheckResult& result) {
  Json j;
  j["schema"] = "pipefit.check/1";
  j["file"] = path;
  j["findings"] = Json::array();
  for (const Finding& f : result.findings) {
    j["findings"].push_back({{"rule", f.rule},
                             {"severity", SeverityName(f.severity)},
                             {"line", f.line},
                             {"related_line", f.related_line == 0 ? Json(nullptr) : Json(f.related_line)},
                             {"message", f.message},
                             {"fix", f.fix}});
  }
  j["notes"] = result.notes;
  return DumpJson(j);
}

std::string RenderText(const std::string& path, const CheckResult& result) {
  std::string out;
  for (const Finding& f : result.findings) {
    out += path + ":" + std::to_string(f.line) + ": " + SeverityName(f.severity) + " " + f.rule + ": " +
           f.message + (f.related_line != 0 ? " (with line " + std::to_string(f.related_line) + ")" : "") +
           "\n    fix: " + f.fix + "\n";
  }
  if (result.findings.empty()) out += path + ": no findings\n";
  for (const std::string& note : result.notes) out += "note: " + note + "\n";
  return out;
}

int RunCheck(const CheckFlags& flags) {
  auto script = ReadScript(flags.script);
  if (!script.ok()) return ReportError(script.error());
  std::vector<std::string> notes;
  ScriptModelFacts facts;
  if (auto model = ResolveScriptModel(flags.model, *script, notes))
    facts = FactsFromPipeline(model->pipeline);
  CheckResult result = CheckScript(*script, facts);
  result.notes.insert(result.notes.end(), notes.begin(), notes.end());
  const std::string out = flags.json ? RenderJson(flags.script, result) : RenderText(flags.script, result);
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const Finding& f : result.findings) {
    if (f.severity == Severity::kError) return 1;
  }
  return 0;
}

}  // namespace

void RegisterCheckCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Lint a diffusers script: offload/placement mistakes, removed APIs, quantization configs, attention\n"
      "backend names, compile advice. Exits 1 when a finding is an error (what raises in diffusers).");
  cmd->add_option("SCRIPT", f->script, "the Python script")->required();
  cmd->add_option("--model", f->model.model,
                  "the model whose facts to use (default: the id the script loads)");
  cmd->add_flag("--json", f->json, "print one JSON document (schema pipefit.check/1)");
  cmd->callback([f, &run] { run = [f] { return RunCheck(*f); }; });
}

}  // namespace pipefit::cli
