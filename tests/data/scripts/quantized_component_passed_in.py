# pipefit corpus: components_to_quantize names the transformer, which is
# passed in already loaded: it stays bf16 (diffusers quantizes only what it
# loads itself).
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel, PipelineQuantizationConfig

transformer = FluxTransformer2DModel.from_pretrained(
    "black-forest-labs/FLUX.1-schnell", subfolder="transformer", torch_dtype=torch.bfloat16
)
nf4 = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder_2"],
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-schnell", transformer=transformer, quantization_config=nf4, torch_dtype=torch.bfloat16
)
pipe.enable_model_cpu_offload()

image = pipe("a lighthouse at dusk", num_inference_steps=4, guidance_scale=0.0).images[0]
