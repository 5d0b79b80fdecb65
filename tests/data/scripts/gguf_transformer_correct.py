# pipefit corpus (negative): the documented GGUF recipe: the Q4 transformer
# loaded with from_single_file and GGUFQuantizationConfig on the model class,
# then joined to the FLUX pipeline, model-offloaded. Expected: no findings.
import torch
from diffusers import FluxPipeline, FluxTransformer2DModel, GGUFQuantizationConfig

ckpt_path = "https://huggingface.co/city96/FLUX.1-dev-gguf/blob/main/flux1-dev-Q4_K_S.gguf"
transformer = FluxTransformer2DModel.from_single_file(
    ckpt_path,
    quantization_config=GGUFQuantizationConfig(compute_dtype=torch.bfloat16),
    torch_dtype=torch.bfloat16,
)
pipe = FluxPipeline.from_pretrained(
    "black-forest-labs/FLUX.1-dev",
    transformer=transformer,
    torch_dtype=torch.bfloat16,
)
pipe.enable_model_cpu_offload()
image = pipe("A cat holding a sign that says hello world", generator=torch.manual_seed(0)).images[0]
image.save("flux-gguf.png")
