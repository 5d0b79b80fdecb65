# pipefit corpus: the transformer loaded with BitsAndBytesConfig(load_in_8bit=True)
# on the model class (right place), passed to the pipeline, which is then
# model-offloaded (bnb8-with-model-offload on the offload call).
import torch
from diffusers import BitsAndBytesConfig, FluxPipeline, FluxTransformer2DModel

int8_config = BitsAndBytesConfig(load_in_8bit=True)
transformer = FluxTransformer2DModel.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    subfolder="transformer",
    quantization_config=int8_config,
    torch_dtype=torch.bfloat16,
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    transformer=transformer,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

image = pipe("a bowl of cherries on a marble table", num_inference_steps=28).images[0]
image.save("cherries.png")
