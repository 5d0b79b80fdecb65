# pattern of https://github.com/huggingface/diffusers/pull/12811
# FLUX.2 4-bit checkpoint initialised on the CPU with device_map="cpu" (quantized weights
# would otherwise be placed straight on the accelerator), then model CPU offload.
import torch
from diffusers import Flux2Pipeline

CHECKPOINT = "diffusers/FLUX.2-dev-bnb-4bit"  # DiT + text encoder in bnb 4-bit, VAE in bf16
ACCEL = "cuda:0"

flux2 = Flux2Pipeline.from_pretrained(CHECKPOINT, torch_dtype=torch.bfloat16, device_map="cpu")
flux2.enable_model_cpu_offload()

scene = (
    "Macro shot of a snail carrying a tiny glass terrarium on its back, morning dew, "
    "shallow depth of field, a hand-written label 'HOME' on the glass"
)
out = flux2(
    prompt=scene,
    generator=torch.Generator(device=ACCEL).manual_seed(42),
    num_inference_steps=50,
    guidance_scale=4,
).images[0]
out.save("snail_terrarium.png")
