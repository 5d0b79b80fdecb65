# pipefit corpus: attention slicing on Apple MPS, where diffusers still
# suggests it for machines with little memory (near miss of
# attention-slicing-with-sdpa).
from diffusers import DiffusionPipeline

pipe = DiffusionPipeline.from_pretrained("stable-diffusion-v1-5/stable-diffusion-v1-5")
pipe = pipe.to("mps")
pipe.enable_attention_slicing()
pipe("a cabin in the woods").images[0].save("cabin.png")
