# pattern of https://github.com/knix008/MachineLearning/blob/89f8b86c14d0336e8c38d85d54bef3da3281a6c9/StableDiffusion/Flux1-dev-example01.py
# FLUX.1-dev with "every memory optimization turned on" for a small GPU.
import torch
from diffusers import FluxPipeline

flux = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    torch_dtype=torch.bfloat16,
)

# stack the memory savers
flux.enable_model_cpu_offload()  # whole components go back to the CPU when idle
flux.enable_sequential_cpu_offload()  # and offload submodules as well
flux.enable_attention_slicing(1)  # attention one slice at a time
flux.enable_vae_slicing()  # decode one image at a time

# no manual .to() here, the offload hooks manage devices

text = "A tiny robot watering a bonsai tree on a balcony at sunrise"
still = flux(
    text,
    height=512,
    width=512,
    guidance_scale=3.5,
    num_inference_steps=28,
    max_sequence_length=256,
    generator=torch.Generator("cpu").manual_seed(0),
).images[0]
still.save("bonsai_robot.png")
