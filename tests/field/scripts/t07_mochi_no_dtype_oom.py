# pattern of https://github.com/huggingface/diffusers/issues/11454
# Mochi-1 preview loaded without a dtype, then model offload and autocast.
import torch
from diffusers import MochiPipeline
from diffusers.utils import export_to_video

mochi = MochiPipeline.from_pretrained("genmo/mochi-1-preview")

# memory savings
mochi.enable_model_cpu_offload()
mochi.enable_vae_tiling()

request = "Macro shot of a hummingbird hovering at a purple flower, iridescent feathers, 4k detail."

with torch.autocast("cuda", torch.bfloat16, cache_enabled=False):
    clip = mochi(request, num_frames=84).frames[0]

export_to_video(clip, "hummingbird_mochi.mp4", fps=30)
