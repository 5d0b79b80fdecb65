# pipefit corpus: bitsandbytes 8-bit through PipelineQuantizationConfig
# together with enable_model_cpu_offload() (bnb8-with-model-offload, reported
# on the offload call: int8 matmul cannot run on the CPU).
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_8bit",
    quant_kwargs={"load_in_8bit": True},
    components_to_quantize=["transformer", "text_encoder_2"],
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    quantization_config=pipeline_quant_config,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

image = pipe("a studio photo of a vintage camera", num_inference_steps=28).images[0]
image.save("camera_int8.png")
