# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/hunyuan_video15.md
# HunyuanVideo-1.5 480p T2V with model offload, VAE tiling and the FlashAttention hub kernel.
import torch
from diffusers import HunyuanVideo15Pipeline
from diffusers.utils import export_to_video

hv15 = HunyuanVideo15Pipeline.from_pretrained("hunyuanvideo-community/HunyuanVideo-1.5-Diffusers-480p_t2v", dtype=torch.bfloat16)

hv15.enable_model_cpu_offload()
hv15.vae.enable_tiling()

# variable-length masks: an attention backend that handles padding is faster (A100 / 4090 class)
hv15.transformer.set_attention_backend("flash_hub")

story = "A child in a yellow raincoat jumps into a puddle, splashes freeze mid-air, overcast street."
clip = hv15(prompt=story, num_frames=61, num_inference_steps=30).frames[0]
export_to_video(clip, "puddle_jump.mp4", fps=15)
