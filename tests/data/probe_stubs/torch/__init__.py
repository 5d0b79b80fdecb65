"""Stub of the torch names the pipefit probe uses (tests only; see ../README.md)."""

import contextlib

_META = [False]  # set by accelerate.init_empty_weights


class dtype:
    def __init__(self, name, is_floating_point):
        self.name = name
        self.is_floating_point = is_floating_point

    def __repr__(self):
        return "torch." + self.name


float32 = dtype("float32", True)
float16 = dtype("float16", True)
bfloat16 = dtype("bfloat16", True)
float8_e4m3fn = dtype("float8_e4m3fn", True)
int64 = dtype("int64", False)


class device:
    def __init__(self, kind, index=None):
        self.type = kind.type if isinstance(kind, device) else str(kind).split(":")[0]

    def __repr__(self):
        return "device(%r)" % self.type


class Tensor:
    def __init__(self, shape, dtype=float32, device_="cpu"):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.device = device(device_)

    def normal_(self, mean=0.0, std=1.0, generator=None):
        return self

    def zero_(self):
        return self

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def to(self, *args, **kwargs):
        for value in list(args) + list(kwargs.values()):
            if isinstance(value, dtype):
                return Tensor(self.shape, value, self.device.type)
        return self

    def tolist(self):
        rows = self.shape[0] if self.shape else 1
        cols = self.shape[1] if len(self.shape) > 1 else 1
        return [[0] * cols for _ in range(rows)]


class Generator:
    def __init__(self, device="cpu"):
        self.device = device

    def manual_seed(self, seed):
        return self


def empty(shape, dtype=float32, device="cpu"):
    return Tensor(shape, dtype, device)


def randint(low, high, size, generator=None):
    return Tensor(size, int64)


def ones_like(tensor):
    return Tensor(tensor.shape, tensor.dtype)


def full(size, value):
    return Tensor(size, int64)


def inference_mode():
    return contextlib.nullcontext()


class OutOfMemoryError(RuntimeError):
    pass


class _Cuda:
    OutOfMemoryError = OutOfMemoryError

    @staticmethod
    def is_available():
        return False


cuda = _Cuda()


class _Version:
    cuda = None


version = _Version()


from . import nn  # noqa: E402,F401  (torch.nn, which needs Tensor above)
