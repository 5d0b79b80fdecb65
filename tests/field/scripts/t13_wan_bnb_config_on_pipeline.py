# pattern of https://github.com/zlaval/llm_engineering/blob/e8e1260fddf5d2dd98b08e9661f7b744404e357f/video_gen.py
# Wan 2.1 1.3B with a transformers BitsAndBytesConfig handed to the VAE and to the pipeline loader.
import torch
from diffusers import AutoencoderKLWan, WanPipeline
from diffusers.schedulers.scheduling_unipc_multistep import UniPCMultistepScheduler
from diffusers.utils import export_to_video
from transformers import BitsAndBytesConfig

four_bit = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_use_double_quant=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
)

model_name = "Wan-AI/Wan2.1-T2V-1.3B-Diffusers"
decoder = AutoencoderKLWan.from_pretrained(model_name, subfolder="vae", torch_dtype=torch.float32, quantization_config=four_bit)
sampler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, num_train_timesteps=1000, flow_shift=5.0)

t2v = WanPipeline.from_pretrained(model_name, vae=decoder, torch_dtype=torch.bfloat16, quantization_config=four_bit)
t2v.scheduler = sampler
t2v.to("cuda")

positive = "A golden retriever puppy chasing soap bubbles in a sunny backyard, slow motion."
negative = "bright tones, overexposed, static, blurred details, subtitles, worst quality, low quality, deformed"

out = t2v(prompt=positive, negative_prompt=negative, height=1248, width=832, num_frames=33, guidance_scale=5.0).frames[0]
export_to_video(out, "puppy_bubbles.mp4", fps=16)
