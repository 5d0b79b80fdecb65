#!/usr/bin/env python
# coding: utf-8

# pipefit corpus: a Colab notebook exported to .py (`# In[n]:` cells, `!pip`
# and `%` magic lines that do not parse). The offload cell was run twice
# (offload-twice, on the second call) and the removed pipeline-level
# enable_vae_tiling is used (pipeline-vae-tiling-removed).

# In[1]:


get_ipython().system('nvidia-smi')
!pip install -q diffusers transformers accelerate
!pip install -q --upgrade safetensors


# In[2]:


import torch
from diffusers import StableDiffusionXLPipeline, EulerAncestralDiscreteScheduler
from IPython.display import display


# In[3]:


pipe = StableDiffusionXLPipeline.from_pretrained(
    "stabilityai/stable-diffusion-xl-base-1.0",
    torch_dtype=torch.float16,
    variant="fp16",
)
pipe.scheduler = EulerAncestralDiscreteScheduler.from_config(pipe.scheduler.config)
pipe.enable_model_cpu_offload()


# In[4]:


# T4 has only 15GB, decode at 2048 needs tiling
pipe.enable_vae_tiling()
pipe.enable_model_cpu_offload()


# In[5]:


%%time
image = pipe(
    "a watercolor painting of a lighthouse at dawn, highly detailed",
    height=2048,
    width=2048,
    num_inference_steps=30,
).images[0]
display(image)


# In[ ]:




