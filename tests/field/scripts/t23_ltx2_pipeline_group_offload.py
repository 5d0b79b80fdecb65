# pattern of https://github.com/asomoza/diffusers-recipes/blob/6eb460f46cfe52830081a902e0066ba1c3482c51/models/ltx2/scripts/t2v_group_offload.py
# LTX-2 text-to-video with pipeline-level group offloading (leaf level, CUDA stream, record_stream).
import os

import torch
from diffusers import LTX2Pipeline
from diffusers.pipelines.ltx2.export_utils import encode_video

accel = torch.device("cuda")
host_mem = torch.device("cpu")

studio = LTX2Pipeline.from_pretrained("Lightricks/LTX-2", torch_dtype=torch.bfloat16)
studio.enable_group_offload(onload_device=accel, offload_device=host_mem, offload_type="leaf_level", use_stream=True, record_stream=True)
studio.vae.enable_tiling()

brief = (
    "Handheld shot inside a bustling night market, sizzling woks, steam and neon signs, "
    "a vendor flips noodles high into the air, crowd chatter and clanging pans."
)
skip = "worst quality, inconsistent motion, blurry, jittery, distorted"

fr = 24.0
vid, snd = studio(
    prompt=brief,
    negative_prompt=skip,
    width=768,
    height=512,
    num_frames=121,
    frame_rate=fr,
    num_inference_steps=40,
    guidance_scale=4.0,
    generator=torch.Generator("cuda").manual_seed(42),
    output_type="np",
    return_dict=False,
)
vid = torch.from_numpy((vid * 255).round().astype("uint8"))

os.makedirs("./renders", exist_ok=True)
encode_video(
    vid[0],
    fps=fr,
    audio=snd[0].float().cpu(),
    audio_sample_rate=studio.vocoder.config.output_sampling_rate,
    output_path="./renders/night_market.mp4",
)
