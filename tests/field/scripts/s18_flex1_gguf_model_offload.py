# pattern of https://github.com/huggingface/diffusers/issues/10674
# Flex.1-alpha with a Q4_K_M GGUF transformer (bf16 compute), model CPU offload and VAE
# slicing/tiling on the VAE itself.
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel, GGUFQuantizationConfig

BASE = "ostris/Flex.1-alpha"
GGUF_URL = "https://huggingface.co/hum-ma/Flex.1-alpha-GGUF/blob/main/Flex.1-alpha-Q4_K_M.gguf"
compute = torch.bfloat16

gguf_dit = FluxTransformer2DModel.from_single_file(
    GGUF_URL,
    quantization_config=GGUFQuantizationConfig(compute_dtype=compute),
    torch_dtype=compute,
)
flex = FluxPipeline.from_pretrained(BASE, transformer=gguf_dit, torch_dtype=compute)
flex.enable_model_cpu_offload()
flex.vae.enable_slicing()
flex.vae.enable_tiling()

settings = {
    "prompt": "A lone birch tree in a snowy field, ink wash painting",
    "height": 512,
    "width": 512,
    "guidance_scale": 1.0,
    "num_inference_steps": 20,
    "generator": torch.Generator(device="cuda").manual_seed(0),
    "max_sequence_length": 512,
}
flex(**settings).images[0].save("birch_flex1_gguf.png")
