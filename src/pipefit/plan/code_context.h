// What the code writer (codegen/script_writer.h) needs to know about a
// planned pipeline besides the candidate's knobs: the class and repo to load,
// the dtype, the denoiser, the attention backend, the workload. The planner
// fills it (plan/planner.h CodeContextFor) and returns it in the PlanResult;
// codegen and report turn it into code. Plain values.
#ifndef PIPEFIT_PLAN_CODE_CONTEXT_H_
#define PIPEFIT_PLAN_CODE_CONTEXT_H_

#include <string>
#include <vector>

#include "pipefit/model/measure.h"
#include "pipefit/plan/workload.h"

namespace pipefit {

// Which library the multi-GPU code is written for (`plan --engine`):
// diffusers' own enable_parallelism, or cache-dit's ParallelismConfig
// through cache_dit.enable_cache (docs/multi-gpu/diffusers-parallelism.md §6).
enum class ParallelEngine { kDiffusers, kCacheDit };

struct CodeContext {
  std::string pipeline_class;  // "FluxPipeline"; "" -> DiffusionPipeline
  // What to pass to from_pretrained: a repo id, or a local path.
  std::string model_id;
  // The commit to load (`revision=`), set when MODEL named a revision
  // (org/name@rev) so the code loads what was measured; "" = default branch.
  std::string revision;
  LoadDType dtype = LoadDType::kBF16;
  std::string denoiser = "transformer";  // component name
  std::string denoiser_class;            // "FluxTransformer2DModel"
  bool has_vae = true;
  // The denoiser's root block lists in call order ("transformer_blocks",
  // "single_transformer_blocks") and how many blocks they hold: partial
  // residency's code names them (ComponentMeasurement::block_lists).
  std::vector<std::string> denoiser_block_lists;
  int denoiser_blocks = 0;
  // Some block owns tensors directly (BlockMeasurement::own_tensors).
  bool denoiser_blocks_own_tensors = false;
  // The denoiser class has `_repeated_blocks` (compile_repeated_blocks works).
  bool compile_repeated_blocks = false;
  // diffusers attention backend name to try ("_flash_3_hub", "flash_hub",
  // "sage", ...), "" to keep the default (native SDPA). Only set when the
  // denoiser class dispatches attention (internals §7).
  std::string attention_backend;
  // GGUF single-file denoiser: the .gguf path/URL and the base pipeline repo
  // providing the other components (from_pretrained(base, transformer=...)).
  std::string gguf_file;
  std::string base_repo;
  Workload workload;
  bool video = false;  // export frames with diffusers.utils.export_to_video
  // The pipeline's __call__ takes prompt, height, width (and num_frames,
  // num_*_per_prompt) as text-to-image/video pipelines do. False for classes
  // pipefit has no row for: only prompt and num_inference_steps are passed.
  bool known_call = true;
  ParallelEngine engine = ParallelEngine::kDiffusers;
};

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_CODE_CONTEXT_H_
