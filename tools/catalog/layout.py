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


def add_decoder_layer(t, prefix, hidden, heads, kv_heads, head_dim, inter, qkv_bias=False, o_bias=False,
                      mlp_bias=False, qk_norm=False, norms=("input_layernorm", "post_attention_layernorm")):
    """One decoder layer of the Llama family of transformers models (Llama,
    Mistral, Qwen2 / 2.5 / 3, Gemma 2): self_attn q_proj [heads*hd, hidden],
    k_proj / v_proj [kv_heads*hd, hidden], o_proj [hidden, heads*hd]; Qwen3's
    q_norm / k_norm [hd]; mlp gate_proj / up_proj [inter, hidden], down_proj
    [hidden, inter]; the RMSNorm weights named in `norms` (Gemma 2 has four).
    Rotary inv_freq buffers are non-persistent and not saved."""
    add_linear(t, prefix + ".self_attn.q_proj", hidden, heads * head_dim, bias=qkv_bias)
    add_linear(t, prefix + ".self_attn.k_proj", hidden, kv_heads * head_dim, bias=qkv_bias)
    add_linear(t, prefix + ".self_attn.v_proj", hidden, kv_heads * head_dim, bias=qkv_bias)
    add_linear(t, prefix + ".self_attn.o_proj", heads * head_dim, hidden, bias=o_bias)
    if qk_norm:
        add_affine_norm(t, prefix + ".self_attn.q_norm", head_dim, bias=False)
        add_affine_norm(t, prefix + ".self_attn.k_norm", head_dim, bias=False)
    add_linear(t, prefix + ".mlp.gate_proj", hidden, inter, bias=mlp_bias)
    add_linear(t, prefix + ".mlp.up_proj", hidden, inter, bias=mlp_bias)
    add_linear(t, prefix + ".mlp.down_proj", inter, hidden, bias=mlp_bias)
    for norm in norms:
        add_affine_norm(t, prefix + "." + norm, hidden, bias=False)
