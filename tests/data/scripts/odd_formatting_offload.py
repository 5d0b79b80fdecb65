# pipefit corpus: odd formatting: a backslash continuation, comments inside
# the call, a trailing comma, and two statements on one line with `;`
# (model offload and then .to("cuda") on the same line:
# to-after-model-offload).
import torch
from diffusers import (
    StableDiffusion3Pipeline,  # SD3.5 medium
)

pipe = StableDiffusion3Pipeline \
    .from_pretrained(
        "stabilityai/stable-diffusion-3.5-medium",  # the medium model
        # bf16 is what the checkpoint is stored in
        torch_dtype=torch.bfloat16,
    )
pipe.enable_model_cpu_offload(); pipe.to("cuda")

image = pipe(
    "a capybara wearing a suit, holding a sign that reads Hello World",
    num_inference_steps=40,
    guidance_scale=4.5,
).images[0]
image.save("capybara.png")
