"""Stub of the transformers names the probe uses: config classes, two text encoders, BatchEncoding."""

import torch


class BatchEncoding(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as missing:
            raise AttributeError(name) from missing


class PretrainedConfig:
    def __init__(self, **values):
        self.__dict__.update(values)

    @classmethod
    def from_dict(cls, values):
        return cls(**values)


class _Encoder(torch.nn.Module):
    config_class = PretrainedConfig
    _keep_in_fp32_modules = None
    _keep_in_fp32_modules_strict = None

    def __init__(self, config):
        super().__init__()
        self.config = config
        hidden = getattr(config, "d_model", None) or getattr(config, "hidden_size", 8)
        self.shared = torch.nn.Linear(4, hidden)
        self.proj = torch.nn.Linear(hidden, hidden)

    def save_pretrained(self, path, safe_serialization=True):
        import diffusers

        self.saved_config = dict(self.config.__dict__)
        diffusers._save(self, path)

    def forward(self, input_ids, **kwargs):
        return (torch.Tensor((input_ids.shape[0], input_ids.shape[1], 8)),)


class CLIPTextModel(_Encoder):
    pass


class T5EncoderModel(_Encoder):
    _keep_in_fp32_modules = ["wo"]

    def tie_weights(self):
        self.encoder_embed = self.shared  # a tied parameter holder, as T5's embed_tokens is
