#!/usr/bin/env python3
"""Generate pipefit's built-in catalog entries for FLUX.1-dev and FLUX.1-schnell.

Reads the public reference configs (model_index.json, every component's
config.json and the two published safetensors index files) and writes, per
entry:

    <out>/<entry>/entry.json
    <out>/<entry>/model_index.json                 (byte copy)
    <out>/<entry>/scheduler/scheduler_config.json  (byte copy)
    <out>/<entry>/<component>/config.json          (byte copy)
    <out>/<entry>/<component>/tensors.tsv          (tensor manifest)

Tensor shapes are derived from each component's config.json following the
module layout of the diffusers / transformers class named in model_index.json
(one function per architecture below). For the sharded components
(transformer, text_encoder_2) the derived tensor names are checked against the
published index `weight_map` and the BF16 byte total against the index's
`metadata.total_size`; any mismatch aborts the run.

Standard library only. Output is deterministic.

Usage (from the repository root):
    python3 tools/gen_catalog.py --configs ../shared/reference/configs --out data/catalog
"""

import argparse
import json
import os
import shutil
import sys

DTYPE = "BF16"  # the published FLUX.1 diffusers checkpoints are bfloat16
DTYPE_BYTES = {"BF16": 2, "F16": 2, "F32": 4}

ENTRIES = [
    {
        "dir": "flux1-dev",
        "entry": {
            "repo": "black-forest-labs/FLUX.1-dev",
            "aliases": ["flux.1-dev"],
            "default": True,
            "description": "FLUX.1 [dev]: 12B rectified-flow transformer with "
                           "guidance distillation, CLIP-L + T5-XXL text encoders, "
                           "16-channel AutoencoderKL (bf16).",
            "revision": "main",
        },
    },
    {
        "dir": "flux1-schnell",
        "entry": {
            "repo": "black-forest-labs/FLUX.1-schnell",
            "aliases": ["flux.1-schnell"],
            "default": False,
            "description": "FLUX.1 [schnell]: 12B timestep-distilled rectified-flow "
                           "transformer (1-4 steps), CLIP-L + T5-XXL text encoders, "
                           "16-channel AutoencoderKL (bf16).",
            "revision": "main",
        },
    },
]

# component -> published safetensors index (only the sharded components have one)
INDEX_FILES = {
    "transformer": "transformer/diffusion_pytorch_model.safetensors.index.json",
    "text_encoder_2": "text_encoder_2/model.safetensors.index.json",
}

WEIGHT_COMPONENTS = ["transformer", "text_encoder", "text_encoder_2", "vae"]


# ---------------------------------------------------------------------------
# small layout helpers: each adds entries to an ordered dict name -> shape
# ---------------------------------------------------------------------------

def add_linear(t, prefix, in_features, out_features, bias=True):
    """torch.nn.Linear: weight [out, in], bias [out]."""
    t[prefix + ".weight"] = [out_features, in_features]
    if bias:
        t[prefix + ".bias"] = [out_features]


def add_conv2d(t, prefix, in_ch, out_ch, kernel):
    """torch.nn.Conv2d (bias=True): weight [out, in, kh, kw], bias [out]."""
    t[prefix + ".weight"] = [out_ch, in_ch, kernel, kernel]
    t[prefix + ".bias"] = [out_ch]


def add_affine_norm(t, prefix, channels, bias=True):
    """LayerNorm / GroupNorm with elementwise affine: weight [C] (+ bias [C]).
    RMSNorm (diffusers) and T5LayerNorm have a weight only."""
    t[prefix + ".weight"] = [channels]
    if bias:
        t[prefix + ".bias"] = [channels]


# ---------------------------------------------------------------------------
# transformer: diffusers FluxTransformer2DModel
# ---------------------------------------------------------------------------

def flux_transformer_tensors(cfg):
    """diffusers.models.transformers.transformer_flux.FluxTransformer2DModel.

    Config keys: num_attention_heads, attention_head_dim, in_channels,
    out_channels (defaults to in_channels), patch_size, joint_attention_dim,
    pooled_projection_dim, guidance_embeds, num_layers, num_single_layers.

    Modules:
      x_embedder        Linear(in_channels, inner_dim)
      context_embedder  Linear(joint_attention_dim, inner_dim)
      time_text_embed   CombinedTimestepGuidanceTextProjEmbeddings (guidance)
                        or CombinedTimestepTextProjEmbeddings: TimestepEmbedding
                        linear_1(256 -> D), linear_2(D -> D) for timestep and
                        guidance; PixArtAlphaTextProjection linear_1(pooled -> D),
                        linear_2(D -> D) for text
      transformer_blocks[i]         FluxTransformerBlock (dual stream)
      single_transformer_blocks[i]  FluxSingleTransformerBlock (mlp_ratio 4)
      norm_out          AdaLayerNormContinuous: linear(D -> 2D), no affine norm
      proj_out          Linear(D, patch_size^2 * out_channels)
    """
    heads = cfg["num_attention_heads"]
    head_dim = cfg["attention_head_dim"]
    dim = heads * head_dim
    in_channels = cfg["in_channels"]
    out_channels = cfg.get("out_channels") or in_channels
    patch = cfg.get("patch_size", 1)
    mlp_hidden = 4 * dim  # FeedForward mult=4 / FluxSingleTransformerBlock mlp_ratio=4.0
    timestep_channels = 256  # Timesteps(num_channels=256) feeding TimestepEmbedding

    t = {}
    add_linear(t, "x_embedder", in_channels, dim)
    add_linear(t, "context_embedder", cfg["joint_attention_dim"], dim)

    add_linear(t, "time_text_embed.timestep_embedder.linear_1", timestep_channels, dim)
    add_linear(t, "time_text_embed.timestep_embedder.linear_2", dim, dim)
    if cfg.get("guidance_embeds", False):
        add_linear(t, "time_text_embed.guidance_embedder.linear_1", timestep_channels, dim)
        add_linear(t, "time_text_embed.guidance_embedder.linear_2", dim, dim)
    add_linear(t, "time_text_embed.text_embedder.linear_1", cfg["pooled_projection_dim"], dim)
    add_linear(t, "time_text_embed.text_embedder.linear_2", dim, dim)

    for i in range(cfg["num_layers"]):
        p = "transformer_blocks.%d" % i
        # AdaLayerNormZero: linear(D -> 6D) for image and context streams
        add_linear(t, p + ".norm1.linear", dim, 6 * dim)
        add_linear(t, p + ".norm1_context.linear", dim, 6 * dim)
        # Attention with added_kv_proj_dim=D, qk_norm="rms_norm", bias=True
        for proj in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj"):
            add_linear(t, p + ".attn." + proj, dim, dim)
        add_linear(t, p + ".attn.to_out.0", dim, dim)
        add_linear(t, p + ".attn.to_add_out", dim, dim)
        for norm in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            add_affine_norm(t, p + ".attn." + norm, head_dim, bias=False)  # RMSNorm
        # FeedForward(activation "gelu-approximate"): net.0.proj, net.2
        for ff in ("ff", "ff_context"):
            add_linear(t, p + "." + ff + ".net.0.proj", dim, mlp_hidden)
            add_linear(t, p + "." + ff + ".net.2", mlp_hidden, dim)

    for i in range(cfg["num_single_layers"]):
        p = "single_transformer_blocks.%d" % i
        add_linear(t, p + ".norm.linear", dim, 3 * dim)  # AdaLayerNormZeroSingle
        add_linear(t, p + ".proj_mlp", dim, mlp_hidden)
        for proj in ("to_q", "to_k", "to_v"):
            add_linear(t, p + ".attn." + proj, dim, dim)
        add_affine_norm(t, p + ".attn.norm_q", head_dim, bias=False)
        add_affine_norm(t, p + ".attn.norm_k", head_dim, bias=False)
        add_linear(t, p + ".proj_out", dim + mlp_hidden, dim)

    add_linear(t, "norm_out.linear", dim, 2 * dim)
    add_linear(t, "proj_out", dim, patch * patch * out_channels)
    return t


# ---------------------------------------------------------------------------
# text_encoder_2: transformers T5EncoderModel (T5 v1.1 XXL)
# ---------------------------------------------------------------------------

def t5_encoder_tensors(cfg):
    """transformers.models.t5.modeling_t5.T5EncoderModel.

    Config keys: vocab_size, d_model, d_kv, num_heads, d_ff, num_layers,
    relative_attention_num_buckets, is_gated_act (feed_forward_proj
    "gated-gelu" in newer configs).

    State dict: shared [vocab, d_model] (encoder.embed_tokens is tied to it and
    not saved); encoder.block[i].layer[0] = T5LayerSelfAttention (q, k, v, o
    without bias; relative_attention_bias Embedding [buckets, heads] in block 0
    only; layer_norm weight only); encoder.block[i].layer[1] = T5LayerFF with
    T5DenseGatedActDense (wi_0, wi_1 [d_ff, d_model], wo [d_model, d_ff]) or
    T5DenseActDense (wi, wo); encoder.final_layer_norm [d_model].
    """
    d_model = cfg["d_model"]
    inner = cfg["num_heads"] * cfg["d_kv"]
    d_ff = cfg["d_ff"]
    gated = cfg.get("is_gated_act")
    if gated is None:
        gated = str(cfg.get("feed_forward_proj", "relu")).startswith("gated-")

    t = {}
    t["shared.weight"] = [cfg["vocab_size"], d_model]
    for i in range(cfg["num_layers"]):
        p = "encoder.block.%d.layer" % i
        for proj in ("q", "k", "v"):
            add_linear(t, p + ".0.SelfAttention." + proj, d_model, inner, bias=False)
        add_linear(t, p + ".0.SelfAttention.o", inner, d_model, bias=False)
        if i == 0:  # has_relative_attention_bias only in the first block
            t[p + ".0.SelfAttention.relative_attention_bias.weight"] = [
                cfg["relative_attention_num_buckets"], cfg["num_heads"]]
        add_affine_norm(t, p + ".0.layer_norm", d_model, bias=False)
        if gated:
            add_linear(t, p + ".1.DenseReluDense.wi_0", d_model, d_ff, bias=False)
            add_linear(t, p + ".1.DenseReluDense.wi_1", d_model, d_ff, bias=False)
        else:
            add_linear(t, p + ".1.DenseReluDense.wi", d_model, d_ff, bias=False)
        add_linear(t, p + ".1.DenseReluDense.wo", d_ff, d_model, bias=False)
        add_affine_norm(t, p + ".1.layer_norm", d_model, bias=False)
    add_affine_norm(t, "encoder.final_layer_norm", d_model, bias=False)
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers CLIPTextModel (CLIP ViT-L/14 text tower)
# ---------------------------------------------------------------------------

def clip_text_tensors(cfg):
    """transformers.models.clip.modeling_clip.CLIPTextModel.

    Config keys: vocab_size, hidden_size, intermediate_size,
    max_position_embeddings, num_hidden_layers.

    State dict under text_model.: embeddings.token_embedding [vocab, hidden],
    embeddings.position_embedding [max_pos, hidden] (the position_ids buffer is
    registered persistent=False and is not saved); encoder.layers[i] =
    CLIPEncoderLayer (self_attn q/k/v/out_proj Linear(hidden, hidden),
    layer_norm1, mlp.fc1 Linear(hidden, intermediate), mlp.fc2
    Linear(intermediate, hidden), layer_norm2); final_layer_norm.
    """
    hidden = cfg["hidden_size"]
    inter = cfg["intermediate_size"]

    t = {}
    t["text_model.embeddings.token_embedding.weight"] = [cfg["vocab_size"], hidden]
    t["text_model.embeddings.position_embedding.weight"] = [
        cfg["max_position_embeddings"], hidden]
    for i in range(cfg["num_hidden_layers"]):
        p = "text_model.encoder.layers.%d" % i
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            add_linear(t, p + ".self_attn." + proj, hidden, hidden)
        add_affine_norm(t, p + ".layer_norm1", hidden)
        add_linear(t, p + ".mlp.fc1", hidden, inter)
        add_linear(t, p + ".mlp.fc2", inter, hidden)
        add_affine_norm(t, p + ".layer_norm2", hidden)
    add_affine_norm(t, "text_model.final_layer_norm", hidden)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKL
# ---------------------------------------------------------------------------

def _resnet_block_2d(t, prefix, in_ch, out_ch):
    """diffusers ResnetBlock2D with temb_channels=None (no time_emb_proj):
    norm1 GroupNorm(in), conv1 3x3 in->out, norm2 GroupNorm(out), conv2 3x3
    out->out, conv_shortcut 1x1 only when in != out."""
    add_affine_norm(t, prefix + ".norm1", in_ch)
    add_conv2d(t, prefix + ".conv1", in_ch, out_ch, 3)
    add_affine_norm(t, prefix + ".norm2", out_ch)
    add_conv2d(t, prefix + ".conv2", out_ch, out_ch, 3)
    if in_ch != out_ch:
        add_conv2d(t, prefix + ".conv_shortcut", in_ch, out_ch, 1)


def _unet_mid_block_2d(t, prefix, ch, add_attention):
    """diffusers UNetMidBlock2D (num_layers=1): resnets.0, [attentions.0],
    resnets.1. The attention is diffusers Attention built with
    norm_num_groups (group_norm affine), bias=True: to_q/to_k/to_v and
    to_out.0 are Linear(C, C) with bias (heads * dim_head == C)."""
    _resnet_block_2d(t, prefix + ".resnets.0", ch, ch)
    if add_attention:
        a = prefix + ".attentions.0"
        add_affine_norm(t, a + ".group_norm", ch)
        for proj in ("to_q", "to_k", "to_v", "to_out.0"):
            add_linear(t, a + "." + proj, ch, ch)
    _resnet_block_2d(t, prefix + ".resnets.1", ch, ch)


def autoencoder_kl_tensors(cfg):
    """diffusers.models.autoencoders.autoencoder_kl.AutoencoderKL with the
    Encoder / Decoder of diffusers models/autoencoders/vae.py.

    Config keys: in_channels, out_channels, latent_channels,
    block_out_channels, layers_per_block, down_block_types, up_block_types,
    mid_block_add_attention, use_quant_conv, use_post_quant_conv.

    Encoder: conv_in 3x3 (in -> boc[0]); down_blocks[i] = DownEncoderBlock2D
    (layers_per_block ResnetBlock2D; Downsample2D downsamplers.0.conv 3x3
    stride 2 except on the last block); mid_block = UNetMidBlock2D;
    conv_norm_out GroupNorm(boc[-1]); conv_out 3x3 (boc[-1] -> 2*latent,
    double_z=True).
    Decoder: conv_in 3x3 (latent -> boc[-1]); mid_block; up_blocks[i] over
    reversed(boc) = UpDecoderBlock2D (layers_per_block+1 resnets; Upsample2D
    upsamplers.0.conv 3x3 except on the last block); conv_norm_out
    GroupNorm(boc[0]); conv_out 3x3 (boc[0] -> out_channels).
    quant_conv / post_quant_conv 1x1 (2*latent / latent) only when enabled.
    """
    boc = list(cfg["block_out_channels"])
    lpb = cfg["layers_per_block"]
    latent = cfg["latent_channels"]
    add_attn = cfg.get("mid_block_add_attention", True)
    for kind in cfg.get("down_block_types", []):
        if kind != "DownEncoderBlock2D":
            raise SystemExit("vae: unsupported down block type %r" % kind)
    for kind in cfg.get("up_block_types", []):
        if kind != "UpDecoderBlock2D":
            raise SystemExit("vae: unsupported up block type %r" % kind)

    t = {}
    # --- encoder
    add_conv2d(t, "encoder.conv_in", cfg["in_channels"], boc[0], 3)
    out_ch = boc[0]
    for i, ch in enumerate(boc):
        in_ch, out_ch = out_ch, ch
        p = "encoder.down_blocks.%d" % i
        for j in range(lpb):
            _resnet_block_2d(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch)
        if i != len(boc) - 1:
            add_conv2d(t, p + ".downsamplers.0.conv", out_ch, out_ch, 3)
    _unet_mid_block_2d(t, "encoder.mid_block", boc[-1], add_attn)
    add_affine_norm(t, "encoder.conv_norm_out", boc[-1])
    add_conv2d(t, "encoder.conv_out", boc[-1], 2 * latent, 3)

    # --- decoder
    add_conv2d(t, "decoder.conv_in", latent, boc[-1], 3)
    _unet_mid_block_2d(t, "decoder.mid_block", boc[-1], add_attn)
    rev = list(reversed(boc))
    out_ch = rev[0]
    for i, ch in enumerate(rev):
        in_ch, out_ch = out_ch, ch
        p = "decoder.up_blocks.%d" % i
        for j in range(lpb + 1):
            _resnet_block_2d(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch)
        if i != len(rev) - 1:
            add_conv2d(t, p + ".upsamplers.0.conv", out_ch, out_ch, 3)
    add_affine_norm(t, "decoder.conv_norm_out", boc[0])
    add_conv2d(t, "decoder.conv_out", boc[0], cfg["out_channels"], 3)

    if cfg.get("use_quant_conv", True):
        add_conv2d(t, "quant_conv", 2 * latent, 2 * latent, 1)
    if cfg.get("use_post_quant_conv", True):
        add_conv2d(t, "post_quant_conv", latent, latent, 1)
    return t


# component -> (layout function, expected class, manifest source line)
ARCHITECTURES = {
    "transformer": (
        flux_transformer_tensors, "FluxTransformer2DModel",
        "names and shapes derived from transformer/config.json per diffusers "
        "FluxTransformer2DModel; names checked equal to transformer/"
        "diffusion_pytorch_model.safetensors.index.json weight_map, bytes to its total_size"),
    "text_encoder_2": (
        t5_encoder_tensors, "T5EncoderModel",
        "names and shapes derived from text_encoder_2/config.json per transformers "
        "T5EncoderModel; names checked equal to text_encoder_2/"
        "model.safetensors.index.json weight_map, bytes to its total_size"),
    "text_encoder": (
        clip_text_tensors, "CLIPTextModel",
        "names and shapes derived from text_encoder/config.json per transformers "
        "CLIPTextModel state dict (no published index; position_ids buffer not saved)"),
    "vae": (
        autoencoder_kl_tensors, "AutoencoderKL",
        "names and shapes derived from vae/config.json per diffusers AutoencoderKL "
        "Encoder/Decoder (models/autoencoders/vae.py); no published index"),
}


# ---------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------

def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def copy_file(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    shutil.copyfile(src, dst)


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def write_manifest(path, tensors, source, total_size=None):
    lines = ["# pipefit tensor manifest v1", "# source: " + source]
    if total_size is not None:
        lines.append("# total_size: %d" % total_size)
    for name in sorted(tensors, key=lambda s: s.encode("utf-8")):
        shape = ",".join(str(d) for d in tensors[name])
        lines.append("%s\t%s\t%s" % (name, DTYPE, shape))
    write_text(path, "\n".join(lines) + "\n")


def check_against_index(component, tensors, index):
    """Every index tensor must be generated exactly once, nothing extra, and the
    BF16 byte total must equal metadata.total_size."""
    names = list(index["weight_map"].keys())
    if len(names) != len(set(names)):
        raise SystemExit("%s: duplicate names in index weight_map" % component)
    missing = sorted(set(names) - set(tensors))
    extra = sorted(set(tensors) - set(names))
    if missing or extra:
        raise SystemExit("%s: layout does not match index weight_map\n  missing: %s\n  extra: %s"
                         % (component, missing[:20], extra[:20]))
    total = sum(numel(s) for s in tensors.values()) * DTYPE_BYTES[DTYPE]
    expected = int(index["metadata"]["total_size"])
    if total != expected:
        raise SystemExit("%s: %s byte total %d != index metadata.total_size %d"
                         % (component, DTYPE, total, expected))
    return expected


def plan_entry(configs_root, spec):
    """Derive and validate every manifest of one entry; nothing is written here,
    so a failed check leaves the existing catalog untouched."""
    src = os.path.join(configs_root, spec["dir"])
    model_index = load_json(os.path.join(src, "model_index.json"))
    components = []
    for comp in WEIGHT_COMPONENTS:
        layout_fn, cls, source = ARCHITECTURES[comp]
        declared = model_index.get(comp, [None, None])[1]
        if declared != cls:
            raise SystemExit("%s/%s: model_index.json says %r, generator knows %r"
                             % (spec["dir"], comp, declared, cls))
        tensors = layout_fn(load_json(os.path.join(src, comp, "config.json")))
        total_size = None
        if comp in INDEX_FILES:
            index = load_json(os.path.join(src, INDEX_FILES[comp]))
            total_size = check_against_index(spec["dir"] + "/" + comp, tensors, index)
        components.append((comp, tensors, source, total_size))
    return components


def write_entry(configs_root, out_root, spec, components):
    src = os.path.join(configs_root, spec["dir"])
    dst = os.path.join(out_root, spec["dir"])
    write_text(os.path.join(dst, "entry.json"), json.dumps(spec["entry"], indent=2) + "\n")
    for rel in ["model_index.json", os.path.join("scheduler", "scheduler_config.json")]:
        copy_file(os.path.join(src, rel), os.path.join(dst, rel))

    print("%s (%s)" % (spec["dir"], spec["entry"]["repo"]))
    sum_params = 0
    for comp, tensors, source, total_size in components:
        copy_file(os.path.join(src, comp, "config.json"), os.path.join(dst, comp, "config.json"))
        write_manifest(os.path.join(dst, comp, "tensors.tsv"), tensors, source, total_size)
        params = sum(numel(s) for s in tensors.values())
        sum_params += params
        nbytes = params * DTYPE_BYTES[DTYPE]
        print("  %-15s %5d tensors %15s params %16s B %s%s"
              % (comp, len(tensors), format(params, ","), format(nbytes, ","), DTYPE,
                 "  (== index total_size)" if total_size is not None else "  (derived)"))
    print("  %-15s %5s         %15s params %16s B %s"
          % ("all", "", format(sum_params, ","),
             format(sum_params * DTYPE_BYTES[DTYPE], ","), DTYPE))


def main(argv=None):
    repo_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--configs",
                    default=os.path.join(repo_root, "..", "shared", "reference", "configs"),
                    help="reference configs root (default: ../shared/reference/configs "
                         "relative to the repository root)")
    ap.add_argument("--out", default=os.path.join(repo_root, "data", "catalog"),
                    help="catalog output root (default: data/catalog in the repository)")
    args = ap.parse_args(argv)

    for spec in ENTRIES:
        if not os.path.isdir(os.path.join(args.configs, spec["dir"])):
            raise SystemExit("missing reference configs: %s"
                             % os.path.join(args.configs, spec["dir"]))
    plans = [(spec, plan_entry(args.configs, spec)) for spec in ENTRIES]
    for spec, components in plans:
        write_entry(args.configs, args.out, spec, components)
    return 0


if __name__ == "__main__":
    sys.exit(main())
