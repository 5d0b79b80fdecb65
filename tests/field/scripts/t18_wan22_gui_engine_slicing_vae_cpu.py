# pattern of https://github.com/johnrclark96/WAN-2.2-GUI/blob/07de0eaa79696bcbc3a99b9ec3f079920a7856a3/wan_ps1_engine.py
# Back-end engine called by a PowerShell GUI: builds a Wan 2.2 pipeline and renders one clip.
import argparse
import os
import sys

import torch
from diffusers import AutoModel, WanPipeline
from diffusers.utils import export_to_video


def say(msg):
    print(f"[engine] {msg}", flush=True)


def make_pipeline(model_dir, dtype_name="bfloat16"):
    dt = getattr(torch, dtype_name, torch.bfloat16)
    fp32_vae = AutoModel.from_pretrained(model_dir, subfolder="vae", torch_dtype=torch.float32)
    return WanPipeline.from_pretrained(model_dir, vae=fp32_vae, torch_dtype=dt)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prompt", default="")
    ap.add_argument("--neg_prompt", default="")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--cfg", type=float, default=7.0)
    ap.add_argument("--frames", type=int, default=49)
    ap.add_argument("--width", type=int, default=1024)
    ap.add_argument("--height", type=int, default=576)
    ap.add_argument("--fps", type=int, default=24)
    ap.add_argument("--model_dir", default="models/Wan2.2-TI2V-5B-Diffusers")
    ap.add_argument("--outdir", default="outputs")
    ap.add_argument("--dtype", default="bfloat16")
    a = ap.parse_args()

    gen = torch.Generator(device="cuda").manual_seed(1234)
    wan = make_pipeline(a.model_dir, a.dtype)

    # put everything on the GPU first
    try:
        wan.to("cuda")
    except Exception as err:
        say(f"could not move to CUDA: {err}")
        return 3

    # then claw back VRAM: VAE to CPU, slicing/tiling, attention slicing
    try:
        wan.vae.to("cpu")
        try:
            wan.enable_vae_slicing()
            wan.enable_vae_tiling()
        except Exception:
            pass
        try:
            wan.enable_attention_slicing()
        except Exception:
            pass
        torch.cuda.empty_cache()
    except Exception as err:
        say(f"memory tweaks skipped: {err}")

    with torch.inference_mode():
        res = wan(
            prompt=a.prompt,
            negative_prompt=a.neg_prompt or None,
            width=a.width,
            height=a.height,
            num_inference_steps=a.steps,
            guidance_scale=a.cfg,
            num_frames=a.frames,
            generator=gen,
            output_type="np",
        )
    os.makedirs(a.outdir, exist_ok=True)
    export_to_video(res.frames[0], os.path.join(a.outdir, "wan22_render.mp4"), fps=a.fps)
    return 0


if __name__ == "__main__":
    sys.exit(main())
