# pipefit corpus (negative): bitsandbytes 8-bit on the transformer kept on the
# GPU (exclude_modules) while group offloading the rest: the documented way
# to combine int8 with offloading. Expected: no findings.
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_8bit",
    quant_kwargs={"load_in_8bit": True},
    components_to_quantize=["transformer"],
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    quantization_config=pipeline_quant_config,
    torch_dtype=torch.bfloat16,
)
pipe.enable_group_offload(
    onload_device=torch.device("cuda"),
    offload_device=torch.device("cpu"),
    offload_type="leaf_level",
    exclude_modules=["transformer"],
)

image = pipe("a glass terrarium with a tiny forest inside", num_inference_steps=28).images[0]
image.save("terrarium.png")
