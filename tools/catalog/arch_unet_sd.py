"""Layouts of diffusers UNet2DConditionModel (SD 1.x / 2.x / SDXL UNets) and of
the Stable Diffusion safety checker (diffusers StableDiffusionSafetyChecker).

Followed source: huggingface/diffusers @ 58eb52c0803e (2026-08),
src/diffusers/models/unets/unet_2d_condition.py, unets/unet_2d_blocks.py,
resnet.py, downsampling.py, upsampling.py, embeddings.py,
transformers/transformer_2d.py, attention.py, attention_processor.py,
activations.py, pipelines/stable_diffusion/safety_checker.py; and
huggingface/transformers src/transformers/models/clip/modeling_clip.py
(CLIPVisionModel).

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_linear


# ---------------------------------------------------------------------------
# Building blocks of the UNet
# ---------------------------------------------------------------------------

def _resnet_block_2d(t, prefix, in_ch, out_ch, temb):
    """diffusers models/resnet.py ResnetBlock2D with time_embedding_norm
    "default": norm1 GroupNorm(in, affine), conv1 3x3 in->out, time_emb_proj
    Linear(temb, out), norm2 GroupNorm(out, affine), conv2 3x3 out->out,
    conv_shortcut 1x1 (bias) only when in != out (use_in_shortcut default)."""
    add_affine_norm(t, prefix + ".norm1", in_ch)
    add_conv2d(t, prefix + ".conv1", in_ch, out_ch, 3)
    add_linear(t, prefix + ".time_emb_proj", temb, out_ch)
    add_affine_norm(t, prefix + ".norm2", out_ch)
    add_conv2d(t, prefix + ".conv2", out_ch, out_ch, 3)
    if in_ch != out_ch:
        add_conv2d(t, prefix + ".conv_shortcut", in_ch, out_ch, 1)


def _basic_transformer_block(t, prefix, dim, cross_dim):
    """diffusers models/attention.py BasicTransformerBlock as built by
    Transformer2DModel for a UNet: norm_type "layer_norm" (LayerNorm affine),
    attention_bias False, attention_out_bias True, activation "geglu",
    ff_bias True, no positional embeddings, only_cross_attention False.

    norm1, attn1 (self: to_q/to_k/to_v Linear(dim, dim) no bias, to_out.0
    Linear(dim, dim) with bias), norm2, attn2 (cross: to_q Linear(dim, dim),
    to_k/to_v Linear(cross_dim, dim), no bias; to_out.0 with bias), norm3,
    ff = FeedForward(mult 4): net.0 = GEGLU proj Linear(dim, 2 * 4 dim),
    net.2 = Linear(4 dim, dim). heads * head_dim == dim in every UNet block
    (Transformer2DModel gets out_channels // num_attention_heads)."""
    add_affine_norm(t, prefix + ".norm1", dim)
    for proj in ("to_q", "to_k", "to_v"):
        add_linear(t, prefix + ".attn1." + proj, dim, dim, bias=False)
    add_linear(t, prefix + ".attn1.to_out.0", dim, dim)
    add_affine_norm(t, prefix + ".norm2", dim)
    add_linear(t, prefix + ".attn2.to_q", dim, dim, bias=False)
    add_linear(t, prefix + ".attn2.to_k", cross_dim, dim, bias=False)
    add_linear(t, prefix + ".attn2.to_v", cross_dim, dim, bias=False)
    add_linear(t, prefix + ".attn2.to_out.0", dim, dim)
    add_affine_norm(t, prefix + ".norm3", dim)
    inner = 4 * dim
    add_linear(t, prefix + ".ff.net.0.proj", dim, 2 * inner)
    add_linear(t, prefix + ".ff.net.2", inner, dim)


def _transformer_2d(t, prefix, ch, layers, cross_dim, linear_proj):
    """diffusers models/transformers/transformer_2d.py Transformer2DModel,
    continuous input (in_channels set, no patch_size): norm GroupNorm(ch,
    affine); proj_in / proj_out Linear(ch, ch) when use_linear_projection,
    else Conv2d 1x1 (both with bias); transformer_blocks[0..layers-1]."""
    add_affine_norm(t, prefix + ".norm", ch)
    if linear_proj:
        add_linear(t, prefix + ".proj_in", ch, ch)
    else:
        add_conv2d(t, prefix + ".proj_in", ch, ch, 1)
    for k in range(layers):
        _basic_transformer_block(t, "%s.transformer_blocks.%d" % (prefix, k), ch, cross_dim)
    if linear_proj:
        add_linear(t, prefix + ".proj_out", ch, ch)
    else:
        add_conv2d(t, prefix + ".proj_out", ch, ch, 1)


def _per_block(value, n, name):
    if isinstance(value, list):
        if len(value) != n:
            raise SystemExit("unet: %s has %d entries, expected %d" % (name, len(value), n))
        return list(value)
    return [value] * n


def unet_2d_condition_tensors(cfg):
    """diffusers.models.unets.unet_2d_condition.UNet2DConditionModel
    (diffusers @ 58eb52c0803e; blocks from unets/unet_2d_blocks.py).

    Supported config: down blocks CrossAttnDownBlock2D / DownBlock2D, up
    blocks CrossAttnUpBlock2D / UpBlock2D, mid_block_type
    UNetMidBlock2DCrossAttn (the default), time_embedding_type "positional",
    addition_embed_type None or "text_time", class_embed_type None,
    encoder_hid_dim None, resnet_time_scale_shift "default",
    dual_cross_attention False, attention_type "default",
    time_cond_proj_dim None, norm_num_groups set. Anything else raises.

    Modules (C0 = block_out_channels[0], T = time_embed_dim = 4 * C0):
      conv_in            Conv2d(in_channels, C0, conv_in_kernel)
      time_embedding     TimestepEmbedding linear_1(C0 -> T), linear_2(T -> T)
                         (time_proj = Timesteps has no weights)
      add_embedding      "text_time" only: TimestepEmbedding
                         linear_1(projection_class_embeddings_input_dim -> T),
                         linear_2(T -> T) (add_time_proj has no weights)
      down_blocks[i]     layers_per_block ResnetBlock2D (+ one
                         Transformer2DModel each for CrossAttn blocks, with
                         transformer_layers_per_block[i] blocks);
                         downsamplers.0.conv Conv2d 3x3 stride 2 (name "op"
                         stores it as .conv) except on the last block
      mid_block          resnets.0, attentions.0 (transformer_layers_per_block[-1]
                         layers), resnets.1 at block_out_channels[-1]
      up_blocks[i]       layers_per_block + 1 ResnetBlock2D taking the skip
                         concat (prev_output + skip channels), attentions for
                         CrossAttn blocks with reversed transformer layers;
                         upsamplers.0.conv Conv2d 3x3 except on the last block
      conv_norm_out      GroupNorm(C0); conv_out Conv2d(C0, out_channels, k)
    """
    boc = list(cfg["block_out_channels"])
    n = len(boc)
    down_types = list(cfg["down_block_types"])
    up_types = list(cfg["up_block_types"])
    if len(down_types) != n or len(up_types) != n:
        raise SystemExit("unet: block type lists must match block_out_channels")
    for key, ok in (("mid_block_type", ("UNetMidBlock2DCrossAttn",)),
                    ("time_embedding_type", ("positional",)),
                    ("addition_embed_type", (None, "text_time")),
                    ("class_embed_type", (None,)),
                    ("num_class_embeds", (None,)),
                    ("encoder_hid_dim", (None,)),
                    ("encoder_hid_dim_type", (None,)),
                    ("resnet_time_scale_shift", ("default",)),
                    ("dual_cross_attention", (False,)),
                    ("attention_type", ("default",)),
                    ("time_cond_proj_dim", (None,)),
                    ("class_embeddings_concat", (False,)),
                    ("reverse_transformer_layers_per_block", (None,))):
        default = {"mid_block_type": "UNetMidBlock2DCrossAttn", "time_embedding_type": "positional",
                   "resnet_time_scale_shift": "default", "dual_cross_attention": False,
                   "attention_type": "default", "class_embeddings_concat": False}.get(key)
        if cfg.get(key, default) not in ok:
            raise SystemExit("unet: unsupported %s %r" % (key, cfg.get(key)))
    if cfg.get("norm_num_groups", 32) is None:
        raise SystemExit("unet: norm_num_groups None (no conv_norm_out) is not supported")

    lpb = _per_block(cfg.get("layers_per_block", 2), n, "layers_per_block")
    tlpb = _per_block(cfg.get("transformer_layers_per_block", 1), n, "transformer_layers_per_block")
    cross = _per_block(cfg.get("cross_attention_dim", 1280), n, "cross_attention_dim")
    for v in tlpb:
        if not isinstance(v, int):
            raise SystemExit("unet: nested transformer_layers_per_block is not supported")
    linear_proj = bool(cfg.get("use_linear_projection", False))
    k_in = cfg.get("conv_in_kernel", 3)
    k_out = cfg.get("conv_out_kernel", 3)
    c0 = boc[0]
    temb = cfg.get("time_embedding_dim") or 4 * c0

    t = {}
    add_conv2d(t, "conv_in", cfg.get("in_channels", 4), c0, k_in)
    add_linear(t, "time_embedding.linear_1", c0, temb)
    add_linear(t, "time_embedding.linear_2", temb, temb)
    if cfg.get("addition_embed_type") == "text_time":
        add_linear(t, "add_embedding.linear_1", cfg["projection_class_embeddings_input_dim"], temb)
        add_linear(t, "add_embedding.linear_2", temb, temb)

    # down
    out_ch = c0
    for i, kind in enumerate(down_types):
        in_ch, out_ch = out_ch, boc[i]
        p = "down_blocks.%d" % i
        if kind not in ("CrossAttnDownBlock2D", "DownBlock2D"):
            raise SystemExit("unet: unsupported down block type %r" % kind)
        for j in range(lpb[i]):
            _resnet_block_2d(t, "%s.resnets.%d" % (p, j), in_ch if j == 0 else out_ch, out_ch, temb)
            if kind == "CrossAttnDownBlock2D":
                _transformer_2d(t, "%s.attentions.%d" % (p, j), out_ch, tlpb[i], cross[i], linear_proj)
        if i != n - 1:
            add_conv2d(t, p + ".downsamplers.0.conv", out_ch, out_ch, 3)

    # mid
    ch = boc[-1]
    _resnet_block_2d(t, "mid_block.resnets.0", ch, ch, temb)
    _transformer_2d(t, "mid_block.attentions.0", ch, tlpb[-1], cross[-1], linear_proj)
    _resnet_block_2d(t, "mid_block.resnets.1", ch, ch, temb)

    # up
    rboc = list(reversed(boc))
    rlpb = list(reversed(lpb))
    rtlpb = list(reversed(tlpb))
    rcross = list(reversed(cross))
    out_ch = rboc[0]
    for i, kind in enumerate(up_types):
        prev_out, out_ch = out_ch, rboc[i]
        in_ch = rboc[min(i + 1, n - 1)]
        p = "up_blocks.%d" % i
        if kind not in ("CrossAttnUpBlock2D", "UpBlock2D"):
            raise SystemExit("unet: unsupported up block type %r" % kind)
        layers = rlpb[i] + 1
        for j in range(layers):
            skip = in_ch if j == layers - 1 else out_ch
            res_in = prev_out if j == 0 else out_ch
            _resnet_block_2d(t, "%s.resnets.%d" % (p, j), res_in + skip, out_ch, temb)
            if kind == "CrossAttnUpBlock2D":
                _transformer_2d(t, "%s.attentions.%d" % (p, j), out_ch, rtlpb[i], rcross[i], linear_proj)
        if i != n - 1:
            add_conv2d(t, p + ".upsamplers.0.conv", out_ch, out_ch, 3)

    add_affine_norm(t, "conv_norm_out", c0)
    add_conv2d(t, "conv_out", c0, cfg.get("out_channels", 4), k_out)
    return t


# ---------------------------------------------------------------------------
# safety_checker: diffusers StableDiffusionSafetyChecker
# ---------------------------------------------------------------------------

def _clip_vision_tensors(t, prefix, vc):
    """transformers models/clip/modeling_clip.py CLIPVisionModel: under
    vision_model.: embeddings.class_embedding [hidden] (Parameter),
    embeddings.patch_embedding Conv2d(num_channels, hidden, patch, stride
    patch, bias=False), embeddings.position_embedding Embedding((image /
    patch)^2 + 1, hidden) (position_ids buffer persistent=False, not saved),
    pre_layrnorm (sic), encoder.layers[i] = CLIPEncoderLayer (q/k/v/out_proj
    Linear with bias, layer_norm1, mlp.fc1, mlp.fc2, layer_norm2),
    post_layernorm."""
    hidden = vc["hidden_size"]
    inter = vc["intermediate_size"]
    patch = vc["patch_size"]
    positions = (vc["image_size"] // patch) ** 2 + 1
    p = prefix + "vision_model."
    t[p + "embeddings.class_embedding"] = [hidden]
    add_conv2d(t, p + "embeddings.patch_embedding", vc.get("num_channels", 3), hidden, patch, bias=False)
    t[p + "embeddings.position_embedding.weight"] = [positions, hidden]
    add_affine_norm(t, p + "pre_layrnorm", hidden)
    for i in range(vc["num_hidden_layers"]):
        q = p + "encoder.layers.%d" % i
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            add_linear(t, q + ".self_attn." + proj, hidden, hidden)
        add_affine_norm(t, q + ".layer_norm1", hidden)
        add_linear(t, q + ".mlp.fc1", hidden, inter)
        add_linear(t, q + ".mlp.fc2", inter, hidden)
        add_affine_norm(t, q + ".layer_norm2", hidden)
    add_affine_norm(t, p + "post_layernorm", hidden)


def sd_safety_checker_tensors(cfg):
    """diffusers pipelines/stable_diffusion/safety_checker.py
    StableDiffusionSafetyChecker (a transformers PreTrainedModel with a
    CLIPConfig): vision_model = CLIPVisionModel(vision_config) (so names are
    vision_model.vision_model.*), visual_projection Linear(vision hidden,
    projection_dim, bias=False), and four Parameters: concept_embeds
    [17, projection_dim], special_care_embeds [3, projection_dim],
    concept_embeds_weights [17], special_care_embeds_weights [3]. The text
    half of the CLIPConfig is not instantiated."""
    vc = cfg["vision_config"]
    proj = cfg["projection_dim"]
    t = {}
    _clip_vision_tensors(t, "vision_model.", vc)
    add_linear(t, "visual_projection", vc["hidden_size"], proj, bias=False)
    t["concept_embeds"] = [17, proj]
    t["special_care_embeds"] = [3, proj]
    t["concept_embeds_weights"] = [17]
    t["special_care_embeds_weights"] = [3]
    return t


LAYOUTS = {
    "UNet2DConditionModel": unet_2d_condition_tensors,
    "StableDiffusionSafetyChecker": sd_safety_checker_tensors,
}
