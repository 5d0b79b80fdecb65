# pipefit corpus: attention slicing on a CUDA pipeline with PyTorch 2
# (attention-slicing-with-sdpa).
import torch
from diffusers import StableDiffusionPipeline

pipe = StableDiffusionPipeline.from_pretrained(
    "stable-diffusion-v1-5/stable-diffusion-v1-5", torch_dtype=torch.float16
)
pipe = pipe.to("cuda")
pipe.enable_attention_slicing()
pipe("a watercolor of a harbor").images[0].save("harbor.png")
