# pipefit corpus: fp8 layerwise casting on the transformer, then
# pipe.to("cuda", torch.bfloat16), which casts the fp8 storage back to bf16
# (layerwise-casting-then-to-dtype).
import torch
from diffusers import FluxPipeline

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16)
pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)
pipe.to("cuda", torch.bfloat16)

image = pipe("a snow leopard on a rocky ledge", num_inference_steps=28, guidance_scale=3.5).images[0]
image.save("leopard_fp8.png")
