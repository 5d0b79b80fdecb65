"""Building blocks for tensor layouts: each helper adds entries to an ordered
dict `name -> shape` (torch order), the way the named torch module registers
its parameters. Layout functions (arch_*.py) compose these.

Standard library only.
"""

DTYPE_BYTES = {"BF16": 2, "F16": 2, "F32": 4, "F8_E4M3": 1, "U8": 1, "I8": 1}


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def add_linear(t, prefix, in_features, out_features, bias=True):
    """torch.nn.Linear: weight [out, in], bias [out]."""
    t[prefix + ".weight"] = [out_features, in_features]
    if bias:
        t[prefix + ".bias"] = [out_features]


def add_conv2d(t, prefix, in_ch, out_ch, kernel, bias=True):
    """torch.nn.Conv2d: weight [out, in, kh, kw], bias [out]. `kernel` is an
    int or a (kh, kw) pair."""
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    t[prefix + ".weight"] = [out_ch, in_ch, kh, kw]
    if bias:
        t[prefix + ".bias"] = [out_ch]


def add_conv3d(t, prefix, in_ch, out_ch, kernel, bias=True):
    """torch.nn.Conv3d: weight [out, in, kt, kh, kw], bias [out]. `kernel` is
    an int or a (kt, kh, kw) triple."""
    kt, kh, kw = (kernel, kernel, kernel) if isinstance(kernel, int) else kernel
    t[prefix + ".weight"] = [out_ch, in_ch, kt, kh, kw]
    if bias:
        t[prefix + ".bias"] = [out_ch]


def add_affine_norm(t, prefix, channels, bias=True):
    """LayerNorm / GroupNorm with elementwise affine: weight [C] (+ bias [C]).
    RMSNorm (diffusers, transformers) and T5LayerNorm have a weight only."""
    t[prefix + ".weight"] = [channels]
    if bias:
        t[prefix + ".bias"] = [channels]


def add_embedding(t, prefix, num, dim):
    """torch.nn.Embedding: weight [num, dim]."""
    t[prefix + ".weight"] = [num, dim]
