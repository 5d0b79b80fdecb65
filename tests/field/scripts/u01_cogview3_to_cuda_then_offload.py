# pattern of https://github.com/zai-org/CogView4/issues/16
import torch
from diffusers import CogView3PlusPipeline

generator_pipe = CogView3PlusPipeline.from_pretrained(
    "THUDM/CogView3-Plus-3B",
    torch_dtype=torch.float16,
).to("cuda")

generator_pipe.enable_model_cpu_offload()
generator_pipe.vae.enable_slicing()
generator_pipe.vae.enable_tiling()

result = generator_pipe(
    prompt="a lighthouse on a cliff at night, oil painting",
    guidance_scale=7.0,
    num_inference_steps=50,
    width=1024,
    height=1024,
).images[0]
result.save("lighthouse.png")
