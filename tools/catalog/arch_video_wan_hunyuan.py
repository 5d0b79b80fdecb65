"""Layouts of the Wan 2.1 / 2.2 and HunyuanVideo components:
diffusers WanTransformer3DModel, AutoencoderKLWan, HunyuanVideoTransformer3DModel,
AutoencoderKLHunyuanVideo; transformers UMT5EncoderModel and LlamaModel.

Followed sources: huggingface/diffusers @ 58eb52c0803e (2026-08-23) and
huggingface/transformers (see each docstring).

Standard library only.
"""

from arch_text_t5_clip import t5_encoder_tensors
from layout import add_affine_norm, add_conv2d, add_conv3d, add_decoder_layer, add_embedding, add_linear


# ---------------------------------------------------------------------------
# transformer: diffusers WanTransformer3DModel
# ---------------------------------------------------------------------------

def _feed_forward(t, prefix, dim, inner, dim_out=None, bias=True):
    """diffusers attention.FeedForward with a GELU / GELU-approximate
    activation: net.0.proj Linear(dim, inner), net.1 Dropout, net.2
    Linear(inner, dim_out)."""
    add_linear(t, prefix + ".net.0.proj", dim, inner, bias)
    add_linear(t, prefix + ".net.2", inner, dim_out or dim, bias)


def wan_transformer_tensors(cfg):
    """diffusers src/diffusers/models/transformers/transformer_wan.py
    WanTransformer3DModel (diffusers @ 58eb52c0803e).

    Config keys: patch_size, num_attention_heads, attention_head_dim,
    in_channels, out_channels, text_dim, freq_dim, ffn_dim, num_layers,
    cross_attn_norm, image_dim, added_kv_proj_dim, pos_embed_seq_len.

    Modules:
      rope                WanRotaryPosEmbed: freqs_cos / freqs_sin buffers are
                          persistent=False (not saved)
      patch_embedding     Conv3d(in, D, kernel=stride=patch_size), bias
      condition_embedder  WanTimeTextImageEmbedding: time_embedder
                          TimestepEmbedding linear_1 (freq_dim -> D), linear_2;
                          time_proj Linear(D, 6D); text_embedder
                          PixArtAlphaTextProjection linear_1 (text_dim -> D),
                          linear_2; image_embedder WanImageEmbedding only when
                          image_dim is set (norm1 / norm2 FP32LayerNorm affine,
                          ff FeedForward mult=1 "gelu", pos_embed [1, L, image_dim]
                          only when pos_embed_seq_len is set)
      blocks[i]           WanTransformerBlock: norm1 / norm3 FP32LayerNorm without
                          affine; attn1 / attn2 WanAttention (to_q / to_k / to_v /
                          to_out.0 Linear(D, D) with bias, norm_q / norm_k
                          torch RMSNorm(D) weight only; attn2 adds add_k_proj /
                          add_v_proj Linear(added_kv_proj_dim, D) and
                          norm_added_k when added_kv_proj_dim is set); norm2
                          FP32LayerNorm affine when cross_attn_norm; ffn
                          FeedForward(D, ffn_dim, gelu-approximate);
                          scale_shift_table [1, 6, D]
      norm_out            FP32LayerNorm without affine
      proj_out            Linear(D, out_channels * prod(patch_size))
      scale_shift_table   [1, 2, D]
    """
    heads = cfg["num_attention_heads"]
    dim = heads * cfg["attention_head_dim"]
    in_ch = cfg["in_channels"]
    out_ch = cfg.get("out_channels") or in_ch
    patch = list(cfg.get("patch_size", [1, 2, 2]))
    ffn = cfg["ffn_dim"]
    image_dim = cfg.get("image_dim")
    added_kv = cfg.get("added_kv_proj_dim")

    t = {}
    add_conv3d(t, "patch_embedding", in_ch, dim, tuple(patch))
    c = "condition_embedder"
    add_linear(t, c + ".time_embedder.linear_1", cfg.get("freq_dim", 256), dim)
    add_linear(t, c + ".time_embedder.linear_2", dim, dim)
    add_linear(t, c + ".time_proj", dim, 6 * dim)
    add_linear(t, c + ".text_embedder.linear_1", cfg["text_dim"], dim)
    add_linear(t, c + ".text_embedder.linear_2", dim, dim)
    if image_dim is not None:
        add_affine_norm(t, c + ".image_embedder.norm1", image_dim)
        _feed_forward(t, c + ".image_embedder.ff", image_dim, image_dim, dim)
        add_affine_norm(t, c + ".image_embedder.norm2", dim)
        if cfg.get("pos_embed_seq_len") is not None:
            t[c + ".image_embedder.pos_embed"] = [1, cfg["pos_embed_seq_len"], image_dim]

    for i in range(cfg["num_layers"]):
        p = "blocks.%d" % i
        for a in ("attn1", "attn2"):
            for proj in ("to_q", "to_k", "to_v", "to_out.0"):
                add_linear(t, "%s.%s.%s" % (p, a, proj), dim, dim)
            add_affine_norm(t, "%s.%s.norm_q" % (p, a), dim, bias=False)
            add_affine_norm(t, "%s.%s.norm_k" % (p, a), dim, bias=False)
        if added_kv is not None:
            add_linear(t, p + ".attn2.add_k_proj", added_kv, dim)
            add_linear(t, p + ".attn2.add_v_proj", added_kv, dim)
            add_affine_norm(t, p + ".attn2.norm_added_k", dim, bias=False)
        if cfg.get("cross_attn_norm", True):
            add_affine_norm(t, p + ".norm2", dim)
        _feed_forward(t, p + ".ffn", dim, ffn)
        t[p + ".scale_shift_table"] = [1, 6, dim]

    add_linear(t, "proj_out", dim, out_ch * patch[0] * patch[1] * patch[2])
    t["scale_shift_table"] = [1, 2, dim]
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKLWan (Wan 2.1 VAE and the residual Wan 2.2 VAE)
# ---------------------------------------------------------------------------

def _wan_rms(t, prefix, dim, images):
    """WanRMS_norm(channel_first=True, bias=False): gamma [dim, 1, 1, 1]
    (images=False) or [dim, 1, 1] (images=True); no bias parameter."""
    t[prefix + ".gamma"] = [dim, 1, 1, 1] if not images else [dim, 1, 1]


def _wan_resblock(t, prefix, in_dim, out_dim):
    """WanResidualBlock: norm1 WanRMS_norm(in, images=False), conv1
    WanCausalConv3d(in, out, 3), norm2, conv2 (out, out, 3), conv_shortcut
    WanCausalConv3d(in, out, 1) only when in != out (else Identity)."""
    _wan_rms(t, prefix + ".norm1", in_dim, False)
    add_conv3d(t, prefix + ".conv1", in_dim, out_dim, 3)
    _wan_rms(t, prefix + ".norm2", out_dim, False)
    add_conv3d(t, prefix + ".conv2", out_dim, out_dim, 3)
    if in_dim != out_dim:
        add_conv3d(t, prefix + ".conv_shortcut", in_dim, out_dim, 1)


def _wan_attention(t, prefix, dim):
    """WanAttentionBlock: norm WanRMS_norm(dim) (images=True), to_qkv
    Conv2d(dim, 3 dim, 1), proj Conv2d(dim, dim, 1)."""
    _wan_rms(t, prefix + ".norm", dim, True)
    add_conv2d(t, prefix + ".to_qkv", dim, 3 * dim, 1)
    add_conv2d(t, prefix + ".proj", dim, dim, 1)


def _wan_resample(t, prefix, dim, mode, upsample_out_dim=None):
    """WanResample: upsample2d / upsample3d: resample.1 Conv2d(dim, out, 3)
    (out defaults to dim // 2), upsample3d adds time_conv
    WanCausalConv3d(dim, 2 dim, (3, 1, 1)); downsample2d / downsample3d:
    resample.1 Conv2d(dim, dim, 3) (index 0 is ZeroPad2d), downsample3d adds
    time_conv WanCausalConv3d(dim, dim, (3, 1, 1))."""
    if mode.startswith("upsample"):
        out = upsample_out_dim if upsample_out_dim is not None else dim // 2
        add_conv2d(t, prefix + ".resample.1", dim, out, 3)
        if mode == "upsample3d":
            add_conv3d(t, prefix + ".time_conv", dim, 2 * dim, (3, 1, 1))
    else:
        add_conv2d(t, prefix + ".resample.1", dim, dim, 3)
        if mode == "downsample3d":
            add_conv3d(t, prefix + ".time_conv", dim, dim, (3, 1, 1))


def _wan_mid(t, prefix, dim):
    """WanMidBlock(num_layers=1): resnets.0, attentions.0, resnets.1."""
    _wan_resblock(t, prefix + ".resnets.0", dim, dim)
    _wan_attention(t, prefix + ".attentions.0", dim)
    _wan_resblock(t, prefix + ".resnets.1", dim, dim)


def autoencoder_kl_wan_tensors(cfg):
    """diffusers src/diffusers/models/autoencoders/autoencoder_kl_wan.py
    AutoencoderKLWan (diffusers @ 58eb52c0803e).

    Config keys: base_dim, decoder_base_dim (defaults to base_dim), z_dim,
    dim_mult, num_res_blocks, attn_scales, temperal_downsample, is_residual,
    in_channels, out_channels.

    Encoder WanEncoder3d(dim=base_dim, z_dim=2 z_dim): conv_in
    WanCausalConv3d(in, dims[0], 3); non-residual (Wan 2.1): down_blocks is a
    flat list of WanResidualBlock (+ WanAttentionBlock at attn_scales) and
    WanResample downsamplers; residual (Wan 2.2): down_blocks[i] =
    WanResidualDownBlock (avg_shortcut AvgDown3D has no parameters, resnets,
    downsampler); mid_block; norm_out WanRMS_norm; conv_out (-> 2 z_dim).
    quant_conv WanCausalConv3d(2z, 2z, 1), post_quant_conv (z, z, 1).
    Decoder WanDecoder3d(dim=decoder_base_dim): conv_in (z -> dims[0]),
    mid_block, up_blocks[i] = WanUpBlock (Wan 2.1: in_dim halved after the
    first block, upsamplers.0 WanResample with out dim // 2) or
    WanResidualUpBlock (Wan 2.2: avg_shortcut DupUp3D without parameters,
    upsampler WanResample with out dim); norm_out; conv_out (-> out_channels).
    No buffers are registered.
    """
    base = cfg.get("base_dim", 96)
    dec_base = cfg.get("decoder_base_dim") or base
    z = cfg.get("z_dim", 16)
    mult = list(cfg.get("dim_mult", [1, 2, 4, 4]))
    nres = cfg.get("num_res_blocks", 2)
    attn_scales = list(cfg.get("attn_scales", []))
    tdown = list(cfg.get("temperal_downsample", [False, True, True]))
    tup = tdown[::-1]
    residual = bool(cfg.get("is_residual", False))
    in_ch = cfg.get("in_channels", 3)
    out_ch = cfg.get("out_channels", 3)

    t = {}
    # --- encoder
    dims = [base * u for u in [1] + mult]
    add_conv3d(t, "encoder.conv_in", in_ch, dims[0], 3)
    idx = 0
    scale = 1.0
    for i, (in_dim, out_dim) in enumerate(zip(dims[:-1], dims[1:])):
        last = i == len(mult) - 1
        if residual:
            p = "encoder.down_blocks.%d" % i
            d = in_dim
            for j in range(nres):
                _wan_resblock(t, "%s.resnets.%d" % (p, j), d, out_dim)
                d = out_dim
            if not last:
                _wan_resample(t, p + ".downsampler", out_dim,
                              "downsample3d" if tdown[i] else "downsample2d")
        else:
            for _ in range(nres):
                _wan_resblock(t, "encoder.down_blocks.%d" % idx, in_dim, out_dim)
                idx += 1
                if scale in attn_scales:
                    _wan_attention(t, "encoder.down_blocks.%d" % idx, out_dim)
                    idx += 1
                in_dim = out_dim
            if not last:
                _wan_resample(t, "encoder.down_blocks.%d" % idx, out_dim,
                              "downsample3d" if tdown[i] else "downsample2d")
                idx += 1
                scale /= 2.0
    enc_out = dims[-1]
    _wan_mid(t, "encoder.mid_block", enc_out)
    _wan_rms(t, "encoder.norm_out", enc_out, False)
    add_conv3d(t, "encoder.conv_out", enc_out, 2 * z, 3)

    add_conv3d(t, "quant_conv", 2 * z, 2 * z, 1)
    add_conv3d(t, "post_quant_conv", z, z, 1)

    # --- decoder
    dims = [dec_base * u for u in [mult[-1]] + mult[::-1]]
    add_conv3d(t, "decoder.conv_in", z, dims[0], 3)
    _wan_mid(t, "decoder.mid_block", dims[0])
    for i, (in_dim, out_dim) in enumerate(zip(dims[:-1], dims[1:])):
        if i > 0 and not residual:
            in_dim = in_dim // 2
        up_flag = i != len(mult) - 1
        mode = None
        if up_flag:
            mode = "upsample3d" if tup[i] else "upsample2d"
        p = "decoder.up_blocks.%d" % i
        d = in_dim
        for j in range(nres + 1):
            _wan_resblock(t, "%s.resnets.%d" % (p, j), d, out_dim)
            d = out_dim
        if mode is not None:
            if residual:
                _wan_resample(t, p + ".upsampler", out_dim, mode, upsample_out_dim=out_dim)
            else:
                _wan_resample(t, p + ".upsamplers.0", out_dim, mode)
    _wan_rms(t, "decoder.norm_out", dims[-1], False)
    add_conv3d(t, "decoder.conv_out", dims[-1], out_ch, 3)
    return t


# ---------------------------------------------------------------------------
# transformer: diffusers HunyuanVideoTransformer3DModel
# ---------------------------------------------------------------------------

def hunyuan_video_transformer_tensors(cfg):
    """diffusers src/diffusers/models/transformers/transformer_hunyuan_video.py
    HunyuanVideoTransformer3DModel (diffusers @ 58eb52c0803e), with Attention
    from models/attention_processor.py and the embeddings / norms of
    models/embeddings.py and models/normalization.py.

    Config keys: in_channels, out_channels, num_attention_heads,
    attention_head_dim, num_layers, num_single_layers, num_refiner_layers,
    mlp_ratio, patch_size, patch_size_t, qk_norm, guidance_embeds,
    text_embed_dim, pooled_projection_dim, image_condition_type.

    Modules (D = heads * head_dim):
      x_embedder.proj   Conv3d(in, D, (pt, p, p)), bias
      context_embedder  HunyuanVideoTokenRefiner: time_text_embed
                        CombinedTimestepTextProjEmbeddings (timestep_embedder
                        linear_1 256 -> D, linear_2; text_embedder
                        PixArtAlphaTextProjection linear_1 text_embed_dim -> D,
                        linear_2); proj_in Linear(text_embed_dim, D);
                        token_refiner.refiner_blocks[i]: norm1 / norm2
                        LayerNorm affine, attn (to_q/k/v, to_out.0 with bias, no
                        qk norm), ff FeedForward linear-silu (net.0.proj D -> 4D,
                        net.2), norm_out.linear Linear(D, 2D)
      time_text_embed   HunyuanVideoConditionEmbedding: timestep_embedder,
                        text_embedder (pooled_projection_dim -> D),
                        guidance_embedder when guidance_embeds
      rope              no parameters or buffers
      transformer_blocks[i]  norm1.linear / norm1_context.linear D -> 6D;
                        attn with added_kv_proj_dim=D, context_pre_only=False:
                        to_q/k/v, add_q/k/v_proj, to_out.0, to_add_out,
                        norm_q/k, norm_added_q/k RMSNorm(head_dim); norm2 /
                        norm2_context without affine; ff / ff_context
                        FeedForward gelu-approximate (D -> mlp_ratio D -> D)
      single_transformer_blocks[i]  attn pre_only (to_q/k/v, norm_q/k, no
                        to_out); norm.linear D -> 3D; proj_mlp D -> mlp_dim;
                        proj_out (D + mlp_dim) -> D
      norm_out.linear   AdaLayerNormContinuous Linear(D, 2D), no affine norm
      proj_out          Linear(D, pt * p * p * out_channels)
    Only the default (image_condition_type None / latent_concat) block types
    are laid out; token_replace is refused.
    """
    heads = cfg.get("num_attention_heads", 24)
    head_dim = cfg.get("attention_head_dim", 128)
    dim = heads * head_dim
    in_ch = cfg.get("in_channels", 16)
    out_ch = cfg.get("out_channels") or in_ch
    p = cfg.get("patch_size", 2)
    pt = cfg.get("patch_size_t", 1)
    mlp_dim = int(dim * cfg.get("mlp_ratio", 4.0))
    text_dim = cfg.get("text_embed_dim", 4096)
    if cfg.get("image_condition_type") == "token_replace":
        raise SystemExit("HunyuanVideoTransformer3DModel: token_replace blocks are not laid out")
    if cfg.get("qk_norm", "rms_norm") != "rms_norm":
        raise SystemExit("HunyuanVideoTransformer3DModel: only qk_norm rms_norm is laid out")

    t = {}
    add_conv3d(t, "x_embedder.proj", in_ch, dim, (pt, p, p))

    c = "context_embedder"
    add_linear(t, c + ".time_text_embed.timestep_embedder.linear_1", 256, dim)
    add_linear(t, c + ".time_text_embed.timestep_embedder.linear_2", dim, dim)
    add_linear(t, c + ".time_text_embed.text_embedder.linear_1", text_dim, dim)
    add_linear(t, c + ".time_text_embed.text_embedder.linear_2", dim, dim)
    add_linear(t, c + ".proj_in", text_dim, dim)
    for i in range(cfg.get("num_refiner_layers", 2)):
        b = "%s.token_refiner.refiner_blocks.%d" % (c, i)
        add_affine_norm(t, b + ".norm1", dim)
        for proj in ("to_q", "to_k", "to_v", "to_out.0"):
            add_linear(t, b + ".attn." + proj, dim, dim)
        add_affine_norm(t, b + ".norm2", dim)
        _feed_forward(t, b + ".ff", dim, int(dim * cfg.get("mlp_ratio", 4.0)))
        add_linear(t, b + ".norm_out.linear", dim, 2 * dim)

    e = "time_text_embed"
    add_linear(t, e + ".timestep_embedder.linear_1", 256, dim)
    add_linear(t, e + ".timestep_embedder.linear_2", dim, dim)
    add_linear(t, e + ".text_embedder.linear_1", cfg.get("pooled_projection_dim", 768), dim)
    add_linear(t, e + ".text_embedder.linear_2", dim, dim)
    if cfg.get("guidance_embeds", True):
        add_linear(t, e + ".guidance_embedder.linear_1", 256, dim)
        add_linear(t, e + ".guidance_embedder.linear_2", dim, dim)

    for i in range(cfg.get("num_layers", 20)):
        b = "transformer_blocks.%d" % i
        add_linear(t, b + ".norm1.linear", dim, 6 * dim)
        add_linear(t, b + ".norm1_context.linear", dim, 6 * dim)
        for proj in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj",
                     "to_out.0", "to_add_out"):
            add_linear(t, b + ".attn." + proj, dim, dim)
        for norm in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            add_affine_norm(t, b + ".attn." + norm, head_dim, bias=False)
        _feed_forward(t, b + ".ff", dim, mlp_dim)
        _feed_forward(t, b + ".ff_context", dim, mlp_dim)

    for i in range(cfg.get("num_single_layers", 40)):
        b = "single_transformer_blocks.%d" % i
        for proj in ("to_q", "to_k", "to_v"):
            add_linear(t, b + ".attn." + proj, dim, dim)
        add_affine_norm(t, b + ".attn.norm_q", head_dim, bias=False)
        add_affine_norm(t, b + ".attn.norm_k", head_dim, bias=False)
        add_linear(t, b + ".norm.linear", dim, 3 * dim)
        add_linear(t, b + ".proj_mlp", dim, mlp_dim)
        add_linear(t, b + ".proj_out", dim + mlp_dim, dim)

    add_linear(t, "norm_out.linear", dim, 2 * dim)
    add_linear(t, "proj_out", dim, pt * p * p * out_ch)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKLHunyuanVideo
# ---------------------------------------------------------------------------

def _hy_resnet(t, prefix, in_ch, out_ch):
    """HunyuanVideoResnetBlockCausal3D: norm1 GroupNorm(in) affine, conv1
    HunyuanVideoCausalConv3d (wraps nn.Conv3d as .conv) 3x3x3, norm2, conv2,
    conv_shortcut 1x1x1 only when in != out."""
    add_affine_norm(t, prefix + ".norm1", in_ch)
    add_conv3d(t, prefix + ".conv1.conv", in_ch, out_ch, 3)
    add_affine_norm(t, prefix + ".norm2", out_ch)
    add_conv3d(t, prefix + ".conv2.conv", out_ch, out_ch, 3)
    if in_ch != out_ch:
        add_conv3d(t, prefix + ".conv_shortcut.conv", in_ch, out_ch, 1)


def _hy_mid(t, prefix, ch, add_attention):
    """HunyuanVideoMidBlock3D(num_layers=1): resnets.0, attentions.0
    (diffusers Attention with norm_num_groups: group_norm affine, to_q / to_k
    / to_v / to_out.0 Linear(C, C) with bias; one head of C), resnets.1."""
    _hy_resnet(t, prefix + ".resnets.0", ch, ch)
    if add_attention:
        a = prefix + ".attentions.0"
        add_affine_norm(t, a + ".group_norm", ch)
        for proj in ("to_q", "to_k", "to_v", "to_out.0"):
            add_linear(t, a + "." + proj, ch, ch)
    _hy_resnet(t, prefix + ".resnets.1", ch, ch)


def autoencoder_kl_hunyuan_video_tensors(cfg):
    """diffusers src/diffusers/models/autoencoders/autoencoder_kl_hunyuan_video.py
    AutoencoderKLHunyuanVideo (diffusers @ 58eb52c0803e).

    Config keys: in_channels, out_channels, latent_channels,
    block_out_channels, layers_per_block, spatial_compression_ratio,
    temporal_compression_ratio, mid_block_add_attention.

    Encoder: conv_in.conv 3x3x3; down_blocks[i] HunyuanVideoDownBlock3D
    (layers_per_block resnets; downsamplers.0.conv.conv 3x3x3 when the block
    downsamples in space (i < log2(spatial ratio)) or time (temporal ratio 4:
    i >= n - 1 - log2(4) and not last; ratio 8: i < 3)); mid_block;
    conv_norm_out GroupNorm; conv_out.conv (-> 2 latent).
    Decoder: conv_in.conv (latent -> boc[-1]); mid_block; up_blocks[i] over
    reversed(boc) with layers_per_block + 1 resnets and upsamplers.0.conv.conv
    under the same rule (ratio 4); conv_norm_out; conv_out.conv.
    quant_conv / post_quant_conv plain nn.Conv3d 1x1x1. No buffers.
    """
    boc = list(cfg.get("block_out_channels", [128, 256, 512, 512]))
    lpb = cfg.get("layers_per_block", 2)
    latent = cfg.get("latent_channels", 16)
    attn = cfg.get("mid_block_add_attention", True)
    n = len(boc)
    n_sp = {1: 0, 2: 1, 4: 2, 8: 3, 16: 4}[cfg.get("spatial_compression_ratio", 8)]
    tr = cfg.get("temporal_compression_ratio", 4)
    if tr != 4:
        raise SystemExit("AutoencoderKLHunyuanVideo: only temporal_compression_ratio 4 is laid out")
    n_t = 2

    def resamples(i):
        last = i == n - 1
        return i < n_sp or (i >= n - 1 - n_t and not last)

    t = {}
    add_conv3d(t, "encoder.conv_in.conv", cfg.get("in_channels", 3), boc[0], 3)
    out_ch = boc[0]
    for i, ch in enumerate(boc):
        in_ch, out_ch = out_ch, ch
        p = "encoder.down_blocks.%d" % i
        for j in range(lpb):
            _hy_resnet(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch)
        if resamples(i):
            add_conv3d(t, p + ".downsamplers.0.conv.conv", out_ch, out_ch, 3)
    _hy_mid(t, "encoder.mid_block", boc[-1], attn)
    add_affine_norm(t, "encoder.conv_norm_out", boc[-1])
    add_conv3d(t, "encoder.conv_out.conv", boc[-1], 2 * latent, 3)

    add_conv3d(t, "decoder.conv_in.conv", latent, boc[-1], 3)
    _hy_mid(t, "decoder.mid_block", boc[-1], attn)
    rev = list(reversed(boc))
    out_ch = rev[0]
    for i, ch in enumerate(rev):
        in_ch, out_ch = out_ch, ch
        p = "decoder.up_blocks.%d" % i
        for j in range(lpb + 1):
            _hy_resnet(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch)
        if resamples(i):
            add_conv3d(t, p + ".upsamplers.0.conv.conv", out_ch, out_ch, 3)
    add_affine_norm(t, "decoder.conv_norm_out", boc[0])
    add_conv3d(t, "decoder.conv_out.conv", boc[0], cfg.get("out_channels", 3), 3)

    add_conv3d(t, "quant_conv", 2 * latent, 2 * latent, 1)
    add_conv3d(t, "post_quant_conv", latent, latent, 1)
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers UMT5EncoderModel (UMT5-XXL encoder, Wan)
# ---------------------------------------------------------------------------

def umt5_encoder_tensors(cfg):
    """transformers src/transformers/models/umt5/modeling_umt5.py
    UMT5EncoderModel (huggingface/transformers @ 00063ff66611).

    Config keys: vocab_size, d_model, d_kv, num_heads, d_ff, num_layers,
    relative_attention_num_buckets, feed_forward_proj / is_gated_act.

    Unlike T5, every UMT5LayerSelfAttention builds UMT5Attention with
    has_relative_attention_bias=True, so each block stores its own
    relative_attention_bias Embedding [buckets, heads]. State dict: shared
    [vocab, d_model]; encoder.embed_tokens is tied to shared and not saved;
    encoder.block[i].layer.0 (SelfAttention q / k / v / o without bias,
    relative_attention_bias, layer_norm weight only), layer.1 (DenseReluDense
    wi_0 / wi_1 / wo gated or wi / wo, layer_norm); encoder.final_layer_norm.
    """
    return t5_encoder_tensors(cfg, relative_bias_every_block=True)


# ---------------------------------------------------------------------------
# text_encoder: transformers LlamaModel (HunyuanVideo llava-llama-3-8b text tower)
# ---------------------------------------------------------------------------

def llama_model_tensors(cfg):
    """transformers src/transformers/models/llama/modeling_llama.py LlamaModel
    saved on its own (no "model." prefix, no lm_head), as the HunyuanVideo
    converter does (AutoModel.from_pretrained(...).save_pretrained).

    Config keys: vocab_size, hidden_size, intermediate_size,
    num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim,
    attention_bias, mlp_bias.

    State dict: embed_tokens [vocab, hidden]; layers[i].self_attn q_proj
    [heads*hd, hidden], k_proj / v_proj [kv_heads*hd, hidden], o_proj
    [hidden, heads*hd] (bias only with attention_bias); mlp gate_proj /
    up_proj [inter, hidden], down_proj [hidden, inter] (bias only with
    mlp_bias); input_layernorm / post_attention_layernorm LlamaRMSNorm weight;
    norm. rotary_emb.inv_freq is registered persistent=False (not saved).
    """
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    kv = cfg.get("num_key_value_heads") or heads
    hd = cfg.get("head_dim") or hidden // heads
    inter = cfg["intermediate_size"]
    abias = bool(cfg.get("attention_bias", False))
    mbias = bool(cfg.get("mlp_bias", False))

    t = {}
    add_embedding(t, "embed_tokens", cfg["vocab_size"], hidden)
    for i in range(cfg["num_hidden_layers"]):
        add_decoder_layer(t, "layers.%d" % i, hidden, heads, kv, hd, inter, qkv_bias=abias, o_bias=abias,
                          mlp_bias=mbias)
    add_affine_norm(t, "norm", hidden, bias=False)
    return t


LAYOUTS = {
    "WanTransformer3DModel": wan_transformer_tensors,
    "AutoencoderKLWan": autoencoder_kl_wan_tensors,
    # Same modules and parameter names as the Wan 2.1 VAE (checked: both
    # layouts gave the identical 194 tensors for Qwen-Image's vae/config.json).
    "AutoencoderKLQwenImage": autoencoder_kl_wan_tensors,
    "HunyuanVideoTransformer3DModel": hunyuan_video_transformer_tensors,
    "AutoencoderKLHunyuanVideo": autoencoder_kl_hunyuan_video_tensors,
    "UMT5EncoderModel": umt5_encoder_tensors,
    "LlamaModel": llama_model_tensors,
}
