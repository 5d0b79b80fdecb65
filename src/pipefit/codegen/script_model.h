// What a script's pipeline construction says about the model when pipefit
// cannot (or need not) resolve it: the denoiser component's name and whether
// the VAE tiles. Shared by the checker and `apply`, so each rule exists once.
// Facts come from the traits tables (plan/pipeline_traits: a pipeline row's
// model_cpu_offload_seq, class_traits: a VAE row's tiling), then from the
// family rows in script_model.cc for pipeline classes without a traits row.
#ifndef PIPEFIT_CODEGEN_SCRIPT_MODEL_H_
#define PIPEFIT_CODEGEN_SCRIPT_MODEL_H_

#include <optional>
#include <string>
#include <string_view>

#include "pipefit/codegen/script_pipelines.h"
#include "pipefit/model/measure.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

// Facts about the model the script loads, when pipefit could resolve it.
struct ScriptModelFacts {
  bool known = false;
  std::string vae_class;             // "AutoencoderKL"
  std::string denoiser_class;        // "FluxTransformer2DModel"
  bool has_repeated_blocks = false;  // the denoiser class has _repeated_blocks
  std::string preferred_dtype;       // "bf16" when the checkpoint is stored in bf16
  int64_t stored_bytes = 0;          // every component's weights as stored (0: unknown)
};

// The facts of a resolved pipeline (its components' classes and stored dtype).
ScriptModelFacts FactsFromPipeline(const Pipeline& pipeline);

// "unet" or "transformer": the component that denoises in `site`'s pipeline.
// The pipeline class's traits row, else its family row, else, for the
// generic classes (DiffusionPipeline, AutoPipelineFor*), the repo id
// (Stable Diffusion 1.x/2.x/XL repos load a UNet); "transformer" otherwise.
std::string ScriptDenoiser(const PipelineSite& site);

// Whether the pipeline's VAE has enable_tiling / enable_slicing: the
// resolved VAE class's traits row when `facts` know it, else the VAE class
// the pipeline family loads; true when nothing says otherwise.
bool ScriptVaeTiles(const PipelineSite& site, const ScriptModelFacts& facts);

// What the docs say about repos whose dtype matters for the dtype rules,
// when the checkpoint cannot be read (no facts) or says too little (stored
// float32, run in bfloat16 as the diffusers docs load them): rows of repo
// id prefixes in script_model.cc, each with its source.
struct DocumentedDType {
  std::string_view prefix;   // "Wan-AI/Wan2.1-"
  std::string_view stored;   // the denoiser's stored dtype: "bf16", "fp16", "fp32"
  std::string_view runs_in;  // the torch_dtype the docs load it with: "bf16", "fp16"
  std::string_view source;
};
// The row whose prefix starts `model_id`, or null.
const DocumentedDType* FindDocumentedDType(std::string_view model_id);

// Denoiser classes whose every published checkpoint runs in half precision
// (the docs of each load it in bfloat16 or float16): for a single file
// loaded with no dtype, where no repo id says more. Rows in script_model.cc.
struct HalfPrecisionClass {
  std::string_view class_name;  // "FluxTransformer2DModel"
  std::string_view runs_in;     // "bf16" | "half" (bf16 or fp16 by checkpoint)
  std::string_view
      pipelines;  // the pipeline class prefix that loads it: "Flux" (FluxPipeline, FluxImg2ImgPipeline)
  std::string_view source;
};
const HalfPrecisionClass* FindHalfPrecisionClass(std::string_view class_name);
// The row whose `pipelines` prefix starts `pipeline_class` (the longest:
// "Flux2Pipeline" is FLUX.2's), or null.
const HalfPrecisionClass* FindHalfPrecisionPipeline(std::string_view pipeline_class);

// The torch_dtype a plan or the written code uses: `requested` (--dtype),
// else the one the script loads with, else bf16.
LoadDType ScriptLoadDType(const PipelineSite& site, std::optional<LoadDType> requested);

}  // namespace pipefit

#endif  // PIPEFIT_CODEGEN_SCRIPT_MODEL_H_
