# pipefit corpus: HunyuanVideo with fp8 layerwise casting on the transformer,
# model offload (casting first: right order), the VAE's own tiling, and later
# `pipe.transformer.to(torch.bfloat16)`, which undoes the fp8 storage
# (layerwise-casting-then-to-dtype).
import torch
from diffusers import HunyuanVideoPipeline, HunyuanVideoTransformer3DModel
from diffusers.utils import export_to_video

model_id = "hunyuanvideo-community/HunyuanVideo"
transformer = HunyuanVideoTransformer3DModel.from_pretrained(model_id, subfolder="transformer", torch_dtype=torch.bfloat16)
pipe = HunyuanVideoPipeline.from_pretrained(model_id, transformer=transformer, torch_dtype=torch.float16)

pipe.transformer.enable_layerwise_casting(
    storage_dtype=torch.float8_e4m3fn,
    compute_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()
pipe.vae.enable_tiling()

# the transformer must compute in bf16
pipe.transformer.to(torch.bfloat16)

output = pipe(
    prompt="A cat walks on the grass, realistic",
    height=320,
    width=512,
    num_frames=61,
    num_inference_steps=30,
).frames[0]
export_to_video(output, "hunyuan.mp4", fps=15)
