# pattern of https://github.com/huggingface/diffusers/issues/9053
# Trying to save memory with the community fp8 FLUX.1-schnell transformer file: the single
# file is loaded without a dtype, then plugged into the regular pipeline.
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel

schnell_dit = FluxTransformer2DModel.from_single_file("flux1-schnell-fp8.safetensors")

pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-schnell",
    transformer=schnell_dit,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

pic = pipe(
    "a bowl of ramen drawn in the style of a 1980s video game",
    guidance_scale=0.0,
    num_inference_steps=4,
    max_sequence_length=256,
    generator=torch.Generator("cpu").manual_seed(1),
).images[0]
pic.save("ramen_fp8_schnell.png")
