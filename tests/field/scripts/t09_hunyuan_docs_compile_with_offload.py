# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/api/pipelines/hunyuan_video.md
# HunyuanVideo "inference speed" recipe: nf4 pipeline quantization + model offload + torch.compile.
import torch
from diffusers import HunyuanVideoPipeline
from diffusers.quantizers import PipelineQuantizationConfig
from diffusers.utils import export_to_video

nf4 = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize="transformer",
)

hv = HunyuanVideoPipeline.from_pretrained("hunyuanvideo-community/HunyuanVideo", quantization_config=nf4, dtype=torch.bfloat16)

# offloading and tiling
hv.enable_model_cpu_offload()
hv.vae.enable_tiling()

# compile the denoiser
hv.transformer.to(memory_format=torch.channels_last)
hv.transformer = torch.compile(hv.transformer, mode="max-autotune", fullgraph=True)

idea = "A lighthouse keeper's cat naps on a windowsill while rain streaks the glass outside."
frames = hv(prompt=idea, num_frames=61, num_inference_steps=30).frames[0]
export_to_video(frames, "cat_windowsill.mp4", fps=15)
