# pipefit corpus: TorchAoConfig written inline in an AutoPipelineForText2Image
# call (quant-config-not-pipeline-level), in a small CLI.
import argparse

import torch
from diffusers import AutoPipelineForText2Image, TorchAoConfig

parser = argparse.ArgumentParser(description="text to image with torchao int8")
parser.add_argument("prompt")
parser.add_argument("--steps", type=int, default=28)
args = parser.parse_args()

pipe = AutoPipelineForText2Image.from_pretrained("black-forest-labs/FLUX.1-dev", quantization_config=TorchAoConfig("int8wo"), torch_dtype=torch.bfloat16)
pipe.to("cuda")

pipe(args.prompt, num_inference_steps=args.steps).images[0].save("out.png")
