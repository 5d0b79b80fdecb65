# pattern of https://github.com/NVlabs/Sana/issues/209
# SANA-Sprint 1.6B (timestep-distilled, 1-4 steps) in bf16, whole pipeline on the first GPU.
import torch
from diffusers import SanaSprintPipeline

sprint = SanaSprintPipeline.from_pretrained(
    "Efficient-Large-Model/Sana_Sprint_1.6B_1024px_diffusers",
    torch_dtype=torch.bfloat16,
)
sprint.to("cuda:0")

astronaut = sprint(prompt="a tiny astronaut hatching from an egg on the moon", num_inference_steps=2).images[0]
astronaut.save("sana_sprint_astronaut.png")
