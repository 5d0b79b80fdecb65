# pipefit corpus: sequential offload of a bitsandbytes 4-bit pipeline
# (diffusers#10800: Blockwise quantization only supports 16/32-bit floats).
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

nf4 = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer"],
)
pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-schnell", quantization_config=nf4, torch_dtype=torch.bfloat16)
pipe.enable_sequential_cpu_offload()

image = pipe("a lighthouse at dusk", num_inference_steps=4, guidance_scale=0.0).images[0]
