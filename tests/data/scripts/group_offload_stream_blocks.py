# pipefit corpus: pipeline-level block-level group offloading with
# use_stream=True and num_blocks_per_group=4 (block-stream-multiple-blocks).
# The second pipeline's component-level calls are fine: one block per group
# with a stream, and two blocks per group without one.
import torch
from diffusers import FluxPipeline, WanPipeline
from diffusers.hooks import apply_group_offloading

onload_device = torch.device("cuda")
offload_device = torch.device("cpu")

pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16)
pipe.enable_group_offload(
    onload_device=onload_device,
    offload_device=offload_device,
    offload_type="block_level",
    num_blocks_per_group=4,
    use_stream=True,
)
image = pipe("a cup of coffee on a wooden table", num_inference_steps=28).images[0]
image.save("coffee.png")

video_pipe = WanPipeline.from_pretrained("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", torch_dtype=torch.bfloat16)
video_pipe.transformer.enable_group_offload(
    onload_device=onload_device,
    offload_device=offload_device,
    offload_type="block_level",
    num_blocks_per_group=1,
    use_stream=True,
)
apply_group_offloading(
    video_pipe.text_encoder,
    onload_device=onload_device,
    offload_type="block_level",
    num_blocks_per_group=2,
)
video_pipe.vae.enable_group_offload(onload_device=onload_device, offload_type="leaf_level")
frames = video_pipe("a paper plane gliding over a city", num_frames=33).frames[0]
