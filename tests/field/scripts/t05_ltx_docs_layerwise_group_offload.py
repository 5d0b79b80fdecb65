# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/ltx_video.md
# LTX-Video: fp8 layerwise weight storage for the transformer, then group offloading
# for transformer, text encoder and VAE. No pipeline-level .to() at all.
import torch
from diffusers import AutoModel, LTXPipeline
from diffusers.hooks import apply_group_offloading
from diffusers.utils import export_to_video

ltx_dit = AutoModel.from_pretrained("Lightricks/LTX-Video", subfolder="transformer", dtype=torch.bfloat16)
ltx_dit.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)

ltx = LTXPipeline.from_pretrained("Lightricks/LTX-Video", transformer=ltx_dit, dtype=torch.bfloat16)

on_dev = torch.device("cuda")
off_dev = torch.device("cpu")
ltx.transformer.enable_group_offload(onload_device=on_dev, offload_device=off_dev, offload_type="leaf_level", use_stream=True)
apply_group_offloading(ltx.text_encoder, onload_device=on_dev, offload_type="block_level", num_blocks_per_group=2)
apply_group_offloading(ltx.vae, onload_device=on_dev, offload_type="leaf_level")

text = (
    "An elderly violin maker carves a scroll by lamplight in a cluttered workshop, "
    "wood shavings curl off the blade, warm tungsten light, handheld close-up."
)
bad = "worst quality, inconsistent motion, blurry, jittery, distorted"

movie = ltx(
    prompt=text,
    negative_prompt=bad,
    width=768,
    height=512,
    num_frames=161,
    decode_timestep=0.03,
    decode_noise_scale=0.025,
    num_inference_steps=50,
).frames[0]
export_to_video(movie, "violin_maker.mp4", fps=24)
