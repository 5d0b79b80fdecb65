# pipefit corpus: quant_backend="bitsandbytes" (no bit width;
# quant-backend-name) for Qwen-Image in bf16, kept on the GPU.
import torch
from diffusers import DiffusionPipeline, PipelineQuantizationConfig

quant_config = PipelineQuantizationConfig(
    quant_backend="bitsandbytes",
    quant_kwargs={"load_in_8bit": True},
    components_to_quantize=["transformer"],
)

pipe = DiffusionPipeline.from_pretrained(
    "Qwen/Qwen-Image",
    quantization_config=quant_config,
    torch_dtype=torch.bfloat16,
)
pipe.to("cuda")

image = pipe("a neon sign that says OPEN 24 HOURS", num_inference_steps=30, true_cfg_scale=4.0).images[0]
image.save("neon.png")
