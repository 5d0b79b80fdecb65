// `pipefit plan MODEL [options] [--json]` (CONTRACT.md `plan`).
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "cli/plan_flow.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/codegen/apply_choice.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/plan/planner.h"
#include "pipefit/plan/rank.h"
#include "pipefit/report/pareto.h"
#include "pipefit/report/plan_report.h"
#include "pipefit/serve/html_report.h"

namespace pipefit::cli {
namespace {

struct PlanFlags {
  ModelFlags model;
  PlanInputFlags inputs;
  std::string prefer = "balanced";
  std::string strategy;
  std::string emit;
  std::string engine = "diffusers";
  std::string html;
  std::string svg;
  bool pareto = false;
  bool force = false;
  bool all = false;
  bool json = false;
};

// --html: the plan's JSON document (as --json prints it) in a page.
Status WriteHtmlReport(const PlanFlags& flags, const PlanResult& plan, PlanRenderOptions render) {
  render.color = false;
  const std::string title = fmt::format("pipefit plan: {} on {}", plan.model,
                                        plan.hardware.gpu.empty() ? "no GPU" : plan.hardware.gpu);
  PIPEFIT_ASSIGN_OR_RETURN(std::string page, PlanHtmlReport(RenderPlanJson(plan, render), title));
  return WriteOutputFile("--html", flags.html, page, flags.force, "plan.html");
}

// Columns for the text report: the terminal's width, else $COLUMNS, else 120.
int OutputWidth(const Environment& env) {
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return size.ws_col;
  const int columns = std::atoi(env.Get("COLUMNS").value_or("").c_str());
  return columns >= 40 && columns <= 1000 ? columns : 120;
}

int RunPlan(const PlanFlags& flags) {
  auto prefer = ParsePreference(flags.prefer);
  if (!prefer) {
    return ReportError(MakeErrorf(
        ErrorCode::kUsage, "--prefer must be quality, speed, memory or balanced, not '{}'", flags.prefer));
  }
  ProcessEnvironment env;
  auto resolved = ResolveModelFlags(flags.model, env);
  if (!resolved.ok()) return ReportError(resolved.error());
  if (flags.engine != "diffusers" && flags.engine != "cache-dit") {
    return ReportError(
        MakeErrorf(ErrorCode::kUsage, "--engine must be diffusers or cache-dit, not '{}'", flags.engine));
  }
  PlanInputFlags inputs = flags.inputs;
  inputs.strategy = flags.strategy;
  auto flow = RunPlanFlow(std::move(*resolved), inputs);
  if (!flow.ok()) return ReportError(flow.error());
  if (flags.engine == "cache-dit") flow->plan.code_context.engine = ParallelEngine::kCacheDit;
  const PlanResult& plan = flow->plan;
  PlanRenderOptions render;
  render.all = flags.all;
  render.prefer = flags.prefer;
  render.width = OutputWidth(env);
  render.color = !flags.json && isatty(STDOUT_FILENO) && !env.Get("NO_COLOR").has_value();
  auto picked = ChooseCandidate(plan, flags.strategy, *prefer);
  if (!picked.ok()) return ReportError(picked.error());
  const PlannedCandidate* chosen = *picked;
  if (chosen != nullptr) render.chosen = chosen->candidate.Id();
  if (flags.pareto && flags.json) {
    return ReportError(MakeErrorf(ErrorCode::kUsage,
                                  "--pareto prints a chart; --json has every candidate's "
                                  "vram and seconds already (pass one of them)"));
  }
  const std::string out = flags.json     ? RenderPlanJson(plan, render)
                          : flags.pareto ? RenderParetoChart(plan, std::clamp(render.width - 16, 30, 100))
                                         : RenderPlanText(plan, render);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!flags.emit.empty()) {
    if (chosen == nullptr) {
      return ReportError(MakeErrorf(ErrorCode::kUsage,
                                    "--emit: no candidate fits, so there is nothing to emit for --prefer {} "
                                    "(name one with --strategy)",
                                    flags.prefer));
    }
    const std::string script = EmitScript(chosen->candidate, plan.code_context);
    if (Status s = WriteOutputFile("--emit", flags.emit, script, flags.force, "run.py"); !s.ok()) {
      return ReportError(s.error());
    }
    std::fprintf(stderr, "pipefit: wrote %s (%s)%s\n", flags.emit.c_str(), chosen->candidate.Id().c_str(),
                 chosen->fits ? "" : " -- this candidate does NOT fit the hardware planned for");
    if (RunsUnderTorchrun(chosen->candidate.parallel.kind)) {
      std::fprintf(stderr, "pipefit: run it with: torchrun --nproc-per-node %d %s\n",
                   chosen->candidate.parallel.degree, flags.emit.c_str());
    }
  }
  if (!flags.svg.empty()) {
    if (Status s = WriteOutputFile("--svg", flags.svg, RenderParetoSvg(plan), flags.force, "pareto.svg");
        !s.ok()) {
      return ReportError(s.error());
    }
    std::fprintf(stderr, "pipefit: wrote %s (the Pareto chart of VRAM against time)\n", flags.svg.c_str());
  }
  if (!flags.html.empty()) {
    if (Status s = WriteHtmlReport(flags, plan, render); !s.ok()) return ReportError(s.error());
    std::fprintf(stderr, "pipefit: wrote %s (open it in a browser; it needs no network)\n",
                 flags.html.c_str());
  }
  return 0;
}

}  // namespace

void RegisterPlanCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand(
      "plan",
      "List every way diffusers can run MODEL on this machine (or --gpu/--vram/--ram): offloading,\n"
      "group offloading, fp8 layerwise casting, bitsandbytes, torchao, GGUF, VAE tiling/slicing; predict\n"
      "each one's peak VRAM, RAM and time, keep what fits, and recommend one per preference.");
  AddModelOptions(*cmd, f->model, "as for inspect (default: the catalog's default model)");
  AddHardwareOptions(*cmd, f->inputs);
  cmd->add_option("--prefer", f->prefer, "quality | speed | memory | balanced")->capture_default_str();
  cmd->add_option("--strategy", f->strategy, "choose this candidate id (e.g. fp8_layerwise+model_offload)");
  cmd->add_option("--emit", f->emit, "write a complete runnable script for the chosen candidate");
  cmd->add_option("--engine", f->engine,
                  "multi-GPU code for: diffusers (enable_parallelism) or cache-dit (ParallelismConfig)")
      ->capture_default_str();
  cmd->add_option("--html", f->html, "write a self-contained HTML report (charts, code; works offline)");
  cmd->add_flag(
      "--pareto", f->pareto,
      "print the Pareto front of peak VRAM against seconds per call as a chart, instead of the table");
  cmd->add_option("--svg", f->svg, "write that chart as an SVG file");
  cmd->add_flag("--force", f->force, "let --emit, --html and --svg replace an existing file");
  cmd->add_flag("--all", f->all, "also list candidates that do not fit, with the reason");
  cmd->add_flag("--json", f->json, "print one JSON document (schema pipefit.plan/1)");
  cmd->callback([f, &run] { run = [f] { return RunPlan(*f); }; });
}

}  // namespace pipefit::cli
