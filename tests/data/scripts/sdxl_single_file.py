# pipefit corpus: an SDXL fine-tune loaded with from_single_file from a local
# .safetensors, xformers attention, then the removed pipeline-level
# enable_vae_slicing (pipeline-vae-tiling-removed).
import sys

import torch
from diffusers import DPMSolverMultistepScheduler, StableDiffusionXLPipeline

ckpt = sys.argv[1] if len(sys.argv) > 1 else "./models/juggernautXL_v9Rdphoto2Lightning.safetensors"

pipe = StableDiffusionXLPipeline.from_single_file(
    "./models/juggernautXL_v9Rdphoto2Lightning.safetensors",
    torch_dtype=torch.float16,
    use_safetensors=True,
)
pipe.scheduler = DPMSolverMultistepScheduler.from_config(
    pipe.scheduler.config, use_karras_sigmas=True, algorithm_type="sde-dpmsolver++"
)
pipe.enable_xformers_memory_efficient_attention()
pipe.to("cuda")
pipe.enable_vae_slicing()  # batch of 4

images = pipe(
    prompt=["portrait photo of an old fisherman, 85mm, golden hour"] * 4,
    negative_prompt="lowres, blurry",
    num_inference_steps=6,
    guidance_scale=2.0,
).images
for i, img in enumerate(images):
    img.save(f"fisherman_{i}.png")
