# pattern of https://github.com/huggingface/diffusers/pull/11428
# FramePack (HunyuanVideo) image-to-video, whole pipeline resident on the GPU with VAE tiling.
import torch
from diffusers import HunyuanVideoFramepackPipeline, HunyuanVideoFramepackTransformer3DModel
from diffusers.utils import export_to_video, load_image
from transformers import SiglipImageProcessor, SiglipVisionModel

packed_dit = HunyuanVideoFramepackTransformer3DModel.from_pretrained("lllyasviel/FramePackI2V_HY", torch_dtype=torch.bfloat16)
siglip_proc = SiglipImageProcessor.from_pretrained("lllyasviel/flux_redux_bfl", subfolder="feature_extractor")
siglip = SiglipVisionModel.from_pretrained("lllyasviel/flux_redux_bfl", subfolder="image_encoder", torch_dtype=torch.float16)

framepack = HunyuanVideoFramepackPipeline.from_pretrained(
    "hunyuanvideo-community/HunyuanVideo",
    transformer=packed_dit,
    feature_extractor=siglip_proc,
    image_encoder=siglip,
    torch_dtype=torch.float16,
)
framepack.vae.enable_tiling()
framepack.to("cuda")

start = load_image("snow_owl.png")
result = framepack(
    image=start,
    prompt="A snowy owl turns its head and blinks slowly",
    height=832,
    width=480,
    num_frames=91,
    num_inference_steps=30,
    guidance_scale=9.0,
    generator=torch.Generator().manual_seed(0),
).frames[0]
export_to_video(result, "snow_owl.mp4", fps=30)
