// Pipeline-class rows: __call__ defaults, CFG mode, text length and the
// model-offload chain of each diffusers pipeline pipefit plans for.
//
// Sources, as cited in each row's `source`:
//   INT   shared/reference/diffusers-internals.md (App. B = offload seq table)
//   PIPE  shared/reference/pipelines.md ("Pipeline call defaults", :357)
//   DIFF  huggingface/diffusers src/diffusers/ at 58eb52c0803e, the snapshot
//         INT describes; file:line of the __call__ default or the code path.
//
// How fields were read:
// * steps / max_sequence_length: the __call__ signature default.
// * height / width: the signature default, else `default_sample_size *
//   vae_scale_factor` (128 x 8 for the FLUX / Qwen families), else the
//   denoiser config's sample size.
// * cfg_batched: the loop concatenates negative and positive embeddings and
//   runs `torch.cat([latents] * 2)` when guidance_scale > 1 (the default).
// * cfg_sequential: the loop calls the denoiser a second time for the
//   unconditional branch at the default settings.
// * FLUX.1 / HunyuanVideo / Qwen-Image "true CFG" runs only when a negative
//   prompt is given, so neither flag is set for them.
// * img2img-style pipelines denoise only `strength x steps` steps; `steps`
//   is still num_inference_steps (strength is noted in the source).
#include "pipefit/plan/pipeline_traits.h"

namespace pipefit {
namespace {

constexpr std::string_view kSafetyChecker[] = {"safety_checker"};

constexpr std::string_view kFluxSeq = "text_encoder->text_encoder_2->image_encoder->transformer->vae";
constexpr std::string_view kSdSeq = "text_encoder->image_encoder->unet->vae";
constexpr std::string_view kSdxlSeq = "text_encoder->text_encoder_2->image_encoder->unet->vae";
constexpr std::string_view kOneEncoderSeq = "text_encoder->transformer->vae";

// clang-format off
constexpr PipelineTraits kPipelines[] = {
    // FLUX.1: guidance-distilled (guidance embedding), true CFG off by default.
    {.pipeline_class = "FluxPipeline",
     .steps = 28,
     .text_tokens = 512,
     .offload_seq = kFluxSeq,
     .source = "INT:1023; PIPE:361; DIFF pipelines/flux/pipeline_flux.py:609 steps, :628 max_seq, "
               ":729 size, :769 true CFG needs negative prompt"},
    {.pipeline_class = "FluxImg2ImgPipeline",
     .steps = 28,
     .text_tokens = 512,
     .offload_seq = kFluxSeq,
     .encodes_image = true,
     .source = "INT:1031; DIFF pipelines/flux/pipeline_flux_img2img.py:688 strength 0.6, :689 steps, "
               ":708 max_seq, :821 size, :865 true CFG, :470 vae.encode"},
    {.pipeline_class = "FluxInpaintPipeline",
     .steps = 28,
     .text_tokens = 512,
     .offload_seq = kFluxSeq,
     .encodes_image = true,
     .source = "INT:1032; DIFF pipelines/flux/pipeline_flux_inpaint.py:790 strength 0.6, :791 steps, "
               ":810 max_seq, :940 size, :998 true CFG, :474 :716 vae.encode"},
    {.pipeline_class = "FluxKontextPipeline",
     .steps = 28,
     .text_tokens = 512,
     .offload_seq = kFluxSeq,
     .encodes_image = true,
     .source = "INT:1033; DIFF pipelines/flux/pipeline_flux_kontext.py:705 steps, :724 max_seq, "
               ":839 size, :893 true CFG, :605 vae.encode"},
    {.pipeline_class = "FluxFillPipeline",
     .steps = 50,
     .text_tokens = 512,
     .offload_seq = "text_encoder->text_encoder_2->transformer->vae",
     .encodes_image = true,
     .source = "INT:1030; DIFF pipelines/flux/pipeline_flux_fill.py:710 steps, :712 guidance 30 "
               "(embedded, :944), :723 max_seq, :816 size, :361 :507 vae.encode"},
    // FLUX.2: guidance embedding; the reference image is optional.
    {.pipeline_class = "Flux2Pipeline",
     .steps = 50,
     .text_tokens = 512,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:1036; DIFF pipelines/flux2/pipeline_flux2.py:753 steps, :765 max_seq, :906 size "
               "(default_sample_size 128 :296 x 8), :950 guidance embedded, :749 image optional"},
    // Klein CFG runs unless model_index sets is_distilled (constructor
    // default False, so CFG at guidance 4.0 is the pipeline default).
    {.pipeline_class = "Flux2KleinPipeline",
     .steps = 50,
     .cfg_sequential = true,
     .text_tokens = 512,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:1037; DIFF pipelines/flux2/pipeline_flux2_klein.py:620 steps, :622 guidance 4, "
               ":633 max_seq, :784 size, :186 is_distilled=False, :594 CFG test, :864 uncond forward"},
    {.pipeline_class = "ChromaPipeline",
     .steps = 35,
     .cfg_sequential = true,
     .text_tokens = 512,
     .offload_seq = "text_encoder->image_encoder->transformer->vae",
     .source = "INT:936; DIFF pipelines/chroma/pipeline_chroma.py:595 steps, :597 guidance 5, "
               ":614 max_seq, :707 size, :328 empty negative prompt, :869 uncond forward"},
    // Stable Diffusion 1.x / XL: UNet, CLIP at 77 tokens, batched CFG.
    {.pipeline_class = "StableDiffusionPipeline",
     .height = 512,
     .width = 512,
     .steps = 50,
     .cfg_batched = true,
     .text_tokens = 77,
     .offload_seq = kSdSeq,
     .exclude_from_offload = kSafetyChecker,
     .source = "INT:1164; DIFF pipelines/stable_diffusion/pipeline_stable_diffusion.py:785 steps, "
               ":788 guidance 7.5, :913-924 size = unet sample_size (64, configs/sd15/unet/config.json:29) "
               "x 8, :1037 CFG batch; 77 = configs/sd15/text_encoder/config.json:16"},
    // img2img: the output takes the input image's size; 512 is SD1.5's
    // native size (unet sample_size 64 x 8).
    {.pipeline_class = "StableDiffusionImg2ImgPipeline",
     .height = 512,
     .width = 512,
     .steps = 50,
     .cfg_batched = true,
     .text_tokens = 77,
     .offload_seq = kSdSeq,
     .exclude_from_offload = kSafetyChecker,
     .encodes_image = true,
     .source = "INT:1167; DIFF pipelines/stable_diffusion/pipeline_stable_diffusion_img2img.py:864 "
               "strength 0.8, :865 steps, :1099 CFG batch, :769 vae.encode; size = input image"},
    {.pipeline_class = "StableDiffusionXLPipeline",
     .steps = 50,
     .cfg_batched = true,
     .text_tokens = 77,
     .offload_seq = kSdxlSeq,
     .upcasts_vae = true,
     .source = "INT:1177; PIPE:363; DIFF pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl.py:829 "
               "steps, :833 guidance 5, :1030 size, :1202 CFG batch, :1262 fp16 force_upcast"},
    {.pipeline_class = "StableDiffusionXLImg2ImgPipeline",
     .steps = 50,
     .cfg_batched = true,
     .text_tokens = 77,
     .offload_seq = kSdxlSeq,
     .encodes_image = true,
     .upcasts_vae = true,
     .source = "INT:1178; DIFF pipelines/stable_diffusion_xl/pipeline_stable_diffusion_xl_img2img.py:980 "
               "strength 0.3, :981 steps, :1297 size = input image (1024 native), :1389 CFG batch, "
               ":738 vae.encode, :1447 fp16 force_upcast"},
    // SD3: T5 max_sequence_length 256 (CLIP adds 77 more joint tokens).
    {.pipeline_class = "StableDiffusion3Pipeline",
     .steps = 28,
     .cfg_batched = true,
     .text_tokens = 256,
     .offload_seq = "text_encoder->text_encoder_2->text_encoder_3->image_encoder->transformer->vae",
     .source = "INT:1174; PIPE:364; DIFF pipelines/stable_diffusion_3/pipeline_stable_diffusion_3.py:781 "
               "steps, :783 guidance 7, :802 max_seq, :927 size, :1067 CFG batch"},
    // Qwen-Image: true CFG (4.0) only with a negative prompt; prompts are
    // padded to the longest, so 512 is the cap, not a fixed length.
    {.pipeline_class = "QwenImagePipeline",
     .steps = 50,
     .text_tokens = 512,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:1136; PIPE:362; DIFF pipelines/qwenimage/pipeline_qwenimage.py:417 steps, :432 "
               "max_seq, :521 size, :564 true CFG needs negative prompt, :202 padding=True"},
    {.pipeline_class = "QwenImageEditPipeline",
     .steps = 50,
     .text_tokens = 512,
     .offload_seq = kOneEncoderSeq,
     .encodes_image = true,
     .source = "INT:1139; DIFF pipelines/qwenimage/pipeline_qwenimage_edit.py:514 steps, :529 max_seq, "
               ":624 size = 1024x1024 area at the input's aspect, :678 true CFG, :414 vae.encode"},
    // Wan: CFG (guidance 5) as a second, unconditional transformer call.
    {.pipeline_class = "WanPipeline",
     .height = 480,
     .width = 832,
     .frames = 81,
     .steps = 50,
     .cfg_sequential = true,
     .text_tokens = 512,
     .offload_seq = "text_encoder->transformer->transformer_2->vae",
     .source = "INT:1186; PIPE:365; DIFF pipelines/wan/pipeline_wan.py:391 guidance 5, :403 max_seq, "
               ":625 uncond forward"},
    {.pipeline_class = "WanImageToVideoPipeline",
     .height = 480,
     .width = 832,
     .frames = 81,
     .steps = 50,
     .cfg_sequential = true,
     .text_tokens = 512,
     .offload_seq = "text_encoder->image_encoder->transformer->transformer_2->vae",
     .encodes_image = true,
     .source = "INT:1188; DIFF pipelines/wan/pipeline_wan_i2v.py:514-518 size/frames/steps/guidance, "
               ":532 max_seq, :784 uncond forward, :455 vae.encode"},
    {.pipeline_class = "CogVideoXPipeline",
     .height = 480,
     .width = 720,
     .frames = 49,
     .steps = 50,
     .cfg_batched = true,
     .text_tokens = 226,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:940; PIPE:368; DIFF pipelines/cogvideo/pipeline_cogvideox.py:516 guidance 6, "
               ":529 max_seq, :619-621 size from transformer config, :723 CFG batch"},
    {.pipeline_class = "LTXPipeline",
     .height = 512,
     .width = 704,
     .frames = 161,
     .steps = 50,
     .cfg_batched = true,
     .text_tokens = 128,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:1091; PIPE:367; DIFF pipelines/ltx/pipeline_ltx.py:547 guidance 3, :563 max_seq, "
               ":764 CFG batch"},
    // HunyuanVideo: guidance 6 is embedded; true CFG needs a negative prompt.
    {.pipeline_class = "HunyuanVideoPipeline",
     .height = 720,
     .width = 1280,
     .frames = 129,
     .steps = 50,
     .text_tokens = 256,
     .offload_seq = "text_encoder->text_encoder_2->transformer->vae",
     .source = "INT:1047; PIPE:366; DIFF pipelines/hunyuan_video/pipeline_hunyuan_video.py:468 max_seq, "
               ":584 true CFG needs negative prompt"},
    {.pipeline_class = "SanaPipeline",
     .steps = 20,
     .cfg_batched = true,
     .text_tokens = 300,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:1145; DIFF pipelines/sana/pipeline_sana.py:679 steps, :682 guidance 4.5, "
               ":684-685 size, :700 max_seq, :910 CFG batch"},
    {.pipeline_class = "PixArtSigmaPipeline",
     .steps = 20,
     .cfg_batched = true,
     .text_tokens = 300,
     .offload_seq = kOneEncoderSeq,
     .source = "INT:1133; DIFF pipelines/pixart_alpha/pipeline_pixart_sigma.py:637 steps, :640 guidance "
               "4.5, :657 max_seq, :742 size = sample_size (128, models/transformers/"
               "pixart_transformer_2d.py:96) x 8, :841 CFG batch"},
};
// clang-format on

}  // namespace

std::span<const PipelineTraits> AllPipelineTraits() { return kPipelines; }

}  // namespace pipefit
