# pattern of https://github.com/huggingface/diffusers/issues/10999
# Colab-style notebook flattened: Wan 2.1 I2V 14B with group offloading to fit a small GPU.
import torch
from diffusers import WanImageToVideoPipeline
from diffusers.hooks import apply_group_offloading
from diffusers.utils import export_to_video
from PIL import Image

gpu = torch.device("cuda")
cpu = torch.device("cpu")
checkpoint = "Wan-AI/Wan2.1-I2V-14B-480P-Diffusers"
i2v = WanImageToVideoPipeline.from_pretrained(checkpoint)

i2v.transformer.enable_group_offload(onload_device=gpu, offload_device=cpu, offload_type="block_level", num_blocks_per_group=2)
apply_group_offloading(i2v.text_encoder, onload_device=gpu, offload_type="block_level", num_blocks_per_group=2)
apply_group_offloading(i2v.vae, onload_device=gpu, offload_type="block_level", num_blocks_per_group=2)


def animate(out_path, picture, text, seed=0, width=832, height=480, num_frames=81, steps=30, cfg=5.0, fps=16):
    clip = i2v(
        image=picture,
        prompt=text,
        generator=torch.Generator(device=i2v.device).manual_seed(seed),
        width=width,
        height=height,
        num_frames=num_frames,
        num_inference_steps=steps,
        guidance_scale=cfg,
    ).frames[0]
    export_to_video(clip, out_path, fps=fps)


animate("/content/koi.mp4", Image.open("/content/koi.png"), "koi fish circling slowly in a moss-covered pond")
