#include "pipefit/hardware/program_runner.h"

#include "pipefit/base/subprocess.h"

namespace pipefit {

Result<ProgramOutput> RealProgramRunner::Run(const std::vector<std::string>& argv, int timeout_ms) const {
  if (argv.empty()) return MakeErrorf(ErrorCode::kUsage, "no program to run");
  const SubprocessOptions options{.argv = argv, .capture_stderr = false, .timeout_ms = timeout_ms};
  PIPEFIT_ASSIGN_OR_RETURN(SubprocessResult result, RunSubprocess(options));
  if (result.timed_out) return MakeErrorf(ErrorCode::kIo, "{}: timed out and was stopped", argv.front());
  if (result.output_limited) {
    return MakeErrorf(ErrorCode::kIo, "{}: printed more than 1 MiB and was stopped", argv.front());
  }
  return ProgramOutput{result.exit_code, std::move(result.stdout_text)};
}

}  // namespace pipefit
