# pipefit corpus: the dtype changed after model offloading was set up
# (to-dtype-after-offload); the second call's torch_device=/torch_dtype= are
# keywords DiffusionPipeline.to ignores (to-ignored-keywords).
import torch
from diffusers import StableDiffusionXLPipeline

pipe = StableDiffusionXLPipeline.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0")
pipe.enable_model_cpu_offload()
pipe.to(torch.float16)
pipe.to(torch_device="cuda", torch_dtype=torch.float16)

image = pipe("an astronaut riding a horse", height=1024, width=1024).images[0]
image.save("astronaut.png")
