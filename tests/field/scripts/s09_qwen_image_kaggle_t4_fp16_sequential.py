# pattern of https://github.com/huggingface/diffusers/issues/12722
# Kaggle notebook (2x T4, no bf16) flattened to a script: Qwen-Image with pipeline-level
# bnb nf4 quantization, the 4-step Lightning LoRA and sequential CPU offload.
import math

import diffusers
import torch

nf4 = diffusers.PipelineQuantizationConfig(
    quant_backend="bitsandbytes_4bit",
    quant_kwargs={"load_in_4bit": True, "bnb_4bit_quant_type": "nf4", "bnb_4bit_compute_dtype": torch.float16},
    components_to_quantize=["transformer", "text_encoder"],
)
qwen = diffusers.QwenImagePipeline.from_pretrained(
    "Qwen/Qwen-Image", torch_dtype=torch.float16, low_cpu_mem_usage=True, quantization_config=nf4
)

lightning_sched = {
    "base_image_seq_len": 256,
    "base_shift": math.log(3),
    "invert_sigmas": False,
    "max_image_seq_len": 8192,
    "max_shift": math.log(3),
    "num_train_timesteps": 1000,
    "shift": 1.0,
    "shift_terminal": None,
    "stochastic_sampling": False,
    "time_shift_type": "exponential",
    "use_beta_sigmas": False,
    "use_dynamic_shifting": True,
    "use_exponential_sigmas": False,
    "use_karras_sigmas": False,
}
qwen.scheduler = diffusers.FlowMatchEulerDiscreteScheduler.from_config(lightning_sched)
qwen.load_lora_weights(
    "lightx2v/Qwen-Image-Lightning", weight_name="Qwen-Image-Lightning-4steps-V2.0.safetensors", adapter_name="fast"
)
qwen.set_adapters("fast", adapter_weights=1)
qwen.enable_sequential_cpu_offload()

poster = qwen(
    prompt="a vintage travel poster of a mountain railway, bold lettering 'ALPINE EXPRESS'",
    height=1280,
    width=720,
    num_inference_steps=4,
    true_cfg_scale=1,
).images[0]
poster.save("alpine_poster.png")
