# pipefit corpus: DiffusionPipeline loading Qwen-Image (stored in bf16) with
# torch_dtype=torch.float16 (fp16-for-bf16-model). Model offload and the VAE's
# own tiling are fine.
import torch
from diffusers import DiffusionPipeline

model_name = "Qwen/Qwen-Image"

pipe = DiffusionPipeline.from_pretrained("Qwen/Qwen-Image", torch_dtype=torch.float16)
pipe.enable_model_cpu_offload()
pipe.vae.enable_tiling()

positive_magic = ", Ultra HD, 4K, cinematic composition."
prompt = 'A coffee shop entrance features a chalkboard sign reading "Qwen Coffee 😊 $2 per cup"'

aspect_ratios = {
    "1:1": (1328, 1328),
    "16:9": (1664, 928),
    "9:16": (928, 1664),
}
width, height = aspect_ratios["16:9"]

image = pipe(
    prompt=prompt + positive_magic,
    negative_prompt=" ",
    width=width,
    height=height,
    num_inference_steps=50,
    true_cfg_scale=4.0,
    generator=torch.Generator(device="cuda").manual_seed(42),
).images[0]
image.save("qwen_coffee.png")
