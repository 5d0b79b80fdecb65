"""Layouts of diffusers SD3Transformer2DModel (SD3 / SD3.5 MMDiT, MMDiT-X) and
ChromaTransformer2DModel (Chroma).

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_linear


def _ff(t, prefix, dim):
    """diffusers FeedForward(dim, dim_out=dim, activation_fn="gelu-approximate",
    mult=4, bias=True): net.0 = GELU whose .proj is Linear(dim, 4*dim); net.1
    Dropout; net.2 Linear(4*dim, dim)."""
    add_linear(t, prefix + ".net.0.proj", dim, 4 * dim)
    add_linear(t, prefix + ".net.2", 4 * dim, dim)


def sd3_transformer_tensors(cfg):
    """diffusers.models.transformers.transformer_sd3.SD3Transformer2DModel
    (diffusers @58eb52c0803e; transformer_sd3.py, attention.py
    JointTransformerBlock, attention_processor.py Attention, embeddings.py
    PatchEmbed / CombinedTimestepTextProjEmbeddings, normalization.py
    AdaLayerNormZero / SD35AdaLayerNormZeroX / AdaLayerNormContinuous).

    Config keys: sample_size, patch_size, in_channels, num_layers,
    attention_head_dim, num_attention_heads, joint_attention_dim,
    caption_projection_dim, pooled_projection_dim, out_channels,
    pos_embed_max_size, dual_attention_layers, qk_norm.

    Modules (D = heads * head_dim):
      pos_embed         PatchEmbed: proj Conv2d(in, D, k=patch, bias=True);
                        pos_embed buffer [1, grid^2, D] registered
                        persistent only when pos_embed_max_size is set (grid =
                        pos_embed_max_size, else sample_size // patch); the
                        PatchEmbed LayerNorm is off (layer_norm=False)
      time_text_embed   CombinedTimestepTextProjEmbeddings: timestep_embedder
                        linear_1 (256 -> D), linear_2 (D -> D); text_embedder
                        (PixArtAlphaTextProjection) linear_1 (pooled -> D),
                        linear_2 (D -> D)
      context_embedder  Linear(joint_attention_dim, caption_projection_dim)
      transformer_blocks[i]  JointTransformerBlock, context_pre_only on the
                        last block (i == num_layers - 1):
          norm1         AdaLayerNormZero linear (D -> 6D), or
                        SD35AdaLayerNormZeroX linear (D -> 9D) when i is in
                        dual_attention_layers; LayerNorm without affine
          norm1_context AdaLayerNormZero linear (D -> 6D), or on the last
                        block AdaLayerNormContinuous linear (D -> 2D) (norm
                        elementwise_affine=False: no parameters)
          attn          Attention(added_kv_proj_dim=D, bias=True,
                        context_pre_only not None): to_q/to_k/to_v,
                        add_q_proj/add_k_proj/add_v_proj, to_out.0 (all
                        D -> D with bias); to_add_out only when not
                        context_pre_only; qk_norm "rms_norm": norm_q, norm_k,
                        norm_added_q, norm_added_k RMSNorm(head_dim) weights
          attn2         (dual-attention blocks) Attention without added kv:
                        to_q/to_k/to_v/to_out.0, norm_q/norm_k if qk_norm
          norm2 / norm2_context  LayerNorm without affine (no parameters)
          ff, ff_context  FeedForward gelu-approximate; ff_context absent on
                        the context_pre_only block
      norm_out          AdaLayerNormContinuous linear (D -> 2D), no affine
      proj_out          Linear(D, patch^2 * out_channels)
    """
    heads = cfg["num_attention_heads"]
    head_dim = cfg["attention_head_dim"]
    dim = heads * head_dim
    patch = cfg["patch_size"]
    in_channels = cfg["in_channels"]
    out_channels = cfg.get("out_channels") or in_channels
    layers = cfg["num_layers"]
    dual = set(cfg.get("dual_attention_layers") or ())
    qk_norm = cfg.get("qk_norm")
    if qk_norm not in (None, "rms_norm"):
        raise SystemExit("sd3: unsupported qk_norm %r" % qk_norm)

    t = {}
    add_conv2d(t, "pos_embed.proj", in_channels, dim, patch)
    max_size = cfg.get("pos_embed_max_size")
    if max_size:  # register_buffer("pos_embed", ..., persistent=True only then)
        t["pos_embed.pos_embed"] = [1, max_size * max_size, dim]
    add_linear(t, "time_text_embed.timestep_embedder.linear_1", 256, dim)
    add_linear(t, "time_text_embed.timestep_embedder.linear_2", dim, dim)
    add_linear(t, "time_text_embed.text_embedder.linear_1", cfg["pooled_projection_dim"], dim)
    add_linear(t, "time_text_embed.text_embedder.linear_2", dim, dim)
    add_linear(t, "context_embedder", cfg["joint_attention_dim"], cfg["caption_projection_dim"])

    for i in range(layers):
        p = "transformer_blocks.%d" % i
        pre_only = i == layers - 1
        add_linear(t, p + ".norm1.linear", dim, (9 if i in dual else 6) * dim)
        add_linear(t, p + ".norm1_context.linear", dim, (2 if pre_only else 6) * dim)
        for proj in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0"):
            add_linear(t, p + ".attn." + proj, dim, dim)
        if not pre_only:
            add_linear(t, p + ".attn.to_add_out", dim, dim)
        if qk_norm:
            for norm in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
                add_affine_norm(t, p + ".attn." + norm, head_dim, bias=False)
        if i in dual:
            for proj in ("to_q", "to_k", "to_v", "to_out.0"):
                add_linear(t, p + ".attn2." + proj, dim, dim)
            if qk_norm:
                add_affine_norm(t, p + ".attn2.norm_q", head_dim, bias=False)
                add_affine_norm(t, p + ".attn2.norm_k", head_dim, bias=False)
        _ff(t, p + ".ff", dim)
        if not pre_only:
            _ff(t, p + ".ff_context", dim)

    add_linear(t, "norm_out.linear", dim, 2 * dim)
    add_linear(t, "proj_out", dim, patch * patch * out_channels)
    return t


def chroma_transformer_tensors(cfg):
    """diffusers.models.transformers.transformer_chroma.ChromaTransformer2DModel
    (diffusers @58eb52c0803e, transformer_chroma.py; FluxAttention from
    transformer_flux.py; FeedForward from attention.py).

    Config keys: patch_size, in_channels, out_channels (defaults to
    in_channels), num_layers, num_single_layers, attention_head_dim,
    num_attention_heads, joint_attention_dim, approximator_num_channels
    (default 64), approximator_hidden_dim, approximator_layers. Configs
    written while the diffusers PR was open carry "approximator_in_factor"
    instead, which the released class does not take (from_config drops it and
    approximator_num_channels keeps its default 64).

    FLUX.1 geometry with the per-block modulation linears pruned:
      time_text_embed   ChromaCombinedTimestepTextProjEmbeddings: Timesteps
                        only; its mod_proj buffer is persistent=False (not
                        saved); no parameters
      distilled_guidance_layer  ChromaApproximator: in_proj Linear(
                        approximator_num_channels, H), layers[i] =
                        PixArtAlphaTextProjection linear_1 (H -> H), linear_2
                        (H -> H); norms[i] = torch.nn.RMSNorm(H) (weight
                        only); out_proj Linear(H, D)
      context_embedder  Linear(joint_attention_dim, D); x_embedder
                        Linear(in_channels, D)
      transformer_blocks[i]  ChromaTransformerBlock: norm1 / norm1_context
                        ChromaAdaLayerNormZeroPruned (LayerNorm without
                        affine: no parameters); attn = FluxAttention(
                        added_kv_proj_dim=D, bias=True, context_pre_only=
                        False): norm_q/norm_k/norm_added_q/norm_added_k
                        RMSNorm(head_dim) weights, to_q/to_k/to_v,
                        add_q_proj/add_k_proj/add_v_proj, to_out.0,
                        to_add_out (all D -> D with bias); ff / ff_context
                        FeedForward gelu-approximate (D -> 4D -> D)
      single_transformer_blocks[i]  ChromaSingleTransformerBlock: norm has no
                        parameters; proj_mlp Linear(D, 4D); attn FluxAttention
                        pre_only (norm_q, norm_k, to_q/to_k/to_v; no to_out);
                        proj_out Linear(5D, D)
      norm_out          ChromaAdaLayerNormContinuousPruned, elementwise_affine
                        False: no parameters
      proj_out          Linear(D, patch^2 * out_channels)
    """
    heads = cfg["num_attention_heads"]
    head_dim = cfg["attention_head_dim"]
    dim = heads * head_dim
    in_channels = cfg["in_channels"]
    out_channels = cfg.get("out_channels") or in_channels
    patch = cfg.get("patch_size", 1)
    mlp_hidden = 4 * dim
    approx_in = cfg.get("approximator_num_channels", 64)
    approx_hidden = cfg.get("approximator_hidden_dim", 5120)

    t = {}
    add_linear(t, "distilled_guidance_layer.in_proj", approx_in, approx_hidden)
    for i in range(cfg.get("approximator_layers", 5)):
        p = "distilled_guidance_layer.layers.%d" % i
        add_linear(t, p + ".linear_1", approx_hidden, approx_hidden)
        add_linear(t, p + ".linear_2", approx_hidden, approx_hidden)
        add_affine_norm(t, "distilled_guidance_layer.norms.%d" % i, approx_hidden, bias=False)
    add_linear(t, "distilled_guidance_layer.out_proj", approx_hidden, dim)
    add_linear(t, "context_embedder", cfg["joint_attention_dim"], dim)
    add_linear(t, "x_embedder", in_channels, dim)

    for i in range(cfg["num_layers"]):
        p = "transformer_blocks.%d" % i
        for proj in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0", "to_add_out"):
            add_linear(t, p + ".attn." + proj, dim, dim)
        for norm in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            add_affine_norm(t, p + ".attn." + norm, head_dim, bias=False)
        _ff(t, p + ".ff", dim)
        _ff(t, p + ".ff_context", dim)

    for i in range(cfg["num_single_layers"]):
        p = "single_transformer_blocks.%d" % i
        add_linear(t, p + ".proj_mlp", dim, mlp_hidden)
        for proj in ("to_q", "to_k", "to_v"):
            add_linear(t, p + ".attn." + proj, dim, dim)
        add_affine_norm(t, p + ".attn.norm_q", head_dim, bias=False)
        add_affine_norm(t, p + ".attn.norm_k", head_dim, bias=False)
        add_linear(t, p + ".proj_out", dim + mlp_hidden, dim)

    add_linear(t, "proj_out", dim, patch * patch * out_channels)
    return t


LAYOUTS = {
    "SD3Transformer2DModel": sd3_transformer_tensors,
    "ChromaTransformer2DModel": chroma_transformer_tensors,
}
