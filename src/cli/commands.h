// Subcommand registration. Each command file adds its subcommand to the
// CLI11 app and sets `run` to the function that executes it once flags are
// parsed. Commands return an exit code; they print results on stdout and
// diagnostics on stderr, and map library errors with ExitCodeFor().
#ifndef PIPEFIT_CLI_COMMANDS_H_
#define PIPEFIT_CLI_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>

#include "pipefit/base/result.h"

namespace pipefit::cli {

using CommandRunner = std::function<int()>;

void RegisterInspectCommand(CLI::App& app, CommandRunner& run);
void RegisterCatalogCommand(CLI::App& app, CommandRunner& run);
void RegisterHwCommand(CLI::App& app, CommandRunner& run);
void RegisterGpusCommand(CLI::App& app, CommandRunner& run);
void RegisterPlanCommand(CLI::App& app, CommandRunner& run);
void RegisterDoctorCommand(CLI::App& app, CommandRunner& run);
void RegisterCheckCommand(CLI::App& app, CommandRunner& run);
void RegisterApplyCommand(CLI::App& app, CommandRunner& run);
void RegisterServeCommand(CLI::App& app, CommandRunner& run);
void RegisterMeasureCommand(CLI::App& app, CommandRunner& run);
void RegisterCalibrateCommand(CLI::App& app, CommandRunner& run);

// CONTRACT.md exit codes: 1 the input could not be used, 2 usage error.
int ExitCodeFor(const Error& error);
// Prints "pipefit: error: MESSAGE" on stderr and returns ExitCodeFor(error).
int ReportError(const Error& error);

}  // namespace pipefit::cli

#endif  // PIPEFIT_CLI_COMMANDS_H_
