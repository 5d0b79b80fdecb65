# pipefit corpus: a pipeline placed with device_map="balanced" and then
# model-offloaded (device-map-with-offload: diffusers raises).
import torch
from diffusers import DiffusionPipeline

pipe = DiffusionPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16, device_map="balanced"
)
pipe.enable_model_cpu_offload()
pipe("a tiny robot watering plants").images[0].save("robot.png")
