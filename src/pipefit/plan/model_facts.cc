#include "pipefit/plan/model_facts.h"

#include <simdjson.h>

#include <algorithm>
#include <optional>
#include <string_view>

namespace pipefit {
namespace {

// Reads config.json text tolerantly: a missing key or a wrong type is "unset".
class ConfigReader {
 public:
  explicit ConfigReader(const std::string& json) {
    if (json.empty()) return;
    if (parser_.parse(json).get(root_) == simdjson::SUCCESS && root_.is_object()) ok_ = true;
  }
  std::optional<int64_t> Int(std::string_view key) const {
    if (!ok_) return std::nullopt;
    int64_t value = 0;
    if (root_[key].get_int64().get(value) != simdjson::SUCCESS) return std::nullopt;
    if (value < 0 || value > (int64_t{1} << 31)) return std::nullopt;
    return value;
  }
  // An integer, or the last element of an integer list (Wan's patch_size
  // [1, 2, 2] -> 2).
  std::optional<int64_t> IntOrListLast(std::string_view key) const {
    if (auto value = Int(key)) return value;
    std::vector<int64_t> list = IntList(key);
    if (list.empty()) return std::nullopt;
    return list.back();
  }
  std::vector<int64_t> IntList(std::string_view key) const {
    std::vector<int64_t> out;
    if (!ok_) return out;
    simdjson::dom::array array;
    if (root_[key].get_array().get(array) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : array) {
      int64_t value = 0;
      if (e.get_int64().get(value) != simdjson::SUCCESS || value < 0 || value > (int64_t{1} << 31)) return {};
      out.push_back(value);
    }
    return out;
  }
  // A list of booleans; empty when the key is missing or any element is not
  // a boolean.
  std::vector<bool> BoolList(std::string_view key) const {
    std::vector<bool> out;
    if (!ok_) return out;
    simdjson::dom::array array;
    if (root_[key].get_array().get(array) != simdjson::SUCCESS) return out;
    for (simdjson::dom::element e : array) {
      bool value = false;
      if (e.get_bool().get(value) != simdjson::SUCCESS) return {};
      out.push_back(value);
    }
    return out;
  }
  bool Bool(std::string_view key) const {
    bool value = false;
    return ok_ && root_[key].get_bool().get(value) == simdjson::SUCCESS && value;
  }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::element root_;
  bool ok_ = false;
};

// Config integers are untrusted: anything above this is treated as unset,
// so products and sums of two of them stay far inside int.
constexpr int64_t kMaxConfigInt = 1 << 20;

int AsInt(std::optional<int64_t> value) {
  return value && *value <= kMaxConfigInt ? static_cast<int>(*value) : 0;
}

DenoiserFacts ReadDenoiser(const Component& c, const ComponentMeasurement& m, int latent_channels) {
  DenoiserFacts d;
  d.name = c.name;
  d.class_name = c.class_name;
  d.params = m.params;
  ConfigReader config(c.config.json);
  d.unet = c.class_name.starts_with("UNet");
  if (d.unet) {
    std::vector<int64_t> channels = config.IntList("block_out_channels");
    if (!channels.empty()) d.unet_channels = static_cast<int>(channels.front());
    return d;
  }
  const int heads = AsInt(config.Int("num_attention_heads"));
  const int head_dim = AsInt(config.Int("attention_head_dim"));
  d.heads = heads;
  d.hidden = heads * head_dim;
  if (d.hidden == 0) d.hidden = AsInt(config.Int("hidden_size"));
  d.layers = AsInt(config.Int("num_layers")) + AsInt(config.Int("num_single_layers"));
  d.patch = AsInt(config.IntOrListLast("patch_size"));
  std::vector<int64_t> patch_list = config.IntList("patch_size");
  if (patch_list.size() == 3) d.patch_t = static_cast<int>(patch_list.front());
  // CogVideoX 1.5, HunyuanVideo, LTX: a separate temporal patch.
  if (const int patch_t = AsInt(config.Int("patch_size_t")); patch_t > 0) d.patch_t = patch_t;
  const int in_channels = AsInt(config.Int("in_channels"));
  // FLUX-style pipelines pack 2x2 latent patches into the channel dimension
  // (in_channels 64 = 16 latent channels x 4) and set patch_size 1.
  if (d.patch <= 1 && latent_channels > 0 && in_channels == 4 * latent_channels) d.patch = 2;
  if (d.patch == 0) d.patch = 1;
  return d;
}

VaeFacts ReadVae(const Component& c) {
  VaeFacts v;
  v.name = c.name;
  v.class_name = c.class_name;
  ConfigReader config(c.config.json);
  std::vector<int64_t> channels = config.IntList("block_out_channels");
  // AutoencoderDC (Sana) names the decoder's widths separately.
  if (channels.empty()) channels = config.IntList("decoder_block_out_channels");
  if (!channels.empty()) {
    v.base_channels = static_cast<int>(channels.front());
    v.spatial_scale = 1 << (channels.size() - 1 > 5 ? 5 : channels.size() - 1);
  }
  if (v.base_channels == 0) {
    // Wan-style VAEs (Wan 2.1/2.2, Qwen-Image): base_dim with dim_mult
    // (spatial x8, temporal x4); Wan 2.2 decodes at decoder_base_dim and
    // patchifies 2x2 (scale_factor_spatial 16).
    v.base_channels = AsInt(config.Int("decoder_base_dim"));
    if (v.base_channels == 0) v.base_channels = AsInt(config.Int("base_dim"));
    if (v.base_channels > 0) {
      v.spatial_scale = 8;
      v.temporal_scale = 4;
    }
  }
  // LTX-Video's VAE (AutoencoderKLLTXVideo.__init__, autoencoder_kl_ltx.py
  // :1145-1153): patch_size x 2^(scaling stages) spatially, patch_size_t x
  // the same temporally, when the config leaves the ratios unset (0.9.0's
  // config does: 4 x 2^3 = 32 and 1 x 2^3 = 8).
  if (const std::vector<bool> scaling = config.BoolList("spatio_temporal_scaling"); !scaling.empty()) {
    const int stages = static_cast<int>(std::count(scaling.begin(), scaling.end(), true));
    const int patch = std::max(1, AsInt(config.Int("patch_size")));
    const int patch_t = std::max(1, AsInt(config.Int("patch_size_t")));
    if (stages <= 5 && patch <= 16 && patch_t <= 16) {
      v.spatial_scale = patch << stages;
      v.temporal_scale = patch_t << stages;
      v.output_patch = patch;  // conv_out then unpatchify: the last maps are patch x smaller
    }
  }
  // Explicit compression ratios win over the derived ones (LTX-Video: 32 and
  // 8; HunyuanVideo, CogVideoX: 8 and 4; Wan 2.2: 16 and 4).
  for (const char* key : {"spatial_compression_ratio", "scale_factor_spatial"}) {
    if (const int scale = AsInt(config.Int(key)); scale > 0) v.spatial_scale = scale;
  }
  if (const int scale = AsInt(config.Int("scale_factor_temporal")); scale > 0) v.temporal_scale = scale;
  v.latent_channels = AsInt(config.Int("latent_channels"));
  if (v.latent_channels == 0) v.latent_channels = AsInt(config.Int("z_dim"));
  v.sample_size = AsInt(config.Int("sample_size"));
  v.force_upcast = config.Bool("force_upcast");
  if (auto t = config.Int("temporal_compression_ratio")) v.temporal_scale = static_cast<int>(*t);
  return v;
}

TextEncoderFacts ReadTextEncoder(const Component& c, const ComponentMeasurement& m) {
  TextEncoderFacts t;
  t.name = c.name;
  t.class_name = c.class_name;
  t.bytes = m.bytes;
  ConfigReader config(c.config.json);
  t.hidden = AsInt(config.Int("d_model"));
  if (t.hidden == 0) t.hidden = AsInt(config.Int("hidden_size"));
  t.ffn = AsInt(config.Int("d_ff"));
  if (t.ffn == 0) t.ffn = AsInt(config.Int("intermediate_size"));
  return t;
}

bool IsVae(const Component& c, const ComponentMeasurement& m) {
  return m.role == ModelRole::kVae || c.name == "vae" || c.class_name.starts_with("Autoencoder");
}

}  // namespace

ModelFacts ReadModelFacts(const Pipeline& pipeline, const PipelineMeasurement& measurement) {
  ModelFacts facts;
  const size_t n = std::min(pipeline.components.size(), measurement.components.size());
  for (size_t i = 0; i < n; ++i) {
    const Component& c = pipeline.components[i];
    const ComponentMeasurement& m = measurement.components[i];
    if (!m.has_weights()) continue;
    if (IsVae(c, m) && facts.vae.name.empty()) {
      facts.vae = ReadVae(c);
    } else if (m.role == ModelRole::kTextEncoder || c.name.starts_with("text_encoder")) {
      facts.text_encoders.push_back(ReadTextEncoder(c, m));
    }
  }
  // A pipeline without a VAE denoises in pixel space (DDPM, DeepFloyd IF).
  if (facts.vae.name.empty()) facts.vae.spatial_scale = 1;
  for (size_t i = 0; i < n; ++i) {
    if (pipeline.components[i].name == measurement.seed.denoiser && !measurement.seed.denoiser.empty()) {
      facts.denoiser =
          ReadDenoiser(pipeline.components[i], measurement.components[i], facts.vae.latent_channels);
    }
  }
  return facts;
}

}  // namespace pipefit
