# pipefit corpus (negative): group offloading on the transformer, then
# `pipe.to("cuda")` for the rest, which is legal (diffusers skips
# group-offloaded modules); the VAE's own enable_tiling in a FLUX script; a
# valid attention backend name. Expected: no findings.
import torch
from diffusers import FluxPipeline

onload_device = torch.device("cuda")
offload_device = torch.device("cpu")

pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    torch_dtype=torch.bfloat16,
)
pipe.transformer.enable_group_offload(
    onload_device=onload_device,
    offload_device=offload_device,
    offload_type="leaf_level",
    use_stream=True,
)
pipe.to("cuda")
pipe.vae.enable_tiling()
pipe.transformer.set_attention_backend("_flash_3_hub")

image = pipe(
    "a tiny astronaut hatching from an egg on the moon",
    height=1536,
    width=1536,
    num_inference_steps=28,
    guidance_scale=3.5,
).images[0]
image.save("astronaut_1536.png")
