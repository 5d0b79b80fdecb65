#include "pipefit/doctor/stage_patterns.h"

namespace pipefit {
namespace {

using S = OomStage;

// Training rows, then VAE rows, are looked for in every frame first (a
// forward pass inside a training script is training; the VAE's blocks live
// in unets/unet_2d_blocks.py and its attention in attention_processor.py,
// which the denoiser rows would claim); the others innermost frame first.
// Loading rows come before the text-encoding ones: transformers'
// from_pretrained lives under transformers/models/ too. Loading is
// recognised by module.to / _apply / load paths, except under
// an accelerate offload hook, where .to() is the model's turn to run.
// clang-format off
constexpr StagePattern kFrames[] = {
    // --- training --------------------------------------------------------
    // Not every torch/autograd frame: torch < 2.0 wraps every pipeline call
    // in autograd/grad_mode.py's no_grad decorator.
    {S::kTraining, "torch/autograd/__init__.py", "", "", "", R"(File ".../torch/autograd/__init__.py", line 251, in backward)"},
    {S::kTraining, "torch/autograd/graph.py", "", "", "", R"(File ".../torch/autograd/graph.py", line 744, in _engine_run_backward)"},
    {S::kTraining, "", "backward", "", "", R"(File ".../torch/_tensor.py", line 521, in backward)"},
    {S::kTraining, "", "", "accelerator.backward(", "", "    accelerator.backward(loss)"},
    {S::kTraining, "", "", "loss.backward(", "", "    loss.backward()"},
    {S::kTraining, "torch/optim/", "", "", "", R"(File ".../torch/optim/adamw.py", line 188, in step)"},
    {S::kTraining, "/train_", "", "", "", R"(File "/work/train_dreambooth_lora_flux.py", line 1702, in main)"},
    {S::kTraining, "/train.py", "", "", "", R"(File "/work/FramePack/train.py", line 310, in main)"},
    // Lightning's LightningModule.training_step, transformers' Trainer
    // compute_loss, and a loss module's forward (src/loss/...).
    {S::kTraining, "", "training_step", "", "", "in training_step"},
    {S::kTraining, "", "compute_loss", "", "", "in compute_loss"},
    {S::kTraining, "/loss/", "", "", "", R"(File ".../FluxText/src/loss/ocr_loss/base_model/ODM_encoder.py", line 44, in forward)"},
    // --- VAE -------------------------------------------------------------
    {S::kVaeDecode, "models/autoencoders/", "encode", "", "encode",
     R"(File ".../diffusers/models/autoencoders/autoencoder_kl.py", line 278, in encode)"},
    {S::kVaeDecode, "models/autoencoders/", "_encode", "", "encode",
     R"(File ".../diffusers/models/autoencoders/autoencoder_kl.py", line 250, in _encode)"},
    {S::kVaeDecode, "models/autoencoders/", "tiled_encode", "", "encode", "in tiled_encode"},
    {S::kVaeDecode, "models/autoencoders/", "", "", "",
     R"(File ".../diffusers/models/autoencoders/vae.py", line 320, in forward)"},
    // diffusers <= 0.24 kept the VAE in models/autoencoder_kl.py and models/vae.py.
    {S::kVaeDecode, "models/autoencoder_kl.py", "", "", "", R"(File ".../diffusers/models/autoencoder_kl.py", in decode)"},
    {S::kVaeDecode, "diffusers/models/vae.py", "", "", "", R"(File ".../diffusers/models/vae.py", in forward)"},
    {S::kVaeDecode, "", "", "vae.decode(", "decode", "    image = self.vae.decode(latents, return_dict=False)[0]"},
    {S::kVaeDecode, "", "", "vae.encode(", "encode", "    image_latents = self.vae.encode(image).latent_dist"},
    {S::kVaeDecode, "", "decode_tiled", "", "decode", "in decode_tiled"},
    // ComfyUI (comfy/sd.py VAE.decode/encode, the KL decoder in
    // ldm/modules/diffusionmodules/model.py, the video VAEs), A1111 and
    // Forge (decode_first_stage), SD.Next (processing_vae.py), FramePack
    // (vae_decode), and other UIs' VAE files.
    {S::kVaeDecode, "comfy/sd.py", "decode", "", "decode", R"(File "C:/ComfyUI/comfy/sd.py", line 563, in decode)"},
    {S::kVaeDecode, "comfy/sd.py", "decode_tiled", "", "decode", "comfy/sd.py ... in decode_tiled"},
    {S::kVaeDecode, "comfy/sd.py", "decode_tiled_", "", "decode", "comfy/sd.py ... in decode_tiled_"},
    {S::kVaeDecode, "comfy/sd.py", "encode", "", "encode", "comfy/sd.py ... in encode"},
    // Fooocus's copy of ComfyUI (backend/headless/fcbh).
    {S::kVaeDecode, "fcbh/sd.py", "decode", "", "decode", R"(File "...\Fooocus\backend\headless\fcbh\sd.py", line 205, in decode)"},
    {S::kVaeDecode, "ldm/modules/diffusionmodules/model.py", "", "", "",
     R"(File ".../comfy/ldm/modules/diffusionmodules/model.py", line 640, in forward)"},
    {S::kVaeDecode, "", "decode_first_stage", "", "decode", "in decode_first_stage"},
    {S::kVaeDecode, "", "decode_latent_batch", "", "decode", "in decode_latent_batch"},
    {S::kVaeDecode, "", "vae_decode", "", "decode", "in vae_decode"},
    {S::kVaeDecode, "", "vae_encode", "", "encode", "in vae_encode"},
    {S::kVaeDecode, "", "", "first_stage_model.decode(", "decode", "    x = self.first_stage_model.decode(z)"},
    {S::kVaeDecode, "/vae.py", "", "", "", R"(File ".../comfy/ldm/wan/vae.py", line 500, in decode)"},
    {S::kVaeDecode, "video_vae", "", "", "", R"(File ".../wanvideo/wan_video_vae.py", in decode)"},
    {S::kVaeDecode, "/vae/", "", "", "", R"(File ".../comfy/ldm/lightricks/vae/causal_video_autoencoder.py", in decode)"},
    {S::kVaeDecode, "processing_vae.py", "", "", "", "modules/processing_vae.py:295 in vae_decode"},
    // --- loading (weights moved or read) -----------------------------------
    {S::kLoading, "torch/nn/modules/module.py", "_apply", "", "", R"(File ".../torch/nn/modules/module.py", line 780, in _apply)"},
    {S::kLoading, "torch/nn/modules/module.py", "convert", "", "", "in convert"},
    {S::kLoading, "", "load_model_dict_into_meta", "", "", "in load_model_dict_into_meta"},
    {S::kLoading, "", "load_state_dict", "", "", "in load_state_dict"},
    {S::kLoading, "", "from_pretrained", "", "", "in from_pretrained"},
    {S::kLoading, "", "from_single_file", "", "", "in from_single_file"},
    {S::kLoading, "", "", ".to(\"cuda\")", "", "    pipe.to(\"cuda\")"},
    {S::kLoading, "", "", ".to('cuda')", "", "    pipe.to('cuda')"},
    // torch's Module.to converting each tensor (module.py convert).
    {S::kLoading, "", "", "return t.to(", "", "    return t.to("},
    {S::kLoading, "accelerate/", "set_module_tensor_to_device", "", "", "in set_module_tensor_to_device"},
    {S::kLoading, "torch/nn/modules/module.py", "to", "", "", "File /usr/lib/python3/torch/nn/modules/module.py:1340, in Module.to(self, *args)"},
    {S::kLoading, "", "caching_allocator_warmup", "", "", "in caching_allocator_warmup"},
    {S::kLoading, "", "_load_state_dict_into_meta_model", "", "", "in _load_state_dict_into_meta_model"},
    {S::kLoading, "", "_load_pretrained_model", "", "", "in _load_pretrained_model"},
    {S::kLoading, "", "dispatch_model", "", "", "in dispatch_model"},
    {S::kLoading, "", "load_checkpoint_and_dispatch", "", "", "in load_checkpoint_and_dispatch"},
    {S::kLoading, "safetensors/torch.py", "load_file", "", "", R"(File ".../safetensors/torch.py", line 313, in load_file)"},
    // A model built directly on the GPU (a torch.device context or
    // device=): its layers' constructors allocate the weights.
    {S::kLoading, "torch/nn/modules/", "__init__", "", "", R"(File ".../torch/nn/modules/linear.py", line 106, in __init__)"},
    {S::kLoading, "torch/utils/_device.py", "__torch_function__", "", "", R"(File ".../torch/utils/_device.py", line 103, in __torch_function__)"},
    // UIs' model managers: ComfyUI, Forge, A1111, SD.Next, FramePack.
    {S::kLoading, "comfy/model_management.py", "load_models_gpu", "", "", "comfy/model_management.py ... in load_models_gpu"},
    {S::kLoading, "comfy/model_management.py", "model_load", "", "", "comfy/model_management.py ... in model_load"},
    {S::kLoading, "comfy/model_patcher.py", "", "", "", R"(File ".../comfy/model_patcher.py", in patch_weight_to_device)"},
    {S::kLoading, "backend/memory_management.py", "", "", "", R"(File ".../backend/memory_management.py", in load_models_gpu)"},
    {S::kLoading, "modules/sd_models.py", "", "", "", R"(File ".../modules/sd_models.py", in load_model)"},
    {S::kLoading, "", "load_model_as_complete", "", "", "in load_model_as_complete"},
    {S::kLoading, "", "move_model_to_device_with_memory_preservation", "", "", "in move_model_to_device_with_memory_preservation"},
    // --- text encoding ---------------------------------------------------
    {S::kTextEncoding, "transformers/models/", "", "", "",
     R"(File ".../transformers/models/t5/modeling_t5.py", line 1121, in forward)"},
    {S::kTextEncoding, "", "encode_prompt", "", "", "in encode_prompt"},
    {S::kTextEncoding, "", "_get_t5_prompt_embeds", "", "", "in _get_t5_prompt_embeds"},
    {S::kTextEncoding, "", "_get_clip_prompt_embeds", "", "", "in _get_clip_prompt_embeds"},
    {S::kTextEncoding, "", "_get_qwen_prompt_embeds", "", "", "in _get_qwen_prompt_embeds"},
    {S::kTextEncoding, "", "encode_from_tokens", "", "", "comfy/sd.py ... in encode_from_tokens"},
    {S::kTextEncoding, "", "", "encode_from_tokens", "", "    return (clip.encode_from_tokens(tokens, return_pooled=True), )"},
    {S::kTextEncoding, "comfy/sd1_clip.py", "", "", "", R"(File ".../comfy/sd1_clip.py", line 200, in forward)"},
    {S::kTextEncoding, "comfy/text_encoders/", "", "", "", R"(File ".../comfy/text_encoders/t5.py", in forward)"},
    {S::kTextEncoding, "comfy/clip_model.py", "", "", "", R"(File ".../comfy/clip_model.py", in forward)"},
    {S::kTextEncoding, "", "get_learned_conditioning", "", "", "in get_learned_conditioning"},
    {S::kTextEncoding, "modules/sd_hijack_clip.py", "", "", "", R"(File ".../modules/sd_hijack_clip.py", in forward)"},
    {S::kTextEncoding, "backend/text_processing/", "", "", "", R"(File ".../backend/text_processing/classic_engine.py", in __call__)"},
    {S::kTextEncoding, "", "encode_prompt_conds", "", "", "in encode_prompt_conds"},
    // --- denoising -------------------------------------------------------
    {S::kDenoising, "models/transformers/", "", "", "",
     R"(File ".../diffusers/models/transformers/transformer_flux.py", line 505, in forward)"},
    {S::kDenoising, "models/unets/", "", "", "", R"(File ".../diffusers/models/unets/unet_2d_condition.py", in forward)"},
    {S::kDenoising, "models/attention", "", "", "", R"(File ".../diffusers/models/attention_processor.py", in __call__)"},
    // diffusers <= 0.13 (the UNet's CrossAttention) and CompVis/Stability ldm.
    {S::kDenoising, "diffusers/models/cross_attention.py", "", "", "",
     R"(File ".../diffusers/models/cross_attention.py", line 314, in __call__)"},
    {S::kDenoising, "ldm/modules/attention.py", "", "", "", R"(File ".../ldm/modules/attention.py", line 180, in forward)"},
    {S::kDenoising, "", "", "self.transformer(", "", "    noise_pred = self.transformer("},
    {S::kDenoising, "", "", "self.unet(", "", "    noise_pred = self.unet("},
    {S::kDenoising, "", "scaled_dot_product_attention", "", "", "in scaled_dot_product_attention"},
    // UIs' samplers and denoisers.
    {S::kDenoising, "comfy/samplers.py", "", "", "", R"(File ".../comfy/samplers.py", line 1000, in sample)"},
    {S::kDenoising, "comfy/sample.py", "", "", "", R"(File ".../comfy/sample.py", in sample)"},
    {S::kDenoising, "k_diffusion/", "", "", "", R"(File ".../comfy/k_diffusion/sampling.py", in sample_euler)"},
    {S::kDenoising, "comfy/ldm/", "", "", "", R"(File ".../comfy/ldm/flux/model.py", in forward)"},
    {S::kDenoising, "", "common_ksampler", "", "", "nodes.py ... in common_ksampler"},
    {S::kDenoising, "modules/sd_samplers", "", "", "", R"(File ".../modules/sd_samplers_kdiffusion.py", in sample)"},
    {S::kDenoising, "openaimodel.py", "", "", "", R"(File ".../ldm/modules/diffusionmodules/openaimodel.py", in forward)"},
    {S::kDenoising, "backend/sampling/", "", "", "", R"(File ".../backend/sampling/sampling_function.py", in sampling_function)"},
    {S::kDenoising, "backend/nn/", "", "", "", R"(File ".../backend/nn/flux.py", in forward)"},
    {S::kDenoising, "", "sample_hunyuan", "", "", "in sample_hunyuan"},
};
// clang-format on

// clang-format off
constexpr ContextPattern kContext[] = {
    {S::kLoading, "Loading pipeline components", "Loading pipeline components...:  57%|█████▋    | 4/7"},
    {S::kLoading, "Loading checkpoint shards", "Loading checkpoint shards: 100%|██████████| 3/3"},
    {S::kLoading, "Fetching ", "Fetching 3 files: 100%|██████████| 3/3"},
    // ComfyUI's model manager names what it moves to the GPU next
    // (comfy/model_management.py load_models_gpu): a VAE, a text encoder,
    // else the diffusion model (loaded before sampling starts its bar).
    {S::kVaeDecode, "Requested to load AutoencoderKL", "Requested to load AutoencoderKL"},
    {S::kVaeDecode, "Requested to load AutoencodingEngine", "Requested to load AutoencodingEngine"},
    {S::kVaeDecode, "Requested to load WanVAE", "Requested to load WanVAE"},
    {S::kVaeDecode, "Requested to load VideoVAE", "Requested to load VideoVAE"},
    {S::kTextEncoding, "ClipModel", "Requested to load FluxClipModel_"},
    {S::kTextEncoding, "TEModel", "Requested to load WanTEModel"},
    {S::kLoading, "Requested to load ", "Requested to load Flux"},
    // Forge's memory manager (backend/memory_management.py), old and new.
    {S::kVaeDecode, "Target: IntegratedAutoencoderKL", "[Memory Management] Target: IntegratedAutoencoderKL, Free GPU: ..."},
    {S::kTextEncoding, "Target: JointTextEncoder", "[Memory Management] Target: JointTextEncoder, Free GPU: ..."},
    {S::kLoading, "[Memory Management] Target: ", "[Memory Management] Target: KModel, Free GPU: 7012.59 MB, ..."},
    {S::kVaeDecode, "To load target model AutoencoderKL", "To load target model AutoencoderKL"},
    {S::kTextEncoding, "To load target model SDXLClipModel", "To load target model SDXLClipModel"},
    {S::kTextEncoding, "To load target model SD1ClipModel", "To load target model SD1ClipModel"},
    {S::kLoading, "To load target model ", "To load target model SDXL"},
    // Samplers that say so (ComfyUI-WanVideoWrapper: "Sampling 65 frames in
    // 2 windows", "Error during sampling: Allocation on device").
    {S::kDenoising, "Error during sampling", "Error during sampling: Allocation on device"},
    {S::kDenoising, "Sampling ", "Sampling 65 frames in 2 windows, at 512x896 with 6 steps"},
    // Denoising progress bars (tqdm), A1111's "Total progress" included;
    // a finished bar that says it was loading is skipped.
    {S::kDenoising, "s/it]", " 43%|████▎     | 12/28 [00:31<00:36,  2.28s/it]", true},
    {S::kDenoising, "it/s]", " 43%|████▎     | 12/28 [00:05<00:06,  2.28it/s]", true},
};
// clang-format on

// clang-format off
constexpr NodePattern kNodes[] = {
    // ComfyUI core nodes (nodes.py, comfy_extras/).
    {S::kVaeDecode, "VAEDecode", false, "decode"},
    {S::kVaeDecode, "VAEDecodeTiled", false, "decode"},
    {S::kVaeDecode, "VAEDecodeHunyuan3D", false, "decode"},
    {S::kVaeDecode, "VAEEncode", false, "encode"},
    {S::kVaeDecode, "VAEEncodeTiled", false, "encode"},
    {S::kVaeDecode, "VAEEncodeForInpaint", false, "encode"},
    {S::kDenoising, "KSampler"},
    {S::kDenoising, "KSamplerAdvanced"},
    {S::kDenoising, "SamplerCustom"},
    {S::kDenoising, "SamplerCustomAdvanced"},
    {S::kTextEncoding, "CLIPTextEncode"},
    {S::kTextEncoding, "CLIPTextEncodeFlux"},
    {S::kTextEncoding, "CLIPTextEncodeSDXL"},
    {S::kTextEncoding, "TextEncodeQwenImageEdit"},
    {S::kLoading, "CheckpointLoaderSimple"},
    {S::kLoading, "CheckpointLoader"},
    {S::kLoading, "ImageOnlyCheckpointLoader"},
    {S::kLoading, "UNETLoader"},
    {S::kLoading, "CLIPLoader"},
    {S::kLoading, "DualCLIPLoader"},
    {S::kLoading, "TripleCLIPLoader"},
    {S::kLoading, "VAELoader"},
    {S::kLoading, "LoraLoader"},
    // Custom nodes by name ending: HyVideoTextEncode, WanVideoTextEncode;
    // WanVideoDecode, HyVideoDecode; WanVideoSampler, HyVideoSampler;
    // UnetLoaderGGUF, WanVideoModelLoader.
    {S::kTextEncoding, "TextEncode", true},
    {S::kVaeDecode, "Decode", true, "decode"},
    {S::kVaeDecode, "DecodeTiled", true, "decode"},
    {S::kDenoising, "Sampler", true},
    {S::kDenoising, "SamplerAdvanced", true},
    {S::kLoading, "Loader", true},
    {S::kLoading, "LoaderGGUF", true},
};
// clang-format on

// clang-format off
constexpr NodePattern kInvokeNodes[] = {
    {S::kVaeDecode, "l2i", false, "decode"},
    {S::kVaeDecode, "flux_vae_decode", false, "decode"},
    {S::kVaeDecode, "sd3_l2i", false, "decode"},
    {S::kVaeDecode, "i2l", false, "encode"},
    {S::kVaeDecode, "flux_vae_encode", false, "encode"},
    {S::kDenoising, "denoise_latents"},
    {S::kDenoising, "flux_denoise"},
    {S::kDenoising, "sd3_denoise"},
    {S::kTextEncoding, "compel"},
    {S::kTextEncoding, "sdxl_compel_prompt"},
    {S::kTextEncoding, "flux_text_encoder"},
    {S::kTextEncoding, "sd3_text_encoder"},
    {S::kLoading, "_model_loader", true},
    {S::kLoading, "main_model_loader"},
};
// clang-format on

}  // namespace

std::span<const NodePattern> ComfyNodeStagePatterns() { return kNodes; }
std::span<const NodePattern> InvokeNodeStagePatterns() { return kInvokeNodes; }
std::span<const StagePattern> FrameStagePatterns() { return kFrames; }
std::span<const ContextPattern> ContextStagePatterns() { return kContext; }

}  // namespace pipefit
