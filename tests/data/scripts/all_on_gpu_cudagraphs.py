# pipefit corpus: everything on the GPU and compiled with CUDA graphs, a
# component moved before the pipeline is built, bf16 as stored, device_map
# without offloading: the near miss of component-to-before-offload,
# cudagraphs-with-offload, to-dtype-after-offload, fp32-for-half-model and
# device-map-with-offload. The whole-model compile is advice only.
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel

transformer = FluxTransformer2DModel.from_pretrained(
    "black-forest-labs/FLUX.1-schnell", subfolder="transformer", torch_dtype=torch.bfloat16
).to("cuda")
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-schnell", transformer=transformer, torch_dtype=torch.bfloat16, device_map="cuda"
)
pipe.to("cuda")
pipe.transformer = torch.compile(pipe.transformer, mode="reduce-overhead", fullgraph=True)

for seed in range(4):
    generator = torch.Generator("cuda").manual_seed(seed)
    pipe("a paper boat on a pond", num_inference_steps=4, generator=generator).images[0].save(f"boat_{seed}.png")
