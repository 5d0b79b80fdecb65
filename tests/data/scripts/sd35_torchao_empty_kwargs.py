# pipefit corpus: SD 3.5 Large with the torchao backend and quant_kwargs={}
# (quant-kwargs-empty). bf16 is right for SD 3.5.
import torch
from diffusers import PipelineQuantizationConfig, StableDiffusion3Pipeline

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="torchao",
    quant_kwargs={},
    components_to_quantize=["transformer", "text_encoder_3"],
)

pipe = StableDiffusion3Pipeline.from_pretrained(
    "stabilityai/stable-diffusion-3.5-large",
    quantization_config=pipeline_quant_config,
    torch_dtype=torch.bfloat16,
    device_map="cuda",
)

image = pipe(
    "A capybara holding a sign that reads Hello World",
    num_inference_steps=28,
    guidance_scale=3.5,
).images[0]
image.save("capybara.png")
