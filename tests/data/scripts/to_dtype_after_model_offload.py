# pipefit corpus: the dtype changed after model offloading was set up, once
# alone and once with torch_device= (to-dtype-after-offload, twice; the
# second also moves every model back: to-after-model-offload).
import torch
from diffusers import StableDiffusionXLPipeline

pipe = StableDiffusionXLPipeline.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0")
pipe.enable_model_cpu_offload()
pipe.to(torch.float16)
pipe.to(torch_device="cuda", torch_dtype=torch.float16)

image = pipe("an astronaut riding a horse", height=1024, width=1024).images[0]
image.save("astronaut.png")
