# pattern of https://github.com/instantX-research/InstantID/issues/34
# Gradio app for InstantID on SDXL checkpoints. Each time the base checkpoint changes the
# pipeline is rebuilt and the same "runtime settings" helper is applied to it.
import cv2
import diffusers
import gradio as gr
import numpy as np
import torch
from diffusers.models import ControlNetModel
from diffusers.utils import load_image
from insightface.app import FaceAnalysis

from pipeline_stable_diffusion_xl_instantid_full import StableDiffusionXLInstantIDPipeline, draw_kps

DEVICE = "cuda"
FACE_ADAPTER = "./checkpoints/ip-adapter.bin"
IDENTITYNET_DIR = "./checkpoints/ControlNetModel"

faces = FaceAnalysis(name="antelopev2", root="./", providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
faces.prepare(ctx_id=0, det_size=(640, 640))

identitynet = ControlNetModel.from_pretrained(IDENTITYNET_DIR, torch_dtype=torch.float16)
pipe = None


def apply_runtime_settings():
    global pipe
    pipe.enable_model_cpu_offload()
    pipe.enable_xformers_memory_efficient_attention()
    pipe.to(DEVICE)
    pipe.scheduler = diffusers.EulerDiscreteScheduler.from_config(pipe.scheduler.config)
    pipe.load_ip_adapter_instantid(FACE_ADAPTER)
    torch.cuda.empty_cache()


def load_base(checkpoint="wangqixun/YamerMIX_v8"):
    global pipe
    if checkpoint.endswith((".ckpt", ".safetensors")):
        pipe = StableDiffusionXLInstantIDPipeline.from_single_file(
            checkpoint, controlnet=identitynet, torch_dtype=torch.float16
        )
    else:
        pipe = StableDiffusionXLInstantIDPipeline.from_pretrained(
            checkpoint, controlnet=identitynet, torch_dtype=torch.float16
        )
    apply_runtime_settings()
    return f"Base checkpoint ready: {checkpoint}"


def restyle(face_path, prompt, negative_prompt, steps, identity_strength):
    portrait = load_image(face_path)
    detected = faces.get(cv2.cvtColor(np.array(portrait), cv2.COLOR_RGB2BGR))
    biggest = max(detected, key=lambda f: (f["bbox"][2] - f["bbox"][0]) * (f["bbox"][3] - f["bbox"][1]))
    landmarks = draw_kps(portrait, biggest["kps"])
    styled = pipe(
        prompt=prompt,
        negative_prompt=negative_prompt,
        image_embeds=biggest["embedding"],
        image=landmarks,
        controlnet_conditioning_scale=float(identity_strength),
        ip_adapter_scale=float(identity_strength),
        num_inference_steps=int(steps),
        guidance_scale=5.0,
        height=1024,
        width=1024,
    ).images[0]
    styled.save("instantid_styled.png")
    return styled


load_base()

with gr.Blocks() as demo:
    checkpoint_box = gr.Textbox(value="wangqixun/YamerMIX_v8", label="Base checkpoint")
    status = gr.Markdown()
    gr.Button("Load checkpoint").click(load_base, inputs=checkpoint_box, outputs=status)
    face_in = gr.Image(type="filepath", label="Face photo")
    prompt_in = gr.Textbox(value="watercolor portrait, autumn park, soft light", label="Prompt")
    negative_in = gr.Textbox(value="lowres, blurry, watermark", label="Negative prompt")
    steps_in = gr.Slider(10, 50, value=30, step=1, label="Steps")
    strength_in = gr.Slider(0.0, 1.5, value=0.8, step=0.05, label="Identity strength")
    result = gr.Image(label="Result")
    gr.Button("Generate").click(
        restyle, inputs=[face_in, prompt_in, negative_in, steps_in, strength_in], outputs=result
    )

demo.launch()
