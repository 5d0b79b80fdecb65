"""Layouts for the Qwen-Image and Sana pipelines:

  diffusers    QwenImageTransformer2DModel, AutoencoderKLQwenImage,
               SanaTransformer2DModel, AutoencoderDC
  transformers Qwen2_5_VLForConditionalGeneration, Gemma2Model

Diffusers sources read at huggingface/diffusers @ 58eb52c0803e (2026-08-23);
transformers sources at huggingface/transformers @ 00b676f8f048 (the
4.54/4.55-era modeling_qwen2_5_vl.py) and the gemma2 modeling file of the same
tree. Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_conv3d, add_embedding, add_linear


# ---------------------------------------------------------------------------
# transformer: diffusers QwenImageTransformer2DModel
# ---------------------------------------------------------------------------

def qwen_image_transformer_tensors(cfg):
    """diffusers.models.transformers.transformer_qwenimage.QwenImageTransformer2DModel
    (diffusers @ 58eb52c0803e).

    Config keys: num_attention_heads, attention_head_dim, in_channels,
    out_channels, patch_size, joint_attention_dim, num_layers,
    use_additional_t_cond (default false).

    Modules (D = heads * head_dim):
      pos_embed        QwenEmbedRope: frequency tables are plain attributes,
                       no parameters or buffers
      time_text_embed  QwenTimestepProjEmbeddings: timestep_embedder
                       linear_1(256 -> D), linear_2(D -> D); addition_t_embedding
                       Embedding(2, D) only when use_additional_t_cond
      txt_norm         RMSNorm(joint_attention_dim), weight only
      img_in           Linear(in_channels, D)
      txt_in           Linear(joint_attention_dim, D)
      transformer_blocks[i]  QwenImageTransformerBlock:
          img_mod.1 / txt_mod.1   Linear(D, 6D) (index 0 is SiLU)
          img_norm1/2, txt_norm1/2  LayerNorm(elementwise_affine=False): none
          attn  Attention(added_kv_proj_dim=D, context_pre_only=False,
                bias=True, qk_norm="rms_norm"): to_q/k/v, add_q/k/v_proj,
                to_out.0, to_add_out (all with bias); norm_q, norm_k,
                norm_added_q, norm_added_k RMSNorm(head_dim) weight only
          img_mlp / txt_mlp  FeedForward(gelu-approximate, mult 4):
                net.0.proj Linear(D, 4D), net.2 Linear(4D, D)
      norm_out   AdaLayerNormContinuous(elementwise_affine=False): linear(D, 2D)
      proj_out   Linear(D, patch^2 * out_channels)
    """
    heads = cfg["num_attention_heads"]
    head_dim = cfg["attention_head_dim"]
    dim = heads * head_dim
    in_channels = cfg["in_channels"]
    out_channels = cfg.get("out_channels") or in_channels
    patch = cfg.get("patch_size", 2)
    joint = cfg["joint_attention_dim"]

    t = {}
    add_linear(t, "time_text_embed.timestep_embedder.linear_1", 256, dim)
    add_linear(t, "time_text_embed.timestep_embedder.linear_2", dim, dim)
    if cfg.get("use_additional_t_cond", False):
        add_embedding(t, "time_text_embed.addition_t_embedding", 2, dim)
    add_affine_norm(t, "txt_norm", joint, bias=False)
    add_linear(t, "img_in", in_channels, dim)
    add_linear(t, "txt_in", joint, dim)
    for i in range(cfg["num_layers"]):
        p = "transformer_blocks.%d" % i
        add_linear(t, p + ".img_mod.1", dim, 6 * dim)
        add_linear(t, p + ".txt_mod.1", dim, 6 * dim)
        for proj in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0", "to_add_out"):
            add_linear(t, p + ".attn." + proj, dim, dim)
        for norm in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            add_affine_norm(t, p + ".attn." + norm, head_dim, bias=False)
        for mlp in ("img_mlp", "txt_mlp"):
            add_linear(t, p + "." + mlp + ".net.0.proj", dim, 4 * dim)
            add_linear(t, p + "." + mlp + ".net.2", 4 * dim, dim)
    add_linear(t, "norm_out.linear", dim, 2 * dim)
    add_linear(t, "proj_out", dim, patch * patch * out_channels)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKLQwenImage (Wan-2.1-style causal 3D VAE)
# ---------------------------------------------------------------------------

def _qwen_rms_gamma(t, prefix, dim, images):
    """QwenImageRMS_norm: gamma [dim, 1, 1, 1] (images=False) or [dim, 1, 1]
    (images=True); bias=False means no bias parameter."""
    t[prefix + ".gamma"] = [dim, 1, 1] if images else [dim, 1, 1, 1]


def _qwen_resblock(t, p, in_dim, out_dim):
    """QwenImageResidualBlock: norm1, conv1 (causal 3x3x3), norm2, conv2,
    conv_shortcut (1x1x1) only when in_dim != out_dim."""
    _qwen_rms_gamma(t, p + ".norm1", in_dim, images=False)
    add_conv3d(t, p + ".conv1", in_dim, out_dim, 3)
    _qwen_rms_gamma(t, p + ".norm2", out_dim, images=False)
    add_conv3d(t, p + ".conv2", out_dim, out_dim, 3)
    if in_dim != out_dim:
        add_conv3d(t, p + ".conv_shortcut", in_dim, out_dim, 1)


def _qwen_attnblock(t, p, dim):
    """QwenImageAttentionBlock: norm (images=True), to_qkv Conv2d 1x1, proj."""
    _qwen_rms_gamma(t, p + ".norm", dim, images=True)
    add_conv2d(t, p + ".to_qkv", dim, 3 * dim, 1)
    add_conv2d(t, p + ".proj", dim, dim, 1)


def _qwen_resample(t, p, dim, mode):
    """QwenImageResample: resample = Sequential(Upsample|ZeroPad2d, Conv2d)
    so the conv is index 1; upsample convs halve the channels; *3d modes add
    time_conv (causal (3,1,1) conv; dim -> 2*dim for upsample3d)."""
    if mode in ("upsample2d", "upsample3d"):
        add_conv2d(t, p + ".resample.1", dim, dim // 2, 3)
        if mode == "upsample3d":
            add_conv3d(t, p + ".time_conv", dim, dim * 2, (3, 1, 1))
    elif mode in ("downsample2d", "downsample3d"):
        add_conv2d(t, p + ".resample.1", dim, dim, 3)
        if mode == "downsample3d":
            add_conv3d(t, p + ".time_conv", dim, dim, (3, 1, 1))


def _qwen_midblock(t, p, dim):
    """QwenImageMidBlock(num_layers=1): resnets.0, attentions.0, resnets.1."""
    _qwen_resblock(t, p + ".resnets.0", dim, dim)
    _qwen_attnblock(t, p + ".attentions.0", dim)
    _qwen_resblock(t, p + ".resnets.1", dim, dim)


def qwen_image_vae_tensors(cfg):
    """diffusers.models.autoencoders.autoencoder_kl_qwenimage.AutoencoderKLQwenImage
    (diffusers @ 58eb52c0803e).

    Config keys: base_dim, z_dim, dim_mult, num_res_blocks, attn_scales,
    temperal_downsample, input_channels (default 3).

    encoder = QwenImageEncoder3d(base_dim, 2*z_dim, ...): conv_in, a flat
    down_blocks list (per level num_res_blocks residual blocks, an attention
    block when the scale is in attn_scales, then a Resample except after the
    last level: downsample3d when temperal_downsample[i] else downsample2d),
    mid_block, norm_out, conv_out. quant_conv (2z -> 2z) and post_quant_conv
    (z -> z) are 1x1x1 causal convs. decoder = QwenImageDecoder3d with
    dims [base*m[-1]] + reversed, up_blocks[i] = QwenImageUpBlock with
    num_res_blocks + 1 resnets and upsamplers.0 (upsample3d when the reversed
    temporal flag is set, upsample2d otherwise, none for the last level); the
    input width of up block i > 0 is halved because the previous upsampler
    halves channels. The latents_mean/std config values are not weights.
    """
    base = cfg.get("base_dim", 96)
    z = cfg.get("z_dim", 16)
    mult = cfg.get("dim_mult", [1, 2, 4, 4])
    nres = cfg.get("num_res_blocks", 2)
    attn_scales = cfg.get("attn_scales", [])
    tdown = cfg.get("temperal_downsample", [False, True, True])
    tup = list(reversed(tdown))
    cin = cfg.get("input_channels", 3)

    t = {}
    # encoder
    dims = [base * u for u in [1] + list(mult)]
    add_conv3d(t, "encoder.conv_in", cin, dims[0], 3)
    idx = 0
    scale = 1.0
    for i, (in_dim, out_dim) in enumerate(zip(dims[:-1], dims[1:])):
        for _ in range(nres):
            _qwen_resblock(t, "encoder.down_blocks.%d" % idx, in_dim, out_dim)
            idx += 1
            if scale in attn_scales:
                _qwen_attnblock(t, "encoder.down_blocks.%d" % idx, out_dim)
                idx += 1
            in_dim = out_dim
        if i != len(mult) - 1:
            mode = "downsample3d" if tdown[i] else "downsample2d"
            _qwen_resample(t, "encoder.down_blocks.%d" % idx, out_dim, mode)
            idx += 1
            scale /= 2.0
    top = dims[-1]
    _qwen_midblock(t, "encoder.mid_block", top)
    _qwen_rms_gamma(t, "encoder.norm_out", top, images=False)
    add_conv3d(t, "encoder.conv_out", top, 2 * z, 3)

    add_conv3d(t, "quant_conv", 2 * z, 2 * z, 1)
    add_conv3d(t, "post_quant_conv", z, z, 1)

    # decoder
    dims = [base * u for u in [mult[-1]] + list(reversed(mult))]
    add_conv3d(t, "decoder.conv_in", z, dims[0], 3)
    _qwen_midblock(t, "decoder.mid_block", dims[0])
    for i, (in_dim, out_dim) in enumerate(zip(dims[:-1], dims[1:])):
        if i > 0:
            in_dim = in_dim // 2
        p = "decoder.up_blocks.%d" % i
        cur = in_dim
        for j in range(nres + 1):
            _qwen_resblock(t, p + ".resnets.%d" % j, cur, out_dim)
            cur = out_dim
        if i != len(mult) - 1:
            mode = "upsample3d" if tup[i] else "upsample2d"
            _qwen_resample(t, p + ".upsamplers.0", out_dim, mode)
    _qwen_rms_gamma(t, "decoder.norm_out", dims[-1], images=False)
    add_conv3d(t, "decoder.conv_out", dims[-1], cin, 3)
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers Qwen2_5_VLForConditionalGeneration
# ---------------------------------------------------------------------------

def qwen2_5_vl_tensors(cfg):
    """transformers.models.qwen2_5_vl.modeling_qwen2_5_vl.Qwen2_5_VLForConditionalGeneration
    (transformers @ 00b676f8f048; module layout unchanged since 4.49).

    Config keys: hidden_size, intermediate_size, num_hidden_layers,
    num_attention_heads, num_key_value_heads, vocab_size, tie_word_embeddings
    (top level, or under text_config in configs saved by transformers >= 4.53),
    vision_config {depth, hidden_size, intermediate_size, num_heads,
    in_chans|in_channels, patch_size, temporal_patch_size, spatial_merge_size,
    out_hidden_size}.

    Key names are the ones save_pretrained writes: since transformers 4.52 the
    module tree is model.visual / model.language_model / lm_head, but
    save_pretrained reverts _checkpoint_conversion_mapping
    ({"^visual": "model.visual", "^model(?!...)": "model.language_model"}), so
    the files hold visual.*, model.* (language model) and lm_head.weight.
    lm_head is saved because tie_word_embeddings is false for the 7B model.

    visual (Qwen2_5_VisionTransformerPretrainedModel):
      patch_embed.proj  Conv3d(in, hidden, (tps, p, p), bias=False)
      blocks[i]  norm1, norm2 Qwen2RMSNorm weight; attn.qkv Linear(h, 3h),
                 attn.proj Linear(h, h) (bias); mlp gate/up/down Linear with
                 bias (Qwen2_5_VLMLP(bias=True))
      merger     ln_q Qwen2RMSNorm(h) weight; mlp.0 Linear(4h, 4h), mlp.2
                 Linear(4h, out_hidden) (merge unit spatial_merge_size^2 = 4)
      rotary_pos_emb.inv_freq is registered persistent=False: not saved.
    language model (Qwen2_5_VLTextModel): embed_tokens; layers[i] self_attn
      q/k/v_proj with bias, o_proj without; mlp gate/up/down without bias;
      input_layernorm, post_attention_layernorm; norm. rotary inv_freq buffers
      are persistent=False.
    """
    text = dict(cfg)
    text.update(cfg.get("text_config") or {})
    hidden = text["hidden_size"]
    inter = text["intermediate_size"]
    heads = text["num_attention_heads"]
    kv_heads = text.get("num_key_value_heads", heads)
    head_dim = hidden // heads
    vocab = text["vocab_size"]
    tied = cfg.get("tie_word_embeddings", text.get("tie_word_embeddings", False))

    v = cfg["vision_config"]
    vh = v.get("hidden_size", v.get("embed_dim"))
    vi = v["intermediate_size"]
    vin = v.get("in_chans", v.get("in_channels", 3))
    patch = v.get("patch_size", 14)
    tps = v.get("temporal_patch_size", 2)
    merge = v.get("spatial_merge_size", 2)
    vout = v.get("out_hidden_size", hidden)

    t = {}
    t["visual.patch_embed.proj.weight"] = [vh, vin, tps, patch, patch]
    for i in range(v["depth"]):
        p = "visual.blocks.%d" % i
        add_affine_norm(t, p + ".norm1", vh, bias=False)
        add_affine_norm(t, p + ".norm2", vh, bias=False)
        add_linear(t, p + ".attn.qkv", vh, 3 * vh)
        add_linear(t, p + ".attn.proj", vh, vh)
        add_linear(t, p + ".mlp.gate_proj", vh, vi)
        add_linear(t, p + ".mlp.up_proj", vh, vi)
        add_linear(t, p + ".mlp.down_proj", vi, vh)
    merged = vh * merge * merge
    add_affine_norm(t, "visual.merger.ln_q", vh, bias=False)
    add_linear(t, "visual.merger.mlp.0", merged, merged)
    add_linear(t, "visual.merger.mlp.2", merged, vout)

    add_embedding(t, "model.embed_tokens", vocab, hidden)
    for i in range(text["num_hidden_layers"]):
        p = "model.layers.%d" % i
        add_linear(t, p + ".self_attn.q_proj", hidden, heads * head_dim)
        add_linear(t, p + ".self_attn.k_proj", hidden, kv_heads * head_dim)
        add_linear(t, p + ".self_attn.v_proj", hidden, kv_heads * head_dim)
        add_linear(t, p + ".self_attn.o_proj", heads * head_dim, hidden, bias=False)
        add_linear(t, p + ".mlp.gate_proj", hidden, inter, bias=False)
        add_linear(t, p + ".mlp.up_proj", hidden, inter, bias=False)
        add_linear(t, p + ".mlp.down_proj", inter, hidden, bias=False)
        add_affine_norm(t, p + ".input_layernorm", hidden, bias=False)
        add_affine_norm(t, p + ".post_attention_layernorm", hidden, bias=False)
    add_affine_norm(t, "model.norm", hidden, bias=False)
    if not tied:
        add_linear(t, "lm_head", hidden, vocab, bias=False)
    return t


LAYOUTS = {
    "QwenImageTransformer2DModel": qwen_image_transformer_tensors,
    "AutoencoderKLQwenImage": qwen_image_vae_tensors,
    "Qwen2_5_VLForConditionalGeneration": qwen2_5_vl_tensors,
}
