# pattern of https://github.com/himmelroman/tmunan/blob/cc83161b7e009157088f8b9ee1c31ac25849295f/benchmark/candidates/flux1.py
# Benchmark candidate on an Apple-silicon laptop: one-step FLUX.1-schnell, half precision,
# model card offload line kept.
import torch
from diffusers import FluxPipeline

schnell = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.float16).to("mps")
schnell.enable_model_cpu_offload()  # save some memory by offloading to CPU

frame = schnell(
    "A neon sign shaped like a coffee cup in a rainy alley",
    guidance_scale=0.0,
    num_inference_steps=1,
    max_sequence_length=256,
    generator=torch.Generator("mps").manual_seed(0),
).images[0]
frame.show()
