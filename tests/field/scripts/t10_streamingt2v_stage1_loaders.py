# pattern of https://github.com/Picsart-AI-Research/StreamingT2V/blob/80a861384c42574c3f1f8dc1d6424255ed89ca5e/t2v_enhanced/model_init.py
# Stage-1 model loaders for a long-video generator: each returns a ready pipeline.
import torch
from diffusers import (
    AnimateDiffPipeline,
    AutoPipelineForText2Image,
    DDIMScheduler,
    DiffusionPipeline,
    DPMSolverMultistepScheduler,
    MotionAdapter,
    StableVideoDiffusionPipeline,
)


def load_modelscope(device="cuda"):
    ms = DiffusionPipeline.from_pretrained("damo-vilab/text-to-video-ms-1.7b", torch_dtype=torch.float16, variant="fp16")
    ms.scheduler = DPMSolverMultistepScheduler.from_config(ms.scheduler.config)
    ms.enable_model_cpu_offload()
    ms.enable_vae_slicing()
    ms.set_progress_bar_config(disable=True)
    return ms.to(device)


def load_zeroscope(device="cuda"):
    zs = DiffusionPipeline.from_pretrained("cerspense/zeroscope_v2_576w", torch_dtype=torch.float16)
    zs.scheduler = DDIMScheduler.from_config(zs.scheduler.config)
    zs.enable_model_cpu_offload()
    return zs.to(device)


def load_animatediff(device="cuda"):
    motion = MotionAdapter.from_pretrained("guoyww/animatediff-motion-adapter-v1-5-2", torch_dtype=torch.float16)
    base_id = "SG161222/Realistic_Vision_V5.1_noVAE"
    ad = AnimateDiffPipeline.from_pretrained(base_id, motion_adapter=motion, torch_dtype=torch.float16)
    ad.scheduler = DDIMScheduler.from_pretrained(
        base_id,
        subfolder="scheduler",
        clip_sample=False,
        timestep_spacing="linspace",
        beta_schedule="linear",
        steps_offset=1,
    )
    ad.enable_vae_slicing()
    ad.enable_model_cpu_offload()
    return ad.to(device)


def load_sdxl(device="cuda"):
    xl = AutoPipelineForText2Image.from_pretrained(
        "stabilityai/stable-diffusion-xl-base-1.0", torch_dtype=torch.float16, variant="fp16", use_safetensors=True
    )
    return xl.to(device)


def load_svd(device="cuda"):
    svd = StableVideoDiffusionPipeline.from_pretrained(
        "stabilityai/stable-video-diffusion-img2vid-xt", torch_dtype=torch.float16, variant="fp16"
    )
    svd.enable_model_cpu_offload()
    return svd.to(device)


if __name__ == "__main__":
    stage1 = load_modelscope()
    frames = stage1("a hot air balloon drifting over snowy mountains", num_frames=16).frames[0]
    print(len(frames), "frames generated")
