# pattern of https://github.com/dkackman/diffusers-workflow/blob/773888b669c744a5c319b0ffc6d6fe06d2af8b5f/dw/w.py
# Wan 2.2 TI2V-5B text-to-video with an fp32 VAE.
import torch
from diffusers import AutoencoderKLWan, WanPipeline
from diffusers.utils import export_to_video

compute_dtype = torch.bfloat16
target = "cuda"
repo_id = "Wan-AI/Wan2.2-TI2V-5B-Diffusers"

wan_vae = AutoencoderKLWan.from_pretrained(repo_id, subfolder="vae", torch_dtype=torch.float32).to("cpu")
pipeline = WanPipeline.from_pretrained(repo_id, vae=wan_vae, torch_dtype=compute_dtype)
pipeline.to(target)
pipeline.enable_model_cpu_offload()

H, W, T = 480, 640, 121
description = "Two robot chefs juggling pancakes in a busy diner kitchen, neon signs, steam rising."
negatives = "oversaturated, overexposed, static, blurry, subtitles, low quality, jpeg artifacts, deformed hands"

result = pipeline(
    prompt=description,
    negative_prompt=negatives,
    height=H,
    width=W,
    num_frames=T,
    guidance_scale=5.0,
    num_inference_steps=50,
).frames[0]
export_to_video(result, "robot_chefs.mp4", fps=24)
