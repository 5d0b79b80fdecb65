# pattern of https://github.com/efeslab/ConsumerBench/blob/745a2b9ebc434870e3f3889df204cda58d5e2dc5/scripts/test_imagegen.py
# Image-generation smoke test for a consumer-GPU benchmark: SD3.5 Large without the T5
# encoder, loaded from a tmpfs copy of the repo, fully on the GPU.
import torch
from diffusers import StableDiffusion3Pipeline

LOCAL_SD35 = "/mnt/tmpfs/models/stable-diffusion-3.5-large"

sd35 = StableDiffusion3Pipeline.from_pretrained(
    LOCAL_SD35,
    text_encoder_3=None,
    tokenizer_3=None,
    torch_dtype=torch.float16,
)
sd35 = sd35.to("cuda")

img = sd35(
    "A red panda reading a newspaper on a park bench",
    num_inference_steps=28,
    guidance_scale=3.5,
).images[0]
img.save("bench_sd35_large.png")
