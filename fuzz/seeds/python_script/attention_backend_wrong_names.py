# pipefit corpus: attention backend names from other libraries
# (attention-backend-unknown): the misspelt environment variable
# DIFFUSERS_ATTENTION_BACKEND (the variable is DIFFUSERS_ATTN_BACKEND), and
# set_attention_backend("flash_attention_2") (the transformers name; diffusers
# says "flash").
import os

os.environ["DIFFUSERS_ATTENTION_BACKEND"] = "flash"

import torch
from diffusers import QwenImagePipeline

pipe = QwenImagePipeline.from_pretrained("Qwen/Qwen-Image", torch_dtype=torch.bfloat16)
pipe.to("cuda")
pipe.transformer.set_attention_backend("flash_attention_2")

image = pipe("a bookshelf with handwritten labels", num_inference_steps=50).images[0]
image.save("bookshelf.png")
