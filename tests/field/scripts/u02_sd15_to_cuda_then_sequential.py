# pattern of https://github.com/huggingface/diffusers/issues/1934
import torch
from diffusers import StableDiffusionPipeline

sd = StableDiffusionPipeline.from_pretrained("runwayml/stable-diffusion-v1-5", torch_dtype=torch.float16)
sd = sd.to("cuda")

text = "a photo of an astronaut riding a horse on mars"
sd.enable_sequential_cpu_offload()
out = sd(text).images[0]
out.save("astronaut.png")
