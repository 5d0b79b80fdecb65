# pattern of https://github.com/huggingface/diffusers/issues/10590
# Sana 1600M 4K (bf16 variant) at 4096x4096: pipeline to the GPU, VAE and Gemma text encoder
# cast to bf16, then model offload plus VAE slicing/tiling for the huge decode.
import torch
from diffusers import SanaPipeline

load_args = {
    "variant": "bf16",
    "torch_dtype": torch.bfloat16,
    "use_safetensors": True,
    "pretrained_model_name_or_path": "Efficient-Large-Model/Sana_1600M_4Kpx_BF16_diffusers",
}

sana = SanaPipeline.from_pretrained(**load_args)
sana.to("cuda")
sana.vae.to(torch.bfloat16)
sana.text_encoder.to(torch.bfloat16)
sana.enable_model_cpu_offload()
sana.enable_vae_slicing()
sana.enable_vae_tiling()

poster = sana(
    prompt="A fox curled up asleep in a field of lavender, ultra detailed",
    height=4096,
    width=4096,
    guidance_scale=7.0,
    num_inference_steps=30,
    generator=torch.Generator(device="cuda").manual_seed(0),
).images[0]
poster.save("sana_4k_fox.png")
