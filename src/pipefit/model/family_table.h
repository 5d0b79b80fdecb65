// Class-specific facts, one row per model class, each row citing its source
// (shared/reference/diffusers-internals.md Appendix A and §1.4, §5, §10).
// Adding a model family is one row here plus one test.
#ifndef PIPEFIT_MODEL_FAMILY_TABLE_H_
#define PIPEFIT_MODEL_FAMILY_TABLE_H_

#include <initializer_list>
#include <span>
#include <string_view>

namespace pipefit {

enum class ModelRole {
  kDenoiser,  // transformer / unet: what S_block, S_leaf and fp8 casting refer to
  kTextEncoder,
  kVae,
  kOther,
};

struct ModelFamily {
  std::string_view class_name;
  std::string_view library;  // "diffusers" or "transformers"
  ModelRole role;
  // diffusers `_keep_in_fp32_modules`: kept fp32 at every load dtype.
  // transformers `_keep_in_fp32_modules`: kept fp32 only under fp16 (and
  // under bitsandbytes). Matched against dotted name components.
  std::span<const std::string_view> keep_in_fp32;
  // diffusers `_skip_layerwise_casting_patterns` (regexes).
  std::span<const std::string_view> skip_layerwise_casting;
  // Leaf module names that are nn.Embedding (2-D weights that are not Linear).
  std::span<const std::string_view> embeddings;
  std::string_view source;
};

// The row for `class_name`, or nullptr when pipefit has none.
const ModelFamily* FindModelFamily(std::string_view class_name);
std::span<const ModelFamily> AllModelFamilies();

// diffusers hooks/layerwise_casting.py DEFAULT_SKIP_MODULES_PATTERN.
std::span<const std::string_view> DefaultLayerwiseSkipPatterns();
// Leaf names that are nn.Embedding in every family (transformers naming).
std::span<const std::string_view> CommonEmbeddingNames();

}  // namespace pipefit

#endif  // PIPEFIT_MODEL_FAMILY_TABLE_H_
