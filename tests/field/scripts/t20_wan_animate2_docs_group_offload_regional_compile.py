# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/wan_animate_2.md
# Wan-Animate-2 (modular pipeline): stream the transformer blocks from CPU, keep the small
# components on the GPU, and compile only the repeated transformer blocks.
import torch
from diffusers import ModularPipeline
from diffusers.utils import export_to_video, load_image, load_video

animate = ModularPipeline.from_pretrained("Wan-AI/Wan2.2-Animate-2-14B-Diffusers")
animate.load_components(dtype=torch.bfloat16)

animate.transformer.enable_group_offload(onload_device=torch.device("cuda"), offload_device=torch.device("cpu"), offload_type="block_level", use_stream=True)
animate.text_encoder.to("cuda")
animate.image_encoder.to("cuda")
animate.vae.to("cuda")
animate.transformer.compile_repeated_blocks(fullgraph=False)

character = load_image("mascot_reference.png")
motion, motion_fps = load_video("dance_template.mp4", return_fps=True)
desc = "A round orange robot mascot with big eyes and a blue bow tie, plain white background, even lighting."

videos = animate(
    image=character,
    driving_video=motion,
    driving_video_fps=motion_fps,
    prompt=desc,
    output="videos",
)
export_to_video(videos[0], "mascot_dance.mp4", fps=24)
