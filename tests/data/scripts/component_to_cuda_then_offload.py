# pipefit corpus: a transformer loaded on its own and moved to the GPU, then
# passed to a pipeline that is model-offloaded, and the pipeline's VAE moved
# too (component-to-before-offload, twice); the T5 encoder is passed without
# a move.
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel
from transformers import T5EncoderModel

transformer = FluxTransformer2DModel.from_pretrained(
    "black-forest-labs/FLUX.1-dev", subfolder="transformer", torch_dtype=torch.bfloat16
).to("cuda")
text_encoder_2 = T5EncoderModel.from_pretrained(
    "black-forest-labs/FLUX.1-dev", subfolder="text_encoder_2", torch_dtype=torch.bfloat16
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    transformer=transformer,
    text_encoder_2=text_encoder_2,
    torch_dtype=torch.bfloat16,
)
pipe.vae.to("cuda")
pipe.enable_model_cpu_offload()

image = pipe("a lighthouse at dusk", num_inference_steps=28).images[0]
image.save("lighthouse.png")
