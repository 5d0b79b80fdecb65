// What the user will generate: resolution, frames, batch, steps and whether
// classifier-free guidance doubles the denoiser batch. Defaults come from
// the pipeline class's own __call__ defaults (pipeline_traits.h).
#ifndef PIPEFIT_PLAN_WORKLOAD_H_
#define PIPEFIT_PLAN_WORKLOAD_H_

#include <optional>
#include <string>

namespace pipefit {

struct Workload {
  int height = 1024;
  int width = 1024;
  int frames = 1;  // 1 for image pipelines
  int batch = 1;   // num_images_per_prompt x prompts
  int steps = 28;
  int guidance_batch = 1;   // 2 when true CFG runs cond+uncond in one batch
  int guidance_passes = 1;  // 2 when CFG calls the denoiser twice per step (Wan, Chroma)
  int text_tokens = 512;    // sequence length of the main text encoder
  bool video = false;
  bool from_defaults = true;  // every value from the pipeline's defaults
};

// Flags the user set; unset ones take the pipeline's defaults.
struct WorkloadOverrides {
  std::optional<int> height, width, frames, batch, steps;
};

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_WORKLOAD_H_
