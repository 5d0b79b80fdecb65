# pattern of https://github.com/huggingface/diffusers/issues/8523
# Playground v2.5 (SDXL img2img) loaded from a local folder, model CPU offload,
# EDM DPM-Solver scheduler swapped in after offloading, then an img2img call.
import torch
from PIL import Image
from diffusers import StableDiffusionXLImg2ImgPipeline, EDMDPMSolverMultistepScheduler

local_weights = "../models/Stable-diffusion/playground-v2.5-xl-aesthetic"
init_path = "./image_1.png"

img2img = StableDiffusionXLImg2ImgPipeline.from_pretrained(
    local_weights,
    torch_dtype=torch.float16,
    add_watermarker=False,
)
img2img.enable_model_cpu_offload()
img2img.scheduler = EDMDPMSolverMultistepScheduler.from_config(
    img2img.scheduler.config, use_karras_sigmas=True
)

start_image = Image.open(init_path)
# the remaining call arguments are cut off in the report
result = img2img(prompt="a lighthouse on a cliff at dusk", image=start_image).images
result[0].save("lighthouse_img2img.png")
