# pipefit corpus: CUDA-graph compile modes on a model-offloaded pipeline
# (cudagraphs-with-offload); the VAE's compile uses a mode without CUDA
# graphs (near miss, no finding).
import torch
from diffusers import FluxPipeline

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16)
pipe.enable_model_cpu_offload()
pipe.transformer.compile_repeated_blocks(fullgraph=True, mode="max-autotune")
pipe.vae.decode = torch.compile(pipe.vae.decode, mode="max-autotune-no-cudagraphs")

image = pipe("a glass teapot", num_inference_steps=28).images[0]
image.save("teapot.png")
