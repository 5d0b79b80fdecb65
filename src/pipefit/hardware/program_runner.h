// Running an external program (nvidia-smi) behind an interface, so tests
// hand the probe captured output instead of running anything.
#ifndef PIPEFIT_HARDWARE_PROGRAM_RUNNER_H_
#define PIPEFIT_HARDWARE_PROGRAM_RUNNER_H_

#include <string>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

struct ProgramOutput {
  int exit_code = 0;  // the program's exit status (128 + N when killed by signal N)
  std::string stdout_text;
};

class ProgramRunner {
 public:
  virtual ~ProgramRunner() = default;
  // Runs argv[0] (searched in PATH) with the given arguments, stdin and
  // stderr closed to /dev/null, and returns what it printed on stdout.
  // kNotFound when the program does not exist; kIo when it cannot be
  // started, prints more than 1 MiB, or runs past `timeout_ms` (then it is
  // killed).
  virtual Result<ProgramOutput> Run(const std::vector<std::string>& argv, int timeout_ms) const = 0;
};

// The real one: posix_spawnp and a pipe.
class RealProgramRunner : public ProgramRunner {
 public:
  Result<ProgramOutput> Run(const std::vector<std::string>& argv, int timeout_ms) const override;
};

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_PROGRAM_RUNNER_H_
