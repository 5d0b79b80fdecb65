# pipefit corpus: model offload and then sequential offload on the same
# pipeline (offload-twice on the second call, plus the
# sequential-offload-legacy advice there). Sana in bf16.
import torch
from diffusers import SanaPipeline

pipe = SanaPipeline.from_pretrained(
    "Efficient-Large-Model/Sana_1600M_1024px_BF16_diffusers",
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()

# still OOM on my 6 GB laptop GPU
pipe.enable_sequential_cpu_offload()
pipe.vae.to(torch.bfloat16)
pipe.text_encoder.to(torch.bfloat16)

image = pipe(
    prompt="a cyberpunk cat with a neon sign that says Sana",
    height=1024,
    width=1024,
    guidance_scale=4.5,
    num_inference_steps=20,
).images[0]
image.save("sana.png")
