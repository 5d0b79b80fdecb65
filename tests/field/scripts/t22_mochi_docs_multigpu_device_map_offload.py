# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/mochi.md
# Mochi "multiple GPUs" recipe: split the transformer over two 24 GB cards with device_map,
# then also enable model CPU offload on the pipeline.
import torch
from diffusers import MochiPipeline, MochiTransformer3DModel
from diffusers.utils import export_to_video

mochi_id = "genmo/mochi-1-preview"
split_dit = MochiTransformer3DModel.from_pretrained(mochi_id, subfolder="transformer", device_map="auto", max_memory={0: "24GB", 1: "24GB"})

mochi = MochiPipeline.from_pretrained(mochi_id, transformer=split_dit)
mochi.enable_model_cpu_offload()
mochi.vae.enable_tiling()

with torch.autocast(device_type="cuda", dtype=torch.bfloat16, cache_enabled=False):
    frames = mochi(
        prompt="Slow pan across a miniature model railway village at night, tiny lit windows, tilt-shift look.",
        negative_prompt="",
        height=480,
        width=848,
        num_frames=85,
        num_inference_steps=50,
        guidance_scale=4.5,
        num_videos_per_prompt=1,
        generator=torch.Generator(device="cuda").manual_seed(3),
        max_sequence_length=256,
        output_type="pil",
    ).frames[0]

export_to_video(frames, "model_railway.mp4", fps=30)
