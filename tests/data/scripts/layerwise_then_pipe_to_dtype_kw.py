# pipefit corpus: CogView4 with fp8 layerwise casting and then
# pipe.to(dtype=torch.bfloat16) (layerwise-casting-then-to-dtype).
# pipe.to("cuda") without a dtype right before is fine.
import torch
from diffusers import CogView4Pipeline

pipe = CogView4Pipeline.from_pretrained("THUDM/CogView4-6B", torch_dtype=torch.bfloat16)
pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)
pipe.to("cuda")
pipe.to(dtype=torch.bfloat16)

image = pipe(
    prompt="A vibrant cherry red sports car sits proudly under the gleaming sun",
    guidance_scale=3.5,
    num_images_per_prompt=1,
    num_inference_steps=50,
    width=1024,
    height=1024,
).images[0]
image.save("cogview4.png")
