// The WEIGHTS knob as diffusers code (internals §5, §6): what must exist
// before `from_pretrained` (a PipelineQuantizationConfig, or the GGUF
// denoiser loaded with from_single_file), the keyword arguments
// `from_pretrained` then needs, and the imports both use. Also the small
// Python-text helpers every part of the code writer shares.
#ifndef PIPEFIT_CODEGEN_WEIGHTS_CODE_H_
#define PIPEFIT_CODEGEN_WEIGHTS_CODE_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipefit/codegen/script_writer.h"
#include "pipefit/plan/candidate.h"

namespace pipefit {

// A Python string literal in double quotes: backslashes, quotes and control
// characters escaped, so any path or id parses.
std::string PythonString(std::string_view text);
// ["a", "b"]
std::string PythonList(const std::vector<std::string>& items);
// "torch.bfloat16", "torch.float16", "torch.float32".
const char* TorchDTypeExpr(LoadDType dtype);
// `text` with line breaks replaced by spaces (safe inside a # comment).
std::string CommentSafe(std::string_view text);

struct WeightsCode {
  // Python lines (each ending in '\n') that run before `pipe = ...`.
  std::string setup;
  // from_pretrained keyword arguments after the repo id, in order.
  std::vector<std::string> load_kwargs;
  // Names imported with `from diffusers import ...` (besides the pipeline).
  std::vector<std::string> diffusers_imports;
  // Other complete import lines (torchao configs, transformers configs).
  std::vector<std::string> other_imports;
};

// The load-time code for `candidate.weights`. fp8 layerwise casting is not
// load-time code (it follows the load; script_writer.cc writes it).
WeightsCode WriteWeightsCode(const Candidate& candidate, const CodeContext& context);

// The components the WEIGHTS knob applies to: candidate.quantized_components,
// or the denoiser alone when the planner left the list empty.
std::vector<std::string> WeightsTargets(const Candidate& candidate, const CodeContext& context);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_WEIGHTS_CODE_H_
