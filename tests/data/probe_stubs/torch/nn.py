"""Stub of torch.nn: Module with hooks, named_modules and parameters; Parameter."""

import torch


class Parameter(torch.Tensor):
    def __init__(self, data, requires_grad=True):
        super().__init__(data.shape, data.dtype, data.device.type)
        if torch._META[0]:
            self.device = torch.device("meta")


class Module:
    def __init__(self):
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_pre_hooks", [])
        object.__setattr__(self, "_post_hooks", [])

    def __setattr__(self, name, value):
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __getattribute__(self, name):
        parameters = object.__getattribute__(self, "__dict__").get("_parameters", {})
        if name in parameters:
            return parameters[name]
        return object.__getattribute__(self, name)

    def register_buffer(self, name, tensor, persistent=True):
        self._buffers[name] = tensor

    def register_forward_pre_hook(self, hook):
        self._pre_hooks.append(hook)

    def register_forward_hook(self, hook):
        self._post_hooks.append(hook)

    def named_modules(self, prefix=""):
        yield prefix, self
        for name, child in self._modules.items():
            yield from child.named_modules(prefix + "." + name if prefix else name)

    def parameters(self):
        for _, module in self.named_modules():
            yield from module._parameters.values()

    def eval(self):
        return self

    def to(self, *args, **kwargs):
        return self

    def __call__(self, *args, **kwargs):
        for hook in self._pre_hooks:
            hook(self, args)
        output = self.forward(*args, **kwargs)
        for hook in self._post_hooks:
            hook(self, args, output)
        return output


class Linear(Module):
    def __init__(self, inputs, outputs):
        super().__init__()
        self.weight = Parameter(torch.empty((outputs, inputs)))
        self.bias = Parameter(torch.empty((outputs,)))
