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


LAYOUTS = {
    "SD3Transformer2DModel": sd3_transformer_tensors,
}
