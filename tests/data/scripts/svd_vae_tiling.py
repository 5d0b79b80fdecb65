# pipefit corpus: Stable Video Diffusion, whose VAE
# (AutoencoderKLTemporalDecoder) has no tiling: pipe.vae.enable_tiling()
# raises (vae-tiling-unsupported). Model offload and forward chunking are
# what the docs recommend.
import torch
from diffusers import StableVideoDiffusionPipeline
from diffusers.utils import export_to_video, load_image

pipe = StableVideoDiffusionPipeline.from_pretrained(
    "stabilityai/stable-video-diffusion-img2vid-xt", torch_dtype=torch.float16, variant="fp16"
)
pipe.enable_model_cpu_offload()
pipe.unet.enable_forward_chunking()
pipe.vae.enable_tiling()

image = load_image("https://huggingface.co/datasets/huggingface/documentation-images/resolve/main/diffusers/svd/rocket.png")
image = image.resize((1024, 576))

generator = torch.manual_seed(42)
frames = pipe(image, decode_chunk_size=2, generator=generator, num_frames=25).frames[0]
export_to_video(frames, "generated.mp4", fps=7)
