# pipefit corpus (negative): fp8 layerwise casting then pipe.to("cuda") with no
# dtype (keeps the fp8 storage), regional compilation with
# compile_repeated_blocks, and a valid attention backend in the context
# manager. Expected: no findings.
import time

import torch
from diffusers import FluxPipeline
from diffusers.models.attention_dispatch import attention_backend

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16)
pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)
pipe.to("cuda")
pipe.transformer.compile_repeated_blocks(fullgraph=True)

prompt = "a photo of a dog sitting on a skateboard"
with attention_backend("sage"):
    for run in range(3):
        start = time.perf_counter()
        image = pipe(prompt, num_inference_steps=28, guidance_scale=3.5).images[0]
        print(f"run {run}: {time.perf_counter() - start:.2f}s")
image.save("dog.png")
