# pipefit corpus: Stable Diffusion 1.5 with sequential CPU offload, then a
# `.to(device)` with a CUDA device variable (to-after-sequential-offload),
# plus the sequential-offload-legacy advice. fp16 is right for SD 1.5.
import argparse

import torch
from diffusers import DPMSolverMultistepScheduler, StableDiffusionPipeline

device = "cuda"
model_id = "stable-diffusion-v1-5/stable-diffusion-v1-5"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompt", default="a photo of an astronaut riding a horse on mars")
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--out", default="astronaut.png")
    args = parser.parse_args()

    pipe = StableDiffusionPipeline.from_pretrained(
        "stable-diffusion-v1-5/stable-diffusion-v1-5",
        torch_dtype=torch.float16,
        safety_checker=None,
    )
    pipe.scheduler = DPMSolverMultistepScheduler.from_config(pipe.scheduler.config)
    pipe.enable_sequential_cpu_offload()
    pipe = pipe.to(device)

    image = pipe(args.prompt, num_inference_steps=args.steps).images[0]
    image.save(args.out)


if __name__ == "__main__":
    main()
