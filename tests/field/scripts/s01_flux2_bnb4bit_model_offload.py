# pattern of https://github.com/black-forest-labs/flux2/blob/5967a8fcb8925ad91595c22100b4b04ec5510d13/docs/flux2_dev_hf.md
# FLUX.2 [dev] on a 24-32 GB card: the pre-quantized checkpoint keeps the DiT and the
# Mistral text encoder in bitsandbytes 4-bit (VAE in bf16); model CPU offload lets the
# encoder and the transformer take turns on the GPU.
import torch
from diffusers import Flux2Pipeline

CHECKPOINT = "diffusers/FLUX.2-dev-bnb-4bit"
GPU = "cuda:0"

flux2 = Flux2Pipeline.from_pretrained(CHECKPOINT, torch_dtype=torch.bfloat16)
flux2.enable_model_cpu_offload()

description = (
    "Studio photograph of a vintage brass telescope on a walnut desk, soft morning light "
    "from a side window, a small paper tag on the tube that reads 'NORTH STAR'"
)

picture = flux2(
    prompt=description,
    generator=torch.Generator(device=GPU).manual_seed(7),
    num_inference_steps=50,
    guidance_scale=4,
).images[0]
picture.save("telescope_flux2_bnb4.png")
