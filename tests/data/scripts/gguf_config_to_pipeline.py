# pipefit corpus: GGUFQuantizationConfig assigned to a variable and handed to
# DiffusionPipeline.from_pretrained (quant-config-not-pipeline-level: GGUF
# loads through the model class's from_single_file).
import torch
from diffusers import DiffusionPipeline, GGUFQuantizationConfig

gguf_config = GGUFQuantizationConfig(compute_dtype=torch.bfloat16)

pipe = DiffusionPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    quantization_config=gguf_config,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()
pipe("a lantern floating on a lake at night").images[0].save("lantern.png")
