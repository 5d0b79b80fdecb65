// `pipefit inspect MODEL [--dtype D] [--variant V] [--offline] [--json]`
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/model_options.h"
#include "pipefit/base/environment.h"
#include "pipefit/model/measure.h"
#include "pipefit/report/inspect_report.h"

namespace pipefit::cli {
namespace {

struct InspectFlags {
  ModelFlags model;
  bool json = false;
};

int RunInspect(const InspectFlags& flags) {
  ProcessEnvironment env;
  if (flags.model.model.empty() && !flags.json) {
    std::fprintf(stderr, "pipefit: no MODEL given: inspecting the catalog's default model\n");
  }
  auto resolved = ResolveModelFlags(flags.model, env);
  if (!resolved.ok()) return ReportError(resolved.error());
  PipelineMeasurement measurement = MeasurePipeline(resolved->pipeline, resolved->dtype);
  const std::string out = flags.json ? RenderInspectJson(resolved->pipeline, measurement)
                                     : RenderInspectText(resolved->pipeline, measurement);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterInspectCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<InspectFlags>();
  CLI::App* cmd = app.add_subcommand(
      "inspect",
      "Measure every component of a pipeline from checkpoint headers: sizes at the load dtype, blocks,\n"
      "leaves, sizes after fp8 layerwise casting and bitsandbytes int8 / nf4, and the seed quantities.");
  AddModelOptions(*cmd, flags->model,
                  "pipeline folder, component folder, .safetensors/.gguf file, org/name[@revision] in the\n"
                  "Hugging Face cache, or a catalog entry (default: the catalog's default model)");
  cmd->add_flag("--json", flags->json, "print one JSON document (schema pipefit.inspect/1)");
  cmd->callback([flags, &run] { run = [flags] { return RunInspect(*flags); }; });
}

}  // namespace pipefit::cli
