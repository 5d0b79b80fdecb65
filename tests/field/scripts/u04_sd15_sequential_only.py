# pattern of https://github.com/huggingface/diffusers/issues/1934 (the fixed order from the docs it cites)
import torch
from diffusers import StableDiffusionPipeline

sd = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5", torch_dtype=torch.float16)
sd.enable_sequential_cpu_offload()
sd("a photo of an astronaut riding a horse on mars").images[0].save("astronaut.png")
