# pipefit corpus (near miss): a torchao pipeline moved by device only, with
# the keywords DiffusionPipeline.to reads.
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig, TorchAoConfig
from torchao.quantization import Int8WeightOnlyConfig

int8 = PipelineQuantizationConfig(quant_mapping={"transformer": TorchAoConfig(Int8WeightOnlyConfig())})
pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", quantization_config=int8, torch_dtype=torch.bfloat16)
pipe.to(device="cuda")

image = pipe("a lighthouse at dusk", num_inference_steps=4, guidance_scale=0.0).images[0]
