# pipefit corpus (near miss): block_level with num_blocks_per_group, by
# keyword and positionally.
import torch
from diffusers import WanPipeline

pipe = WanPipeline.from_pretrained("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", torch_dtype=torch.bfloat16)
pipe.transformer.enable_group_offload(
    onload_device=torch.device("cuda"), offload_type="block_level", num_blocks_per_group=2
)
pipe.vae.enable_group_offload(torch.device("cuda"), torch.device("cpu"), "block_level", 1)

video = pipe("a cat walks on the grass", num_frames=33).frames[0]
