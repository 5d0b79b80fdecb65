"""Layout of diffusers AutoencoderKL (SD 1.5, SDXL, SD3, FLUX.1 VAEs).

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_linear


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


LAYOUTS = {"AutoencoderKL": autoencoder_kl_tensors}
