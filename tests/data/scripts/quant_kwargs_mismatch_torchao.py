# pipefit corpus: the torchao backend given bitsandbytes-style kwargs
# (quant-backend-kwargs-mismatch); the quant_mapping config next to it is a
# different, correct form (no quant-* finding for it).
import torch
from diffusers import PipelineQuantizationConfig, QwenImagePipeline, TorchAoConfig
from torchao.quantization import Int8WeightOnlyConfig

bad_config = PipelineQuantizationConfig(
    quant_backend="torchao",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_compute_dtype": torch.bfloat16},
    components_to_quantize=["transformer"],
)

good_config = PipelineQuantizationConfig(
    quant_mapping={"transformer": TorchAoConfig(Int8WeightOnlyConfig())},
)

pipe = QwenImagePipeline.from_pretrained(
    "Qwen/Qwen-Image",
    quantization_config=good_config,
    torch_dtype=torch.bfloat16,
    device_map="cpu",
)
pipe.to("cuda")
image = pipe("a paper boat on a puddle", num_inference_steps=40).images[0]
image.save("boat.png")
