# pattern of https://github.com/huggingface/diffusers/issues/10533
# FLUX.1 Fill inpainting around a user mask: the area around the mask is cropped to a
# square, inpainted, and pasted back. The fill pipeline is loaded in float16.
import cv2
import numpy as np
import torch
from diffusers import FluxFillPipeline
from PIL import Image


def read_inputs(image_path, mask_path):
    bgr = cv2.imread(image_path)
    rgb = bgr[..., ::-1]
    mask = cv2.imread(mask_path, 0)
    return rgb, mask


def square_box_around(mask, ratio=2.0, limit=2.5):
    h, w = mask.shape
    rows, cols = np.where(mask)
    top, bottom = rows.min(), rows.max()
    left, right = cols.min(), cols.max()
    size = max(bottom - top, right - left)
    if size > min(h, w) / limit:
        return None
    half = int(ratio * size // 2) + 1
    cy, cx = (top + bottom) // 2, (left + right) // 2
    y0, y1 = max(cy - half, 0), min(cy + half, h)
    x0, x1 = max(cx - half, 0), min(cx + half, w)
    return y0, y1, x0, x1


fill = FluxFillPipeline.from_pretrained("black-forest-labs/FLUX.1-Fill-dev", torch_dtype=torch.float16).to("cuda")

photo, hole = read_inputs("room.png", "room_mask.png")
box = square_box_around(hole)
if box is None:
    crop_img, crop_mask = photo, hole
else:
    y0, y1, x0, x1 = box
    crop_img, crop_mask = photo[y0:y1, x0:x1], hole[y0:y1, x0:x1]

patched = fill(
    prompt="a green velvet armchair",
    image=Image.fromarray(np.ascontiguousarray(crop_img)).resize((1024, 1024)),
    mask_image=Image.fromarray(crop_mask).resize((1024, 1024)),
    height=1024,
    width=1024,
    guidance_scale=30,
    num_inference_steps=50,
    max_sequence_length=512,
    generator=torch.Generator("cpu").manual_seed(0),
).images[0]
patched.save("room_filled.png")
