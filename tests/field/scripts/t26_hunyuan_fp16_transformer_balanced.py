# pattern of https://github.com/Tencent-Hunyuan/HunyuanVideo/issues/229
# HunyuanVideo from a local diffusers-format copy, pipeline split with device_map="balanced".
import torch
from diffusers import HunyuanVideoPipeline, HunyuanVideoTransformer3DModel
from diffusers.utils import export_to_video

local_dir = "./models/hunyuanvideo-community/HunyuanVideo"
backbone = HunyuanVideoTransformer3DModel.from_pretrained(local_dir, subfolder="transformer", torch_dtype=torch.float16)
pipe = HunyuanVideoPipeline.from_pretrained(local_dir, transformer=backbone, torch_dtype=torch.float16, device_map="balanced")

# memory savings
pipe.vae.enable_tiling()
# pipe.enable_model_cpu_offload()

frames = pipe(
    prompt="A heron stands still in a misty marsh, then takes flight, realistic",
    height=320,
    width=512,
    num_frames=61,
    num_inference_steps=30,
    generator=torch.Generator("cpu").manual_seed(0),
).frames[0]
export_to_video(frames, "heron_marsh.mp4", fps=15)
