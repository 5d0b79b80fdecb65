# pattern of https://github.com/huggingface/diffusers/blob/c934720629837257b15fd84d27e8eddaa52b76e6/docs/source/en/api/pipelines/cogvideox.md
# CogVideoX-5b "memory" recipe as documented mid-2025: torchao int8 (string quant type) via
# pipeline-level config, fp8 layerwise casting on a separately loaded transformer,
# pipeline moved to CUDA, then model offloading.
import torch
from diffusers import AutoModel, CogVideoXPipeline
from diffusers.quantizers import PipelineQuantizationConfig
from diffusers.utils import export_to_video

int8_cfg = PipelineQuantizationConfig(quant_backend="torchao", quant_kwargs={"quant_type": "int8wo"}, components_to_quantize=["transformer"])

cog_dit = AutoModel.from_pretrained("THUDM/CogVideoX-5b", subfolder="transformer", torch_dtype=torch.bfloat16)
cog_dit.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)

cogvideo = CogVideoXPipeline.from_pretrained("THUDM/CogVideoX-5b", transformer=cog_dit, quantization_config=int8_cfg, torch_dtype=torch.bfloat16)
cogvideo.to("cuda")

# model offloading
cogvideo.enable_model_cpu_offload()

scene = (
    "A wind-up tin robot marches across a wooden kitchen table past scattered sugar cubes, "
    "morning light from a window, shallow depth of field, playful mood."
)
clip = cogvideo(prompt=scene, guidance_scale=6, num_inference_steps=50).frames[0]
export_to_video(clip, "tin_robot.mp4", fps=8)
