# pattern of https://github.com/lucasmbll/cheese_classification_challenge/blob/18518812f66bccbf28b9c77c0b8e616b3cbf703b/generators/SD15.py
# Synthetic-data generator class for a classification challenge (cheese photos): SD 1.5 in
# fp16 with an optional CPU-offload switch for small GPUs.
import torch
from diffusers import EulerDiscreteScheduler, StableDiffusionPipeline

device = "cuda" if torch.cuda.is_available() else "cpu"


class SD15Generator:
    def __init__(self, use_cpu_offload=False):
        repo = "runwayml/stable-diffusion-v1-5"
        self.pipe = StableDiffusionPipeline.from_pretrained(repo, torch_dtype=torch.float16)
        self.pipe = self.pipe.to(device)
        self.pipe.scheduler = EulerDiscreteScheduler.from_config(
            self.pipe.scheduler.config, timestep_spacing="trailing"
        )
        self.pipe.set_progress_bar_config(disable=True)
        if use_cpu_offload:
            self.pipe.enable_sequential_cpu_offload()
        self.steps = 50
        self.cfg = 10

    def generate(self, prompts):
        return self.pipe(prompts, num_inference_steps=self.steps, guidance_scale=self.cfg).images


if __name__ == "__main__":
    gen = SD15Generator(use_cpu_offload=True)
    batch = gen.generate(["a close-up photo of a wedge of comte cheese on a wooden board"] * 4)
    for i, pic in enumerate(batch):
        pic.save(f"comte_{i}.png")
