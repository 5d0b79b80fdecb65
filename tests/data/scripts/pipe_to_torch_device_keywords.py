# pipefit corpus: DiffusionPipeline.to() ignores torch_device= and
# torch_dtype= (only device= and dtype= are read): nothing moves.
import torch
from diffusers import FluxPipeline

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.bfloat16)
pipe.to(torch_device="cuda")
pipe = pipe.to(torch_dtype=torch.bfloat16)

image = pipe("a lighthouse at dusk", num_inference_steps=4, guidance_scale=0.0).images[0]
