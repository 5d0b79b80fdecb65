# pipefit corpus: torchao's old function-style configs and a TorchAoConfig
# string (torchao-deprecated-api, twice).
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel, TorchAoConfig
from torchao.quantization import int8_weight_only, quantize_

transformer = FluxTransformer2DModel.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    subfolder="transformer",
    quantization_config=TorchAoConfig("int8wo"),
    torch_dtype=torch.bfloat16,
)
pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", transformer=transformer, torch_dtype=torch.bfloat16)
quantize_(pipe.text_encoder_2, int8_weight_only())
pipe.to("cuda")
pipe("a mountain lake at sunrise").images[0].save("lake.png")
