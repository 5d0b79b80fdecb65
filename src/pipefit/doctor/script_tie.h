// `pipefit doctor --script SCRIPT LOG`: ties what the log says (stage,
// numbers) to the lines of the script that ran: "line 5 moves the pipeline
// to the GPU and nothing offloads it: every model stays resident while the
// VAE decodes". Each finding names the script line it is about. Pure: the
// script is parsed by the caller.
#ifndef PIPEFIT_DOCTOR_SCRIPT_TIE_H_
#define PIPEFIT_DOCTOR_SCRIPT_TIE_H_

#include <string>
#include <vector>

#include "pipefit/codegen/python_script.h"
#include "pipefit/doctor/oom_log.h"

namespace pipefit {

struct ScriptTie {
  std::string rule;  // "to-cuda-no-offload", "to-cuda-before-offload", "to-cuda-after-offload",
                     // "vae-not-tiled", "generation-size"
  int line = 0;      // the script line it is about (1-based)
  std::string text;  // one sentence for people, starting with "line N"
};

// Findings for the first pipeline the script builds, in line order. Empty
// when the script builds no pipeline or the log is not an OOM.
std::vector<ScriptTie> TieLogToScript(const OomReport& report, const PythonScript& script);

}  // namespace pipefit

#endif  // PIPEFIT_DOCTOR_SCRIPT_TIE_H_
