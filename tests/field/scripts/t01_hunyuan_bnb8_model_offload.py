# pattern of https://github.com/huggingface/diffusers/issues/10653
# HunyuanVideo with an 8-bit bitsandbytes transformer, then model CPU offload.
import torch
from diffusers import BitsAndBytesConfig, HunyuanVideoPipeline, HunyuanVideoTransformer3DModel
from diffusers.utils import export_to_video

REPO = "hunyuanvideo-community/HunyuanVideo"

int8_cfg = BitsAndBytesConfig(load_in_8bit=True)
dit = HunyuanVideoTransformer3DModel.from_pretrained(REPO, subfolder="transformer", quantization_config=int8_cfg, torch_dtype=torch.bfloat16)

video_pipe = HunyuanVideoPipeline.from_pretrained(REPO, transformer=dit, torch_dtype=torch.float16)
video_pipe.enable_model_cpu_offload()
video_pipe.vae.enable_tiling()

clip = video_pipe(
    prompt="A red fox trotting through fresh snow at dawn, cinematic",
    height=320,
    width=512,
    num_frames=61,
    num_inference_steps=30,
).frames[0]
export_to_video(clip, "fox_hunyuan_int8.mp4", fps=15)
