# pattern of https://github.com/huggingface/diffusers/issues/10795
# AuraFlow with a GGUF Q2_K transformer, everything on the GPU, compiled with max-autotune.
import torch
from diffusers import AuraFlowPipeline, AuraFlowTransformer2DModel, GGUFQuantizationConfig

torch.set_float32_matmul_precision("high")
torch._inductor.config.conv_1x1_as_mm = True
torch._inductor.config.coordinate_descent_tuning = True
torch._inductor.config.epilogue_fusion = False
torch._inductor.config.coordinate_descent_check_all_directions = True

q2k = "https://huggingface.co/city96/AuraFlow-v0.3-gguf/blob/main/aura_flow_0.3-Q2_K.gguf"
aura_dit = AuraFlowTransformer2DModel.from_single_file(q2k, quantization_config=GGUFQuantizationConfig(compute_dtype=torch.bfloat16), torch_dtype=torch.bfloat16)

aura = AuraFlowPipeline.from_pretrained("fal/AuraFlow-v0.3", transformer=aura_dit, torch_dtype=torch.bfloat16).to("cuda")

aura.transformer.to(memory_format=torch.channels_last)
aura.transformer = torch.compile(aura.transformer, mode="max-autotune", fullgraph=True)

picture = aura("a tiny origami crane on a stack of old books", width=512, height=512, num_inference_steps=5).images[0]
picture.save("origami_crane.png")
