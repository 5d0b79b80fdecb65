#!/usr/bin/env python
# coding: utf-8

# pipefit corpus: a Kaggle notebook exported to .py. FLUX.1-schnell (stored in
# bf16) loaded in fp16 (fp16-for-bf16-model), sequential offload
# (sequential-offload-legacy) and a later cell that moves the pipeline to
# CUDA anyway (to-after-sequential-offload). The `!pip` lines do not parse.

# In[1]:


!pip install -U diffusers transformers accelerate sentencepiece protobuf


# In[2]:


import torch
from diffusers import FluxPipeline

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.float16)
pipe.enable_model_cpu_offload()


# In[3]:


prompt = "A cat holding a sign that says hello world"
image = pipe(
    prompt,
    guidance_scale=0.0,
    num_inference_steps=4,
    max_sequence_length=256,
    generator=torch.Generator("cpu").manual_seed(0),
).images[0]
image


# In[4]:


# too slow, try GPU
image = pipe(prompt, guidance_scale=0.0, num_inference_steps=4).images[0]
image.save("flux-schnell.png")
