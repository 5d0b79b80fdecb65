# pattern of https://github.com/MathisHeriveau/Module-4-LLM/blob/df70a79dc5cfbbfda9501122adb913ad45d75891/black-forest-labs.py
# Course exercise: FLUX.1-dev text-to-image with model CPU offload, loaded in full precision.
import torch
from diffusers import FluxPipeline

flux = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.float32)
flux.enable_model_cpu_offload()

request = "A lighthouse keeper's cat sitting on a windowsill, storm clouds over the sea"
seed_gen = torch.Generator("cpu").manual_seed(0)

frame = flux(
    request,
    height=1024,
    width=1024,
    guidance_scale=3.5,
    num_inference_steps=2,
    generator=seed_gen,
).images[0]
frame.save("flux_dev_lighthouse_cat.png")
