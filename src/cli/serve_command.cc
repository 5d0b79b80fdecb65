// `pipefit serve [--port N] [--open] [--host H] [--root DIR] …`: runs the
// pipefit-serve program from this binary's folder with the same arguments
// (src/serve/main.cc; docs/serve.md). The server is a program of its own so
// the HTTP library is never loaded by the other commands.
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace pipefit::cli {
namespace {

int RunServe(const std::vector<std::string>& arguments) {
  char buffer[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return ReportError(MakeErrorf(ErrorCode::kIo, "cannot find this program's folder"));
  const std::string server =
      (std::filesystem::path(std::string(buffer, static_cast<size_t>(n))).parent_path() / "pipefit-serve")
          .string();
  std::vector<std::string> argv = {"pipefit serve"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  std::vector<char*> pointers;
  for (std::string& a : argv) pointers.push_back(a.data());
  pointers.push_back(nullptr);
  execv(server.c_str(), pointers.data());
  return ReportError(
      MakeErrorf(ErrorCode::kNotFound,
                 "{}: cannot run it ({}); it is built with pipefit (cmake --build build) and must "
                 "be installed beside it",
                 server, std::strerror(errno)));
}

}  // namespace

void RegisterServeCommand(CLI::App& app, CommandRunner& run) {
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the local web calculator (plan, Pareto chart, code, OOM triage, script check) on\n"
      "http://127.0.0.1:8765/; `pipefit serve --help` lists its options (--port, --open, --host, --root).");
  // Every argument, --help included, goes to pipefit-serve.
  cmd->prefix_command();
  cmd->allow_extras();
  cmd->set_help_flag();
  cmd->callback([cmd, &run] {
    std::vector<std::string> arguments = cmd->remaining();
    run = [arguments] { return RunServe(arguments); };
  });
}

}  // namespace pipefit::cli
