"""Layouts of transformers T5EncoderModel and CLIPTextModel.

Standard library only.
"""

from layout import add_affine_norm, add_conv2d, add_linear


# ---------------------------------------------------------------------------
# text_encoder_2: transformers T5EncoderModel (T5 v1.1 XXL)
# ---------------------------------------------------------------------------

def t5_encoder_tensors(cfg, relative_bias_every_block=False):
    """transformers.models.t5.modeling_t5.T5EncoderModel (and, with
    relative_bias_every_block, UMT5EncoderModel: every UMT5 block has its own
    relative_attention_bias).

    Config keys: vocab_size, d_model, d_kv, num_heads, d_ff, num_layers,
    relative_attention_num_buckets, is_gated_act (feed_forward_proj
    "gated-gelu" in newer configs).

    State dict: shared [vocab, d_model] (encoder.embed_tokens is tied to it and
    not saved); encoder.block[i].layer[0] = T5LayerSelfAttention (q, k, v, o
    without bias; relative_attention_bias Embedding [buckets, heads] in block 0
    only; layer_norm weight only); encoder.block[i].layer[1] = T5LayerFF with
    T5DenseGatedActDense (wi_0, wi_1 [d_ff, d_model], wo [d_model, d_ff]) or
    T5DenseActDense (wi, wo); encoder.final_layer_norm [d_model].
    """
    d_model = cfg["d_model"]
    inner = cfg["num_heads"] * cfg["d_kv"]
    d_ff = cfg["d_ff"]
    gated = cfg.get("is_gated_act")
    if gated is None:
        gated = str(cfg.get("feed_forward_proj", "relu")).startswith("gated-")

    t = {}
    t["shared.weight"] = [cfg["vocab_size"], d_model]
    for i in range(cfg["num_layers"]):
        p = "encoder.block.%d.layer" % i
        for proj in ("q", "k", "v"):
            add_linear(t, p + ".0.SelfAttention." + proj, d_model, inner, bias=False)
        add_linear(t, p + ".0.SelfAttention.o", inner, d_model, bias=False)
        # T5: has_relative_attention_bias only in the first block.
        if i == 0 or relative_bias_every_block:
            t[p + ".0.SelfAttention.relative_attention_bias.weight"] = [
                cfg["relative_attention_num_buckets"], cfg["num_heads"]]
        add_affine_norm(t, p + ".0.layer_norm", d_model, bias=False)
        if gated:
            add_linear(t, p + ".1.DenseReluDense.wi_0", d_model, d_ff, bias=False)
            add_linear(t, p + ".1.DenseReluDense.wi_1", d_model, d_ff, bias=False)
        else:
            add_linear(t, p + ".1.DenseReluDense.wi", d_model, d_ff, bias=False)
        add_linear(t, p + ".1.DenseReluDense.wo", d_ff, d_model, bias=False)
        add_affine_norm(t, p + ".1.layer_norm", d_model, bias=False)
    add_affine_norm(t, "encoder.final_layer_norm", d_model, bias=False)
    return t


# ---------------------------------------------------------------------------
# text_encoder: transformers CLIPTextModel (CLIP ViT-L/14 text tower)
# ---------------------------------------------------------------------------

def clip_text_tensors(cfg):
    """transformers.models.clip.modeling_clip.CLIPTextModel.

    Config keys: vocab_size, hidden_size, intermediate_size,
    max_position_embeddings, num_hidden_layers.

    State dict under text_model.: embeddings.token_embedding [vocab, hidden],
    embeddings.position_embedding [max_pos, hidden] (the position_ids buffer is
    registered persistent=False and is not saved); encoder.layers[i] =
    CLIPEncoderLayer (self_attn q/k/v/out_proj Linear(hidden, hidden),
    layer_norm1, mlp.fc1 Linear(hidden, intermediate), mlp.fc2
    Linear(intermediate, hidden), layer_norm2); final_layer_norm.
    """
    hidden = cfg["hidden_size"]
    inter = cfg["intermediate_size"]

    t = {}
    t["text_model.embeddings.token_embedding.weight"] = [cfg["vocab_size"], hidden]
    t["text_model.embeddings.position_embedding.weight"] = [
        cfg["max_position_embeddings"], hidden]
    for i in range(cfg["num_hidden_layers"]):
        p = "text_model.encoder.layers.%d" % i
        for proj in ("q_proj", "k_proj", "v_proj", "out_proj"):
            add_linear(t, p + ".self_attn." + proj, hidden, hidden)
        add_affine_norm(t, p + ".layer_norm1", hidden)
        add_linear(t, p + ".mlp.fc1", hidden, inter)
        add_linear(t, p + ".mlp.fc2", inter, hidden)
        add_affine_norm(t, p + ".layer_norm2", hidden)
    add_affine_norm(t, "text_model.final_layer_norm", hidden)
    return t



def clip_text_with_projection_tensors(cfg):
    """transformers CLIPTextModelWithProjection: the CLIPTextModel state dict
    plus text_projection = Linear(hidden_size, projection_dim, bias=False)."""
    t = clip_text_tensors(cfg)
    add_linear(t, "text_projection", cfg["hidden_size"], cfg["projection_dim"], bias=False)
    return t


LAYOUTS = {
    "T5EncoderModel": t5_encoder_tensors,
    "CLIPTextModel": clip_text_tensors,
    "CLIPTextModelWithProjection": clip_text_with_projection_tensors,
}
