"""Layout of diffusers FluxTransformer2DModel (FLUX.1 dev / schnell / Kontext / Fill).

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_linear


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


LAYOUTS = {"FluxTransformer2DModel": flux_transformer_tensors}
