// The diffusers pipelines a script builds and the calls made on each:
// shared by the checker and the rewriter. A pipeline is a
// `X.from_pretrained(...)` / `from_single_file` / `from_pipe` call on a
// pipeline class (a name ending in "Pipeline", AutoPipelineFor*,
// DiffusionPipeline) assigned to a variable (`pipe`, `self.pipe`).
#ifndef PIPEFIT_CODEGEN_SCRIPT_PIPELINES_H_
#define PIPEFIT_CODEGEN_SCRIPT_PIPELINES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/codegen/python_script.h"

namespace pipefit {

struct PipelineSite {
  std::string variable;
  std::string class_name;  // "FluxPipeline", "AutoPipelineForText2Image", "DiffusionPipeline"
  // "from_pretrained" | "from_single_file" | "from_pipe" | "constructor"
  // (`FluxPipeline(vae=..., transformer=..., ...)`, assembled from parts)
  std::string method;
  std::string model_id;  // the literal, or a variable's string literal (StringArgumentValue); "" otherwise
  std::string dtype;     // "bf16" | "fp16" | "fp32" | "" (the torch_dtype/dtype argument)
  int line = 0;
  const Call* construction = nullptr;  // points into the script
  // Every call on the variable, its components or the variable itself
  // (the generation call), after the construction, in source order.
  std::vector<const Call*> calls;
  const Call* generation = nullptr;  // the first `variable(...)` call
  // Generation arguments of that call, when literals.
  std::optional<int> height, width, frames, steps, batch;
};

// `script` must outlive the result.
std::vector<PipelineSite> FindPipelines(const PythonScript& script);

bool IsPipelineClass(std::string_view name);
// "bf16"/"fp16"/"fp32" for torch.bfloat16 / torch.float16 / torch.float32
// (and "bfloat16", "float16", "half" forms), "" otherwise.
std::string DTypeOfExpression(std::string_view text);
// A `.to()` argument naming a CUDA device: "cuda", "cuda:0",
// torch.device("cuda"), or a variable called device; positional or
// device=. (DiffusionPipeline.to ignores torch_device=: not a device.)
bool IsCudaDeviceArgument(const Argument& arg);
// A CUDA device, or Apple's "mps", Intel's "xpu", Ascend's "npu".
bool IsAcceleratorDeviceArgument(const Argument& arg);
// `X.to(...)` with a CUDA device argument.
bool MovesToCuda(const Call& call);
// The same, and a variable bound to a "cuda..." string in the script.
bool MovesToCuda(const PythonScript& script, const Call& call);
// enable_model_cpu_offload, enable_sequential_cpu_offload,
// enable_group_offload, apply_group_offloading.
bool IsOffloadCall(const Call& call);
// The `.to("cuda")` (or mps/xpu/npu) calls that move `site`'s pipeline:
// on its variable after the construction, or chained on the construction.
std::vector<const Call*> PipelineCudaMoves(const PythonScript& script, const PipelineSite& site);
// A `.to()` argument changing the dtype: `dtype=...` or a positional torch
// dtype (DiffusionPipeline.to ignores torch_dtype=).
bool IsDTypeArgument(const Argument& arg);

// A string argument's value: the literal, or for a bare name the last
// `NAME = "text"` line above it (`model_id = "org/name"` then
// `from_pretrained(model_id)`); nullopt otherwise.
std::optional<std::string> StringArgumentValue(const PythonScript& script, const Argument& arg);

// The argument named `keyword`, else positional `position` (-1: none).
const Argument* FindArgument(const Call& call, std::string_view keyword, int position = -1);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_PIPELINES_H_
