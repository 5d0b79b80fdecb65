// `pipefit doctor [LOG | -] [--model MODEL] [--script SCRIPT] [--json]`
// (CONTRACT.md `doctor`).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "cli/plan_flow.h"
#include "cli/script_support.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/codegen/script_pipelines.h"
#include "pipefit/doctor/advice.h"
#include "pipefit/doctor/diagnosis.h"
#include "pipefit/doctor/oom_log.h"
#include "pipefit/doctor/script_tie.h"
#include "pipefit/report/doctor_report.h"

namespace pipefit::cli {
namespace {

// Logs larger than this are refused rather than read into memory.
constexpr Bytes kMaxLogBytes = 1 * kGiB;

struct DoctorFlags {
  std::string log = "-";
  std::string script;
  ModelFlags model;
  PlanInputFlags inputs;
  bool json = false;
};

Result<std::string> ReadStdin() {
  std::string text;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = read(STDIN_FILENO, buffer, sizeof buffer);
    if (n < 0) return MakeErrorf(ErrorCode::kIo, "stdin: read failed");
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (static_cast<Bytes>(text.size()) > kMaxLogBytes) {
      return MakeErrorf(ErrorCode::kLimit, "stdin: log larger than 1 GiB; pass the last part (tail -c 100M)");
    }
  }
  return text;
}

Result<std::string> ReadLog(const std::string& path) {
  if (path == "-") return ReadStdin();
  RealFileSystem fs;
  if (!fs.IsFile(path)) return MakeErrorf(ErrorCode::kNotFound, "{}: no such file", path);
  auto text = fs.ReadFile(path, kMaxLogBytes);
  if (!text.ok()) return text.error().WithContext(path);
  return text;
}

// --model, else the first model id the log passes to from_pretrained, else
// the script's.
void AddPlan(const DoctorFlags& flags, DoctorResult& result, std::optional<PlanFlow>& flow) {
  const std::vector<std::string>& ids = result.report.model_ids;
  if (flags.model.model.empty() && ids.empty()) return;
  ProcessEnvironment env;
  auto resolved = ResolveModelOrReadId(flags.model, ids.empty() ? "" : ids.front(), env);
  if (!resolved.ok()) {
    result.notes.push_back("no plan: " + resolved.error().message);
    return;
  }
  // The generation arguments the log shows, unless given as flags.
  PlanInputFlags inputs = flags.inputs;
  const OomReport& r = result.report;
  const bool from_call = (!inputs.height && r.height) || (!inputs.width && r.width) ||
                         (!inputs.frames && r.frames) || (!inputs.steps && r.steps) ||
                         (!inputs.batch && r.batch);
  if (!inputs.height) inputs.height = r.height;
  if (!inputs.width) inputs.width = r.width;
  if (!inputs.frames) inputs.frames = r.frames;
  if (!inputs.steps) inputs.steps = r.steps;
  if (!inputs.batch) inputs.batch = r.batch;
  auto planned = RunPlanFlow(std::move(*resolved), inputs, inputs.vram.empty() ? r.gpu_total : std::nullopt);
  if (!planned.ok()) {
    result.notes.push_back("no plan: " + planned.error().message);
    return;
  }
  flow = std::move(*planned);
  if (from_call)
    result.notes.push_back("planned with the generation arguments in the log (height, width, ...)");
  if (flags.model.model.empty())
    result.notes.push_back("planned for " + ids.front() + ", the model the log loads");
  if (result.report.gpu_total && flags.inputs.vram.empty()) {
    result.notes.push_back("planned for the GPU capacity in the log");
  }
}

// The script that produced the log: its model id and generation
// arguments fill what the log lacks, and its lines are tied to the failure.
Result<std::optional<PythonScript>> AddScript(const DoctorFlags& flags, DoctorResult& result) {
  if (flags.script.empty()) return std::optional<PythonScript>();
  PIPEFIT_ASSIGN_OR_RETURN(PythonScript script, ReadScript(flags.script));
  result.script = flags.script;
  OomReport& r = result.report;
  const std::vector<PipelineSite> sites = FindPipelines(script);
  if (!sites.empty()) {
    const PipelineSite& site = sites.front();
    if (!site.model_id.empty() &&
        std::find(r.model_ids.begin(), r.model_ids.end(), site.model_id) == r.model_ids.end())
      r.model_ids.push_back(site.model_id);
    if (!r.height) r.height = site.height;
    if (!r.width) r.width = site.width;
    if (!r.frames) r.frames = site.frames;
    if (!r.steps) r.steps = site.steps;
    if (!r.batch) r.batch = site.batch;
  }
  result.script_ties = TieLogToScript(r, script);
  return std::optional<PythonScript>(std::move(script));
}

int RunDoctor(const DoctorFlags& flags) {
  auto log = ReadLog(flags.log);
  if (!log.ok()) return ReportError(log.error());
  DoctorResult result;
  result.report = ParseOomLog(*log);
  auto script = AddScript(flags, result);
  if (!script.ok()) return ReportError(script.error());
  result.advice = AdviseOnOom(result.report);
  if (result.report.gpu_total) result.card = CardClassFromCapacity(*result.report.gpu_total);
  std::optional<PlanFlow> flow;
  if (result.report.kind != OomKind::kNotOom) AddPlan(flags, result, flow);
  if (flow) {
    result.plan = &flow->plan;
    // The numbers against the plan's stages come first: they say why.
    std::vector<Advice> reasons = ReasonWithPlan(result.report, flow->plan);
    result.advice.insert(result.advice.begin(), reasons.begin(), reasons.end());
  }
  const std::string out = flags.json ? RenderDoctorJson(result) : RenderDoctorText(result);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterDoctorCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<DoctorFlags>();
  CLI::App* cmd = app.add_subcommand(
      "doctor",
      "Triage an out-of-memory log or traceback: the kind of failure (CUDA, HIP, MPS, host), the stage\n"
      "(loading, text encoding, denoising, VAE, training), the numbers, and what to do. With --model\n"
      "(or a model id found in the log) it also plans the pipeline for the GPU in the log.");
  cmd->add_option("LOG", f->log, "log file, or - for stdin (default)");
  cmd->add_option("--script", f->script,
                  "the Python script that produced the log: its lines are tied to the failure, and its model "
                  "id and generation arguments fill what the log lacks");
  cmd->add_option("--model", f->model.model, "plan this model for the GPU in the log (as for plan)");
  cmd->add_option("--dtype", f->model.dtype, "torch_dtype for the plan: bf16, fp16, fp32")
      ->capture_default_str();
  cmd->add_flag("--offline", f->model.offline, "never use the network (also HF_HUB_OFFLINE=1)");
  AddHardwareOptions(*cmd, f->inputs);
  cmd->add_flag("--json", f->json, "print one JSON document (schema pipefit.doctor/1)");
  cmd->callback([f, &run] { run = [f] { return RunDoctor(*f); }; });
}

}  // namespace pipefit::cli
