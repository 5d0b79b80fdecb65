# pipefit corpus: quant_backend given without quant_kwargs
# (quant-kwargs-empty). The backend name is valid.
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

quant = PipelineQuantizationConfig(quant_backend="bitsandbytes_4bit", components_to_quantize=["transformer"])
pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", quantization_config=quant, torch_dtype=torch.bfloat16)
pipe.enable_model_cpu_offload()
pipe("a lighthouse in a storm", num_inference_steps=28).images[0].save("lighthouse.png")
