# pattern of https://github.com/yiwu3microsoft/nunchaku/blob/f060b8daefadf9675eebc3f8c13cc8f9b9fe76ba/examples/int4-flux.1-dev-qencoder-offload.py
# SVDQuant int4 FLUX.1-dev with the 4-bit T5 encoder, "low memory" variant of the example.
import torch
from diffusers import FluxPipeline
from nunchaku import NunchakuFluxTransformer2dModel, NunchakuT5EncoderModel

# the int4 transformer does its own per-block offloading when offload=True
dit_int4 = NunchakuFluxTransformer2dModel.from_pretrained("mit-han-lab/svdq-int4-flux.1-dev", offload=True)
t5_int4 = NunchakuT5EncoderModel.from_pretrained("mit-han-lab/svdq-flux.1-t5")

pipeline = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    text_encoder_2=t5_int4,
    transformer=dit_int4,
    torch_dtype=torch.bfloat16,
).to("cuda")
pipeline.enable_sequential_cpu_offload()  # drop this call to keep everything on the GPU

caption = "A hand-painted wooden sign that says OPEN LATE hanging outside a tiny noodle shop at night"
render = pipeline(caption, num_inference_steps=50, guidance_scale=3.5).images[0]
render.save("noodle_shop_int4.png")
