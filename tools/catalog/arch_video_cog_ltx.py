"""Layouts of the CogVideoX and LTX-Video (0.9.x, 2B) diffusers classes:
CogVideoXTransformer3DModel, AutoencoderKLCogVideoX, LTXVideoTransformer3DModel,
AutoencoderKLLTXVideo.

All four follow huggingface/diffusers @ 58eb52c0803e (2026-08-23):
  src/diffusers/models/transformers/cogvideox_transformer_3d.py
  src/diffusers/models/autoencoders/autoencoder_kl_cogvideox.py
  src/diffusers/models/transformers/transformer_ltx.py
  src/diffusers/models/autoencoders/autoencoder_kl_ltx.py
with the building blocks from models/embeddings.py (CogVideoXPatchEmbed,
TimestepEmbedding, PixArtAlphaTextProjection,
PixArtAlphaCombinedTimestepSizeEmbeddings), models/normalization.py
(CogVideoXLayerNormZero, AdaLayerNorm, AdaLayerNormSingle, RMSNorm),
models/attention_processor.py (Attention), models/attention.py (FeedForward)
and models/downsampling.py / upsampling.py (CogVideoXDownsample3D /
CogVideoXUpsample3D).

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_conv3d, add_linear


# ---------------------------------------------------------------------------
# transformer: diffusers CogVideoXTransformer3DModel (CogVideoX 1.0 2B / 5B)
# ---------------------------------------------------------------------------

def _timestep_embedding(t, prefix, in_channels, dim, out_dim=None):
    """diffusers TimestepEmbedding: linear_1 Linear(in, dim), linear_2
    Linear(dim, out_dim or dim), both with bias (no cond_proj)."""
    add_linear(t, prefix + ".linear_1", in_channels, dim)
    add_linear(t, prefix + ".linear_2", dim, out_dim or dim)


def cogvideox_transformer_tensors(cfg):
    """diffusers.models.transformers.cogvideox_transformer_3d.CogVideoXTransformer3DModel
    (diffusers @ 58eb52c0803e).

    Config keys: num_attention_heads, attention_head_dim, in_channels,
    out_channels, time_embed_dim, ofs_embed_dim, text_embed_dim, num_layers,
    attention_bias, patch_size, patch_size_t, patch_bias,
    norm_elementwise_affine, use_rotary_positional_embeddings,
    use_learned_positional_embeddings.

    State dict (D = heads * head_dim):
      patch_embed (CogVideoXPatchEmbed): proj Conv2d(in, D, p, stride p,
        bias=patch_bias) when patch_size_t is None (CogVideoX 1.0), else
        Linear(in*p*p*pt, D); text_proj Linear(text_embed_dim, D).
        pos_embedding is a buffer registered with
        persistent=use_learned_positional_embeddings: the sinusoidal table of
        the 2B model (no RoPE) is NOT saved, the learned one (5B I2V) is,
        shape [1, max_text_seq_length + patches, D]; with RoPE and no learned
        embedding no buffer exists at all.
      time_embedding TimestepEmbedding(D -> time_embed_dim) (time_proj
        Timesteps has no weights); ofs_embedding only when ofs_embed_dim.
      transformer_blocks[i] CogVideoXBlock:
        norm1 / norm2 CogVideoXLayerNormZero: linear Linear(time_embed_dim, 6D),
          norm LayerNorm(D) (affine when norm_elementwise_affine)
        attn1 Attention(qk_norm="layer_norm", bias=attention_bias,
          out_bias=True): norm_q / norm_k LayerNorm(head_dim) with weight+bias,
          to_q / to_k / to_v Linear(D, D), to_out.0 Linear(D, D)
        ff FeedForward(gelu-approximate, mult 4): net.0.proj Linear(D, 4D),
          net.2 Linear(4D, D)
      norm_final LayerNorm(D); norm_out AdaLayerNorm(chunk_dim=1): linear
        Linear(time_embed_dim, 2D), norm LayerNorm(D);
      proj_out Linear(D, p*p*out) (p*p*pt*out with patch_size_t).
    """
    heads = cfg.get("num_attention_heads", 30)
    head_dim = cfg.get("attention_head_dim", 64)
    dim = heads * head_dim
    in_ch = cfg.get("in_channels", 16)
    out_ch = cfg.get("out_channels", 16)
    temb = cfg.get("time_embed_dim", 512)
    p = cfg.get("patch_size", 2)
    pt = cfg.get("patch_size_t")
    affine = cfg.get("norm_elementwise_affine", True)
    attn_bias = cfg.get("attention_bias", True)
    rope = cfg.get("use_rotary_positional_embeddings", False)
    learned = cfg.get("use_learned_positional_embeddings", False)
    if not rope and learned:
        raise SystemExit("CogVideoX: learned positional embeddings without RoPE is rejected by diffusers")
    if cfg.get("activation_fn", "gelu-approximate") != "gelu-approximate":
        raise SystemExit("CogVideoX: unsupported activation_fn %r" % cfg.get("activation_fn"))

    t = {}
    if pt is None:
        add_conv2d(t, "patch_embed.proj", in_ch, dim, p, bias=cfg.get("patch_bias", True))
    else:
        add_linear(t, "patch_embed.proj", in_ch * p * p * pt, dim)
    add_linear(t, "patch_embed.text_proj", cfg.get("text_embed_dim", 4096), dim)
    if learned:
        frames = (cfg.get("sample_frames", 49) - 1) // cfg.get("temporal_compression_ratio", 4) + 1
        patches = (cfg.get("sample_height", 60) // p) * (cfg.get("sample_width", 90) // p) * frames
        t["patch_embed.pos_embedding"] = [1, cfg.get("max_text_seq_length", 226) + patches, dim]

    _timestep_embedding(t, "time_embedding", dim, temb)
    ofs = cfg.get("ofs_embed_dim")
    if ofs:
        _timestep_embedding(t, "ofs_embedding", ofs, ofs)

    for i in range(cfg.get("num_layers", 30)):
        b = "transformer_blocks.%d" % i
        for norm in ("norm1", "norm2"):
            add_linear(t, b + "." + norm + ".linear", temb, 6 * dim)
            if affine:
                add_affine_norm(t, b + "." + norm + ".norm", dim)
        add_affine_norm(t, b + ".attn1.norm_q", head_dim)
        add_affine_norm(t, b + ".attn1.norm_k", head_dim)
        for proj in ("to_q", "to_k", "to_v"):
            add_linear(t, b + ".attn1." + proj, dim, dim, bias=attn_bias)
        add_linear(t, b + ".attn1.to_out.0", dim, dim)
        add_linear(t, b + ".ff.net.0.proj", dim, 4 * dim)
        add_linear(t, b + ".ff.net.2", 4 * dim, dim)

    if affine:
        add_affine_norm(t, "norm_final", dim)
    add_linear(t, "norm_out.linear", temb, 2 * dim)
    if affine:
        add_affine_norm(t, "norm_out.norm", dim)
    out_dim = p * p * out_ch if pt is None else p * p * pt * out_ch
    add_linear(t, "proj_out", dim, out_dim)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKLCogVideoX
# ---------------------------------------------------------------------------

def _cog_causal_conv(t, prefix, in_ch, out_ch, kernel):
    """CogVideoXCausalConv3d: the weights live in .conv (CogVideoXSafeConv3d =
    nn.Conv3d with bias)."""
    add_conv3d(t, prefix + ".conv", in_ch, out_ch, kernel)


def _cog_spatial_norm(t, prefix, f_ch, zq_ch):
    """CogVideoXSpatialNorm3D: norm_layer GroupNorm(f) affine, conv_y / conv_b
    CogVideoXCausalConv3d(zq -> f, kernel 1)."""
    add_affine_norm(t, prefix + ".norm_layer", f_ch)
    _cog_causal_conv(t, prefix + ".conv_y", zq_ch, f_ch, 1)
    _cog_causal_conv(t, prefix + ".conv_b", zq_ch, f_ch, 1)


def _cog_resnet(t, prefix, in_ch, out_ch, spatial_norm_dim=None):
    """CogVideoXResnetBlock3D with temb_channels=0 (no temb_proj) and
    conv_shortcut=False: norm1/norm2 GroupNorm (or CogVideoXSpatialNorm3D in
    the decoder), conv1 / conv2 causal 3x3x3, conv_shortcut a plain
    CogVideoXSafeConv3d 1x1x1 (no .conv level) only when in != out."""
    if spatial_norm_dim is None:
        add_affine_norm(t, prefix + ".norm1", in_ch)
    else:
        _cog_spatial_norm(t, prefix + ".norm1", in_ch, spatial_norm_dim)
    _cog_causal_conv(t, prefix + ".conv1", in_ch, out_ch, 3)
    if spatial_norm_dim is None:
        add_affine_norm(t, prefix + ".norm2", out_ch)
    else:
        _cog_spatial_norm(t, prefix + ".norm2", out_ch, spatial_norm_dim)
    _cog_causal_conv(t, prefix + ".conv2", out_ch, out_ch, 3)
    if in_ch != out_ch:
        add_conv3d(t, prefix + ".conv_shortcut", in_ch, out_ch, 1)


def autoencoder_kl_cogvideox_tensors(cfg):
    """diffusers.models.autoencoders.autoencoder_kl_cogvideox.AutoencoderKLCogVideoX
    (diffusers @ 58eb52c0803e).

    Config keys: in_channels, out_channels, latent_channels,
    block_out_channels, layers_per_block, down_block_types, up_block_types,
    use_quant_conv, use_post_quant_conv.

    Encoder (CogVideoXEncoder3D): conv_in causal 3x3x3 (in -> boc[0]);
    down_blocks[i] CogVideoXDownBlock3D (layers_per_block resnets, first one
    boc[i-1] -> boc[i]; downsamplers.0 = CogVideoXDownsample3D whose .conv is
    an nn.Conv2d 3x3, except on the last block); mid_block CogVideoXMidBlock3D
    with 2 resnets; norm_out GroupNorm(boc[-1]); conv_out causal 3x3x3
    (boc[-1] -> 2 * latent).
    Decoder (CogVideoXDecoder3D): conv_in causal (latent -> boc[-1]);
    mid_block 2 resnets with CogVideoXSpatialNorm3D (zq = latent); up_blocks[i]
    over reversed(boc): layers_per_block + 1 resnets with spatial norm,
    upsamplers.0 = CogVideoXUpsample3D (.conv nn.Conv2d 3x3) except on the
    last block; norm_out CogVideoXSpatialNorm3D(boc[0]); conv_out causal
    (boc[0] -> out_channels).
    quant_conv / post_quant_conv (1x1x1 Conv3d) only when enabled (CogVideoX
    configs disable both). Note diffusers builds them from out_channels, as
    written here.
    """
    boc = list(cfg.get("block_out_channels", [128, 256, 256, 512]))
    lpb = cfg.get("layers_per_block", 3)
    latent = cfg.get("latent_channels", 16)
    for kind in cfg.get("down_block_types", ["CogVideoXDownBlock3D"]):
        if kind != "CogVideoXDownBlock3D":
            raise SystemExit("cogvideox vae: unsupported down block type %r" % kind)
    for kind in cfg.get("up_block_types", ["CogVideoXUpBlock3D"]):
        if kind != "CogVideoXUpBlock3D":
            raise SystemExit("cogvideox vae: unsupported up block type %r" % kind)

    t = {}
    # --- encoder
    _cog_causal_conv(t, "encoder.conv_in", cfg.get("in_channels", 3), boc[0], 3)
    out_ch = boc[0]
    for i, ch in enumerate(boc):
        in_ch, out_ch = out_ch, ch
        p = "encoder.down_blocks.%d" % i
        for j in range(lpb):
            _cog_resnet(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch)
        if i != len(boc) - 1:
            add_conv2d(t, p + ".downsamplers.0.conv", out_ch, out_ch, 3)
    for j in range(2):
        _cog_resnet(t, "encoder.mid_block.resnets.%d" % j, boc[-1], boc[-1])
    add_affine_norm(t, "encoder.norm_out", boc[-1])
    _cog_causal_conv(t, "encoder.conv_out", boc[-1], 2 * latent, 3)

    # --- decoder
    rev = list(reversed(boc))
    _cog_causal_conv(t, "decoder.conv_in", latent, rev[0], 3)
    for j in range(2):
        _cog_resnet(t, "decoder.mid_block.resnets.%d" % j, rev[0], rev[0], spatial_norm_dim=latent)
    out_ch = rev[0]
    for i, ch in enumerate(rev):
        in_ch, out_ch = out_ch, ch
        p = "decoder.up_blocks.%d" % i
        for j in range(lpb + 1):
            _cog_resnet(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch,
                        spatial_norm_dim=latent)
        if i != len(rev) - 1:
            add_conv2d(t, p + ".upsamplers.0.conv", out_ch, out_ch, 3)
    _cog_spatial_norm(t, "decoder.norm_out", rev[-1], latent)
    _cog_causal_conv(t, "decoder.conv_out", rev[-1], cfg.get("out_channels", 3), 3)

    out_channels = cfg.get("out_channels", 3)
    if cfg.get("use_quant_conv", False):
        add_conv3d(t, "quant_conv", 2 * out_channels, 2 * out_channels, 1)
    if cfg.get("use_post_quant_conv", False):
        add_conv3d(t, "post_quant_conv", out_channels, out_channels, 1)
    return t


# ---------------------------------------------------------------------------
# transformer: diffusers LTXVideoTransformer3DModel
# ---------------------------------------------------------------------------

def ltx_video_transformer_tensors(cfg):
    """diffusers.models.transformers.transformer_ltx.LTXVideoTransformer3DModel
    (diffusers @ 58eb52c0803e).

    Config keys: in_channels, out_channels, num_attention_heads,
    attention_head_dim, cross_attention_dim, num_layers, activation_fn,
    qk_norm, norm_elementwise_affine, caption_channels, attention_bias,
    attention_out_bias.

    State dict (D = heads * head_dim):
      proj_in Linear(in, D); scale_shift_table Parameter [2, D];
      time_embed AdaLayerNormSingle(use_additional_conditions=False):
        emb.timestep_embedder TimestepEmbedding(256 -> D), linear Linear(D, 6D);
      caption_projection PixArtAlphaTextProjection: linear_1
        Linear(caption_channels, D), linear_2 Linear(D, D);
      rope LTXVideoRotaryPosEmbed: no parameters or buffers;
      transformer_blocks[i] LTXVideoTransformerBlock:
        norm1 / norm2 RMSNorm(D, elementwise_affine=norm_elementwise_affine)
          (weight only when affine; LTX configs set False: nothing saved)
        attn1 / attn2 LTXAttention (qk_norm "rms_norm_across_heads"):
          norm_q / norm_k torch.nn.RMSNorm(D) with weight, to_q Linear(D, D),
          to_k / to_v Linear(D or cross_attention_dim, D), bias=attention_bias;
          to_out.0 Linear(D, D, bias=attention_out_bias)
        ff FeedForward(activation_fn, mult 4): net.0.proj Linear(D, 4D), net.2
        scale_shift_table Parameter [6, D]
      norm_out LayerNorm(elementwise_affine=False): nothing saved;
      proj_out Linear(D, out).
    """
    heads = cfg.get("num_attention_heads", 32)
    head_dim = cfg.get("attention_head_dim", 64)
    dim = heads * head_dim
    in_ch = cfg.get("in_channels", 128)
    out_ch = cfg.get("out_channels", 128) or in_ch
    cross = cfg.get("cross_attention_dim", 2048)
    bias = cfg.get("attention_bias", True)
    out_bias = cfg.get("attention_out_bias", True)
    affine = cfg.get("norm_elementwise_affine", False)
    if cfg.get("qk_norm", "rms_norm_across_heads") != "rms_norm_across_heads":
        raise SystemExit("LTX: unsupported qk_norm %r" % cfg.get("qk_norm"))
    if cfg.get("activation_fn", "gelu-approximate") != "gelu-approximate":
        raise SystemExit("LTX: unsupported activation_fn %r" % cfg.get("activation_fn"))

    t = {}
    add_linear(t, "proj_in", in_ch, dim)
    t["scale_shift_table"] = [2, dim]
    _timestep_embedding(t, "time_embed.emb.timestep_embedder", 256, dim)
    add_linear(t, "time_embed.linear", dim, 6 * dim)
    add_linear(t, "caption_projection.linear_1", cfg.get("caption_channels", 4096), dim)
    add_linear(t, "caption_projection.linear_2", dim, dim)
    for i in range(cfg.get("num_layers", 28)):
        b = "transformer_blocks.%d" % i
        if affine:
            add_affine_norm(t, b + ".norm1", dim, bias=False)
            add_affine_norm(t, b + ".norm2", dim, bias=False)
        for attn, kv_in in (("attn1", dim), ("attn2", cross)):
            a = b + "." + attn
            add_affine_norm(t, a + ".norm_q", dim, bias=False)
            add_affine_norm(t, a + ".norm_k", dim, bias=False)
            add_linear(t, a + ".to_q", dim, dim, bias=bias)
            add_linear(t, a + ".to_k", kv_in, dim, bias=bias)
            add_linear(t, a + ".to_v", kv_in, dim, bias=bias)
            add_linear(t, a + ".to_out.0", dim, dim, bias=out_bias)
        add_linear(t, b + ".ff.net.0.proj", dim, 4 * dim)
        add_linear(t, b + ".ff.net.2", 4 * dim, dim)
        t[b + ".scale_shift_table"] = [6, dim]
    add_linear(t, "proj_out", dim, out_ch)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKLLTXVideo (0.9.0 / 0.9.1 layout: LTXVideoDownBlock3D)
# ---------------------------------------------------------------------------

def _ltx_conv(t, prefix, in_ch, out_ch, kernel):
    """LTXVideoCausalConv3d: weights in .conv (nn.Conv3d with bias)."""
    add_conv3d(t, prefix + ".conv", in_ch, out_ch, kernel)


def _ltx_resnet(t, prefix, in_ch, out_ch, inject_noise=False, timestep_conditioning=False):
    """LTXVideoResnetBlock3d (elementwise_affine=False): norm1 / norm2 RMSNorm
    without weights; conv1 (in -> out) and conv2 (out -> out) causal 3x3x3;
    when in != out: norm3 LayerNorm(in) with weight+bias and conv_shortcut
    causal 1x1x1; per_channel_scale1/2 [in, 1, 1] with inject_noise;
    scale_shift_table [4, in] with timestep_conditioning."""
    _ltx_conv(t, prefix + ".conv1", in_ch, out_ch, 3)
    _ltx_conv(t, prefix + ".conv2", out_ch, out_ch, 3)
    if in_ch != out_ch:
        add_affine_norm(t, prefix + ".norm3", in_ch)
        _ltx_conv(t, prefix + ".conv_shortcut", in_ch, out_ch, 1)
    if inject_noise:
        t[prefix + ".per_channel_scale1"] = [in_ch, 1, 1]
        t[prefix + ".per_channel_scale2"] = [in_ch, 1, 1]
    if timestep_conditioning:
        t[prefix + ".scale_shift_table"] = [4, in_ch]


def _ltx_time_embedder(t, prefix, dim):
    """PixArtAlphaCombinedTimestepSizeEmbeddings(dim, 0) without additional
    conditions: timestep_embedder TimestepEmbedding(256 -> dim)."""
    _timestep_embedding(t, prefix + ".timestep_embedder", 256, dim)


def autoencoder_kl_ltx_video_tensors(cfg):
    """diffusers.models.autoencoders.autoencoder_kl_ltx.AutoencoderKLLTXVideo
    (diffusers @ 58eb52c0803e), encoder with LTXVideoDownBlock3D blocks (the
    0.9.0 / 0.9.1 VAE; the 0.9.5+ LTXVideo095DownBlock3D encoder is rejected).

    Config keys: in_channels, out_channels, latent_channels,
    block_out_channels, decoder_block_out_channels, layers_per_block,
    decoder_layers_per_block, spatio_temporal_scaling,
    decoder_spatio_temporal_scaling, decoder_inject_noise, upsample_residual,
    upsample_factor, timestep_conditioning, patch_size, down_block_types.

    Encoder: conv_in (in * patch^2 -> boc[0]); down_blocks[i] (block i goes
    boc[i] -> boc[i+1], the last boc[-1] -> boc[-1]): layers_per_block[i]
    resnets at the input width, downsamplers.0 a causal 3x3x3 stride-2 conv
    (.conv.conv) when spatio_temporal_scaling[i], conv_out a resnet
    (in -> out) when the width changes; mid_block layers_per_block[-1]
    resnets; norm_out RMSNorm without weights; conv_out (boc[-1] ->
    latent + 1).
    Decoder over reversed lists: conv_in (latent -> boc[-1]); mid_block
    resnets (+ time_embedder when timestep_conditioning); up_blocks[i]:
    [time_embedder], conv_in resnet when the width changes, upsamplers.0 =
    LTXVideoUpsampler3d (.conv.conv: out*f -> out*f*8/f channels) when
    scaling, resnets; conv_out (boc[0] -> out * patch^2); with
    timestep_conditioning also timestep_scale_multiplier (scalar),
    time_embedder and scale_shift_table [2, boc[0]].
    Buffers latents_mean / latents_std [latent] are registered persistent
    and saved.
    """
    latent = cfg.get("latent_channels", 128)
    patch = cfg.get("patch_size", 4)
    boc = list(cfg.get("block_out_channels", [128, 256, 512, 512]))
    lpb = list(cfg.get("layers_per_block", [4, 3, 3, 3, 4]))
    sts = list(cfg.get("spatio_temporal_scaling", [True, True, True, False]))
    down_types = cfg.get("down_block_types", ["LTXVideoDownBlock3D"] * len(boc))
    for kind in down_types:
        if kind != "LTXVideoDownBlock3D":
            raise SystemExit("ltx vae: unsupported down block type %r" % kind)
    dboc = list(cfg.get("decoder_block_out_channels", [128, 256, 512, 512]))
    dlpb = list(cfg.get("decoder_layers_per_block", [4, 3, 3, 3, 4]))
    dsts = list(cfg.get("decoder_spatio_temporal_scaling", [True, True, True, False]))
    dnoise = list(cfg.get("decoder_inject_noise", [False, False, False, False, False]))
    ures = list(cfg.get("upsample_residual", [False, False, False, False]))
    ufac = list(cfg.get("upsample_factor", [1, 1, 1, 1]))
    tc = cfg.get("timestep_conditioning", False)

    t = {}
    # --- encoder
    _ltx_conv(t, "encoder.conv_in", cfg.get("in_channels", 3) * patch * patch, boc[0], 3)
    n = len(boc)
    out_ch = boc[0]
    for i in range(n):
        in_ch = out_ch
        out_ch = boc[i + 1] if i + 1 < n else boc[i]
        p = "encoder.down_blocks.%d" % i
        for j in range(lpb[i]):
            _ltx_resnet(t, "%s.resnets.%d" % (p, j), in_ch, in_ch)
        if sts[i]:
            _ltx_conv(t, p + ".downsamplers.0", in_ch, in_ch, 3)
        if in_ch != out_ch:
            _ltx_resnet(t, p + ".conv_out", in_ch, out_ch)
    for j in range(lpb[-1]):
        _ltx_resnet(t, "encoder.mid_block.resnets.%d" % j, out_ch, out_ch)
    _ltx_conv(t, "encoder.conv_out", out_ch, latent + 1, 3)

    # --- decoder
    rboc = list(reversed(dboc))
    rsts = list(reversed(dsts))
    rlpb = list(reversed(dlpb))
    rnoise = list(reversed(dnoise))
    rufac = list(reversed(ufac))
    del ures  # residual upsampling adds no weights
    out_ch = rboc[0]
    _ltx_conv(t, "decoder.conv_in", latent, out_ch, 3)
    if tc:
        _ltx_time_embedder(t, "decoder.mid_block.time_embedder", out_ch * 4)
    for j in range(rlpb[0]):
        _ltx_resnet(t, "decoder.mid_block.resnets.%d" % j, out_ch, out_ch, rnoise[0], tc)
    for i in range(len(rboc)):
        in_ch = out_ch // rufac[i]
        out_ch = rboc[i] // rufac[i]
        p = "decoder.up_blocks.%d" % i
        if tc:
            _ltx_time_embedder(t, p + ".time_embedder", in_ch * 4)
        if in_ch != out_ch:
            _ltx_resnet(t, p + ".conv_in", in_ch, out_ch, rnoise[i + 1], tc)
        if rsts[i]:
            up_in = out_ch * rufac[i]
            _ltx_conv(t, p + ".upsamplers.0.conv", up_in, up_in * 8 // rufac[i], 3)
        for j in range(rlpb[i + 1]):
            _ltx_resnet(t, "%s.resnets.%d" % (p, j), out_ch, out_ch, rnoise[i + 1], tc)
    _ltx_conv(t, "decoder.conv_out", out_ch, cfg.get("out_channels", 3) * patch * patch, 3)
    if tc:
        t["decoder.timestep_scale_multiplier"] = []
        _ltx_time_embedder(t, "decoder.time_embedder", out_ch * 2)
        t["decoder.scale_shift_table"] = [2, out_ch]

    t["latents_mean"] = [latent]
    t["latents_std"] = [latent]
    return t


LAYOUTS = {
    "CogVideoXTransformer3DModel": cogvideox_transformer_tensors,
    "AutoencoderKLCogVideoX": autoencoder_kl_cogvideox_tensors,
    "LTXVideoTransformer3DModel": ltx_video_transformer_tensors,
    "AutoencoderKLLTXVideo": autoencoder_kl_ltx_video_tensors,
}
