# pattern of https://huggingface.co/spaces/cocktailpeanut/flux/commit/4f501689457088b975a6d6ea43ef8bd351123417
# Gradio Space for FLUX.1-schnell on consumer GPUs / Macs: the T5 encoder and the transformer
# are quantized to qfloat8 with optimum-quanto, the pipeline is assembled from parts, moved to
# the detected device, and then model CPU offload is switched on.
import random

import devicetorch
import gradio as gr
import torch
from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler
from diffusers.models.transformers.transformer_flux import FluxTransformer2DModel
from diffusers.pipelines.flux.pipeline_flux import FluxPipeline
from optimum.quanto import freeze, qfloat8, quantize
from transformers import CLIPTextModel, CLIPTokenizer, T5EncoderModel, T5TokenizerFast

DEVICE = devicetorch.get(torch)
WEIGHTS = torch.bfloat16
REPO = "black-forest-labs/FLUX.1-schnell"
pipe = None


def init():
    global pipe
    sched = FlowMatchEulerDiscreteScheduler.from_pretrained(REPO, subfolder="scheduler")
    clip = CLIPTextModel.from_pretrained("openai/clip-vit-large-patch14", torch_dtype=WEIGHTS)
    clip_tok = CLIPTokenizer.from_pretrained("openai/clip-vit-large-patch14")
    t5 = T5EncoderModel.from_pretrained(REPO, subfolder="text_encoder_2", torch_dtype=WEIGHTS)
    t5_tok = T5TokenizerFast.from_pretrained(REPO, subfolder="tokenizer_2")
    ae = AutoencoderKL.from_pretrained(REPO, subfolder="vae", torch_dtype=WEIGHTS)
    dit = FluxTransformer2DModel.from_pretrained(REPO, subfolder="transformer", torch_dtype=WEIGHTS)

    quantize(dit, weights=qfloat8)
    freeze(dit)
    quantize(t5, weights=qfloat8)
    freeze(t5)

    pipe = FluxPipeline(
        scheduler=sched,
        text_encoder=clip,
        tokenizer=clip_tok,
        text_encoder_2=None,
        tokenizer_2=t5_tok,
        vae=ae,
        transformer=None,
    ).to(DEVICE)
    pipe.text_encoder_2 = t5
    pipe.transformer = dit
    pipe.enable_model_cpu_offload()


def infer(prompt, seed=42, randomize_seed=False, width=1024, height=1024, num_inference_steps=4):
    if randomize_seed:
        seed = random.randint(0, 2**31 - 1)
    gen = torch.Generator().manual_seed(int(seed))
    image = pipe(
        prompt=prompt,
        width=int(width),
        height=int(height),
        num_inference_steps=int(num_inference_steps),
        generator=gen,
        guidance_scale=0.0,
    ).images[0]
    image.save("last_flux_schnell.png")
    return image, seed


init()

with gr.Blocks() as demo:
    prompt = gr.Text(label="Prompt", placeholder="Enter your prompt")
    seed = gr.Slider(0, 2**31 - 1, value=42, step=1, label="Seed")
    randomize = gr.Checkbox(value=True, label="Randomize seed")
    width = gr.Slider(256, 2048, value=1024, step=32, label="Width")
    height = gr.Slider(256, 2048, value=1024, step=32, label="Height")
    steps = gr.Slider(1, 50, value=4, step=1, label="Steps")
    result = gr.Image(label="Result")
    gr.Button("Run").click(infer, inputs=[prompt, seed, randomize, width, height, steps], outputs=[result, seed])

demo.launch()
