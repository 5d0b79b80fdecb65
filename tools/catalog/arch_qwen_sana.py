"""Layouts for the Qwen-Image and Sana pipelines:

  diffusers    QwenImageTransformer2DModel, AutoencoderKLQwenImage,
               SanaTransformer2DModel, AutoencoderDC
  transformers Qwen2_5_VLForConditionalGeneration, Gemma2Model

Diffusers sources read at huggingface/diffusers @ 58eb52c0803e (2026-08-23);
transformers sources at huggingface/transformers @ 00b676f8f048 (the
4.54/4.55-era modeling_qwen2_5_vl.py) and the gemma2 modeling file of the same
tree. Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_decoder_layer, add_embedding, add_linear


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


# vae: diffusers AutoencoderKLQwenImage has the module layout of the Wan 2.1
# VAE (autoencoder_kl_qwenimage.py mirrors autoencoder_kl_wan.py), so it is
# registered with arch_video_wan_hunyuan.autoencoder_kl_wan_tensors.


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
        add_decoder_layer(t, "model.layers.%d" % i, hidden, heads, kv_heads, head_dim, inter, qkv_bias=True)
    add_affine_norm(t, "model.norm", hidden, bias=False)
    if not tied:
        add_linear(t, "lm_head", hidden, vocab, bias=False)
    return t


# ---------------------------------------------------------------------------
# transformer: diffusers SanaTransformer2DModel
# ---------------------------------------------------------------------------

def sana_transformer_tensors(cfg):
    """diffusers.models.transformers.sana_transformer.SanaTransformer2DModel
    (diffusers @ 58eb52c0803e).

    Config keys: in_channels, out_channels, num_attention_heads,
    attention_head_dim, num_layers, num_cross_attention_heads,
    cross_attention_head_dim, cross_attention_dim, caption_channels,
    mlp_ratio, attention_bias, patch_size, norm_elementwise_affine,
    guidance_embeds, qk_norm.

    Modules (D = heads * head_dim):
      patch_embed.proj   Conv2d(in, D, patch, patch) with bias; PatchEmbed's
                         sincos pos_embed is a persistent=False buffer (or
                         None when interpolation_scale is null): not saved
      time_embed         AdaLayerNormSingle: emb.timestep_embedder linear_1
                         (256 -> D), linear_2 (D -> D); linear (D -> 6D)
                         (SanaCombinedTimestepGuidanceEmbeddings with
                         guidance_embeds adds guidance_embedder)
      caption_projection PixArtAlphaTextProjection linear_1 (caption -> D),
                         linear_2 (D -> D)
      caption_norm       RMSNorm(D, elementwise_affine=True) weight
      transformer_blocks[i]  SanaTransformerBlock:
          norm1 LayerNorm(elementwise_affine=False): none
          attn1 Attention(bias=attention_bias): to_q/k/v, to_out.0 (bias)
          norm2 LayerNorm(norm_elementwise_affine)
          attn2 Attention(cross_attention_dim, bias=True): to_q (D -> h*d),
                to_k/to_v (cross_dim -> h*d), to_out.0 (h*d -> D)
          qk_norm "rms_norm_across_heads": norm_q/norm_k RMSNorm weights
          ff GLUMBConv(D, D, mlp_ratio): conv_inverted 1x1 (D -> 2H) bias,
             conv_depth 3x3 depthwise (2H groups) bias, conv_point 1x1
             (H -> D) no bias; H = int(mlp_ratio * D)
          scale_shift_table [6, D]
      scale_shift_table [2, D]; norm_out (LayerNorm, no affine): none
      proj_out Linear(D, patch^2 * out)
    """
    heads = cfg.get("num_attention_heads", 70)
    head_dim = cfg.get("attention_head_dim", 32)
    dim = heads * head_dim
    cin = cfg.get("in_channels", 32)
    cout = cfg.get("out_channels") or cin
    patch = cfg.get("patch_size", 1)
    cross_heads = cfg.get("num_cross_attention_heads", 20)
    cross_head_dim = cfg.get("cross_attention_head_dim", 112)
    cross_dim = cfg.get("cross_attention_dim", 2240)
    caption = cfg.get("caption_channels", 2304)
    hidden = int(cfg.get("mlp_ratio", 2.5) * dim)
    attn_bias = cfg.get("attention_bias", False)
    qk_norm = cfg.get("qk_norm")
    if qk_norm not in (None, "rms_norm_across_heads"):
        raise ValueError("sana: qk_norm %r not modelled" % qk_norm)

    t = {}
    add_conv2d(t, "patch_embed.proj", cin, dim, patch)
    if cfg.get("guidance_embeds", False):
        for emb in ("timestep_embedder", "guidance_embedder"):
            add_linear(t, "time_embed.%s.linear_1" % emb, 256, dim)
            add_linear(t, "time_embed.%s.linear_2" % emb, dim, dim)
    else:
        add_linear(t, "time_embed.emb.timestep_embedder.linear_1", 256, dim)
        add_linear(t, "time_embed.emb.timestep_embedder.linear_2", dim, dim)
    add_linear(t, "time_embed.linear", dim, 6 * dim)
    add_linear(t, "caption_projection.linear_1", caption, dim)
    add_linear(t, "caption_projection.linear_2", dim, dim)
    add_affine_norm(t, "caption_norm", dim, bias=False)
    for i in range(cfg.get("num_layers", 20)):
        p = "transformer_blocks.%d" % i
        for proj in ("to_q", "to_k", "to_v"):
            add_linear(t, p + ".attn1." + proj, dim, dim, bias=attn_bias)
        add_linear(t, p + ".attn1.to_out.0", dim, dim)
        if qk_norm is not None:
            add_affine_norm(t, p + ".attn1.norm_q", dim, bias=False)
            add_affine_norm(t, p + ".attn1.norm_k", dim, bias=False)
        if cross_dim is not None:
            if cfg.get("norm_elementwise_affine", False):
                add_affine_norm(t, p + ".norm2", dim)
            inner = cross_heads * cross_head_dim
            add_linear(t, p + ".attn2.to_q", dim, inner)
            add_linear(t, p + ".attn2.to_k", cross_dim, inner)
            add_linear(t, p + ".attn2.to_v", cross_dim, inner)
            add_linear(t, p + ".attn2.to_out.0", inner, dim)
            if qk_norm is not None:
                add_affine_norm(t, p + ".attn2.norm_q", inner, bias=False)
                add_affine_norm(t, p + ".attn2.norm_k", inner, bias=False)
        add_conv2d(t, p + ".ff.conv_inverted", dim, 2 * hidden, 1)
        t[p + ".ff.conv_depth.weight"] = [2 * hidden, 1, 3, 3]
        t[p + ".ff.conv_depth.bias"] = [2 * hidden]
        add_conv2d(t, p + ".ff.conv_point", hidden, dim, 1, bias=False)
        t[p + ".scale_shift_table"] = [6, dim]
    t["scale_shift_table"] = [2, dim]
    add_linear(t, "proj_out", dim, patch * patch * cout)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderDC (DC-AE)
# ---------------------------------------------------------------------------

def _dc_norm(t, p, channels, norm_type):
    """get_normalization: rms_norm -> diffusers RMSNorm(elementwise_affine,
    bias=True): weight + bias. batch_norm would add running_mean/var and an
    int64 num_batches_tracked, which a one-dtype manifest cannot express."""
    if norm_type != "rms_norm":
        raise ValueError("AutoencoderDC: norm type %r not modelled" % norm_type)
    add_affine_norm(t, p, channels, bias=True)


def _dc_block(t, p, block_type, channels, head_dim, norm_type, scales):
    """ResBlock: conv1 3x3 (bias), conv2 3x3 (no bias), norm.
    EfficientViTBlock: attn = SanaMultiscaleLinearAttention(mult 1.0): to_q/k/v
    Linear no bias (inner = channels // head_dim * head_dim), per kernel size
    to_qkv_multiscale.k.proj_in depthwise (3*inner, 1, k, k) and proj_out
    grouped 1x1 (3*inner, head_dim, 1, 1), both without bias, to_out Linear
    (inner * (1 + len(scales)) -> channels) no bias, norm_out; conv_out =
    GLUMBConv(expand 4, norm rms_norm): conv_inverted, conv_depth, conv_point,
    norm."""
    if block_type == "ResBlock":
        add_conv2d(t, p + ".conv1", channels, channels, 3)
        add_conv2d(t, p + ".conv2", channels, channels, 3, bias=False)
        _dc_norm(t, p + ".norm", channels, norm_type)
    elif block_type == "EfficientViTBlock":
        nheads = channels // head_dim
        inner = nheads * head_dim
        for proj in ("to_q", "to_k", "to_v"):
            add_linear(t, p + ".attn." + proj, channels, inner, bias=False)
        for j, k in enumerate(scales):
            q = p + ".attn.to_qkv_multiscale.%d" % j
            t[q + ".proj_in.weight"] = [3 * inner, 1, k, k]
            t[q + ".proj_out.weight"] = [3 * inner, head_dim, 1, 1]
        add_linear(t, p + ".attn.to_out", inner * (1 + len(scales)), channels, bias=False)
        _dc_norm(t, p + ".attn.norm_out", channels, norm_type)
        hidden = 4 * channels
        add_conv2d(t, p + ".conv_out.conv_inverted", channels, 2 * hidden, 1)
        t[p + ".conv_out.conv_depth.weight"] = [2 * hidden, 1, 3, 3]
        t[p + ".conv_out.conv_depth.bias"] = [2 * hidden]
        add_conv2d(t, p + ".conv_out.conv_point", hidden, channels, 1, bias=False)
        _dc_norm(t, p + ".conv_out.norm", channels, "rms_norm")
    else:
        raise ValueError("AutoencoderDC: block type %r" % block_type)


def _per_level(value, n):
    return list(value) if isinstance(value, (list, tuple)) else [value] * n


def autoencoder_dc_tensors(cfg):
    """diffusers.models.autoencoders.autoencoder_dc.AutoencoderDC
    (diffusers @ 58eb52c0803e).

    Config keys: in_channels, latent_channels, attention_head_dim,
    encoder/decoder_block_types, encoder/decoder_block_out_channels,
    encoder/decoder_layers_per_block, encoder/decoder_qkv_multiscales,
    upsample_block_type, downsample_block_type, decoder_norm_types.

    encoder: conv_in Conv2d(in, C0, 3) (layers_per_block[0] > 0); down_blocks[i]
    = Sequential(blocks..., DCDownBlock2d) with the down block's conv (3x3,
    stride 2 unless pixel_unshuffle) at index n_i for every level but the last;
    encoder blocks use rms_norm; conv_out Conv2d(C_last, latent, 3). Shortcuts
    are parameter-free. decoder: conv_in Conv2d(latent, C_last, 3); up_blocks[i]
    = Sequential(DCUpBlock2d (conv 3x3 C_{i+1} -> C_i, x4 outputs for
    pixel_shuffle) at index 0 for every level but the last, then the blocks);
    norm_out RMSNorm(C0, bias=True); conv_out Conv2d(C0, in, 3).
    """
    cin = cfg.get("in_channels", 3)
    latent = cfg.get("latent_channels", 32)
    head_dim = cfg.get("attention_head_dim", 32)
    t = {}

    ch = cfg.get("encoder_block_out_channels", [128, 256, 512, 512, 1024, 1024])
    n = len(ch)
    types = _per_level(cfg.get("encoder_block_types", "ResBlock"), n)
    layers = cfg.get("encoder_layers_per_block", [2, 2, 2, 3, 3, 3])
    scales = cfg.get("encoder_qkv_multiscales", [[], [], [], [5], [5], [5]])
    unshuffle = cfg.get("downsample_block_type", "pixel_unshuffle") == "pixel_unshuffle"
    if layers[0] <= 0:
        raise ValueError("AutoencoderDC: layers_per_block[0] == 0 not modelled")
    add_conv2d(t, "encoder.conv_in", cin, ch[0], 3)
    for i in range(n):
        p = "encoder.down_blocks.%d" % i
        for j in range(layers[i]):
            _dc_block(t, "%s.%d" % (p, j), types[i], ch[i], head_dim, "rms_norm", scales[i])
        if i < n - 1 and layers[i] > 0:
            out = ch[i + 1] // 4 if unshuffle else ch[i + 1]
            add_conv2d(t, "%s.%d.conv" % (p, layers[i]), ch[i], out, 3)
    add_conv2d(t, "encoder.conv_out", ch[-1], latent, 3)

    ch = cfg.get("decoder_block_out_channels", [128, 256, 512, 512, 1024, 1024])
    n = len(ch)
    types = _per_level(cfg.get("decoder_block_types", "ResBlock"), n)
    layers = cfg.get("decoder_layers_per_block", [3, 3, 3, 3, 3, 3])
    scales = cfg.get("decoder_qkv_multiscales", [[], [], [], [5], [5], [5]])
    norms = _per_level(cfg.get("decoder_norm_types", "rms_norm"), n)
    interpolate = cfg.get("upsample_block_type", "pixel_shuffle") == "interpolate"
    if layers[0] <= 0:
        raise ValueError("AutoencoderDC: layers_per_block[0] == 0 not modelled")
    add_conv2d(t, "decoder.conv_in", latent, ch[-1], 3)
    for i in range(n):
        p = "decoder.up_blocks.%d" % i
        k = 0
        if i < n - 1 and layers[i] > 0:
            out = ch[i] if interpolate else ch[i] * 4
            add_conv2d(t, p + ".0.conv", ch[i + 1], out, 3)
            k = 1
        for j in range(layers[i]):
            _dc_block(t, "%s.%d" % (p, k + j), types[i], ch[i], head_dim, norms[i], scales[i])
    add_affine_norm(t, "decoder.norm_out", ch[0], bias=True)
    add_conv2d(t, "decoder.conv_out", ch[0], cin, 3)
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers Gemma2Model (Gemma-2-2B decoder stack)
# ---------------------------------------------------------------------------

def gemma2_model_tensors(cfg):
    """transformers.models.gemma2.modeling_gemma2.Gemma2Model (transformers
    4.47-era file @ 006e86931247; module names unchanged in later versions).

    Config keys: vocab_size, hidden_size, intermediate_size, num_hidden_layers,
    num_attention_heads, num_key_value_heads, head_dim, attention_bias.

    The base model is saved on its own (Sana's converter calls
    AutoModelForCausalLM(...).get_decoder() and the pipeline saves that), so the
    keys carry no "model." prefix and there is no lm_head: embed_tokens;
    layers[i] self_attn q/k/v/o_proj (bias = attention_bias), mlp gate/up/down
    (no bias), input_layernorm, post_attention_layernorm,
    pre_feedforward_layernorm, post_feedforward_layernorm (Gemma2RMSNorm
    weight); norm. Rotary inv_freq buffers are persistent=False.
    """
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    kv = cfg.get("num_key_value_heads", heads)
    head_dim = cfg.get("head_dim", hidden // heads)
    inter = cfg["intermediate_size"]
    bias = cfg.get("attention_bias", False)
    t = {}
    add_embedding(t, "embed_tokens", cfg["vocab_size"], hidden)
    for i in range(cfg["num_hidden_layers"]):
        add_decoder_layer(t, "layers.%d" % i, hidden, heads, kv, head_dim, inter, qkv_bias=bias, o_bias=bias,
                          norms=("input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                                 "post_feedforward_layernorm"))
    add_affine_norm(t, "norm", hidden, bias=False)
    return t


LAYOUTS = {
    "QwenImageTransformer2DModel": qwen_image_transformer_tensors,
    "Qwen2_5_VLForConditionalGeneration": qwen2_5_vl_tensors,
    "SanaTransformer2DModel": sana_transformer_tensors,
    "AutoencoderDC": autoencoder_dc_tensors,
    "Gemma2Model": gemma2_model_tensors,
}
