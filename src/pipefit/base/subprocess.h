// Running another program with bounded time and output: its stdin fed from a
// string, its stdout and stderr captured, optionally in another working
// directory and with extra environment variables. Used for nvidia-smi
// (hardware/program_runner.h) and by `pipefit serve`, which answers each API
// request by running the pipefit binary itself (serve/api_runner.h).
#ifndef PIPEFIT_BASE_SUBPROCESS_H_
#define PIPEFIT_BASE_SUBPROCESS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

struct SubprocessOptions {
  std::vector<std::string> argv;  // argv[0] is searched in PATH unless it has a '/'
  // Written to the child's stdin, which is then closed. A caller that passes
  // text must ignore SIGPIPE (a child may exit without reading it all).
  std::string stdin_text;
  bool capture_stderr = true;                  // false: stderr goes to /dev/null
  std::string working_directory;               // "" = this process's
  std::vector<std::string> extra_environment;  // "NAME=value", added to (or replacing) ours
  int timeout_ms = 10000;
  size_t max_output = 1 << 20;  // per stream
};

struct SubprocessResult {
  int exit_code = 0;  // the exit status; 128 + N when killed by signal N
  std::string stdout_text;
  std::string stderr_text;
  bool timed_out = false;       // ran past timeout_ms and was killed
  bool output_limited = false;  // printed more than max_output on a stream and was killed
};

// Runs the program to completion (or until it is killed for time or
// output). kNotFound when the program does not exist, kIo when it cannot be
// started; a program that runs and fails is a result with its exit code.
Result<SubprocessResult> RunSubprocess(const SubprocessOptions& options);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_SUBPROCESS_H_
