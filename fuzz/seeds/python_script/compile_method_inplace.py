# pipefit corpus: in-place nn.Module.compile of the transformer
# (compile-without-repeated-blocks) in a Z-Image script with model offload.
import torch
from diffusers import ZImagePipeline

pipe = ZImagePipeline.from_pretrained("Tongyi-MAI/Z-Image-Turbo", torch_dtype=torch.bfloat16)
pipe.enable_model_cpu_offload()
pipe.transformer.compile(dynamic=False)

image = pipe(
    prompt="Young woman in a red hanfu, night market in the background",
    height=1024,
    width=1024,
    num_inference_steps=9,
    guidance_scale=0.0,
).images[0]
image.save("zimage.png")
