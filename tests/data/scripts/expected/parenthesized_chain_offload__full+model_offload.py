# pipefit corpus: a parenthesised builder chain with the `.to("cuda")` on its
# own line, then model offload further down (to-before-offload, reported on
# the line where the chained call starts).
import torch
from diffusers import FluxPipeline

pipe = (
    FluxPipeline.from_pretrained(
        "black-forest-labs/FLUX.1-dev",
        torch_dtype=torch.bfloat16,
    )
)

# LoRA for a specific style
pipe.load_lora_weights("XLabs-AI/flux-RealismLora", weight_name="lora.safetensors")
pipe.fuse_lora(lora_scale=0.9)
pipe.enable_model_cpu_offload()


image = pipe(
    "a portrait of an old sailor with a pipe, film photo",
    num_inference_steps=28,
    guidance_scale=3.5,
).images[0]
image.save("sailor.png")
