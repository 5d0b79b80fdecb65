"""Stub of the diffusers names a FLUX probe uses; FluxPipeline.__call__ runs the real call's order of stages."""

import importlib
import json
import os

import torch

__version__ = "0.0.0-stub"


def _save(model, path):
    """save_pretrained: a config.json (what from_pretrained reads back here) and a weights file."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w", encoding="utf-8") as out:
        json.dump(getattr(model, "saved_config", {}), out)
    with open(os.path.join(path, "model.safetensors"), "wb") as out:
        out.write(b"stub")


class PipelineQuantizationConfig:
    def __init__(self, quant_backend=None, quant_kwargs=None, components_to_quantize=None):
        self.components_to_quantize = components_to_quantize or []


class _Configured:
    @classmethod
    def from_config(cls, config):
        model = cls(**{key: value for key, value in config.items() if not key.startswith("_")})
        model.saved_config = dict(config)
        return model

    def save_pretrained(self, path, safe_serialization=True):
        _save(self, path)


class FlowMatchEulerDiscreteScheduler(_Configured):
    def __init__(self, **config):
        self.config = config

    def step(self, noise, timestep, latents, return_dict=False):
        return (latents,)


class FluxTransformer2DModel(_Configured, torch.nn.Module):
    _keep_in_fp32_modules = None

    def __init__(self, num_layers=1, **config):
        torch.nn.Module.__init__(self)
        self.x_embedder = torch.nn.Linear(4, 4)
        self.proj_out = torch.nn.Linear(4, 4)

    def forward(self, hidden_states=None, **kwargs):
        return (hidden_states,)


class AutoencoderKL(_Configured, torch.nn.Module):
    _keep_in_fp32_modules = None

    def __init__(self, **config):
        torch.nn.Module.__init__(self)
        self.decoder = torch.nn.Linear(4, 4)

    def decode(self, latents, return_dict=False):
        if os.environ.get("PIPEFIT_STUB_OOM_AT") == "decode":
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (stub)")
        return (latents,)


class FluxPipeline:
    def __init__(self, scheduler, vae, text_encoder, tokenizer, text_encoder_2, tokenizer_2, transformer,
                 image_encoder=None, feature_extractor=None):
        self.scheduler, self.vae, self.transformer = scheduler, vae, transformer
        self.text_encoder, self.tokenizer = text_encoder, tokenizer
        self.text_encoder_2, self.tokenizer_2 = text_encoder_2, tokenizer_2

    @property
    def components(self):
        return {"scheduler": self.scheduler, "text_encoder": self.text_encoder, "text_encoder_2": self.text_encoder_2,
                "tokenizer": self.tokenizer, "tokenizer_2": self.tokenizer_2, "transformer": self.transformer,
                "vae": self.vae}

    def to(self, device):
        return self

    @classmethod
    def from_pretrained(cls, folder, quantization_config=None, torch_dtype=None, device_map=None, **passed):
        """Loads the non-null entries of model_index.json; passed components are taken as they are."""
        with open(os.path.join(folder, "model_index.json"), encoding="utf-8") as index_file:
            index = json.load(index_file)
        parts = dict(passed)
        for name, entry in index.items():
            if name.startswith("_") or entry[0] is None:
                continue
            assert name not in passed, name
            assert quantization_config is None or name in quantization_config.components_to_quantize, name
            with open(os.path.join(folder, name, "config.json"), encoding="utf-8") as config_file:
                config = json.load(config_file)
            klass = getattr(importlib.import_module(entry[0]), entry[1])
            parts[name] = klass.from_config(config) if entry[0] == "diffusers" else klass(
                klass.config_class.from_dict(config))
        return cls(**parts)

    def __call__(self, prompt, height=1024, width=1024, num_inference_steps=28, num_images_per_prompt=1,
                 generator=None):
        # TextualInversionLoaderMixin.maybe_convert_prompt, as FluxPipeline runs it for both tokenizers.
        for tokenizer in (self.tokenizer, self.tokenizer_2):
            assert all(token not in tokenizer.added_tokens_encoder for token in tokenizer.tokenize(prompt))
        clip = self.tokenizer([prompt], padding="max_length", max_length=77, truncation=True, return_tensors="pt")
        self.text_encoder(clip.input_ids)
        t5 = self.tokenizer_2([prompt], padding="max_length", max_length=512, truncation=True, return_tensors="pt")
        assert t5.input_ids.shape == (1, 512), t5.input_ids.shape
        self.text_encoder_2(t5.input_ids)
        latents = torch.Tensor((num_images_per_prompt, (height // 16) * (width // 16), 64))
        for step in range(num_inference_steps):
            noise = self.transformer(hidden_states=latents)[0]
            latents = self.scheduler.step(noise, step, latents, return_dict=False)[0]
        return self.vae.decode(latents, return_dict=False)[0]
