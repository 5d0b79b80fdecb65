# pipefit corpus: torchao through its config classes, per component in a
# PipelineQuantizationConfig and with quantize_ (near miss of
# torchao-deprecated-api).
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig, TorchAoConfig
from torchao.quantization import Int8WeightOnlyConfig, quantize_

pipeline_quant_config = PipelineQuantizationConfig(
    quant_mapping={"transformer": TorchAoConfig(Int8WeightOnlyConfig())}
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev", quantization_config=pipeline_quant_config, torch_dtype=torch.bfloat16
)
quantize_(pipe.text_encoder_2, Int8WeightOnlyConfig())
pipe.to("cuda")
pipe("a mountain lake at sunrise").images[0].save("lake.png")
