# pipefit corpus: the pipeline moved to CUDA and only then group offloaded
# (to-before-offload on the .to call: it loads every weight onto the GPU
# first). The leaf-level stream offload itself is fine.
import torch
from diffusers import QwenImagePipeline

pipe = QwenImagePipeline.from_pretrained("Qwen/Qwen-Image", torch_dtype=torch.bfloat16)
pipe.to("cuda")
pipe.enable_group_offload(
    onload_device=torch.device("cuda"),
    offload_device=torch.device("cpu"),
    offload_type="leaf_level",
    use_stream=True,
    low_cpu_mem_usage=True,
)

image = pipe("a ceramic vase with blue glaze", num_inference_steps=50, true_cfg_scale=4.0).images[0]
image.save("vase.png")
