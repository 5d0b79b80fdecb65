// Activation memory per pipeline stage (text encoding, denoising, VAE
// decode, VAE encode), from the model's architecture facts and the
// workload. Each formula's constant is fitted on published peaks in
// shared/reference/measurements.md; the rows are cited next to it in
// activation.cc and in docs/memory-model.md. A pipeline whose denoiser or
// VAE facts are unknown gets the seed calculator's rule of thumb instead,
// labelled as a generic estimate.
#ifndef PIPEFIT_PLAN_ACTIVATION_H_
#define PIPEFIT_PLAN_ACTIVATION_H_

#include "pipefit/base/bytes.h"
#include "pipefit/model/measure.h"
#include "pipefit/plan/model_facts.h"
#include "pipefit/plan/plan_result.h"
#include "pipefit/plan/workload.h"

namespace pipefit {

struct VaeModifiers {
  bool tiling = false;
  bool slicing = false;
  int tile_sample = 0;  // tile edge in pixels when tiling (0: VAE sample_size)
};

struct ActivationInputs {
  const ModelFacts* facts = nullptr;
  Workload workload;
  LoadDType dtype = LoadDType::kBF16;
  // The pipeline upcasts the VAE to fp32 for decode (SDXL-family pipelines
  // with config.force_upcast, internals §9).
  bool vae_fp32_decode = false;
  bool encodes_image = false;  // the pipeline calls vae.encode
  // SDPA falls back to the quadratic math kernel (the flash and
  // memory-efficient kernels lack this GPU/dtype: bf16 below SM 8.0), so
  // attention scores are materialised: heads x tokens^2 per image.
  bool quadratic_attention = false;
};

// Activations without VAE modifiers (CONTRACT.md `activation`).
StageActivations EstimateActivations(const ActivationInputs& inputs);

// The decode activation under tiling and/or slicing: tiling bounds the
// feature maps to one tile (only when the image is larger than the tile),
// slicing decodes one image of the batch at a time.
Bytes EstimateDecodeActivation(const ActivationInputs& inputs, const VaeModifiers& modifiers);

// Whether the modifier changes anything for this workload: tiling only
// when the image exceeds the tile, slicing only when batch > 1 (internals §9).
bool TilingApplies(const ActivationInputs& inputs, int tile_sample);
bool SlicingApplies(const ActivationInputs& inputs);

// Denoiser tokens per image for transformer denoisers (image latent tokens
// plus text tokens), 0 for UNets or unknown architectures.
int64_t DenoiserTokens(const ModelFacts& facts, const Workload& workload);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_ACTIVATION_H_
