// pipefit-serve: the program behind `pipefit serve` (which runs it from the
// same folder). A program of its own so that the HTTP library and what it
// links are loaded only by the server, never by the command-line tool's
// other commands. Each API request runs the `pipefit` binary beside it.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <string>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/subprocess.h"
#include "pipefit/serve/web_server.h"

namespace {

struct ServeFlags {
  std::string host = "127.0.0.1";
  int port = 8765;
  std::string root;
  bool open = false;
  int max_running = 4;
  int timeout_seconds = 120;
  bool quiet = false;
  std::string token;
  bool no_token = false;
};

// The pipefit binary in this program's folder.
std::string SiblingPipefit() {
  char buffer[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof(buffer) - 1);
  if (n <= 0) return "pipefit";
  return (std::filesystem::path(std::string(buffer, static_cast<size_t>(n))).parent_path() / "pipefit")
      .string();
}

int Fail(const std::string& message, int code) {
  std::fprintf(stderr, "pipefit: error: %s\n", message.c_str());
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pipefit;
  CLI::App app{
      "Serve pipefit's local web calculator: plan a model on a GPU, see every candidate's VRAM, RAM and time,\n"
      "the Pareto chart and the code; paste an OOM log or a script. The page calls a JSON API (docs/serve.md)\n"
      "whose answers are the CLI's --json documents. Listens on 127.0.0.1 unless --host says otherwise.",
      "pipefit serve"};
  ServeFlags flags;
  app.add_option("--port", flags.port, "TCP port (0: any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  app.add_option("--host", flags.host,
                 "address to listen on; anything but loopback exposes the server (a warning)")
      ->capture_default_str();
  app.add_option(
      "--root", flags.root,
      "a folder whose models (local paths) the page may plan; without it only catalog, HF-cache and "
      "Hub models are served");
  app.add_flag("--open", flags.open, "open the page in the default browser (xdg-open)");
  app.add_option("--max-running", flags.max_running, "API requests computed at once; more are answered 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--request-timeout", flags.timeout_seconds, "seconds one API request may run (then 504)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  app.add_flag("--quiet", flags.quiet, "do not log each request on stderr");
  app.add_option("--token", flags.token,
                 "the token the page and API need (default: a new random one, printed in the URL)");
  app.add_flag("--no-token", flags.no_token,
               "serve without a token: any local user or program can use the API (a warning)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  ServeOptions options;
  options.host = flags.host;
  options.port = flags.port;
  options.max_running = flags.max_running;
  options.log_requests = !flags.quiet;
  options.runner.binary = SiblingPipefit();
  options.runner.timeout_ms = flags.timeout_seconds * 1000;
  options.runner.secrets = SecretsFromEnvironment(ProcessEnvironment(), RealFileSystem());
  if (flags.no_token && !flags.token.empty()) return Fail("--token and --no-token exclude each other", 2);
  if (!flags.no_token) {
    options.token = flags.token.empty() ? NewServeToken() : flags.token;
    if (options.token.empty()) return Fail("cannot read random bytes for the token (pass --token)", 1);
    if (options.token.size() < 16 ||
        options.token.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
            std::string::npos) {
      return Fail("--token must be at least 16 letters, digits, '-' or '_'", 2);
    }
    options.runner.secrets.push_back(options.token);
  } else {
    std::fprintf(
        stderr,
        "pipefit serve: warning: --no-token: every user and program on this machine can use the API\n");
  }
  if (!flags.root.empty()) {
    std::error_code error;
    const auto root = std::filesystem::canonical(flags.root, error);
    if (error || !std::filesystem::is_directory(root)) {
      return Fail("--root " + flags.root + ": not a folder" + (error ? " (" + error.message() + ")" : ""), 1);
    }
    options.runner.root = root.string();
  }
  if (access(options.runner.binary.c_str(), X_OK) != 0) {
    return Fail(options.runner.binary + ": the pipefit binary is not beside pipefit-serve", 1);
  }
  if (!IsLoopbackHost(flags.host)) {
    std::fprintf(
        stderr,
        "pipefit serve: warning: listening on %s: anyone who can reach this machine can use the page and "
        "its API%s\n",
        flags.host.c_str(), options.runner.root.empty() ? "" : ", including the models under --root");
  }
  Status status = RunWebServer(options, [&](const std::string& url) {
    std::fprintf(stderr, "pipefit serve: listening on %s (Ctrl-C to stop)\n", url.c_str());
    std::fflush(stderr);
    if (flags.open) {
      auto opened = RunSubprocess({.argv = {"xdg-open", url}, .capture_stderr = false, .timeout_ms = 5000});
      if (!opened.ok() || opened->exit_code != 0) {
        std::fprintf(stderr, "pipefit serve: could not open a browser (xdg-open); open %s yourself\n",
                     url.c_str());
      }
    }
  });
  if (!status.ok()) return Fail(status.error().message, 1);
  return 0;
}
