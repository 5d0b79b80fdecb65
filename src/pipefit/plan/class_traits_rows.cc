// Model-class rows: denoisers, VAEs and text/image encoders, with the
// diffusers hooks the planner relies on (compile_repeated_blocks, attention
// backends, group offloading, VAE tiling and slicing).
//
// Sources, as cited in each row's `source`:
//   INT   shared/reference/diffusers-internals.md (§3.1 :219 classes that
//         refuse group offload; §3.3 :255 block modules; §7 :600-601 which
//         processors dispatch; §8 :612-652 _repeated_blocks; §9 :663-700
//         VAE tiling; App. A :779-914 per-class attributes)
//   PIPE  shared/reference/pipelines.md
//   DIFF  huggingface/diffusers src/diffusers/ at 58eb52c0803e
//
// Rules applied to every row:
// * repeated_blocks is `[]` unless §8 lists the class (INT:652).
// * Only processors that call dispatch_attention_fn honour
//   set_attention_backend (INT:600); VAEs and legacy processors do not.
// * transformers models (text and image encoders) are not ModelMixin: no
//   set_attention_backend or compile_repeated_blocks; the pipeline applies
//   apply_group_offloading to them (INT:221), and block_level makes the
//   whole encoder one group (INT:251-253).
#include "pipefit/plan/pipeline_traits.h"

namespace pipefit {
namespace {

constexpr std::string_view kFluxBlocks[] = {"FluxTransformerBlock", "FluxSingleTransformerBlock"};
constexpr std::string_view kFlux2Blocks[] = {"Flux2TransformerBlock", "Flux2SingleTransformerBlock"};
constexpr std::string_view kChromaBlocks[] = {"ChromaTransformerBlock", "ChromaSingleTransformerBlock"};
constexpr std::string_view kQwenImageBlocks[] = {"QwenImageTransformerBlock"};
constexpr std::string_view kWanBlocks[] = {"WanTransformerBlock"};
constexpr std::string_view kLtxBlocks[] = {"LTXVideoTransformerBlock"};
constexpr std::string_view kHunyuanVideoBlocks[] = {"HunyuanVideoTransformerBlock",
                                                    "HunyuanVideoSingleTransformerBlock",
                                                    "HunyuanVideoPatchEmbed", "HunyuanVideoTokenRefiner"};
constexpr std::string_view kUnetBlocks[] = {"BasicTransformerBlock"};

// clang-format off
constexpr ClassTraits kClasses[] = {
    // Denoisers that dispatch attention (INT:600).
    {.class_name = "FluxTransformer2DModel",
     .repeated_blocks = kFluxBlocks,
     .attention_dispatch = true,
     .source = "INT:615, :866, :600; DIFF models/transformers/transformer_flux.py:77"},
    {.class_name = "Flux2Transformer2DModel",
     .repeated_blocks = kFlux2Blocks,
     .attention_dispatch = true,
     .source = "INT:616, :867, :600; DIFF models/transformers/transformer_flux2.py:328"},
    {.class_name = "ChromaTransformer2DModel",
     .repeated_blocks = kChromaBlocks,
     .attention_dispatch = true,
     .source = "INT:614, :858, :600 (Flux processors)"},
    {.class_name = "QwenImageTransformer2DModel",
     .repeated_blocks = kQwenImageBlocks,
     .attention_dispatch = true,
     .source = "INT:617, :893, :600; DIFF models/transformers/transformer_qwenimage.py:521"},
    {.class_name = "WanTransformer3DModel",
     .repeated_blocks = kWanBlocks,
     .attention_dispatch = true,
     .source = "INT:618, :899, :600; DIFF models/transformers/transformer_wan.py:69"},
    {.class_name = "LTXVideoTransformer3DModel",
     .repeated_blocks = kLtxBlocks,
     .attention_dispatch = true,
     .source = "INT:629, :882, :600; DIFF models/transformers/transformer_ltx.py:54"},
    {.class_name = "HunyuanVideoTransformer3DModel",
     .repeated_blocks = kHunyuanVideoBlocks,
     .attention_dispatch = true,
     .source = "INT:626, :871, :600; DIFF models/transformers/transformer_hunyuan_video.py:46"},
    // Denoisers with legacy processors: set_attention_backend is a no-op.
    {.class_name = "SD3Transformer2DModel", .source = "INT:895, :601 (JointAttnProcessor2_0), :652"},
    {.class_name = "CogVideoXTransformer3DModel", .source = "INT:839, :601, :652"},
    {.class_name = "SanaTransformer2DModel", .source = "INT:848, :601, :652"},
    {.class_name = "PixArtTransformer2DModel", .source = "INT:846, :601 (AttnProcessor2_0), :652"},
    {.class_name = "UNet2DConditionModel",
     .repeated_blocks = kUnetBlocks,
     .source = "INT:648, :906, :601 (AttnProcessor2_0)"},
    {.class_name = "HunyuanDiT2DModel",
     .supports_group_offload = false,
     .source = "INT:842, :219, :652; DIFF models/attention_processor.py:3124 HunyuanAttnProcessor2_0 "
               "(the file never calls dispatch_attention_fn)"},
    {.class_name = "DiTTransformer2DModel",
     .supports_group_offload = false,
     .source = "INT:841, :219, :652; DIFF models/transformers/dit_transformer_2d.py:22 "
               "BasicTransformerBlock (AttnProcessor2_0, INT:601)"},
    // VAEs (INT:663-686). tile_sample_min 0 = config.sample_size.
    {.class_name = "AutoencoderKL",
     .group_offload_block_modules = true,
     .vae_tiling = true,
     .vae_slicing = true,
     .honours_force_upcast = true,
     .source = "INT:665, :255, :786, :700; DIFF models/autoencoders/autoencoder_kl.py:133, :140"},
    {.class_name = "AutoencoderKLWan",
     .group_offload_block_modules = true,
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 256,
     .tile_sample_stride = 192,
     .source = "INT:667, :255, :806; DIFF models/autoencoders/autoencoder_kl_wan.py:1076-1081"},
    {.class_name = "AutoencoderKLQwenImage",
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 256,
     .tile_sample_stride = 192,
     .source = "INT:668, :257, :804; DIFF models/autoencoders/autoencoder_kl_qwenimage.py:727-732"},
    {.class_name = "AutoencoderKLFlux2",
     .vae_tiling = true,
     .vae_slicing = true,
     .source = "INT:666, :257, :790; DIFF models/autoencoders/autoencoder_kl_flux2.py:150, :157"},
    // CogVideoX tiles are sample_height/2 x sample_width/2 = 240 x 360 at the
    // class defaults, overlap 1/6 (H) and 1/5 (W): strides 200 and 288. The
    // square field takes the width side, so the tile is never underestimated.
    {.class_name = "AutoencoderKLCogVideoX",
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 360,
     .tile_sample_stride = 288,
     .source = "INT:676, :257, :788; DIFF models/autoencoders/autoencoder_kl_cogvideox.py:1015-1016, "
               ":1076-1087, :1267-1268"},
    {.class_name = "AutoencoderKLLTXVideo",
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 512,
     .tile_sample_stride = 448,
     .source = "INT:674, :257, :797; DIFF models/autoencoders/autoencoder_kl_ltx.py:1177-1184"},
    {.class_name = "AutoencoderKLHunyuanVideo",
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 256,
     .tile_sample_stride = 192,
     .source = "INT:670, :257, :791; DIFF models/autoencoders/autoencoder_kl_hunyuan_video.py:715-722"},
    {.class_name = "AutoencoderDC",
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 512,
     .tile_sample_stride = 448,
     .source = "INT:678, :257, :785; DIFF models/autoencoders/autoencoder_dc.py:496-501"},
    // Tiny: overlap 0.125, so the stride is 512 - 64.
    {.class_name = "AutoencoderTiny",
     .vae_tiling = true,
     .vae_slicing = true,
     .tile_sample_min = 512,
     .tile_sample_stride = 448,
     .source = "INT:679, :257, :811; DIFF models/autoencoders/autoencoder_tiny.py:149-150, :182-183"},
    {.class_name = "AutoencoderKLTemporalDecoder", .source = "INT:686 (tiling and slicing raise), :805"},
    {.class_name = "VQModel",
     .supports_group_offload = false,
     .source = "INT:686 (tiling and slicing raise), :219, :816"},
    // transformers text encoders.
    {.class_name = "T5EncoderModel", .source = "INT:221, :251-253"},
    {.class_name = "UMT5EncoderModel", .source = "INT:221, :251-253; PIPE:182 (Wan text_encoder)"},
    {.class_name = "CLIPTextModel", .source = "INT:221, :251-253"},
    {.class_name = "CLIPTextModelWithProjection",
     .source = "INT:221, :251-253; DIFF pipelines/stable_diffusion_3/pipeline_stable_diffusion_3.py:195"},
    {.class_name = "Qwen2_5_VLForConditionalGeneration", .source = "INT:221, :251-253"},
    {.class_name = "Mistral3ForConditionalGeneration",
     .source = "INT:221, :251-253; PIPE:73 (FLUX.2-dev text_encoder)"},
    {.class_name = "Qwen3ForCausalLM", .source = "INT:221, :251-253; PIPE:97 (FLUX.2-klein text_encoder)"},
    {.class_name = "LlamaModel", .source = "INT:221, :251-253; PIPE:236 (HunyuanVideo text_encoder)"},
    // transformers image encoders (IP-Adapter, Wan I2V).
    {.class_name = "CLIPVisionModel",
     .source = "INT:221, :251-253; DIFF pipelines/wan/pipeline_wan_i2v.py:174"},
    {.class_name = "CLIPVisionModelWithProjection",
     .source = "INT:221, :251-253; DIFF pipelines/flux/pipeline_flux.py:192"},
};
// clang-format on

}  // namespace

std::span<const ClassTraits> AllClassTraits() { return kClasses; }

}  // namespace pipefit
