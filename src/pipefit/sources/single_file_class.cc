#include "pipefit/sources/single_file_class.h"

#include <string_view>

namespace pipefit {
namespace {

struct Signature {
  std::string_view must_contain[3];  // every non-empty entry must be a substring of some tensor name
  std::string_view class_name;
  std::string_view library;
  std::string_view layout;  // what the names look like, for the note
};

// Key checks restated from diffusers loaders/single_file_utils.py
// CHECKPOINT_KEY_NAMES (e.g. "double_blocks.0.img_attn.norm.key_norm.scale"
// for FLUX, "model.diffusion_model.input_blocks.2.1.transformer_blocks.0"
// for SDXL) and from the diffusers/transformers module names.
constexpr Signature kSignatures[] = {
    {{"single_transformer_blocks.", "attn.add_q_proj", ""},
     "FluxTransformer2DModel",
     "diffusers",
     "diffusers names"},
    {{"double_blocks.", "img_attn.", "single_blocks."},
     "FluxTransformer2DModel",
     "diffusers",
     "original BFL names"},
    {{"blocks.0.self_attn.", "patch_embedding", "cross_attn"}, "WanTransformer3DModel", "diffusers", "Wan"},
    {{"joint_blocks.", "x_embedder", ""}, "SD3Transformer2DModel", "diffusers", "original SD3 names"},
    {{"transformer_blocks.", "context_pre_only", ""},
     "SD3Transformer2DModel",
     "diffusers",
     "diffusers names"},
    {{"input_blocks.", "middle_block.", "output_blocks."},
     "UNet2DConditionModel",
     "diffusers",
     "original LDM names"},
    {{"down_blocks.", "mid_block.", "time_embedding."},
     "UNet2DConditionModel",
     "diffusers",
     "diffusers names"},
    {{"encoder.block.0.layer.0.SelfAttention", "", ""}, "T5EncoderModel", "transformers", "T5 encoder"},
    {{"text_model.encoder.layers.", "", ""}, "CLIPTextModel", "transformers", "CLIP text encoder"},
    {{"decoder.up_blocks.", "encoder.down_blocks.", ""}, "AutoencoderKL", "diffusers", "diffusers VAE"},
};

bool AnyNameContains(const Component& component, std::string_view needle) {
  if (needle.empty()) return true;
  for (const TensorInfo& t : component.tensors) {
    if (t.name.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

void IdentifySingleFileClass(Component& component) {
  for (const Signature& signature : kSignatures) {
    bool all = true;
    for (std::string_view needle : signature.must_contain) all = all && AnyNameContains(component, needle);
    if (all) {
      component.class_name = std::string(signature.class_name);
      component.library = std::string(signature.library);
      component.notes.push_back("class inferred from tensor names (" + std::string(signature.layout) + ")");
      return;
    }
  }
  component.notes.push_back("model class not recognised from tensor names: defaults apply");
}

}  // namespace pipefit
