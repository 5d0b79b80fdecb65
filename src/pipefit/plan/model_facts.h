// The architecture facts the activation and time models need, read from
// each component's config.json (kept verbatim by sources/) and its
// measurement: hidden sizes, patching, VAE channels and scale factor, text
// encoder widths. Missing or malformed keys leave a fact unset (0); the
// activation model then falls back to its generic, labelled estimate.
#ifndef PIPEFIT_PLAN_MODEL_FACTS_H_
#define PIPEFIT_PLAN_MODEL_FACTS_H_

#include <string>
#include <vector>

#include "pipefit/model/measure.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

struct DenoiserFacts {
  std::string name;  // component name ("transformer", "unet"); "" when none
  std::string class_name;
  bool unet = false;      // UNet2DConditionModel-style (feature maps, not tokens)
  int hidden = 0;         // transformer width: num_attention_heads * attention_head_dim
  int heads = 0;          // num_attention_heads
  int layers = 0;         // transformer blocks (num_layers + num_single_layers)
  int patch = 0;          // latent pixels per token side (FLUX packs 2x2: 2)
  int patch_t = 1;        // latent frames per token (video)
  int unet_channels = 0;  // UNet block_out_channels[0]
  int64_t params = 0;
};

struct VaeFacts {
  std::string name;  // "vae"; "" when none
  std::string class_name;
  int base_channels = 0;   // decoder width at full resolution: block_out_channels[0]
  int spatial_scale = 8;   // 2^(len(block_out_channels)-1)
  int temporal_scale = 1;  // video VAEs: frames per latent frame
  // The decoder works at 1/output_patch of the image's side and unpatchifies
  // at the end (LTX-Video's patch_size 4); 1 for the others.
  int output_patch = 1;
  int latent_channels = 0;
  int sample_size = 0;  // AutoencoderKL tiling threshold (pixels)
  bool force_upcast = false;
};

struct TextEncoderFacts {
  std::string name;  // "text_encoder_2"
  std::string class_name;
  int hidden = 0;     // d_model / hidden_size
  int ffn = 0;        // d_ff / intermediate_size
  int64_t bytes = 0;  // at the load dtype
};

struct ModelFacts {
  DenoiserFacts denoiser;
  VaeFacts vae;
  std::vector<TextEncoderFacts> text_encoders;  // pipeline order
};

ModelFacts ReadModelFacts(const Pipeline& pipeline, const PipelineMeasurement& measurement);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_MODEL_FACTS_H_
