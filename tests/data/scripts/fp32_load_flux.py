# pipefit corpus: FLUX (stored in bfloat16) loaded in float32 with model
# offload (fp32-for-half-model): twice the weights.
import torch
from diffusers import FluxPipeline

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.float32)
pipe.enable_model_cpu_offload()
pipe("a red fox in snow").images[0].save("fox.png")
