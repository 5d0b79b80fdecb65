# pattern of https://github.com/danaia/autoplay/blob/2dec53e27dc086ef44a9e81567c9eff6c8dc3818/cineboard/services/pipeline_service.py
# Service helper that builds a CogVideoX-5b pipeline for a storyboard app.
import torch
from diffusers import CogVideoXDPMScheduler, CogVideoXPipeline
from diffusers.utils import export_to_video


def build_cog_pipeline():
    cog = CogVideoXPipeline.from_pretrained("THUDM/CogVideoX-5b", torch_dtype=torch.bfloat16)
    cog.scheduler = CogVideoXDPMScheduler.from_config(cog.scheduler.config, timestep_spacing="trailing")
    cog.enable_model_cpu_offload()
    cog.enable_sequential_cpu_offload()
    cog.vae.enable_slicing()
    cog.vae.enable_tiling()

    if torch.cuda.is_available():
        cog.to("cuda")

    return cog


if __name__ == "__main__":
    storyboard = build_cog_pipeline()
    shot = storyboard(
        prompt="A paper boat drifting down a rain-soaked city gutter, macro lens, evening light",
        num_inference_steps=50,
        num_frames=49,
        guidance_scale=6.0,
    ).frames[0]
    export_to_video(shot, "paper_boat.mp4", fps=8)
