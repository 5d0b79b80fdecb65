# pattern of https://github.com/huggingface/diffusers/issues/8644
# SD3-medium from the single-file checkpoint that bundles the CLIP encoders, with the T5
# encoder (fp16 variant files) loaded separately and handed in; sequential CPU offload.
import os

import diffusers
import transformers

os.environ.setdefault("HF_TOKEN", "hf_xxx")

t5_xxl = transformers.T5EncoderModel.from_pretrained(
    "stabilityai/stable-diffusion-3-medium-diffusers", subfolder="text_encoder_3", variant="fp16"
)
print("T5 loaded on", t5_xxl.device)

sd3 = diffusers.StableDiffusion3Pipeline.from_single_file(
    "https://huggingface.co/stabilityai/stable-diffusion-3-medium/blob/main/sd3_medium_incl_clips.safetensors",
    text_encoder_3=t5_xxl,
)

sd3.enable_sequential_cpu_offload()

result = sd3(prompt="a paper boat floating on a puddle after the rain").images[0]
result.save("sd3_paper_boat.png")
