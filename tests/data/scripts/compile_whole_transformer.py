# pipefit corpus: whole-model torch.compile of the transformer by assignment
# (compile-without-repeated-blocks; compile_repeated_blocks compiles 8-10x
# faster with the same speedup).
import torch
from diffusers import FluxPipeline

torch._inductor.config.conv_1x1_as_mm = True
torch._inductor.config.coordinate_descent_tuning = True

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", torch_dtype=torch.bfloat16).to("cuda")
pipe.transformer = torch.compile(
    pipe.transformer, mode="max-autotune", fullgraph=True
)

for _ in range(2):  # warm-up
    pipe("warmup", num_inference_steps=4, guidance_scale=0.0)
image = pipe("a macro photo of a dew drop on a leaf", num_inference_steps=4, guidance_scale=0.0).images[0]
image.save("dew.png")
