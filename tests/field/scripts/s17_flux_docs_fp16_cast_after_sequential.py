# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/flux.md
# The "FP16 inference" recipe from the Flux pipeline page (for Turing/Volta cards without
# bf16): load in bf16, offload submodule by submodule, tile the VAE, then cast to fp16.
import torch
from diffusers import FluxPipeline

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", dtype=torch.bfloat16)
# low-VRAM GPUs (roughly 4 to 32 GB)
pipe.enable_sequential_cpu_offload()
pipe.vae.enable_slicing()
pipe.vae.enable_tiling()

pipe.to(torch.float16)  # cast after loading so the constructor does not hold every model in CPU RAM at once

out = pipe(
    prompt="A lighthouse built from stacked teacups on a foggy shore",
    guidance_scale=0.0,
    height=768,
    width=1360,
    num_inference_steps=4,
    max_sequence_length=256,
).images[0]
out.save("teacup_lighthouse_fp16.png")
