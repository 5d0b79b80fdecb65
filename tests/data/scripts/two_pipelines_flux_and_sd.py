# pipefit corpus: two pipelines in one file. `sd` goes to CUDA and stays there
# (legal); `flux` is model-offloaded and later moved to CUDA by mistake
# (to-after-model-offload, only for flux).
import torch
from diffusers import FluxPipeline, StableDiffusionPipeline

flux = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.bfloat16)
flux.enable_model_cpu_offload()

sd = StableDiffusionPipeline.from_pretrained("stable-diffusion-v1-5/stable-diffusion-v1-5", torch_dtype=torch.float16)
sd.to("cuda")

prompts = ["a red bicycle leaning on a brick wall", "a bowl of ramen, studio photo"]

for i, prompt in enumerate(prompts):
    draft = sd(prompt, num_inference_steps=20).images[0]
    draft.save(f"draft_{i}.png")

flux.to("cuda:0")
for i, prompt in enumerate(prompts):
    final = flux(prompt, num_inference_steps=4, guidance_scale=0.0).images[0]
    final.save(f"final_{i}.png")
