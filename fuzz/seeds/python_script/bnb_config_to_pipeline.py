# pipefit corpus: a diffusers BitsAndBytesConfig assigned to a variable and
# passed straight to a pipeline's from_pretrained
# (quant-config-not-pipeline-level; it belongs on a model class, or in a
# PipelineQuantizationConfig). 4-bit with model offload is fine.
import torch
from diffusers import BitsAndBytesConfig, FluxPipeline

quant_config = BitsAndBytesConfig(
    load_in_4bit=True,
    bnb_4bit_quant_type="nf4",
    bnb_4bit_compute_dtype=torch.bfloat16,
)

pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    quantization_config=quant_config,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

image = pipe(
    "a frog reading a newspaper, oil painting",
    height=1024,
    width=1024,
    num_inference_steps=28,
).images[0]
image.save("frog.png")
