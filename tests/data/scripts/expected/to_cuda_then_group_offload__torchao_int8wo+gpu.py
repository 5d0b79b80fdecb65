# pipefit corpus: the pipeline moved to CUDA and only then group offloaded
# (to-before-offload on the .to call: it loads every weight onto the GPU
# first). The leaf-level stream offload itself is fine.
import torch
from diffusers import QwenImagePipeline, PipelineQuantizationConfig, TorchAoConfig
from torchao.quantization import Int8WeightOnlyConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_mapping={
        "transformer": TorchAoConfig(Int8WeightOnlyConfig()),
    },
)
pipe = QwenImagePipeline.from_pretrained("Qwen/Qwen-Image", torch_dtype=torch.bfloat16, quantization_config=pipeline_quant_config, device_map="cpu")
pipe.to("cuda")

image = pipe("a ceramic vase with blue glaze", num_inference_steps=50, true_cfg_scale=4.0).images[0]
image.save("vase.png")
