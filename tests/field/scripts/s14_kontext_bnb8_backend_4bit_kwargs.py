# pattern of https://github.com/Steveineiter/image-generation-workbench/blob/85b190b76038a7cae1773e3a6f5b0ee05a1bcfae/flux_image_editing.py
# FLUX.1 Kontext image editing with pipeline-level bitsandbytes quantization of the
# transformer and the T5 encoder; the result is saved as the "8bit" variant.
import torch
from diffusers import FluxKontextPipeline
from diffusers.quantizers import PipelineQuantizationConfig
from diffusers.utils import load_image

kontext_quant = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_8bit",
    # the nf4 settings gave nicer results than plain 8-bit
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder_2"],
)

editor = FluxKontextPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-Kontext-dev", quantization_config=kontext_quant, torch_dtype=torch.bfloat16
)
editor.to("cuda")

source = load_image("inputs/portrait.jpg")
edited = editor(
    image=source,
    prompt="Make the jacket dark green corduroy and add a knitted scarf",
    guidance_scale=2.5,
).images[0]
edited.save("generations/kontext_8bit_jacket.png")
