# pattern of https://github.com/huggingface/diffusers/blob/00eaa475ca1a5f112c0d20413115347ecc0c71e2/docs/source/en/api/pipelines/qwenimage.md
# Qwen-Image with the 8-step Lightning LoRA: scheduler config from the distillation
# (shift=3, exponential time shift), bf16 pipeline on the GPU, CFG off.
import math

import torch
from diffusers import DiffusionPipeline, FlowMatchEulerDiscreteScheduler

MODEL = "Qwen/Qwen-Image"

distilled_sched = FlowMatchEulerDiscreteScheduler.from_config(
    {
        "base_image_seq_len": 256,
        "base_shift": math.log(3),
        "invert_sigmas": False,
        "max_image_seq_len": 8192,
        "max_shift": math.log(3),
        "num_train_timesteps": 1000,
        "shift": 1.0,
        "shift_terminal": None,
        "stochastic_sampling": False,
        "time_shift_type": "exponential",
        "use_beta_sigmas": False,
        "use_dynamic_shifting": True,
        "use_exponential_sigmas": False,
        "use_karras_sigmas": False,
    }
)
qwen = DiffusionPipeline.from_pretrained(MODEL, scheduler=distilled_sched, torch_dtype=torch.bfloat16).to("cuda")
qwen.load_lora_weights("lightx2v/Qwen-Image-Lightning", weight_name="Qwen-Image-Lightning-8steps-V1.0.safetensors")

image = qwen(
    prompt="a paper lantern festival over a river, calligraphy banner that says 'SPRING', Ultra HD, 4K",
    negative_prompt=" ",
    width=1024,
    height=1024,
    num_inference_steps=8,
    true_cfg_scale=1.0,
    generator=torch.manual_seed(0),
).images[0]
image.save("lantern_festival_8steps.png")
