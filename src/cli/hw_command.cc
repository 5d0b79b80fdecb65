// `pipefit hw [--json]`: the GPUs and the RAM this process can use.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/hardware/hardware_probe.h"
#include "pipefit/hardware/hw_report.h"
#include "pipefit/hardware/program_runner.h"

namespace pipefit::cli {
namespace {

int RunHw(bool json) {
  RealFileSystem fs;
  ProcessEnvironment env;
  RealProgramRunner runner;
  auto info = ProbeHardware({fs, env, runner, ""});
  if (!info.ok()) return ReportError(info.error());
  const std::string out = json ? RenderHwJson(*info) : RenderHwText(*info);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterHwCommand(CLI::App& app, CommandRunner& run) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "hw",
      "Detect the GPUs (NVML, else nvidia-smi; AMD through sysfs) and the RAM this process may\n"
      "use (/proc/meminfo, lowered by a cgroup limit). PIPEFIT_NVML_LIBRARY names the NVML\n"
      "library to load instead of libnvidia-ml.so.1. No GPU is not an error.");
  cmd->add_flag("--json", *json, "print one JSON document (schema pipefit.hw/1)");
  cmd->callback([json, &run] { run = [json] { return RunHw(*json); }; });
}

}  // namespace pipefit::cli
