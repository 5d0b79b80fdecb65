#include "pipefit/plan/activation.h"

#include <algorithm>
#include <cmath>
#include <string_view>

namespace pipefit {
namespace {

// --- Constants, each fitted on shared/reference/measurements.md ----------
//
// Transformer denoisers: peak activation of one forward =
//   kDenoiseTokenFactor * tokens * hidden * itemsize * batch.
// Fitted on the three FLUX.1-dev transformer-forward rows (4096 image + 512
// text tokens, hidden 3072, bf16; u = 4608*3072*2 bytes), minimising the
// squared relative error of the predicted peak: row 40 (bf16, 22.64 GiB),
// row 41 (nf4, 6.72 GiB), row 43 (leaf_level + stream, 0.56 GiB) give an
// activation of 0.349 GiB = 13.24 u; residuals -0.5%, -0.4%, 0.0%.
constexpr double kDenoiseTokenFactor = 13.24;
// UNet denoisers: kUnetFactor * latent_h * latent_w * block_out_channels[0]
// * itemsize * batch. Row 47 (SDXL UNet forward, latent 128x128, bf16,
// 5.05 GiB) minus the UNet's 5.14 GB (HF-TREE, measurements.md component
// table) leaves 0.268 GiB = 27.4 x 128*128*320*2.
constexpr double kUnetFactor = 27.4;
// VAE decode (AutoencoderKL family): (kDecodeFixed + kDecodePerImage * b)
// * H * W * block_out_channels[0] * itemsize, b = images decoded at once.
// Least-squares fit on rows 14, 19, 20, 21 (FLUX.1-dev bf16 on an H100 at
// batch 1, 4, 8, 16: peak allocated minus the 31.438 GiB loaded) —
// residuals on the peak +0.6%, +0.3%, -1.1%, +0.4%.
constexpr double kDecodeFixed = 3.047;
constexpr double kDecodePerImage = 7.393;
// Text encoders: no published per-stage peak isolates them; this factor is
// an architectural estimate (hidden states, attention and the gated FFN's
// intermediate at once), not fitted: kTextFactor * tokens * max(hidden,
// ffn) * itemsize, computed in fp32 (T5 keeps `wo` in fp32 and upcasts).
constexpr double kTextFactor = 6.0;
// Generic fallback, memory-calculator.md "Quantities": images 2-4 GB at
// 1024^2 (3 GiB used, scaled by pixels and batch), video 5-8 GB for a
// 5 s 960x544 24 fps clip (7.5 GiB, scaled by pixels x frames).
constexpr double kGenericImageBytes = 3.0 * kGiB;
constexpr double kGenericVideoBytes = 7.5 * kGiB;
constexpr double kGenericVideoVoxels = 960.0 * 544.0 * 121.0;

int ItemSize(LoadDType dtype) { return dtype == LoadDType::kFP32 ? 4 : 2; }

Bytes ToBytes(double value) {
  if (!(value > 0)) return 0;
  if (value > 9.0e18) return int64_t{9000000000000000000};
  return static_cast<Bytes>(std::llround(value));
}

int DecodeItemSize(const ActivationInputs& in) { return in.vae_fp32_decode ? 4 : ItemSize(in.dtype); }

bool DenoiserKnown(const ModelFacts& f) {
  return (f.denoiser.unet && f.denoiser.unet_channels > 0) || (!f.denoiser.unet && f.denoiser.hidden > 0);
}
bool VaeKnown(const ModelFacts& f) { return f.vae.base_channels > 0; }

// --- Per-family rows ------------------------------------------------------
//
// One row per denoiser class and per VAE class whose constant was fitted on
// published measurements (docs/memory-model.md lists the rows and the
// errors). A class without a row uses the FLUX-fitted transformer factor or
// the SDXL-fitted UNet factor and the AutoencoderKL decode fit, and the plan
// says "uncalibrated".
struct DenoiserRow {
  std::string_view class_name;
  double factor;  // kDenoiseTokenFactor-style (transformers) or kUnetFactor-style (UNets)
  std::string_view basis;
};
// clang-format off
constexpr DenoiserRow kDenoiserRows[] = {
    {"FluxTransformer2DModel", kDenoiseTokenFactor, "13.24 x tokens x hidden x itemsize (measurements.md rows 40, 41, 43)"},
    {"UNet2DConditionModel", kUnetFactor, "27.4 x latent pixels x block_out_channels[0] x itemsize (row 47; checked on rows 69, F39, F41, F31 within 8%, F33 -13%)"},
};
// clang-format on

// How a VAE decodes video: latent frames per decoder call (0: every frame
// at once), with the causal cache of earlier chunks small next to a chunk.
struct VaeRow {
  std::string_view class_name;
  int chunk_latent_frames;
  double fixed;       // kDecodeFixed-style
  double per_image;   // kDecodePerImage-style
  double offset_gib;  // a constant term (GiB), where a fit found one
  bool calibrated;
  std::string_view basis;
};
// clang-format off
constexpr VaeRow kVaeRows[] = {
    {"AutoencoderKL", 0, kDecodeFixed, kDecodePerImage, 0.0, true, "(3.05 + 7.39 x images) x pixels x VAE channels x itemsize (rows 14, 19-21)"},
    // Wan 2.1/2.2 and Qwen-Image: one latent frame per decoder call with a
    // feature cache (autoencoder_kl_wan.py _decode loops over frames).
    {"AutoencoderKLWan", 1, kDecodeFixed, kDecodePerImage, 0.0, false, "one latent frame per decoder call (autoencoder_kl_wan.py), AutoencoderKL constants"},
    // Fitted on data/calibration/field_rows.tsv F23 and F25 (Qwen-Image VAE
    // decode alone, fp16, RTX 4090, max_memory_allocated delta: 1.274 GiB at
    // 512^2, 9.532 GiB at 1536^2): 0.2418 GiB + 22.02 x pixels x 96 x 2 B.
    // Out of sample: F24 (1024^2, 4.369 GiB) +0.0%, F26 (2048^2, 16.754 GiB)
    // +0.0%. Rows are batch 1: the batch is assumed to scale it linearly.
    {"AutoencoderKLQwenImage", 1, 0.0, 22.02, 0.2418, true, "0.242 GiB + 22.02 x pixels x VAE channels x itemsize per image (field rows F23, F25; checked F24, F26)"},
    // CogVideoX: num_latent_frames_batch_size = 2 latent frames per call.
    // Fitted on measurements.md row 93 (CogVideoX-5b, 480x720, 49 frames,
    // bf16, A100, max_memory_allocated 31.746 GiB with 19.65 GiB of weights
    // resident: the decode sets the peak). Checked on rows 95, 98, 100 and
    // field row F94 (calibration.cc).
    {"AutoencoderKLCogVideoX", 2, 0.0, 18.07, 0.0, true, "18.07 x pixels x 8 frames x VAE channels x itemsize per video + the video twice (row 93; checked rows 95, 98, 100, F94)"},
    // HunyuanVideo decodes frame-wise by default (use_framewise_decoding =
    // True, autoencoder_kl_hunyuan_video.py:712): 16 // 4 + 1 = 5 latent
    // frames per decoder call (:1014-1030). LTX-Video's is off (:1168):
    // every frame at once unless tiled.
    {"AutoencoderKLHunyuanVideo", 5, kDecodeFixed, kDecodePerImage, 0.0, false, "5 latent frames per decoder call (frame-wise decoding, autoencoder_kl_hunyuan_video.py), AutoencoderKL constants"},
    {"AutoencoderKLLTXVideo", 0, kDecodeFixed, kDecodePerImage, 0.0, false, "every frame in one decoder call (autoencoder_kl_ltx.py), AutoencoderKL constants"},
};
// clang-format on

const DenoiserRow* FindDenoiserRow(std::string_view class_name) {
  for (const DenoiserRow& row : kDenoiserRows) {
    if (row.class_name == class_name) return &row;
  }
  return nullptr;
}

const VaeRow* FindVaeRow(std::string_view class_name) {
  for (const VaeRow& row : kVaeRows) {
    if (row.class_name == class_name) return &row;
  }
  return nullptr;
}

double TokenFactor(const ModelFacts& f) {
  const DenoiserRow* row = FindDenoiserRow(f.denoiser.class_name);
  return row != nullptr ? row->factor : (f.denoiser.unet ? kUnetFactor : kDenoiseTokenFactor);
}

bool CalibratedFamily(const ModelFacts& f) {
  const VaeRow* vae = FindVaeRow(f.vae.class_name);
  return FindDenoiserRow(f.denoiser.class_name) != nullptr &&
         (f.vae.name.empty() || (vae && vae->calibrated));
}

double GenericBytes(const Workload& w) {
  const double pixels = static_cast<double>(w.height) * w.width;
  if (w.video || w.frames > 1) return kGenericVideoBytes * pixels * w.frames / kGenericVideoVoxels * w.batch;
  return kGenericImageBytes * pixels / (1024.0 * 1024.0) * w.batch;
}

Bytes DenoiseBytes(const ActivationInputs& in) {
  const ModelFacts& f = *in.facts;
  const Workload& w = in.workload;
  const double batch = static_cast<double>(w.batch) * w.guidance_batch;
  if (f.denoiser.unet) {
    const double scale = std::max(1, f.vae.spatial_scale);
    const double latent = (w.height / scale) * (w.width / scale);
    return ToBytes(TokenFactor(f) * latent * f.denoiser.unet_channels * ItemSize(in.dtype) * batch);
  }
  const double tokens = static_cast<double>(DenoiserTokens(f, w));
  double bytes = TokenFactor(f) * tokens * f.denoiser.hidden * ItemSize(in.dtype) * batch;
  // The math kernel holds the scores and their softmax for every head.
  if (in.quadratic_attention)
    bytes += 2.0 * std::max(1, f.denoiser.heads) * tokens * tokens * ItemSize(in.dtype) * batch;
  return ToBytes(bytes);
}

Bytes TextEncodeBytes(const ActivationInputs& in) {
  double peak = 0;
  for (const TextEncoderFacts& t : in.facts->text_encoders) {
    const double width = std::max(t.hidden, t.ffn);
    peak = std::max(peak, kTextFactor * in.workload.text_tokens * width * 4.0 * in.workload.batch);
  }
  return ToBytes(peak);
}

// Decoder feature maps for `images` images of h x w pixels.
double DecodeMaps(const ActivationInputs& in, double h, double w, double images) {
  const ModelFacts& f = *in.facts;
  const double patch = std::max(1, f.vae.output_patch);
  double per_frame = h / patch * w / patch * f.vae.base_channels * DecodeItemSize(in);
  const VaeRow* row = FindVaeRow(f.vae.class_name);
  double extra = 0;
  // Video VAEs decode a chunk of latent frames per call (temporal_scale
  // output frames each; the VAE row says how many, 0 = all at once); the
  // chunks' outputs and their concatenation hold the finished video twice.
  if (in.workload.frames > 1) {
    const int temporal = std::max(1, f.vae.temporal_scale);
    const int latent_frames = (in.workload.frames - 1) / temporal + 1;
    const int chunk = row != nullptr && row->chunk_latent_frames > 0
                          ? std::min(row->chunk_latent_frames, latent_frames)
                          : (row != nullptr ? latent_frames : 1);
    per_frame *= static_cast<double>(chunk) * temporal;
    extra = 2.0 * h * w * 3 * in.workload.frames * DecodeItemSize(in) * images;
  }
  const double fixed = row != nullptr ? row->fixed : kDecodeFixed;
  const double per_image = row != nullptr ? row->per_image : kDecodePerImage;
  const double offset = row != nullptr ? row->offset_gib * kGiB : 0.0;
  double bytes = (fixed + per_image * images) * per_frame + extra + offset;
  // The VAE mid-block's single-head attention over the latent pixels.
  if (in.quadratic_attention) {
    const double latent = (h / std::max(1, f.vae.spatial_scale)) * (w / std::max(1, f.vae.spatial_scale));
    bytes += 2.0 * latent * latent * DecodeItemSize(in) * images;
  }
  return bytes;
}

double OutputBuffer(const ActivationInputs& in) {
  const Workload& w = in.workload;
  return static_cast<double>(w.height) * w.width * 3 * 4 * w.frames * w.batch;
}

}  // namespace

int64_t DenoiserTokens(const ModelFacts& facts, const Workload& w) {
  if (facts.denoiser.unet || facts.denoiser.hidden == 0) return 0;
  const int64_t pixels_per_token =
      int64_t{std::max(1, facts.vae.spatial_scale)} * std::max(1, facts.denoiser.patch);
  const int64_t latent_frames = w.frames > 1 ? (w.frames - 1) / std::max(1, facts.vae.temporal_scale) + 1 : 1;
  const int64_t frames = (latent_frames + facts.denoiser.patch_t - 1) / std::max(1, facts.denoiser.patch_t);
  const int64_t image = (w.height / pixels_per_token) * (w.width / pixels_per_token) * frames;
  return image + w.text_tokens;
}

bool TilingApplies(const ActivationInputs& in, int tile_sample) {
  const int tile = tile_sample > 0 ? tile_sample : in.facts->vae.sample_size;
  if (tile <= 0) return false;
  return in.workload.height > tile || in.workload.width > tile;
}

bool SlicingApplies(const ActivationInputs& in) { return in.workload.batch > 1; }

Bytes EstimateDecodeActivation(const ActivationInputs& in, const VaeModifiers& mod) {
  const ModelFacts& f = *in.facts;
  const Workload& w = in.workload;
  if (f.vae.name.empty()) return 0;  // pixel-space pipeline: no decode stage
  if (!VaeKnown(f)) return ToBytes(GenericBytes(w));
  const double images = mod.slicing && SlicingApplies(in) ? 1.0 : static_cast<double>(w.batch);
  double h = w.height, wd = w.width;
  double extra = 0;
  if (mod.tiling && TilingApplies(in, mod.tile_sample)) {
    const int tile = mod.tile_sample > 0 ? mod.tile_sample : f.vae.sample_size;
    h = std::min<double>(h, tile);
    wd = std::min<double>(wd, tile);
    extra = OutputBuffer(in);  // decoded tiles are kept and blended into the output
  }
  return ToBytes(DecodeMaps(in, h, wd, images) + extra);
}

StageActivations EstimateActivations(const ActivationInputs& in) {
  StageActivations a;
  const ModelFacts& f = *in.facts;
  const bool denoiser_known = DenoiserKnown(f);
  const bool vae_known = VaeKnown(f);
  const Bytes generic = ToBytes(GenericBytes(in.workload));
  a.denoise = denoiser_known ? DenoiseBytes(in) : generic;
  a.decode = EstimateDecodeActivation(in, VaeModifiers{});
  a.text_encode = TextEncodeBytes(in);
  if (in.encodes_image) a.encode = a.decode;
  a.calibrated = CalibratedFamily(f) && denoiser_known && vae_known;
  const DenoiserRow* denoiser_row = FindDenoiserRow(f.denoiser.class_name);
  const VaeRow* vae_row = FindVaeRow(f.vae.class_name);
  const bool vae_calibrated = vae_row != nullptr && vae_row->calibrated;
  if (a.calibrated) {
    a.basis = "denoise: " + std::string(denoiser_row->basis) + "; decode: " + std::string(vae_row->basis) +
              "; text encoders: architectural estimate";
  } else if (denoiser_known && vae_known && (denoiser_row != nullptr || vae_calibrated)) {
    // One stage is calibrated for this family, the other is not.
    const std::string denoise =
        denoiser_row != nullptr
            ? std::string(denoiser_row->basis)
            : std::string("uncalibrated (") +
                  (f.denoiser.unet ? "UNet constant from row 47" : "FLUX constant 13.24") + ")";
    const std::string decode =
        vae_calibrated
            ? std::string(vae_row->basis)
            : "uncalibrated (" + std::string(vae_row != nullptr ? vae_row->basis : "AutoencoderKL fit") + ")";
    a.basis = "partly calibrated for " + f.denoiser.class_name + " + " + f.vae.class_name + ": denoise " +
              denoise + "; decode " + decode + "; text encoders: architectural estimate";
  } else if (denoiser_known && (vae_known || f.vae.name.empty())) {
    a.basis = "uncalibrated for " + f.denoiser.class_name + ": " +
              (f.denoiser.unet ? "UNet feature maps, 27.4 x latent pixels x channels (constant from row 47)"
                               : "transformer tokens x hidden (constant from FLUX rows 40, 41, 43)") +
              (in.workload.frames > 1 ? ", per-latent-frame video decode"
                                      : ", AutoencoderKL decode fit (rows 14, 19-21)") +
              "; no measurement of this family checks it";
  } else {
    a.basis =
        "generic estimate (memory-calculator.md rule of thumb: 2-4 GB per 1024^2 image, 5-8 GB per "
        "5 s video): the architecture is not known to pipefit's activation model";
  }
  return a;
}

}  // namespace pipefit
