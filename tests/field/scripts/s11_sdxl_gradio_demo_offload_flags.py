# pattern of https://github.com/TonyLianLong/stable-diffusion-xl-demo/blob/1641a2e5ace2d0770e9c1b1d5226e02dcad30980/app.py
# SDXL base + refiner Gradio demo. Environment flags pick, per pipeline, either model CPU
# offload or a plain move to the GPU (never both); MULTI_GPU wraps the UNet instead.
import os

import gradio as gr
import torch
from diffusers import DiffusionPipeline

from helper import UNetDataParallel

models_root = os.getenv("SDXL_MODEL_DIR")
if models_root:
    base_id = os.path.join(models_root, "stable-diffusion-xl-base-1.0")
    refiner_id = os.path.join(models_root, "stable-diffusion-xl-refiner-1.0")
else:
    base_id = "stabilityai/stable-diffusion-xl-base-1.0"
    refiner_id = "stabilityai/stable-diffusion-xl-refiner-1.0"


def flag(name, default):
    return os.getenv(name, default).lower() == "true"


use_refiner = flag("ENABLE_REFINER", "true")
offload_base = flag("OFFLOAD_BASE", "true")
offload_refiner = flag("OFFLOAD_REFINER", "true")
multi_gpu = flag("MULTI_GPU", "false")

base = DiffusionPipeline.from_pretrained(base_id, torch_dtype=torch.float16, use_safetensors=True, variant="fp16")
if multi_gpu:
    base.unet = UNetDataParallel(base.unet)
    base.to("cuda")
elif offload_base:
    base.enable_model_cpu_offload()
else:
    base.to("cuda")

refiner = None
if use_refiner:
    refiner = DiffusionPipeline.from_pretrained(
        refiner_id, torch_dtype=torch.float16, use_safetensors=True, variant="fp16"
    )
    if multi_gpu:
        refiner.unet = UNetDataParallel(refiner.unet)
        refiner.to("cuda")
    elif offload_refiner:
        refiner.enable_model_cpu_offload()
    else:
        refiner.to("cuda")


def infer(prompt, negative, scale, samples=4, steps=50, refine_strength=0.3, seed=-1):
    prompts, negatives = [prompt] * samples, [negative] * samples
    gen = torch.Generator(device="cuda")
    if seed != -1:
        gen.manual_seed(int(seed))
    else:
        gen.seed()

    if refiner is None:
        return base(prompt=prompts, negative_prompt=negatives, guidance_scale=scale,
                    num_inference_steps=steps, generator=gen).images

    latents = base(prompt=prompts, negative_prompt=negatives, guidance_scale=scale,
                   num_inference_steps=steps, output_type="latent", generator=gen).images
    torch.cuda.empty_cache()
    return refiner(prompt=prompts, negative_prompt=negatives, image=latents, num_inference_steps=steps,
                   strength=refine_strength, generator=gen).images


with gr.Blocks() as demo:
    text = gr.Textbox(label="Prompt", value="A lighthouse on a cliff, oil painting, dramatic sky")
    negative = gr.Textbox(label="Negative prompt", value="low quality")
    scale = gr.Slider(0, 50, value=9, step=0.1, label="Guidance scale")
    samples = gr.Slider(1, 4, value=4, step=1, label="Images")
    steps = gr.Slider(1, 250, value=50, step=1, label="Steps")
    gallery = gr.Gallery(label="Generated images")
    gr.Button("Generate").click(infer, inputs=[text, negative, scale, samples, steps], outputs=gallery)

demo.queue().launch(share=flag("SHARE", "false"))
