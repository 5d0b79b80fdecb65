# pattern of https://github.com/asomoza/diffusers-recipes/blob/5be7d49f397dc05986f02ca8c1914cf0e013ddc8/models/ltx2/scripts/i2v_gguf.py
# LTX-2 image-to-video with a GGUF Q4_K_M transformer and model CPU offload.
import os

import torch
from diffusers import GGUFQuantizationConfig, LTX2VideoTransformer3DModel
from diffusers.pipelines.ltx2 import LTX2ImageToVideoPipeline
from diffusers.pipelines.ltx2.export_utils import encode_video
from diffusers.utils import load_image

BASE = "Lightricks/LTX-2"
GGUF_URL = "https://huggingface.co/unsloth/LTX-2-GGUF/blob/main/ltx-2-19b-dev-Q4_K_M.gguf"
half = torch.bfloat16

gguf_cfg = GGUFQuantizationConfig(compute_dtype=half)
ltx2_dit = LTX2VideoTransformer3DModel.from_single_file(GGUF_URL, config=BASE, subfolder="transformer", quantization_config=gguf_cfg)

animator = LTX2ImageToVideoPipeline.from_pretrained(BASE, transformer=ltx2_dit, torch_dtype=half)
animator.enable_model_cpu_offload()

first_frame = load_image("lighthouse.jpg")
story = "Waves crash against a lighthouse during a storm, the beam sweeps through rain, slow push-in, thunder rumbles."
avoid = "shaky, glitchy, low quality, distorted, motion smear, static"

fps = 24.0
frames, audio = animator(
    image=first_frame,
    prompt=story,
    negative_prompt=avoid,
    width=768,
    height=512,
    num_frames=121,
    frame_rate=fps,
    num_inference_steps=40,
    guidance_scale=4.0,
    output_type="np",
    return_dict=False,
)
frames = torch.from_numpy((frames * 255).round().astype("uint8"))

os.makedirs("./renders", exist_ok=True)
encode_video(
    frames[0],
    fps=fps,
    audio=audio[0].float().cpu(),
    audio_sample_rate=animator.vocoder.config.output_sampling_rate,
    output_path="./renders/lighthouse_gguf.mp4",
)
