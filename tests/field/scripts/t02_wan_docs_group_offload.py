# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/wan.md
# Wan 2.1 14B T2V with group offloading on the text encoder (block level) and
# the transformer (leaf level + CUDA stream); the VAE is moved with the pipeline.
import torch
from diffusers import AutoModel, WanPipeline
from diffusers.hooks.group_offloading import apply_group_offloading
from diffusers.utils import export_to_video
from transformers import UMT5EncoderModel

CKPT = "Wan-AI/Wan2.1-T2V-14B-Diffusers"

umt5 = UMT5EncoderModel.from_pretrained(CKPT, subfolder="text_encoder", dtype=torch.bfloat16)
wan_vae = AutoModel.from_pretrained(CKPT, subfolder="vae", dtype=torch.float32)
dit = AutoModel.from_pretrained(CKPT, subfolder="transformer", dtype=torch.bfloat16)

gpu = torch.device("cuda")
host = torch.device("cpu")
apply_group_offloading(umt5, onload_device=gpu, offload_device=host, offload_type="block_level", num_blocks_per_group=4)
dit.enable_group_offload(onload_device=gpu, offload_device=host, offload_type="leaf_level", use_stream=True)

wan = WanPipeline.from_pretrained(CKPT, vae=wan_vae, transformer=dit, text_encoder=umt5, dtype=torch.bfloat16)
wan.to("cuda")

scene = (
    "Low-angle tracking shot of a sea otter floating on its back in a kelp forest, "
    "sunbeams cutting through green water, gentle waves, shallow depth of field."
)
avoid = "overexposed, static frame, blurry details, subtitles, worst quality, jpeg artifacts, extra limbs"

frames = wan(prompt=scene, negative_prompt=avoid, num_frames=81, guidance_scale=5.0).frames[0]
export_to_video(frames, "otter_wan14b.mp4", fps=16)
