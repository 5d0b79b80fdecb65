#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora under fuzz/seeds/<target>/ (committed;
re-run to regenerate). Small, valid-ish inputs each target's parser accepts,
so mutations start from the interesting part of the input space."""
import json
import pathlib
import shutil
import struct

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"


def write(target, name, data):
    path = SEEDS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def safetensors(tensors, metadata=None):
    header, offset = {}, 0
    sizes = {"BF16": 2, "F16": 2, "F32": 4, "I64": 8, "F8_E4M3": 1, "U8": 1}
    for name, dtype, shape in tensors:
        n = 1
        for d in shape:
            n *= d
        size = n * sizes[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + size]}
        offset += size
    if metadata:
        header["__metadata__"] = metadata
    body = json.dumps(header).encode()
    return struct.pack("<Q", len(body)) + body + b"\0" * offset


def gguf():
    def string(s):
        b = s.encode()
        return struct.pack("<Q", len(b)) + b
    kvs = string("general.architecture") + struct.pack("<I", 8) + string("flux")
    kvs += string("general.alignment") + struct.pack("<I", 4) + struct.pack("<I", 32)
    tensors = string("double_blocks.0.img_attn.qkv.weight") + struct.pack("<I", 2) + struct.pack("<QQ", 32, 4)
    tensors += struct.pack("<I", 8) + struct.pack("<Q", 0)  # Q8_0 at offset 0
    tensors += string("img_in.weight") + struct.pack("<I", 1) + struct.pack("<Q", 16) + struct.pack("<I", 1)
    tensors += struct.pack("<Q", 160)
    header = b"GGUF" + struct.pack("<IQQ", 3, 2, 2) + kvs + tensors
    header += b"\0" * ((32 - len(header) % 32) % 32)
    return header + b"\0" * 192


def main():
    if SEEDS.exists():
        shutil.rmtree(SEEDS)
    write("safetensors_header", "small.safetensors",
          safetensors([("a.weight", "BF16", [4, 4]), ("a.bias", "F32", [4])], {"format": "pt"}))
    write("safetensors_header", "fp8.safetensors", safetensors([("w", "F8_E4M3", [8, 8]), ("i", "I64", [2])]))
    write("safetensors_header", "empty.safetensors", safetensors([]))
    write("sharded_index", "index.json", json.dumps({
        "metadata": {"total_size": 48},
        "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                       "b.weight": "model-00002-of-00002.safetensors"}}))
    real = ROOT / "tests/data/flux1-dev/text_encoder_2/model.safetensors.index.json"
    if real.exists():
        write("sharded_index", "t5.index.json", real.read_bytes())
    write("gguf_header", "tiny.gguf", gguf())
    catalog = ROOT / "data/catalog/flux1-dev"
    write("pipeline_config", "flux.bin",
          (catalog / "model_index.json").read_bytes() + b"\0" + (catalog / "transformer/config.json").read_bytes())
    write("pipeline_config", "vae.bin",
          (catalog / "model_index.json").read_bytes() + b"\0" + (catalog / "vae/config.json").read_bytes())
    scripts = sorted((ROOT / "tests/data/scripts").glob("*.py"))
    for script in scripts[:12]:
        write("python_script", script.name, script.read_bytes())
    logs = sorted((ROOT / "tests/data/doctor").glob("*.log"))
    for log in logs[:12]:
        write("oom_log", log.name, log.read_bytes())
    for i, text in enumerate(["24GiB", "24GB", "24000MiB", "24000MB", "12", "1.5TiB", "0.5",
                              "fp8_layerwise+model_offload", "bnb_nf4+gpu+te+vae_tiling+vae_slicing"]):
        write("size_parse", "seed%d" % i, text)
    tree = [{"type": "directory", "oid": "1" * 40, "size": 0, "path": "vae"},
            {"type": "file", "oid": "2" * 40, "size": 820, "path": "vae/config.json"},
            {"type": "file", "oid": "3" * 40, "size": 167666864, "path": "vae/diffusion_pytorch_model.safetensors",
             "lfs": {"oid": "4" * 64, "size": 167666864, "pointerSize": 135}}]
    for i, text in enumerate([json.dumps(tree),
                              json.dumps({"id": "org/name", "sha": "4f2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f40",
                                          "gated": "manual", "private": False}),
                              '<https://hub.test/api/models/o/n/tree/main?recursive=true&cursor=Mg>; rel="next"',
                              "https://cdn.test/blob?sig=abc", "/o/n/resolve/abc/x.json", "../x",
                              "org/name@refs%2Fpr%2F1/transformer/config.json",
                              "https://hub.test/org/name/blob/main/flux1-dev-Q4_0.gguf"]):
        write("hub_listing", "seed%d" % i, text)


if __name__ == "__main__":
    main()
