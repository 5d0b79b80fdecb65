# pipefit corpus: a plain FLUX.1-dev script that enables model CPU offload and
# then still moves the pipeline to CUDA (to-after-model-offload). The VAE
# tiling call is the correct component-level one (no vae-tiling finding).
import torch
from diffusers import FluxPipeline, PipelineQuantizationConfig

pipeline_quant_config = PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer", "text_encoder_2"],
)
pipe = FluxPipeline.from_pretrained("black-forest-labs/FLUX.1-dev", torch_dtype=torch.bfloat16, quantization_config=pipeline_quant_config, device_map="cpu")
pipe.enable_model_cpu_offload()

# make sure everything is on the GPU

prompt = "A cat holding a sign that says hello world"
image = pipe(
    prompt,
    height=1024,
    width=1024,
    guidance_scale=3.5,
    num_inference_steps=50,
    max_sequence_length=512,
    generator=torch.Generator("cpu").manual_seed(0),
).images[0]
image.save("flux-dev.png")
