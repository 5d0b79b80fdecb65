# pipefit corpus: SDXL built with `.to("cuda")` chained on from_pretrained and
# model CPU offload enabled a few lines later (to-before-offload, reported on
# the construction). fp16 is right for SDXL (no fp16-for-bf16-model).
import torch
from diffusers import StableDiffusionXLPipeline
from diffusers.utils import make_image_grid

pipe = StableDiffusionXLPipeline.from_pretrained(
    "stabilityai/stable-diffusion-xl-base-1.0",
    torch_dtype=torch.float16,
    variant="fp16",
    use_safetensors=True,
)
pipe.enable_sequential_cpu_offload()

# ran out of memory on the 3060 without this

prompts = [
    "An astronaut riding a green horse",
    "A majestic lion jumping from a big stone at night",
]
images = pipe(prompt=prompts, num_inference_steps=30, guidance_scale=7.0).images
make_image_grid(images, rows=1, cols=2).save("sdxl_grid.png")
