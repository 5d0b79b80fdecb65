#!/usr/bin/env python
# coding: utf-8

# pipefit corpus (negative): a notebook that does everything right for LTX-Video:
# model offload once, the VAE's own tiling and slicing, a valid attention
# backend through the DIFFUSERS_ATTN_BACKEND variable, bf16. The `!pip` and
# `%env` lines do not parse. Expected: no findings.

# In[1]:


!pip install -q git+https://github.com/huggingface/diffusers.git
%env DIFFUSERS_ATTN_CHECKS=1


# In[2]:


import os

os.environ["DIFFUSERS_ATTN_BACKEND"] = "flash_hub"

import torch
from diffusers import LTXPipeline
from diffusers.utils import export_to_video


# In[3]:


pipe = LTXPipeline.from_pretrained("Lightricks/LTX-Video", torch_dtype=torch.bfloat16)
pipe.enable_model_cpu_offload()
pipe.vae.enable_tiling()
pipe.vae.enable_slicing()


# In[4]:


prompt = "A woman with long brown hair and light skin smiles at another woman with long blonde hair"
negative_prompt = "worst quality, inconsistent motion, blurry, jittery, distorted"
video = pipe(
    prompt=prompt,
    negative_prompt=negative_prompt,
    width=704,
    height=480,
    num_frames=161,
    num_inference_steps=50,
).frames[0]
export_to_video(video, "ltx_output.mp4", fps=24)
