// `pipefit gpus [NAME] [--json]`: the GPU catalog, or one GPU in full.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/hardware/hw_report.h"

namespace pipefit::cli {
namespace {

struct GpusFlags {
  std::string name;
  bool json = false;
};

int RunGpus(const GpusFlags& flags) {
  std::vector<const GpuSpec*> specs;
  if (flags.name.empty()) {
    for (const GpuSpec& spec : GpuCatalog()) specs.push_back(&spec);
  } else if (const GpuSpec* spec = FindGpu(flags.name)) {
    specs.push_back(spec);
  } else {
    return ReportError(MakeErrorf(ErrorCode::kNotFound,
                                  "no GPU named '{}' in the catalog; `pipefit gpus` lists them", flags.name));
  }
  std::string out;
  if (flags.json) {
    out = RenderGpuCatalogJson(specs);
  } else {
    out = flags.name.empty() ? RenderGpuCatalogText(specs) : RenderGpuSpecText(*specs.front());
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterGpusCommand(CLI::App& app, CommandRunner& run) {
  auto flags = std::make_shared<GpusFlags>();
  CLI::App* cmd = app.add_subcommand(
      "gpus",
      "List the GPU catalog: VRAM, memory bandwidth, dense bf16 tensor TFLOPS, fp8 support,\n"
      "compute capability and PCIe link, each with its source. NAME shows one GPU; it may be\n"
      "an id (rtx-4090), a short name (4090) or the driver's name (NVIDIA GeForce RTX 4090).");
  cmd->add_option("NAME", flags->name, "a GPU to show in full");
  cmd->add_flag("--json", flags->json, "print one JSON document (schema pipefit.gpus/1)");
  cmd->callback([flags, &run] { run = [flags] { return RunGpus(*flags); }; });
}

}  // namespace pipefit::cli
