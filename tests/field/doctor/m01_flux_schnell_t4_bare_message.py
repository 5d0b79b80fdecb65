# pattern of https://github.com/black-forest-labs/flux/issues/459
import torch
from diffusers import FluxPipeline

schnell = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.bfloat16)
schnell.enable_model_cpu_offload()

picture = schnell(
    "a robot holding a sign",
    guidance_scale=0.0,
    num_inference_steps=4,
    max_sequence_length=256,
    generator=torch.Generator("cpu").manual_seed(1),
).images[0]
picture.save("schnell.png")
