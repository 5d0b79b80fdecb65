#include "pipefit/doctor/stage_patterns.h"

namespace pipefit {
namespace {

using S = OomStage;

// Training rows, then VAE rows, are looked for in every frame first (a
// forward pass inside a training script is training; the VAE's blocks live
// in unets/unet_2d_blocks.py and its attention in attention_processor.py,
// which the denoiser rows would claim); the others innermost frame first.
// Loading is recognised by module.to / _apply / load paths, except under
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
    // --- text encoding ---------------------------------------------------
    {S::kTextEncoding, "transformers/models/", "", "", "",
     R"(File ".../transformers/models/t5/modeling_t5.py", line 1121, in forward)"},
    {S::kTextEncoding, "", "encode_prompt", "", "", "in encode_prompt"},
    {S::kTextEncoding, "", "_get_t5_prompt_embeds", "", "", "in _get_t5_prompt_embeds"},
    {S::kTextEncoding, "", "_get_clip_prompt_embeds", "", "", "in _get_clip_prompt_embeds"},
    {S::kTextEncoding, "", "_get_qwen_prompt_embeds", "", "", "in _get_qwen_prompt_embeds"},
    // --- loading (weights moved or read) -----------------------------------
    {S::kLoading, "torch/nn/modules/module.py", "_apply", "", "", R"(File ".../torch/nn/modules/module.py", line 780, in _apply)"},
    {S::kLoading, "torch/nn/modules/module.py", "convert", "", "", "in convert"},
    {S::kLoading, "", "load_model_dict_into_meta", "", "", "in load_model_dict_into_meta"},
    {S::kLoading, "", "load_state_dict", "", "", "in load_state_dict"},
    {S::kLoading, "", "from_pretrained", "", "", "in from_pretrained"},
    {S::kLoading, "", "from_single_file", "", "", "in from_single_file"},
    {S::kLoading, "", "", ".to(\"cuda\")", "", "    pipe.to(\"cuda\")"},
    {S::kLoading, "", "", ".to('cuda')", "", "    pipe.to('cuda')"},
    {S::kLoading, "accelerate/", "set_module_tensor_to_device", "", "", "in set_module_tensor_to_device"},
    // --- denoising -------------------------------------------------------
    {S::kDenoising, "models/transformers/", "", "", "",
     R"(File ".../diffusers/models/transformers/transformer_flux.py", line 505, in forward)"},
    {S::kDenoising, "models/unets/", "", "", "", R"(File ".../diffusers/models/unets/unet_2d_condition.py", in forward)"},
    {S::kDenoising, "models/attention", "", "", "", R"(File ".../diffusers/models/attention_processor.py", in __call__)"},
    {S::kDenoising, "", "", "self.transformer(", "", "    noise_pred = self.transformer("},
    {S::kDenoising, "", "", "self.unet(", "", "    noise_pred = self.unet("},
    {S::kDenoising, "", "scaled_dot_product_attention", "", "", "in scaled_dot_product_attention"},
};
// clang-format on

// clang-format off
constexpr ContextPattern kContext[] = {
    {S::kLoading, "Loading pipeline components", "Loading pipeline components...:  57%|█████▋    | 4/7"},
    {S::kLoading, "Loading checkpoint shards", "Loading checkpoint shards: 100%|██████████| 3/3"},
    {S::kLoading, "Fetching ", "Fetching 3 files: 100%|██████████| 3/3"},
    {S::kDenoising, "s/it]", " 43%|████▎     | 12/28 [00:31<00:36,  2.28s/it]"},
    {S::kDenoising, "it/s]", " 43%|████▎     | 12/28 [00:05<00:06,  2.28it/s]"},
};
// clang-format on

}  // namespace

std::span<const StagePattern> FrameStagePatterns() { return kFrames; }
std::span<const ContextPattern> ContextStagePatterns() { return kContext; }

}  // namespace pipefit
