# pattern of https://github.com/huggingface/diffusers/blob/18327cb57cad4e1e0916fc2c7e50bf41bd7e5ea5/docs/source/en/api/pipelines/chroma.md
# Chroma from an original-format single-file checkpoint: transformer from the .safetensors,
# T5 encoder and tokenizer from the FLUX.1-dev repo, everything in bf16, model CPU offload.
import torch
from diffusers import ChromaPipeline, ChromaTransformer2DModel
from transformers import T5EncoderModel, T5Tokenizer

FLUX_REPO = "black-forest-labs/FLUX.1-dev"
CHROMA_FILE = "https://huggingface.co/lodestones/Chroma/blob/main/chroma-unlocked-v35.safetensors"
half = torch.bfloat16

chroma_dit = ChromaTransformer2DModel.from_single_file(CHROMA_FILE, torch_dtype=half)
t5 = T5EncoderModel.from_pretrained(FLUX_REPO, subfolder="text_encoder_2", torch_dtype=half)
t5_tok = T5Tokenizer.from_pretrained(FLUX_REPO, subfolder="tokenizer_2")

chroma = ChromaPipeline.from_pretrained(
    FLUX_REPO, transformer=chroma_dit, text_encoder=t5, tokenizer=t5_tok, torch_dtype=half
)
chroma.enable_model_cpu_offload()

art = chroma(
    "An origami crane made of newspaper standing on a rainy cafe table",
    guidance_scale=4.0,
    output_type="pil",
    num_inference_steps=26,
    generator=torch.Generator("cpu").manual_seed(3),
).images[0]
art.save("chroma_crane.png")
