# pipefit corpus: the transformer replaced by a torch.compile wrapper after
# model offloading (compile-replaces-offloaded-module); the text encoder is
# compiled in place, which keeps its hook (near miss, no finding).
import torch
from diffusers import StableDiffusion3Pipeline

pipe = StableDiffusion3Pipeline.from_pretrained(
    "stabilityai/stable-diffusion-3.5-medium", torch_dtype=torch.bfloat16
)
pipe.enable_model_cpu_offload()
pipe.transformer = torch.compile(pipe.transformer, fullgraph=True)
pipe.text_encoder.compile()
pipe("a bowl of ramen, studio photo").images[0].save("ramen.png")
