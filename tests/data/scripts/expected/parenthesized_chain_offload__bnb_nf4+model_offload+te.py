# pipefit corpus: a parenthesised builder chain with the `.to("cuda")` on its
# own line, then model offload further down (to-before-offload, reported on
# the line where the chained call starts).
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder_2"],
)
pipe = (
    FluxPipeline.from_pretrained(
        "black-forest-labs/FLUX.1-dev",
        torch_dtype=torch.bfloat16,
        quantization_config=pipeline_quant_config,
        device_map="cpu",
    )
)

# LoRA for a specific style
pipe.load_lora_weights("XLabs-AI/flux-RealismLora", weight_name="lora.safetensors")
pipe.fuse_lora(lora_scale=0.9)
pipe.enable_model_cpu_offload()


image = pipe(
    "a portrait of an old sailor with a pipe, film photo",
    num_inference_steps=28,
    guidance_scale=3.5,
).images[0]
image.save("sailor.png")
