# pattern of https://github.com/lum3on/comfyui_HiDream-Sampler/issues/6
# ComfyUI node that loads HiDream-I1 (nf4 transformer + GPTQ Llama-3.1 text encoder) and
# caches the pipeline; the loader places every part "by hand" and then asks for offload.
import gc

import comfy.model_management
import numpy as np
import torch
from diffusers import HiDreamImagePipeline, HiDreamImageTransformer2DModel
from transformers import AutoTokenizer, LlamaForCausalLM

from .hi_diffusers.schedulers.flash_flow_match import FlashFlowMatchEulerDiscreteScheduler

HIDREAM_REPO = "azaneko/HiDream-I1-Fast-nf4"
LLAMA_GPTQ = "hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4"
WEIGHT_DTYPE = torch.bfloat16


def build_hidream():
    target = comfy.model_management.get_torch_device()

    tokenizer = AutoTokenizer.from_pretrained(LLAMA_GPTQ, use_fast=False)
    llama = LlamaForCausalLM.from_pretrained(
        LLAMA_GPTQ,
        torch_dtype=WEIGHT_DTYPE,
        low_cpu_mem_usage=True,
        device_map="auto",
    )

    dit = HiDreamImageTransformer2DModel.from_pretrained(
        HIDREAM_REPO, subfolder="transformer", torch_dtype=WEIGHT_DTYPE, low_cpu_mem_usage=True
    )
    dit.to(target)

    sampler = FlashFlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=3.0, use_dynamic_shifting=False)
    pipe = HiDreamImagePipeline.from_pretrained(
        HIDREAM_REPO,
        scheduler=sampler,
        tokenizer_4=tokenizer,
        text_encoder_4=llama,
        transformer=None,
        torch_dtype=WEIGHT_DTYPE,
        low_cpu_mem_usage=True,
    )
    pipe.transformer = dit

    try:
        pipe.to(target)  # "final check" that everything sits on the compute device
    except Exception as err:
        print(f"could not move the pipeline to {target}: {err}")

    pipe.enable_sequential_cpu_offload(gpu_id=0)
    return pipe


class HiDreamFastSampler:
    _cache = None

    @classmethod
    def INPUT_TYPES(cls):
        return {
            "required": {
                "prompt": ("STRING", {"multiline": True, "default": "A watercolor fox in a snowy forest"}),
                "seed": ("INT", {"default": 0, "min": 0, "max": 0xFFFFFFFF}),
            }
        }

    RETURN_TYPES = ("IMAGE",)
    FUNCTION = "generate"
    CATEGORY = "HiDream"

    def generate(self, prompt, seed):
        if HiDreamFastSampler._cache is None:
            gc.collect()
            HiDreamFastSampler._cache = build_hidream()
        pipe = HiDreamFastSampler._cache
        gen = torch.Generator(device=comfy.model_management.get_torch_device()).manual_seed(seed)
        img = pipe(prompt, height=1024, width=1024, guidance_scale=0.0, num_inference_steps=16, generator=gen).images[0]
        img.save("hidream_fast.png")
        pixels = torch.from_numpy(np.array(img).astype(np.float32) / 255.0)[None]
        return (pixels,)


NODE_CLASS_MAPPINGS = {"HiDreamFastSampler": HiDreamFastSampler}
