// Runs the real pipefit binary (PIPEFIT_BINARY, defined by CMake for the
// test target) with arguments and extra environment assignments, capturing
// stdout, stderr and the exit code; and reading back what it wrote (a file,
// Python that must compile). Shared by the CLI tests.
#ifndef PIPEFIT_TESTS_RUN_PIPEFIT_H_
#define PIPEFIT_TESTS_RUN_PIPEFIT_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pipefit/testing/temp_dir.h"

namespace pipefit {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `pipefit ARGS` through the shell in the working directory DIR ("" =
// the test's own). `env` is put before the binary on the command line
// ("VAR=value VAR2=value", or an `env -u VAR …` prefix).
inline RunResult RunPipefitIn(const std::string& dir, const std::string& args, const std::string& env = "") {
  testkit::TempDir err_dir;
  const std::string err_path = err_dir.path() + "/stderr";
  // Hermetic: a test that reaches for the Hub without its own HF_ENDPOINT
  // gets a refused connection on the discard port, never the internet; and
  // the machine's calibration store (`pipefit calibrate`) is never read
  // unless the test names one.
  const std::string command =
      (dir.empty() ? "" : "cd '" + dir + "' && ") +
      "HF_ENDPOINT=http://127.0.0.1:9 no_proxy=127.0.0.1,127.0.0.2,localhost NO_PROXY=127.0.0.1,127.0.0.2,localhost "
      "PIPEFIT_CALIBRATION_DIR=/nonexistent/pipefit-test-calibration " +
      env + " " + PIPEFIT_BINARY + " " + args + " 2>" + err_path;
  RunResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  result.err = text.str();
  return result;
}

inline RunResult RunPipefit(const std::string& args, const std::string& env = "") {
  return RunPipefitIn("", args, env);
}

// A file's bytes ("" when it cannot be read): what a command wrote.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline bool HavePython() { return std::system("python3 --version >/dev/null 2>&1") == 0; }

// `python3 -m py_compile FILE...`: 0 when every file parses as Python (the
// error names the file that does not). One process for all: the interpreter's
// start-up dominates.
inline int PyCompile(const std::vector<std::string>& paths) {
  std::string command = "python3 -m py_compile";
  for (const std::string& path : paths) command += " '" + path + "'";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
inline int PyCompile(const std::string& path) { return PyCompile(std::vector<std::string>{path}); }

}  // namespace pipefit

#endif  // PIPEFIT_TESTS_RUN_PIPEFIT_H_
