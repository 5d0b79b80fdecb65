// `pipefit inspect MODEL [--dtype D] [--variant V] [--offline] [--json]`
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/catalog/catalog.h"
#include "pipefit/model/measure.h"
#include "pipefit/report/inspect_report.h"
#include "pipefit/sources/resolve.h"

namespace pipefit::cli {
namespace {

struct InspectFlags {
  std::string model;
  std::string dtype = "bf16";
  std::string variant;
  bool offline = false;
  bool json = false;
};

int RunInspect(const InspectFlags& flags) {
  auto dtype = ParseLoadDType(flags.dtype);
  if (!dtype) {
    return ReportError(MakeError(ErrorCode::kUsage, "--dtype must be bf16, fp16 or fp32, not '" + flags.dtype + "'"));
  }
  ProcessEnvironment env;
  RealFileSystem fs;
  std::string model = flags.model;
  if (model.empty()) {
    auto entry = DefaultCatalogEntry();
    if (!entry.ok()) return ReportError(entry.error());
    model = entry->repo;
    if (!flags.json) std::fprintf(stderr, "pipefit: no MODEL given: inspecting the default %s\n", model.c_str());
  }
  ResolveOptions options;
  options.variant = flags.variant;
  options.offline = flags.offline || env.Get("HF_HUB_OFFLINE").value_or("") == "1";
  auto pipeline = ResolveModel(model, options, fs, env);
  if (!pipeline.ok()) return ReportError(pipeline.error());
  PipelineMeasurement measurement = MeasurePipeline(*pipeline, *dtype);
  const std::string out = flags.json ? RenderInspectJson(*pipeline, measurement)
                                     : RenderInspectText(*pipeline, measurement);
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
  cmd->add_option("MODEL", flags->model,
                  "pipeline folder, component folder, .safetensors/.gguf file, org/name[@revision] in the\n"
                  "Hugging Face cache, or a catalog entry (default: the catalog's default model)");
  cmd->add_option("--dtype", flags->dtype, "torch_dtype the pipeline will be loaded with: bf16, fp16, fp32")
      ->capture_default_str();
  cmd->add_option("--variant", flags->variant, "weight variant, like diffusers' variant= (e.g. fp16)");
  cmd->add_flag("--offline", flags->offline, "never use the network (also HF_HUB_OFFLINE=1)");
  cmd->add_flag("--json", flags->json, "print one JSON document (schema pipefit.inspect/1)");
  cmd->callback([flags, &run] { run = [flags] { return RunInspect(*flags); }; });
}

}  // namespace pipefit::cli
