# pipefit corpus: a T5 encoder loaded and never used (component-loaded-unused);
# the transformer loaded the same way is passed to the pipeline (near miss).
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel
from transformers import T5EncoderModel

repo = "black-forest-labs/FLUX.1-schnell"
t5 = T5EncoderModel.from_pretrained(repo, subfolder="text_encoder_2", torch_dtype=torch.bfloat16)
dit = FluxTransformer2DModel.from_pretrained(repo, subfolder="transformer", torch_dtype=torch.bfloat16)
pipe = FluxPipeline.from_pretrained(repo, transformer=dit, torch_dtype=torch.bfloat16)
pipe.enable_model_cpu_offload()
pipe("a foggy harbour", num_inference_steps=4).images[0].save("harbour.png")
