# pipefit corpus: CogVideoX with model offload first and pipeline-level group
# offloading added later (model-offload-with-group-offload on the later call;
# diffusers raises). The VAE's own tiling and slicing are fine.
import torch
from diffusers import CogVideoXPipeline
from diffusers.utils import export_to_video

pipe = CogVideoXPipeline.from_pretrained("THUDM/CogVideoX-5b", torch_dtype=torch.bfloat16)
pipe.enable_model_cpu_offload()
pipe.vae.enable_tiling()
pipe.vae.enable_slicing()

if torch.cuda.get_device_properties(0).total_memory < 12 * 2**30:
    pipe.enable_group_offload(
        onload_device=torch.device("cuda"),
        offload_device=torch.device("cpu"),
        offload_type="leaf_level",
    )

prompt = "A panda, dressed in a small, red jacket and a tiny hat, sits on a wooden stool in a serene bamboo forest."
video = pipe(prompt=prompt, num_videos_per_prompt=1, num_inference_steps=50, num_frames=49, guidance_scale=6).frames[0]
export_to_video(video, "output.mp4", fps=8)
