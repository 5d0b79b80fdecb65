# pattern of https://github.com/huggingface/diffusers/issues/7706
# SD 1.5 inpainting weights loaded through the community "hd_painter" custom pipeline
# in fp16; the report shows only this load (the notebook cell that later fails is not shown).
import torch
from diffusers import DiffusionPipeline

painter = DiffusionPipeline.from_pretrained(
    "runwayml/stable-diffusion-inpainting",
    torch_dtype=torch.float16,
    custom_pipeline="hd_painter",
)
