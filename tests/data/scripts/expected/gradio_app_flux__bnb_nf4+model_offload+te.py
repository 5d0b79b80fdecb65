# pipefit corpus: a Gradio Space app file that builds the pipeline inside a
# function. Uses the removed pipeline-level enable_vae_slicing
# (pipeline-vae-tiling-removed); model offload once is fine.
import random

import gradio as gr
import numpy as np
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

MAX_SEED = np.iinfo(np.int32).max
MODEL_ID = "black-forest-labs/FLUX.1-dev"


def load_pipeline():
    pipeline_quant_config = PipelineQuantizationConfig(
        quant_backend="bitsandbytes_4bit",
        quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
        components_to_quantize=["transformer", "text_encoder_2"],
    )
    pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16, quantization_config=pipeline_quant_config, device_map="cpu")
    pipe.enable_model_cpu_offload()
    return pipe


pipe = None


def infer(prompt, seed=42, randomize_seed=False, width=1024, height=1024, guidance_scale=3.5, steps=28):
    global pipe
    if pipe is None:
        pipe = load_pipeline()
    if randomize_seed:
        seed = random.randint(0, MAX_SEED)
    generator = torch.Generator().manual_seed(seed)
    image = pipe(
        prompt=prompt,
        width=width,
        height=height,
        num_inference_steps=steps,
        generator=generator,
        guidance_scale=guidance_scale,
    ).images[0]
    return image, seed


with gr.Blocks() as demo:
    gr.Markdown("# FLUX.1 [dev]")
    with gr.Row():
        prompt = gr.Text(label="Prompt", placeholder="Enter your prompt", max_lines=1)
        run_button = gr.Button("Run")
    result = gr.Image(label="Result")
    seed = gr.Slider(label="Seed", minimum=0, maximum=MAX_SEED, step=1, value=0)
    randomize_seed = gr.Checkbox(label="Randomize seed", value=True)
    run_button.click(infer, inputs=[prompt, seed, randomize_seed], outputs=[result, seed])

if __name__ == "__main__":
    demo.launch()
