// `pipefit measure MODEL --strategy ID [plan options] --emit probe.py`
// (docs/measure.md): writes the Python probe that measures one candidate on
// the user's GPU; `pipefit calibrate --ingest` reads what it writes.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "cli/plan_flow.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/units.h"
#include "pipefit/codegen/probe_writer.h"
#include "pipefit/plan/rank.h"

namespace pipefit::cli {
namespace {

struct MeasureFlags {
  ModelFlags model;
  PlanInputFlags inputs;
  std::string strategy;
  std::string emit;
  bool random_weights = false;
  int calls = 1;
  bool force = false;
};

int RunMeasure(MeasureFlags flags) {
  if (flags.emit.empty()) {
    return ReportError(MakeErrorf(ErrorCode::kUsage, "measure: --emit FILE.py is required (- for stdout)"));
  }
  if (flags.calls < 1 || flags.calls > 100) {
    return ReportError(MakeErrorf(ErrorCode::kUsage, "--calls must be 1 to 100, not {}", flags.calls));
  }
  ProcessEnvironment env;
  auto resolved = ResolveModelFlags(flags.model, env);
  if (!resolved.ok()) return ReportError(resolved.error());
  // The probe carries the prediction it is compared with: the model's, not
  // one already corrected by earlier measurements.
  flags.inputs.uncalibrated = true;
  flags.inputs.strategy = flags.strategy;
  auto flow = RunPlanFlow(std::move(*resolved), flags.inputs);
  if (!flow.ok()) return ReportError(flow.error());
  const PlanResult& plan = flow->plan;
  auto picked = ChooseCandidate(plan, flags.strategy, Preference::kBalanced);
  if (!picked.ok()) return ReportError(picked.error());
  const PlannedCandidate* chosen = *picked;
  if (chosen == nullptr) {
    return ReportError(MakeErrorf(ErrorCode::kUsage,
                                  "measure: no candidate fits the planned hardware; name one with --strategy "
                                  "(pipefit plan --all lists them)"));
  }
  auto probe = WriteProbe(flow->pipeline, plan, *chosen,
                          {.random_weights = flags.random_weights, .calls = flags.calls});
  if (!probe.ok()) return ReportError(probe.error());
  if (flags.emit == "-") {
    std::fwrite(probe->data(), 1, probe->size(), stdout);
  } else if (Status s = WriteOutputFile("--emit", flags.emit, *probe, flags.force, "probe.py"); !s.ok()) {
    return ReportError(s.error());
  }
  const Estimate& e = chosen->estimate;
  std::fprintf(stderr, "%s",
               fmt::format("pipefit: wrote {} to measure {} ({}): predicted {} VRAM, {:.1f} s per call{}\n",
                           flags.emit == "-" ? "the probe" : flags.emit, chosen->candidate.Id(),
                           flags.random_weights ? "random weights" : "the checkpoint", FormatGiB(e.vram),
                           e.seconds, chosen->fits ? "" : " -- it does NOT fit the planned hardware")
                   .c_str());
  if (flags.emit != "-") {
    std::fprintf(stderr,
                 "pipefit: run it with: python %s --out result.json; then: pipefit calibrate --ingest "
                 "result.json\n",
                 flags.emit.c_str());
  }
  return 0;
}

}  // namespace

void RegisterMeasureCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<MeasureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "measure",
      "Write a Python probe that runs one plan candidate on this machine's GPU and records, per stage\n"
      "(load, text encoders, each denoising step, VAE decode), peak allocated/reserved VRAM, free device\n"
      "memory, host RSS and time, with the library versions, as one JSON document (pipefit.measure/1)\n"
      "for `pipefit calibrate --ingest`. The probe builds the pipeline exactly as the candidate's code.");
  AddModelOptions(*cmd, f->model, "as for plan (default: the catalog's default model)");
  AddHardwareOptions(*cmd, f->inputs, /*uncalibrated_flag=*/false);
  cmd->add_option("--strategy", f->strategy, "the candidate to measure (default: plan's balanced choice)");
  cmd->add_option("--emit", f->emit, "the probe's file name (required; - for stdout)");
  cmd->add_flag("--random-weights", f->random_weights,
                "build every component from its config with random weights in the load dtype: no download, "
                "same memory and time (quantized candidates load a random checkpoint the probe writes once; "
                "not GGUF)");
  cmd->add_option("--calls", f->calls, "pipeline calls the probe times by default; the last one counts")
      ->capture_default_str();
  cmd->add_flag("--force", f->force, "replace an existing --emit file");
  cmd->callback([f, &run] { run = [f] { return RunMeasure(*f); }; });
}

}  // namespace pipefit::cli
