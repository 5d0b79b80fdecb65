# pipefit corpus: a benchmarking loop over attention backends in a function;
# "sage_attention" is not a diffusers backend name (attention-backend-unknown),
# the others are valid, and the one chosen from a variable is not judged.
import sys

import torch
from diffusers import WanPipeline


def bench(pipe, backend):
    torch.cuda.synchronize()
    pipe("a fox running through snow", num_frames=33, num_inference_steps=10)
    torch.cuda.synchronize()


def main():
    pipe = WanPipeline.from_pretrained("Wan-AI/Wan2.1-T2V-1.3B-Diffusers", torch_dtype=torch.bfloat16)
    pipe.to("cuda")

    pipe.transformer.set_attention_backend("native")
    bench(pipe, "native")
    pipe.transformer.set_attention_backend("sage_attention")
    bench(pipe, "sage")
    pipe.transformer.set_attention_backend("_sage_qk_int8_pv_fp16_triton")
    bench(pipe, "sage triton")
    pipe.transformer.set_attention_backend(sys.argv[1])
    bench(pipe, sys.argv[1])


if __name__ == "__main__":
    main()
