# pattern of https://github.com/black-forest-labs/flux2/issues/35
# FLUX.2 [klein] 4B image editing from a local copy, model card settings: bf16 weights and
# model CPU offload (run on a 16 GB V100 in the report).
import torch
from diffusers import Flux2KleinPipeline
from diffusers.utils import load_image

KLEIN_DIR = "/home/aistudio/data/models/FLUX.2-klein-4B"
device = "cuda"  # "mps" on Apple silicon

klein = Flux2KleinPipeline.from_pretrained(KLEIN_DIR, torch_dtype=torch.bfloat16, local_files_only=True)
klein.enable_model_cpu_offload()  # keep only the active component on the GPU

reference = load_image("/home/aistudio/cat.png")
edited = klein(
    prompt="Turn this cat into a corgi wearing a red bandana",
    image=[reference],
    generator=torch.Generator(device=device).manual_seed(42),
    num_inference_steps=5,
    guidance_scale=1.0,
).images[0]
edited.save("/home/aistudio/klein_corgi.png")
