# pattern of https://github.com/unslothai/unsloth/issues/3896
# Pre-quantized (bnb 4-bit) Qwen-Image checkpoint: the whole pipeline is moved to cuda
# first and model CPU offload is enabled afterwards (Kaggle, 2 x T4 16 GB).
# The generation call is not shown in the report.
import torch
from diffusers import DiffusionPipeline

qwen_pipe = DiffusionPipeline.from_pretrained(
    "unsloth/Qwen-Image-2512-unsloth-bnb-4bit",
    torch_dtype=torch.bfloat16,
).to("cuda")

# the user added this line "if you run out of memory"
qwen_pipe.enable_model_cpu_offload()
