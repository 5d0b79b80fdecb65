#include "pipefit/model/family_table.h"

namespace pipefit {
namespace {

// Shared pattern lists (named once, used by several rows).
constexpr std::string_view kNone[] = {""};
constexpr std::span<const std::string_view> kEmpty(kNone, 0);
constexpr std::string_view kPosNorm[] = {"pos_embed", "norm"};
constexpr std::string_view kNormOnly[] = {"norm"};
constexpr std::string_view kPatchNorm[] = {"patch_embed", "norm"};
constexpr std::string_view kWanSkip[] = {"patch_embedding", "condition_embedder", "norm"};
constexpr std::string_view kWanKeep[] = {"time_embedder", "scale_shift_table", "norm1", "norm2", "norm3"};
constexpr std::string_view kWanKeepRope[] = {"rope",  "time_embedder", "scale_shift_table",
                                             "norm1", "norm2",         "norm3"};
constexpr std::string_view kHunyuanSkip[] = {"x_embedder", "context_embedder", "norm"};
constexpr std::string_view kT5Keep[] = {"wo"};
constexpr std::string_view kT5Embeddings[] = {"shared", "embed_tokens", "relative_attention_bias"};
constexpr std::string_view kClipEmbeddings[] = {"token_embedding", "position_embedding"};
constexpr std::string_view kLlmEmbeddings[] = {"embed_tokens"};

// clang-format off
constexpr ModelFamily kFamilies[] = {
    // --- diffusers denoisers -------------------------------------------------
    {.class_name = "FluxTransformer2DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPosNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_flux.py:529 (internals App. A)"},
    {.class_name = "ChromaTransformer2DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPosNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_chroma.py:370 (internals App. A)"},
    {.class_name = "Flux2Transformer2DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPosNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_flux2.py:1059 (internals App. A)"},
    {.class_name = "SD3Transformer2DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPosNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_sd3.py:79 (internals App. A)"},
    {.class_name = "QwenImageTransformer2DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPosNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_qwenimage.py:791 (internals App. A)"},
    {.class_name = "WanTransformer3DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kWanKeepRope, .skip_layerwise_casting = kWanSkip, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_wan.py:507,549 (internals §1.3, App. A)"},
    {.class_name = "WanVACETransformer3DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kWanKeepRope, .skip_layerwise_casting = kWanSkip, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_wan_vace.py:138 (internals App. A)"},
    {.class_name = "SkyReelsV2Transformer3DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kWanKeep, .skip_layerwise_casting = kWanSkip, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_skyreels_v2.py:518 (internals App. A)"},
    {.class_name = "CogVideoXTransformer3DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPatchNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/cogvideox_transformer_3d.py:160 (internals App. A)"},
    {.class_name = "LTXVideoTransformer3DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kNormOnly, .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_ltx.py:385 (internals App. A)"},
    {.class_name = "SanaTransformer2DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kPatchNorm, .embeddings = kEmpty,
     .source = "diffusers models/transformers/sana_transformer.py:292 (internals App. A)"},
    {.class_name = "HunyuanVideoTransformer3DModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kHunyuanSkip,
     .embeddings = kEmpty,
     .source = "diffusers models/transformers/transformer_hunyuan_video.py:841 (internals App. A)"},
    {.class_name = "UNet2DConditionModel", .library = "diffusers", .role = ModelRole::kDenoiser,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kNormOnly, .embeddings = kEmpty,
     .source = "diffusers models/unets/unet_2d_condition.py:76 (internals App. A)"},
    // --- diffusers VAEs --------------------------------------------------------
    {.class_name = "AutoencoderKL", .library = "diffusers", .role = ModelRole::kVae,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kEmpty,
     .source = "diffusers models/autoencoders/autoencoder_kl.py:36 (internals App. A)"},
    {.class_name = "AutoencoderKLWan", .library = "diffusers", .role = ModelRole::kVae,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kEmpty,
     .source = "diffusers models/autoencoders/autoencoder_kl_wan.py:960 (internals App. A)"},
    {.class_name = "AutoencoderKLQwenImage", .library = "diffusers", .role = ModelRole::kVae,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kEmpty,
     .source = "diffusers models/autoencoders/autoencoder_kl_qwenimage.py:673 (internals App. A)"},
    {.class_name = "AutoencoderKLFlux2", .library = "diffusers", .role = ModelRole::kVae,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kEmpty,
     .source = "diffusers models/autoencoders/autoencoder_kl_flux2.py:38 (internals App. A)"},
    {.class_name = "AutoencoderKLCogVideoX", .library = "diffusers", .role = ModelRole::kVae,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kEmpty,
     .source = "diffusers models/autoencoders/autoencoder_kl_cogvideox.py:956 (internals App. A)"},
    // --- transformers text encoders -------------------------------------------
    {.class_name = "T5EncoderModel", .library = "transformers", .role = ModelRole::kTextEncoder,
     .keep_in_fp32 = kT5Keep, .skip_layerwise_casting = kEmpty, .embeddings = kT5Embeddings,
     .source = "transformers models/t5/modeling_t5.py _keep_in_fp32_modules=['wo'] (internals §1.4, §1.5)"},
    {.class_name = "UMT5EncoderModel", .library = "transformers", .role = ModelRole::kTextEncoder,
     .keep_in_fp32 = kT5Keep, .skip_layerwise_casting = kEmpty, .embeddings = kT5Embeddings,
     .source = "transformers models/umt5/modeling_umt5.py _keep_in_fp32_modules=['wo'] (internals §1.4)"},
    {.class_name = "CLIPTextModel", .library = "transformers", .role = ModelRole::kTextEncoder,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kClipEmbeddings,
     .source = "transformers models/clip/modeling_clip.py CLIPTextEmbeddings"},
    {.class_name = "CLIPTextModelWithProjection", .library = "transformers", .role = ModelRole::kTextEncoder,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kClipEmbeddings,
     .source = "transformers models/clip/modeling_clip.py CLIPTextEmbeddings"},
    {.class_name = "Qwen2_5_VLForConditionalGeneration", .library = "transformers",
     .role = ModelRole::kTextEncoder, .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty,
     .embeddings = kLlmEmbeddings,
     .source = "transformers models/qwen2_5_vl (internals §1.5: tie_word_embeddings false, lm_head counts)"},
    {.class_name = "Qwen3ForCausalLM", .library = "transformers", .role = ModelRole::kTextEncoder,
     .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty, .embeddings = kLlmEmbeddings,
     .source = "transformers models/qwen3 (embed_tokens is nn.Embedding)"},
    {.class_name = "Mistral3ForConditionalGeneration", .library = "transformers",
     .role = ModelRole::kTextEncoder, .keep_in_fp32 = kEmpty, .skip_layerwise_casting = kEmpty,
     .embeddings = kLlmEmbeddings, .source = "transformers models/mistral3 (embed_tokens is nn.Embedding)"},
};
// clang-format on

constexpr std::string_view kDefaultSkip[] = {"pos_embed", "patch_embed", "norm", "^proj_in$", "^proj_out$"};
constexpr std::string_view kCommonEmbeddings[] = {"embed_tokens",       "shared", "token_embedding",
                                                  "position_embedding", "wte",    "wpe"};

}  // namespace

const ModelFamily* FindModelFamily(std::string_view class_name) {
  for (const ModelFamily& family : kFamilies) {
    if (family.class_name == class_name) return &family;
  }
  return nullptr;
}

std::span<const ModelFamily> AllModelFamilies() { return kFamilies; }

// Source: diffusers hooks/layerwise_casting.py:31 (internals §5).
std::span<const std::string_view> DefaultLayerwiseSkipPatterns() { return kDefaultSkip; }

std::span<const std::string_view> CommonEmbeddingNames() { return kCommonEmbeddings; }

}  // namespace pipefit
