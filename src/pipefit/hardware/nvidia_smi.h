// The nvidia-smi fallback, used when NVML cannot be loaded. The parser is a
// pure function of the captured text; running the program goes through
// ProgramRunner.
#ifndef PIPEFIT_HARDWARE_NVIDIA_SMI_H_
#define PIPEFIT_HARDWARE_NVIDIA_SMI_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/hardware/hardware_info.h"
#include "pipefit/hardware/program_runner.h"

namespace pipefit {

// The command run: one CSV line per GPU, memory in MiB (`nounits`).
// Field names: `nvidia-smi --help-query-gpu`.
std::vector<std::string> NvidiaSmiQueryCommand();

// Parses the output of NvidiaSmiQueryCommand(): lines
//   "0, NVIDIA GeForce RTX 4090, 24564, 24055, 8.9, 4, 16"
// Memory is MiB and becomes exact bytes. "[N/A]", "[Not Supported]" and
// other bracketed values leave optional fields empty. Blank lines are
// skipped. kMalformed names the line and field at fault.
Result<std::vector<DetectedGpu>> ParseNvidiaSmiCsv(std::string_view text);

// Runs the command (10 s timeout) and parses it. A non-zero exit becomes
// kIo quoting the first line printed.
Result<std::vector<DetectedGpu>> ReadGpusWithNvidiaSmi(const ProgramRunner& runner);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_NVIDIA_SMI_H_
