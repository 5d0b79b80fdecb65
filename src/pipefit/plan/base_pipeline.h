// A single denoiser checkpoint (a .gguf or .safetensors file loaded with
// from_single_file) runs inside a pipeline that supplies the text encoders
// and the VAE. To plan what the user will actually run, the file's
// component replaces the denoiser of the built-in catalog pipeline whose
// denoiser has the same class (FluxTransformer2DModel -> FLUX.1-dev).
#ifndef PIPEFIT_PLAN_BASE_PIPELINE_H_
#define PIPEFIT_PLAN_BASE_PIPELINE_H_

#include <optional>
#include <string>

#include "pipefit/base/result.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

struct ComposedPipeline {
  Pipeline pipeline;      // the base pipeline with the file as its denoiser
  std::string base_repo;  // "black-forest-labs/FLUX.1-dev"
};

// nullopt when `single` is not a single denoiser file or no catalog
// pipeline has a denoiser of its class.
Result<std::optional<ComposedPipeline>> ComposeWithBasePipeline(const Pipeline& single);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_BASE_PIPELINE_H_
