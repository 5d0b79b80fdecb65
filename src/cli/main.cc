// pipefit command-line entry point: parses flags with CLI11 and runs one
// subcommand. Thin by design: all behaviour lives in the library.
#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "pipefit/base/version.h"

namespace pipefit::cli {

int ExitCodeFor(const Error& error) {
  // One table: usage errors are 2, everything else about the input is 1.
  switch (error.code) {
    case ErrorCode::kUsage:
      return 2;
    case ErrorCode::kNotFound:
    case ErrorCode::kMalformed:
    case ErrorCode::kUnsupported:
    case ErrorCode::kLimit:
    case ErrorCode::kIo:
    case ErrorCode::kNetwork:
      return 1;
  }
  return 1;
}

int ReportError(const Error& error) {
  std::fprintf(stderr, "pipefit: error: %s\n", error.message.c_str());
  return ExitCodeFor(error);
}

}  // namespace pipefit::cli

int main(int argc, char** argv) {
  using namespace pipefit::cli;
  CLI::App app{
      "pipefit: run a diffusers pipeline on your hardware, as fast as it can go.\n"
      "Measures pipelines from checkpoint headers alone, without loading weights."};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("pipefit ") + pipefit::kPipefitVersion);
  CommandRunner run;
  RegisterInspectCommand(app, run);
  RegisterPlanCommand(app, run);
  RegisterDoctorCommand(app, run);
  RegisterCheckCommand(app, run);
  RegisterApplyCommand(app, run);
  RegisterServeCommand(app, run);
  RegisterMeasureCommand(app, run);
  RegisterCalibrateCommand(app, run);
  RegisterHwCommand(app, run);
  RegisterCatalogCommand(app, run);
  RegisterGpusCommand(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    return run ? run() : 2;
  } catch (const std::exception& e) {
    // The library does not throw; this guards third-party code paths.
    std::fprintf(stderr, "pipefit: internal error: %s\n", e.what());
    return 1;
  }
}
