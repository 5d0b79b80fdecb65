// `pipefit apply`: rewrites a user's script to run one candidate, touching
// only the lines that must change (CONTRACT.md `apply`). For the pipeline
// the script builds (the first one, or the one bound to `target`):
//   - removes what conflicts: `.to(...)` calls on the pipeline or its
//     components (also one chained on the construction), earlier offload /
//     group-offload (pipeline or component, apply_group_offloading) /
//     layerwise-casting / VAE tiling/slicing calls (including the removed
//     pipeline-level enable_vae_tiling), and a quantization config
//     argument; attention-backend and compile calls are kept;
//   - inserts the candidate's calls right after the statement that builds
//     the pipeline, at its indentation;
//   - for quantized candidates, inserts the PipelineQuantizationConfig
//     statement before it and adds quantization_config / device_map to the
//     from_pretrained call; adds torch_dtype when missing, and replaces the
//     script's own only when `replace_dtype` (an explicit --dtype);
//   - adds the imports the new code needs (after the last top-level import,
//     or into an existing `from diffusers import ...`; nothing under
//     `from diffusers import *`).
// Applying the same candidate twice changes nothing the second time.
#ifndef PIPEFIT_CODEGEN_SCRIPT_APPLY_H_
#define PIPEFIT_CODEGEN_SCRIPT_APPLY_H_

#include <string>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/codegen/python_script.h"
#include "pipefit/codegen/script_pipelines.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/plan/candidate.h"

namespace pipefit {

struct ApplyOptions {
  std::string target;  // pipeline variable to rewrite ("pipe", "self.pipe"); "" = the first pipeline
  // Rewrite the construction's torch_dtype (or dtype) to context.dtype. Off,
  // the user's dtype (a literal or a variable) is never replaced.
  bool replace_dtype = false;
};

// The pipeline `apply` rewrites: the first one the script builds with
// from_pretrained / from_single_file (or the one bound to options.target);
// nullptr when there is none.
const PipelineSite* SelectPipeline(const std::vector<PipelineSite>& sites, const ApplyOptions& options);

struct ApplyResult {
  std::string rewritten;           // the whole new script
  std::string pipeline_variable;   // the variable rewritten
  int pipeline_line = 0;           // line of the construction
  std::vector<std::string> notes;  // what was removed/added, and anything left for the user
};

// The code written comes from codegen/script_writer (the same text `plan`
// shows), so `context` says the pipeline class, dtype, denoiser, VAE.
// kNotFound when the script builds no pipeline (or none named `target`).
Result<ApplyResult> ApplyCandidate(const PythonScript& script, const Candidate& candidate,
                                   const CodeContext& context, const ApplyOptions& options);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_APPLY_H_
