# pattern of https://github.com/zai-org/CogVideo/issues/596
# CogVideoX1.5-5B image-to-video, every component quantized with torchao int8 weight-only.
import torch
from diffusers import AutoencoderKLCogVideoX, CogVideoXImageToVideoPipeline, CogVideoXTransformer3DModel
from diffusers.utils import export_to_video, load_image
from torchao.quantization import int8_weight_only, quantize_
from transformers import T5EncoderModel

REPO = "THUDM/CogVideoX1.5-5B-I2V"
qmode = int8_weight_only

t5 = T5EncoderModel.from_pretrained(REPO, subfolder="text_encoder", torch_dtype=torch.bfloat16)
quantize_(t5, qmode())

denoiser = CogVideoXTransformer3DModel.from_pretrained(REPO, subfolder="transformer", torch_dtype=torch.bfloat16)
quantize_(denoiser, qmode())

autoenc = AutoencoderKLCogVideoX.from_pretrained(REPO, subfolder="vae", torch_dtype=torch.bfloat16)
quantize_(autoenc, qmode())

i2v = CogVideoXImageToVideoPipeline.from_pretrained(
    REPO,
    text_encoder=t5,
    transformer=denoiser,
    vae=autoenc,
    torch_dtype=torch.bfloat16,
)
i2v.enable_model_cpu_offload()
i2v.vae.enable_tiling()
i2v.vae.enable_slicing()

still = load_image("sports_car.png")
video = i2v(
    prompt="a vintage sports car speeding along a coastal road",
    image=still,
    num_videos_per_prompt=1,
    num_inference_steps=50,
    num_frames=81,
    guidance_scale=6,
    generator=torch.Generator(device="cuda").manual_seed(7),
).frames[0]
export_to_video(video, "sports_car_i2v.mp4", fps=16)
