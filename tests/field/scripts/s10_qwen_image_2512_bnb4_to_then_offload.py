# pattern of https://github.com/unslothai/unsloth/issues/3896
# Kaggle notebook (2x T4 16 GB) flattened: the pre-quantized 4-bit Qwen-Image-2512 pipeline,
# with the "uncomment if you run out of memory" offload line switched on.
import torch
from diffusers import DiffusionPipeline

qimg = DiffusionPipeline.from_pretrained(
    "unsloth/Qwen-Image-2512-unsloth-bnb-4bit",
    torch_dtype=torch.bfloat16,
).to("cuda")

# uncomment if you run out of memory
qimg.enable_model_cpu_offload()

prompt = "A cozy bookshop window at dusk, warm lights, a chalkboard sign reading 'POETRY NIGHT'"
shot = qimg(
    prompt=prompt,
    negative_prompt=" ",
    width=1328,
    height=1328,
    num_inference_steps=50,
    true_cfg_scale=4.0,
    generator=torch.Generator(device="cuda").manual_seed(11),
).images[0]
shot.save("bookshop_qwen2512.png")
