# pipefit corpus: a FastAPI server with the pipeline held by a class
# (`self.pipe`), built by AutoPipelineForText2Image. The constructor enables
# model offload and then moves the pipeline to CUDA (to-after-model-offload).
import io
import logging

import torch
from diffusers import AutoPipelineForText2Image
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel

logger = logging.getLogger(__name__)


class GenerateRequest(BaseModel):
    prompt: str
    negative_prompt: str = ""
    steps: int = 30
    seed: int = 0


class ImageGenerator:
    def __init__(self, model_id: str = "stabilityai/stable-diffusion-xl-base-1.0"):
        logger.info("loading %s", model_id)
        self.pipe = AutoPipelineForText2Image.from_pretrained(
            "stabilityai/stable-diffusion-xl-base-1.0",
            torch_dtype=torch.float16,
            variant="fp16",
        )
        self.pipe.enable_model_cpu_offload()
        self.pipe.to("cuda")

    @torch.inference_mode()
    def generate(self, request: GenerateRequest) -> bytes:
        generator = torch.Generator("cuda").manual_seed(request.seed)
        image = self.pipe(
            prompt=request.prompt,
            negative_prompt=request.negative_prompt,
            num_inference_steps=request.steps,
            generator=generator,
        ).images[0]
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()


app = FastAPI()
generator = ImageGenerator()


@app.post("/generate")
def generate(request: GenerateRequest):
    return Response(content=generator.generate(request), media_type="image/png")
