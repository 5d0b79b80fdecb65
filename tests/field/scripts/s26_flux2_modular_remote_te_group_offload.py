# pattern of https://huggingface.co/diffusers/flux2-modular
# FLUX.2 modular pipeline with the remote text encoder blocks: components initialised on the
# CPU, the small VAE moved to the GPU, leaf-level group offloading with CUDA streams on the
# transformer (about 8 GB of VRAM, 64 GB of RAM).
import torch
from diffusers.modular_pipelines import SequentialPipelineBlocks
from diffusers.modular_pipelines.flux2 import ALL_BLOCKS

remote_blocks = SequentialPipelineBlocks.from_blocks_dict(ALL_BLOCKS["remote"])
modular = remote_blocks.init_pipeline("diffusers/flux2-modular")
modular.load_components(torch_dtype=torch.bfloat16, device_map="cpu")

modular.vae.to("cuda")
modular.transformer.enable_group_offload(
    offload_type="leaf_level",
    onload_device=torch.device("cuda"),
    offload_device=torch.device("cpu"),
    use_stream=True,
    low_cpu_mem_usage=True,
)

images = modular(prompt="a photo of a ginger cat asleep in a laundry basket", num_inference_steps=28, output="images")
images[0].save("flux2_modular_cat.png")
