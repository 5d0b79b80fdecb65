# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/optimization/attention_backends.md
# Qwen-Image on one GPU: try FlashAttention-3 (Hub kernel) only inside a context manager,
# then fall back to the default SDPA backend outside it.
import torch
from diffusers import QwenImagePipeline, attention_backend

qwen = QwenImagePipeline.from_pretrained("Qwen/Qwen-Image", dtype=torch.bfloat16, device_map="cuda")

poster = (
    "vintage travel poster of a lighthouse on a rocky cape at sunset, bold flat colors, "
    "art deco typography reading 'NORTH CAPE'"
)

with attention_backend("_flash_3_hub"):
    fast = qwen(poster).images[0]
fast.save("poster_fa3.png")

baseline = qwen(poster).images[0]
baseline.save("poster_sdpa.png")
