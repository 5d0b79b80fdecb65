# pipefit corpus (negative): FLUX.1-dev loaded in bf16 with model offload once,
# the VAE's own tiling and slicing, the pipeline-level quantization config
# done right (4-bit backend with 4-bit kwargs), and pipe.to("cpu") (not a CUDA
# device) once done. Expected: no findings.
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder_2"],
)

pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    quantization_config=pipeline_quant_config,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()
pipe.vae.enable_tiling()
pipe.vae.enable_slicing()

images = pipe(
    ["a red panda astronaut", "a blue whale in the clouds"],
    height=1536,
    width=1536,
    num_inference_steps=28,
).images
for i, image in enumerate(images):
    image.save(f"flux_{i}.png")

pipe.to("cpu")
torch.cuda.empty_cache()
