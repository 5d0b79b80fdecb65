# pattern of https://github.com/black-forest-labs/flux/issues/459
import torch
from diffusers import FluxPipeline

flux = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.bfloat16)
flux.enable_model_cpu_offload()

frame = flux(
    "a cat holding a sign that says hello world",
    guidance_scale=0.0,
    num_inference_steps=4,
    max_sequence_length=256,
    generator=torch.Generator("cpu").manual_seed(0),
).images[0]
frame.save("flux-schnell.png")
