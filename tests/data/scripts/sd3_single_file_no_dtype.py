# pipefit corpus: a pipeline read from a single file with no torch_dtype
# loads float32 (diffusers' default); the class says the denoiser runs in
# half precision (diffusers#8644).
from diffusers import StableDiffusion3Pipeline

pipe = StableDiffusion3Pipeline.from_single_file(
    "https://huggingface.co/stabilityai/stable-diffusion-3-medium/blob/main/sd3_medium_incl_clips.safetensors"
)
pipe.enable_model_cpu_offload()

image = pipe("a lighthouse at dusk", num_inference_steps=28).images[0]
