# pipefit corpus: block_level group offloading (written, and by default)
# without num_blocks_per_group: diffusers raises (group_offloading.py:678).
import torch
from diffusers import WanPipeline

pipe = WanPipeline.from_pretrained("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", torch_dtype=torch.bfloat16)
pipe.transformer.enable_group_offload(onload_device=torch.device("cuda"), offload_type="block_level")
pipe.vae.enable_group_offload(torch.device("cuda"))

video = pipe("a cat walks on the grass", num_frames=33).frames[0]
