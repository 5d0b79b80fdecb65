# pipefit corpus (near miss): a 4-bit pipeline with model offload (not
# sequential), and the component passed in is not one it quantizes.
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig
from transformers import T5EncoderModel

text_encoder_2 = T5EncoderModel.from_pretrained(
    "black-forest-labs/FLUX.1-schnell", subfolder="text_encoder_2", torch_dtype=torch.bfloat16
)
nf4 = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer"],
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-schnell", text_encoder_2=text_encoder_2, quantization_config=nf4,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

image = pipe("a lighthouse at dusk", num_inference_steps=4, guidance_scale=0.0).images[0]
