# pipefit corpus (negative): the placement picked by command-line flags in
# if/elif/else branches, the most common shape of real CLI scripts. Only one
# branch runs, so `.to("cuda")` in the else branch is not "after" the model
# offload, and model vs sequential offload in different branches is not
# offload-twice. Expected: no findings.
import argparse

import torch
from diffusers import FluxPipeline

parser = argparse.ArgumentParser()
parser.add_argument("--prompt", default="a photo of a corgi wearing sunglasses")
parser.add_argument("--offload", choices=["none", "model", "sequential"], default="none")
parser.add_argument("--tiling", action="store_true")
args = parser.parse_args()

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16)
if args.offload == "model":
    pipe.enable_model_cpu_offload()
elif args.offload == "sequential":
    pipe.enable_sequential_cpu_offload()
else:
    pipe.to("cuda")
if args.tiling:
    pipe.vae.enable_tiling()

image = pipe(args.prompt, num_inference_steps=28, guidance_scale=3.5).images[0]
image.save("corgi.png")
