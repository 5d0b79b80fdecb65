// Facts about diffusers pipeline classes and model classes that the planner
// and the code writer need, as tables of rows each citing its source
// (shared/reference/diffusers-internals.md §2, §3, §7, §8, §9, App. B;
// shared/reference/pipelines.md "Pipeline call defaults").
#ifndef PIPEFIT_PLAN_PIPELINE_TRAITS_H_
#define PIPEFIT_PLAN_PIPELINE_TRAITS_H_

#include <span>
#include <string_view>

namespace pipefit {

struct PipelineTraits {
  std::string_view pipeline_class = {};  // "FluxPipeline"
  // __call__ defaults.
  int height = 1024;
  int width = 1024;
  int frames = 1;  // > 1 for video pipelines
  int steps = 50;
  // True when the default call runs classifier-free guidance by batching
  // conditional and unconditional inputs (guidance_scale > 1 and no
  // guidance distillation): the denoiser sees 2x the batch.
  bool cfg_batched = false;
  // True when the default call runs classifier-free guidance as two denoiser
  // forwards per step (conditional, then unconditional, each at 1x batch:
  // Wan, Chroma): twice the denoiser time, the activations of one pass.
  // Never true together with cfg_batched.
  bool cfg_sequential = false;
  // Text tokens of the main (longest) text encoder at the default
  // max_sequence_length.
  int text_tokens = 77;
  // model_cpu_offload_seq, "->"-separated, as in the class.
  std::string_view offload_seq = {};
  // _exclude_from_cpu_offload.
  std::span<const std::string_view> exclude_from_offload = {};
  // Calls vae.encode before denoising (img2img, inpaint, I2V).
  bool encodes_image = false;
  // Decode moves the VAE to fp32 when it is fp16 and its config.force_upcast
  // is true (SDXL pipelines, internals §9). Other pipelines decode in the
  // VAE's dtype whatever the config says (FLUX.1's VAE config sets
  // force_upcast too).
  bool upcasts_vae = false;
  // The pipeline class users write in scripts (for AutoPipeline-only classes
  // it is still the class itself).
  std::string_view source = {};
};

// The row for `pipeline_class`, or nullptr.
const PipelineTraits* FindPipelineTraits(std::string_view pipeline_class);
std::span<const PipelineTraits> AllPipelineTraits();

// Model-class facts (denoisers, VAEs, text encoders).
struct ClassTraits {
  std::string_view class_name = {};
  // `_repeated_blocks` (internals §8): non-empty = compile_repeated_blocks works.
  std::span<const std::string_view> repeated_blocks = {};
  // Attention processors call dispatch_attention_fn, so
  // set_attention_backend is honoured (internals §7); false = silent no-op.
  bool attention_dispatch = false;
  // `_supports_group_offloading` (internals §3.1); false makes
  // pipe.enable_group_offload raise unless the component is excluded.
  bool supports_group_offload = true;
  // VAEs: `_group_offload_block_modules` is set, so block_level works on
  // vae.decode (internals §3.3 "Generator rule").
  bool group_offload_block_modules = false;
  // VAEs: enable_tiling / enable_slicing exist (internals §9).
  bool vae_tiling = false;
  bool vae_slicing = false;
  // VAEs: tile size in pixels (sample space); 0 = config.sample_size
  // (AutoencoderKL scheme). Tiling only happens when the image is larger.
  int tile_sample_min = 0;
  int tile_sample_stride = 0;  // 0 = tile * (1 - 0.25 overlap)
  // VAEs: force_upcast decodes in fp32 when config.force_upcast is true
  // (internals §9, SDXL-family VAEs). Whether a decode upcasts is the
  // pipeline's choice: PipelineTraits::upcasts_vae.
  bool honours_force_upcast = false;
  std::string_view source = {};
};

const ClassTraits* FindClassTraits(std::string_view class_name);
std::span<const ClassTraits> AllClassTraits();

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_PIPELINE_TRAITS_H_
