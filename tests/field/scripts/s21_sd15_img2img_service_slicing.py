# pattern of https://github.com/PlanPerfect/PlanPerfect-Backend/blob/4b0ee8e60cdd64375ae7c47bb5c8839953facd3a/Services/StableDiffusion.py
# Backend service module: SD 1.5 img2img used to restyle uploaded room photos. The pipeline
# is created at import time and shared by the request handlers.
import torch
from diffusers import StableDiffusionImg2ImgPipeline
from PIL import Image

restyler = StableDiffusionImg2ImgPipeline.from_pretrained(
    "runwayml/stable-diffusion-v1-5",
    torch_dtype=torch.float16,
    safety_checker=None,
)

restyler.enable_attention_slicing()
restyler.enable_model_cpu_offload()

# extra VRAM optimization
restyler.unet.to(memory_format=torch.channels_last)


def restyle_room(photo_path: str, style: str, out_path: str, strength: float = 0.55) -> str:
    room = Image.open(photo_path).convert("RGB").resize((768, 512))
    styled = restyler(
        prompt=f"interior design, {style} style living room, natural light, photorealistic",
        negative_prompt="blurry, distorted furniture, text",
        image=room,
        strength=strength,
        guidance_scale=7.5,
        num_inference_steps=30,
    ).images[0]
    styled.save(out_path)
    return out_path


if __name__ == "__main__":
    restyle_room("uploads/room.jpg", "scandinavian", "outputs/room_scandi.png")
