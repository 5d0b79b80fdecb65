# pattern of https://github.com/huggingface/diffusers/issues/10239
# HunyuanVideo on a 24 GB card using sequential CPU offload.
import torch
from diffusers import HunyuanVideoPipeline, HunyuanVideoTransformer3DModel
from diffusers.utils import export_to_video

hub_id = "tencent/HunyuanVideo"
core = HunyuanVideoTransformer3DModel.from_pretrained(hub_id, subfolder="transformer", torch_dtype=torch.bfloat16)
hunyuan = HunyuanVideoPipeline.from_pretrained(hub_id, transformer=core, torch_dtype=torch.float16)
hunyuan.vae.enable_tiling()
hunyuan.enable_sequential_cpu_offload()

reel = hunyuan(
    prompt="A sailboat gliding past icebergs under a pale sun, realistic",
    height=320,
    width=512,
    num_frames=61,
    num_inference_steps=30,
).frames[0]
export_to_video(reel, "sailboat_icebergs.mp4", fps=15)
