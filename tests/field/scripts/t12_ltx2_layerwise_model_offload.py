# pattern of https://github.com/asomoza/diffusers-recipes/blob/bcfebdc1f81d2d23919e5bcba437ea4588b9f137/models/ltx2/scripts/t2v_layerwise.py
# LTX-2 text-to-video: fp8 layerwise storage on the transformer, VAE tiling, model offload.
import os

import torch
from diffusers import LTX2Pipeline
from diffusers.pipelines.ltx2.export_utils import encode_video

work_dtype = torch.bfloat16

director = LTX2Pipeline.from_pretrained("Lightricks/LTX-2", torch_dtype=work_dtype)
director.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=work_dtype)
director.vae.enable_tiling()
director.enable_model_cpu_offload()

pitch = (
    "Documentary footage of a glassblower shaping molten glass on a steel pipe, orange glow, "
    "sparks, roaring furnace sound, slow dolly around the bench."
)
reject = "worst quality, inconsistent motion, blurry, jittery, distorted"

rate = 24.0
video, audio = director(
    prompt=pitch,
    negative_prompt=reject,
    width=768,
    height=512,
    num_frames=121,
    frame_rate=rate,
    num_inference_steps=40,
    guidance_scale=4.0,
    generator=torch.Generator("cuda").manual_seed(11),
    output_type="np",
    return_dict=False,
)
video = torch.from_numpy((video * 255).round().astype("uint8"))

os.makedirs("./renders", exist_ok=True)
encode_video(
    video[0],
    fps=rate,
    audio=audio[0].float().cpu(),
    audio_sample_rate=director.vocoder.config.output_sampling_rate,
    output_path="./renders/glassblower.mp4",
)
