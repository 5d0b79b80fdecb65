# pattern of https://github.com/VectorSpaceLab/OmniGen2/blob/10fc7b8e29c9e7b563ec4c47d5f3233937dc21a2/inference.py
# OmniGen2 CLI: choose an offloading strategy from flags, then generate/edit one image.
import argparse
import os

import torch
from accelerate import Accelerator
from diffusers.hooks import apply_group_offloading
from omnigen2.models.transformers.transformer_omnigen2 import OmniGen2Transformer2DModel
from omnigen2.pipelines.omnigen2.pipeline_omnigen2 import OmniGen2Pipeline
from PIL import Image


def get_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model_path", default="OmniGen2/OmniGen2")
    ap.add_argument("--instruction", required=True)
    ap.add_argument("--input_image", default=None)
    ap.add_argument("--output", default="out/result.png")
    ap.add_argument("--dtype", default="bf16", choices=["fp32", "fp16", "bf16"])
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--enable_model_cpu_offload", action="store_true")
    ap.add_argument("--enable_sequential_cpu_offload", action="store_true")
    ap.add_argument("--enable_group_offload", action="store_true")
    return ap.parse_args()


def build(args, acc, wdtype):
    og = OmniGen2Pipeline.from_pretrained(args.model_path, torch_dtype=wdtype, trust_remote_code=True)
    og.transformer = OmniGen2Transformer2DModel.from_pretrained(args.model_path, subfolder="transformer", torch_dtype=wdtype)

    if args.enable_sequential_cpu_offload:
        og.enable_sequential_cpu_offload()
    elif args.enable_model_cpu_offload:
        og.enable_model_cpu_offload()
    elif args.enable_group_offload:
        apply_group_offloading(og.transformer, onload_device=acc.device, offload_type="block_level", num_blocks_per_group=2, use_stream=True)
        apply_group_offloading(og.mllm, onload_device=acc.device, offload_type="block_level", num_blocks_per_group=2, use_stream=True)
        apply_group_offloading(og.vae, onload_device=acc.device, offload_type="block_level", num_blocks_per_group=2, use_stream=True)
    else:
        og = og.to(acc.device)
    return og


def main():
    args = get_args()
    acc = Accelerator(mixed_precision=args.dtype if args.dtype != "fp32" else "no")
    wdtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(args.dtype, torch.float32)
    og = build(args, acc, wdtype)
    refs = [Image.open(args.input_image).convert("RGB")] if args.input_image else None
    res = og(
        prompt=args.instruction,
        input_images=refs,
        width=1024,
        height=1024,
        num_inference_steps=args.steps,
        text_guidance_scale=5.0,
        image_guidance_scale=2.0,
        generator=torch.Generator(device=acc.device).manual_seed(args.seed),
        output_type="pil",
    )
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    res.images[0].save(args.output)


if __name__ == "__main__":
    main()
