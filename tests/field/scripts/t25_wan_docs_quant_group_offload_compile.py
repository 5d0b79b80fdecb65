# pattern of https://github.com/huggingface/diffusers/blob/58eb52c0803ea9af3abec60841c2a093bdf1f951/docs/source/en/optimization/speed-memory-optims.md
# Wan 2.1 14B: nf4 pipeline quantization + group offloading + torch.compile, as in the
# "quantization, offloading and compile" section.
import torch
from diffusers import DiffusionPipeline
from diffusers.hooks import apply_group_offloading
from diffusers.quantizers import PipelineQuantizationConfig
from diffusers.utils import export_to_video
from transformers import UMT5EncoderModel

torch._dynamo.config.cache_size_limit = 1000
torch._dynamo.config.capture_dynamic_output_shape_ops = True

nf4_cfg = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder"],
)

umt5_full = UMT5EncoderModel.from_pretrained("Wan-AI/Wan2.1-T2V-14B-Diffusers", subfolder="text_encoder", dtype=torch.bfloat16)
wan = DiffusionPipeline.from_pretrained("Wan-AI/Wan2.1-T2V-14B-Diffusers", quantization_config=nf4_cfg, dtype=torch.bfloat16).to("cuda")

dev_on = torch.device("cuda")
dev_off = torch.device("cpu")
wan.transformer.enable_group_offload(onload_device=dev_on, offload_device=dev_off, offload_type="leaf_level", use_stream=True, non_blocking=True)
wan.vae.enable_group_offload(onload_device=dev_on, offload_device=dev_off, offload_type="leaf_level", use_stream=True, non_blocking=True)
apply_group_offloading(wan.text_encoder, onload_device=dev_on, offload_type="leaf_level", use_stream=True, non_blocking=True)

wan.transformer.compile()

shot = "Aerial shot of a winding river through autumn forest, mist over the water, birds crossing the frame."
neg = "overexposed, static, blurred details, subtitles, worst quality, low quality, deformed, messy background"
video = wan(prompt=shot, negative_prompt=neg, num_frames=81, guidance_scale=5.0).frames[0]
export_to_video(video, "autumn_river.mp4", fps=16)
