# pipefit corpus: a dtype cast of a pipeline with torchao weights:
# ModelMixin.to raises "Casting a quantized model to a new dtype is unsupported".
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig, TorchAoConfig
from torchao.quantization import Int8WeightOnlyConfig

int8 = PipelineQuantizationConfig(quant_mapping={"transformer": TorchAoConfig(Int8WeightOnlyConfig())})
pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", quantization_config=int8, torch_dtype=torch.bfloat16)
pipe.to("cuda", torch.bfloat16)

image = pipe("a lighthouse at dusk", num_inference_steps=4, guidance_scale=0.0).images[0]
