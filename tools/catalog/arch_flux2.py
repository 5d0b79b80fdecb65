"""Layouts for FLUX.2 (dev, klein): diffusers Flux2Transformer2DModel and
AutoencoderKLFlux2, transformers Mistral3ForConditionalGeneration (Mistral
Small 3.1/3.2 24B with the Pixtral vision tower) and Qwen3ForCausalLM.

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_decoder_layer, add_embedding, add_linear
from arch_vae_kl import autoencoder_kl_tensors


# ---------------------------------------------------------------------------
# transformer: diffusers Flux2Transformer2DModel
# ---------------------------------------------------------------------------

def flux2_transformer_tensors(cfg):
    """diffusers.models.transformers.transformer_flux2.Flux2Transformer2DModel
    (diffusers main @ 58eb52c0803e, 2026-08; the class as added for
    diffusers 0.36).

    Config keys (class defaults = FLUX.2-dev): patch_size 1, in_channels 128,
    out_channels (None -> in_channels), num_layers 8, num_single_layers 48,
    attention_head_dim 128, num_attention_heads 48, joint_attention_dim 15360,
    timestep_guidance_channels 256, mlp_ratio 3.0, guidance_embeds True.

    Every Linear is built with bias=False. Modules (D = heads * head_dim,
    H = int(D * mlp_ratio)):
      pos_embed         Flux2PosEmbed: no parameters or buffers
      time_guidance_embed  Flux2TimestepGuidanceEmbeddings: Timesteps (no
                        params); timestep_embedder = TimestepEmbedding
                        linear_1 (C -> D), linear_2 (D -> D), both
                        sample_proj_bias=False; guidance_embedder the same,
                        only when guidance_embeds
      double_stream_modulation_img / _txt  Flux2Modulation(mod_param_sets=2):
                        linear D -> 6D (shared by all double blocks)
      single_stream_modulation  Flux2Modulation(mod_param_sets=1): linear
                        D -> 3D (shared by all single blocks)
      x_embedder        Linear(in_channels, D); context_embedder
                        Linear(joint_attention_dim, D)
      transformer_blocks[i]  Flux2TransformerBlock: norm1/norm1_context/
                        norm2/norm2_context LayerNorm without affine;
                        attn = Flux2Attention(added_kv_proj_dim=D, bias=False,
                        out_bias=False): to_q/to_k/to_v, add_q_proj/
                        add_k_proj/add_v_proj, to_out.0, to_add_out D -> D;
                        norm_q/norm_k/norm_added_q/norm_added_k
                        torch.nn.RMSNorm(head_dim) with weight; ff and
                        ff_context = Flux2FeedForward: linear_in D -> 2H
                        (SwiGLU gate+value fused), linear_out H -> D
      single_transformer_blocks[i]  Flux2SingleTransformerBlock: norm
                        LayerNorm without affine; attn =
                        Flux2ParallelSelfAttention: to_qkv_mlp_proj
                        D -> 3D + 2H, norm_q/norm_k RMSNorm(head_dim),
                        to_out (D + H) -> D
      norm_out          AdaLayerNormContinuous(elementwise_affine=False,
                        bias=False): linear D -> 2D
      proj_out          Linear(D, patch^2 * out_channels)
    """
    heads = cfg.get("num_attention_heads", 48)
    head_dim = cfg.get("attention_head_dim", 128)
    dim = heads * head_dim
    in_channels = cfg.get("in_channels", 128)
    out_channels = cfg.get("out_channels") or in_channels
    patch = cfg.get("patch_size", 1)
    mlp_hidden = int(dim * cfg.get("mlp_ratio", 3.0))
    tg_channels = cfg.get("timestep_guidance_channels", 256)

    t = {}
    add_linear(t, "time_guidance_embed.timestep_embedder.linear_1", tg_channels, dim, bias=False)
    add_linear(t, "time_guidance_embed.timestep_embedder.linear_2", dim, dim, bias=False)
    if cfg.get("guidance_embeds", True):
        add_linear(t, "time_guidance_embed.guidance_embedder.linear_1", tg_channels, dim, bias=False)
        add_linear(t, "time_guidance_embed.guidance_embedder.linear_2", dim, dim, bias=False)
    add_linear(t, "double_stream_modulation_img.linear", dim, 6 * dim, bias=False)
    add_linear(t, "double_stream_modulation_txt.linear", dim, 6 * dim, bias=False)
    add_linear(t, "single_stream_modulation.linear", dim, 3 * dim, bias=False)
    add_linear(t, "x_embedder", in_channels, dim, bias=False)
    add_linear(t, "context_embedder", cfg.get("joint_attention_dim", 15360), dim, bias=False)

    for i in range(cfg.get("num_layers", 8)):
        p = "transformer_blocks.%d" % i
        for proj in ("to_q", "to_k", "to_v", "add_q_proj", "add_k_proj", "add_v_proj", "to_out.0", "to_add_out"):
            add_linear(t, p + ".attn." + proj, dim, dim, bias=False)
        for norm in ("norm_q", "norm_k", "norm_added_q", "norm_added_k"):
            add_affine_norm(t, p + ".attn." + norm, head_dim, bias=False)
        for ff in ("ff", "ff_context"):
            add_linear(t, p + "." + ff + ".linear_in", dim, 2 * mlp_hidden, bias=False)
            add_linear(t, p + "." + ff + ".linear_out", mlp_hidden, dim, bias=False)

    for i in range(cfg.get("num_single_layers", 48)):
        p = "single_transformer_blocks.%d.attn" % i
        add_linear(t, p + ".to_qkv_mlp_proj", dim, 3 * dim + 2 * mlp_hidden, bias=False)
        add_affine_norm(t, p + ".norm_q", head_dim, bias=False)
        add_affine_norm(t, p + ".norm_k", head_dim, bias=False)
        add_linear(t, p + ".to_out", dim + mlp_hidden, dim, bias=False)

    add_linear(t, "norm_out.linear", dim, 2 * dim, bias=False)
    add_linear(t, "proj_out", dim, patch * patch * out_channels, bias=False)
    return t


# ---------------------------------------------------------------------------
# vae: diffusers AutoencoderKLFlux2
# ---------------------------------------------------------------------------

def autoencoder_kl_flux2_tensors(cfg):
    """diffusers.models.autoencoders.autoencoder_kl_flux2.AutoencoderKLFlux2
    (diffusers main @ 58eb52c0803e).

    encoder / decoder / quant_conv / post_quant_conv are built exactly as in
    AutoencoderKL (Encoder with double_z=True, Decoder, 1x1 convs; decoder
    channels = decoder_block_out_channels or block_out_channels), so the
    AutoencoderKL layout of arch_vae_kl.py is reused. Added:
      bn = BatchNorm2d(prod(patch_size) * latent_channels, affine=False,
           track_running_stats=True): persistent buffers running_mean [C],
           running_var [C] and num_batches_tracked [] (a 0-d tensor).

    NB num_batches_tracked is stored as I64 in the published file (8 bytes);
    the manifest format carries one dtype per component, so it is listed
    with the component dtype (2 bytes in BF16): the manifest total is 6
    bytes under the real data bytes.
    """
    if cfg.get("decoder_block_out_channels"):
        raise SystemExit("vae: decoder_block_out_channels differing from block_out_channels is not supported")
    base = dict(cfg)
    base.setdefault("block_out_channels", [128, 256, 512, 512])
    base.setdefault("layers_per_block", 2)
    base.setdefault("latent_channels", 32)
    base.setdefault("in_channels", 3)
    base.setdefault("out_channels", 3)
    t = autoencoder_kl_tensors(base)
    patch = cfg.get("patch_size", [2, 2])
    channels = patch[0] * patch[1] * base["latent_channels"]
    t["bn.running_mean"] = [channels]
    t["bn.running_var"] = [channels]
    t["bn.num_batches_tracked"] = []
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers Mistral3ForConditionalGeneration
# ---------------------------------------------------------------------------

def _mistral_decoder(t, prefix, tc):
    """transformers MistralModel (models/mistral/modeling_mistral.py):
    embed_tokens; layers[i] = self_attn q/k/v/o_proj (no bias),
    mlp gate/up/down_proj (no bias), input_layernorm and
    post_attention_layernorm (MistralRMSNorm, weight only); norm. The rotary
    inv_freq buffer is non-persistent."""
    hidden = tc["hidden_size"]
    heads = tc["num_attention_heads"]
    kv_heads = tc.get("num_key_value_heads", heads)
    head_dim = tc.get("head_dim") or hidden // heads
    inter = tc["intermediate_size"]
    add_embedding(t, prefix + ".embed_tokens", tc["vocab_size"], hidden)
    for i in range(tc["num_hidden_layers"]):
        add_decoder_layer(t, "%s.layers.%d" % (prefix, i), hidden, heads, kv_heads, head_dim, inter)
    add_affine_norm(t, prefix + ".norm", hidden, bias=False)


def _pixtral_vision(t, prefix, vc):
    """transformers PixtralVisionModel (models/pixtral/modeling_pixtral.py):
    patch_conv Conv2d(num_channels, hidden, patch, stride patch, bias=False);
    ln_pre PixtralRMSNorm; transformer.layers[i] = attention_norm,
    attention q/k/v/o_proj (no bias), ffn_norm, feed_forward gate/up/down_proj
    (no bias). patch_positional_embedding (PixtralRotaryEmbedding) has only
    a non-persistent inv_freq buffer."""
    hidden = vc["hidden_size"]
    heads = vc["num_attention_heads"]
    head_dim = vc.get("head_dim") or hidden // heads
    inter = vc["intermediate_size"]
    add_conv2d(t, prefix + ".patch_conv", vc.get("num_channels", 3), hidden, vc["patch_size"], bias=False)
    add_affine_norm(t, prefix + ".ln_pre", hidden, bias=False)
    for i in range(vc["num_hidden_layers"]):
        p = "%s.transformer.layers.%d" % (prefix, i)
        add_affine_norm(t, p + ".attention_norm", hidden, bias=False)
        add_affine_norm(t, p + ".ffn_norm", hidden, bias=False)
        add_linear(t, p + ".attention.q_proj", hidden, heads * head_dim, bias=False)
        add_linear(t, p + ".attention.k_proj", hidden, heads * head_dim, bias=False)
        add_linear(t, p + ".attention.v_proj", hidden, heads * head_dim, bias=False)
        add_linear(t, p + ".attention.o_proj", heads * head_dim, hidden, bias=False)
        add_linear(t, p + ".feed_forward.gate_proj", hidden, inter, bias=False)
        add_linear(t, p + ".feed_forward.up_proj", hidden, inter, bias=False)
        add_linear(t, p + ".feed_forward.down_proj", inter, hidden, bias=False)


def mistral3_cond_gen_tensors(cfg):
    """transformers.models.mistral3.modeling_mistral3.Mistral3ForConditionalGeneration
    as written by save_pretrained in transformers 4.52 - 4.57 (the FLUX.2-dev
    text_encoder config records transformers_version 4.57.1).

    In memory the module tree is model.{vision_tower, multi_modal_projector,
    language_model} + lm_head, but save_pretrained of 4.52 - 4.57 reverses
    the class's _checkpoint_conversion_mapping ("^language_model.model" ->
    "model.language_model", "^vision_tower" -> "model.vision_tower",
    "^multi_modal_projector" -> "model.multi_modal_projector",
    "^language_model.lm_head" -> "lm_head"), so the files hold the legacy
    names used here: language_model.model.*, language_model.lm_head.weight,
    vision_tower.*, multi_modal_projector.*. (transformers 5 saves the
    in-memory names instead; a re-save with it would differ in names only.)

    lm_head Linear(text hidden, vocab, bias=False) is saved: Mistral Small's
    text_config does not tie word embeddings (MistralConfig default False).
    Mistral3MultiModalProjector: norm Mistral3RMSNorm(vision hidden);
    patch_merger.merging_layer Linear(vision hidden * merge^2, vision hidden,
    bias=False); linear_1 Linear(vision hidden * n_feature_layers, text
    hidden), linear_2 Linear(text hidden, text hidden), bias =
    multimodal_projector_bias.
    """
    tc = cfg["text_config"]
    vc = cfg["vision_config"]
    t = {}
    _pixtral_vision(t, "vision_tower", vc)
    vh = vc["hidden_size"]
    th = tc["hidden_size"]
    merge = cfg.get("spatial_merge_size", 2)
    layers = cfg.get("vision_feature_layer", -1)
    n_feature_layers = 1 if isinstance(layers, int) else len(layers)
    bias = cfg.get("multimodal_projector_bias", False)
    add_affine_norm(t, "multi_modal_projector.norm", vh, bias=False)
    add_linear(t, "multi_modal_projector.patch_merger.merging_layer", vh * merge * merge, vh, bias=False)
    add_linear(t, "multi_modal_projector.linear_1", vh * n_feature_layers, th, bias=bias)
    add_linear(t, "multi_modal_projector.linear_2", th, th, bias=bias)
    _mistral_decoder(t, "language_model.model", tc)
    if not tc.get("tie_word_embeddings", False):
        add_linear(t, "language_model.lm_head", th, tc["vocab_size"], bias=False)
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers Qwen3ForCausalLM
# ---------------------------------------------------------------------------

def qwen3_causal_lm_tensors(cfg):
    """transformers.models.qwen3.modeling_qwen3.Qwen3ForCausalLM (4.51 - 4.57).

    model.embed_tokens [vocab, hidden]; model.layers[i]: self_attn q_proj
    [heads*head_dim, hidden], k_proj / v_proj [kv_heads*head_dim, hidden],
    o_proj [hidden, heads*head_dim] (bias = attention_bias), q_norm / k_norm
    Qwen3RMSNorm(head_dim); mlp gate/up/down_proj (no bias);
    input_layernorm, post_attention_layernorm; model.norm. Rotary inv_freq is
    non-persistent. lm_head [vocab, hidden] only when tie_word_embeddings is
    false (tied weights are not saved).
    """
    hidden = cfg["hidden_size"]
    heads = cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    head_dim = cfg.get("head_dim") or hidden // heads
    inter = cfg["intermediate_size"]
    bias = cfg.get("attention_bias", False)
    t = {}
    add_embedding(t, "model.embed_tokens", cfg["vocab_size"], hidden)
    for i in range(cfg["num_hidden_layers"]):
        add_decoder_layer(t, "model.layers.%d" % i, hidden, heads, kv_heads, head_dim, inter, qkv_bias=bias,
                          o_bias=bias, qk_norm=True)
    add_affine_norm(t, "model.norm", hidden, bias=False)
    if not cfg.get("tie_word_embeddings", False):
        add_linear(t, "lm_head", hidden, cfg["vocab_size"], bias=False)
    return t


LAYOUTS = {
    "Flux2Transformer2DModel": flux2_transformer_tensors,
    "AutoencoderKLFlux2": autoencoder_kl_flux2_tensors,
    "Mistral3ForConditionalGeneration": mistral3_cond_gen_tensors,
    "Qwen3ForCausalLM": qwen3_causal_lm_tensors,
}
