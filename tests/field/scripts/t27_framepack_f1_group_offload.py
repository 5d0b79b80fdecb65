# pattern of https://github.com/huggingface/diffusers/pull/11534
# FramePack-F1 image-to-video with leaf-level group offloading (CUDA streams, low CPU memory)
# on the two text encoders and the transformer; the small image encoder and VAE stay on the GPU.
import torch
from diffusers import HunyuanVideoFramepackPipeline, HunyuanVideoFramepackTransformer3DModel
from diffusers.hooks import apply_group_offloading
from diffusers.utils import export_to_video, load_image
from transformers import SiglipImageProcessor, SiglipVisionModel

f1_dit = HunyuanVideoFramepackTransformer3DModel.from_pretrained("lllyasviel/FramePack_F1_I2V_HY_20250503", torch_dtype=torch.bfloat16)
proc = SiglipImageProcessor.from_pretrained("lllyasviel/flux_redux_bfl", subfolder="feature_extractor")
vision = SiglipVisionModel.from_pretrained("lllyasviel/flux_redux_bfl", subfolder="image_encoder", torch_dtype=torch.float16)

fp = HunyuanVideoFramepackPipeline.from_pretrained(
    "hunyuanvideo-community/HunyuanVideo",
    transformer=f1_dit,
    feature_extractor=proc,
    image_encoder=vision,
    torch_dtype=torch.float16,
)

onload = torch.device("cuda")
offload = torch.device("cpu")
for part in (fp.text_encoder, fp.text_encoder_2, fp.transformer):
    apply_group_offloading(part, onload, offload, offload_type="leaf_level", use_stream=True, low_cpu_mem_usage=True)
fp.image_encoder.to(onload)
fp.vae.to(onload)
fp.vae.enable_tiling()

seed_image = load_image("red_panda.png")
out = fp(
    image=seed_image,
    prompt="A red panda nibbles a bamboo shoot, then looks at the camera",
    height=832,
    width=480,
    num_frames=91,
    num_inference_steps=30,
    guidance_scale=9.0,
    generator=torch.Generator().manual_seed(0),
    sampling_type="vanilla",
).frames[0]
export_to_video(out, "red_panda_f1.mp4", fps=30)
