# pattern of https://github.com/huggingface/diffusers/pull/10510
# Maintainer's check of DC-AE tiling: Sana 1600M 2K in its bf16 variant on the GPU,
# VAE tiling enabled for the 2048x2048 decode.
import torch
from diffusers import SanaPipeline

sana = SanaPipeline.from_pretrained(
    "Efficient-Large-Model/Sana_1600M_2Kpx_BF16_diffusers",
    variant="bf16",
    torch_dtype=torch.bfloat16,
)
sana.to("cuda")
sana.enable_vae_tiling()

portrait = sana(
    prompt="Oil painting of an old fisherman mending a net, golden hour, 8k detail",
    height=2048,
    width=2048,
    guidance_scale=5.0,
    num_inference_steps=20,
    generator=torch.Generator().manual_seed(42),
)[0]
portrait[0].save("fisherman_2k.png")
