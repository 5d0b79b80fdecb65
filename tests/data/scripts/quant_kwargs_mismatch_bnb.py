# pipefit corpus: two PipelineQuantizationConfigs whose kwargs do not match the
# backend (quant-backend-kwargs-mismatch twice): bitsandbytes_4bit with 8-bit
# kwargs, and bitsandbytes_8bit with 4-bit kwargs. The user compares the two
# on FLUX.1-dev, one pipeline at a time.
import gc

import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

MODEL = "black-forest-labs/FLUX.1-dev"

configs = {
    "4bit": PipelineQuantizationConfig(
        quant_backend="bitsandbytes_4bit",
        quant_kwargs={"load_in_8bit": True, "llm_int8_threshold": 6.0},
        components_to_quantize=["transformer"],
    ),
    "8bit": PipelineQuantizationConfig(
        quant_backend="bitsandbytes_8bit",
        quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4"},
        components_to_quantize=["transformer"],
    ),
}

for name, config in configs.items():
    pipe = FluxPipeline.from_pretrained(MODEL, quantization_config=config, torch_dtype=torch.bfloat16)
    pipe.to("cuda")
    image = pipe("an origami crane on a desk", num_inference_steps=28).images[0]
    image.save(f"crane_{name}.png")
    print(name, torch.cuda.max_memory_allocated() / 2**30, "GiB")
    del pipe
    gc.collect()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
