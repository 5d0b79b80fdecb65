# pipefit corpus: PipelineQuantizationConfig with a made-up backend name
# "bnb_4bit" (quant-backend-name; the name is "bitsandbytes_4bit"). The kwargs
# themselves are consistent 4-bit kwargs; model offload with 4-bit is fine.
import torch
from diffusers import FluxPipeline
from diffusers.quantizers import PipelineQuantizationConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="bnb_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder_2"],
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    quantization_config=pipeline_quant_config,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

image = pipe("a knitted fox sitting in a field of flowers", num_inference_steps=28, guidance_scale=3.5).images[0]
image.save("fox_nf4.png")
