#include "pipefit/model/pipeline.h"

#include <map>

namespace pipefit {

const char* WeightFormatName(WeightFormat format) {
  switch (format) {
    case WeightFormat::kNone:
      return "none";
    case WeightFormat::kSafetensors:
      return "safetensors";
    case WeightFormat::kGguf:
      return "gguf";
    case WeightFormat::kManifest:
      return "manifest";
    case WeightFormat::kPickle:
      return "pickle";
  }
  return "none";
}

const char* SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kLocal:
      return "local";
    case SourceKind::kHfCache:
      return "hf_cache";
    case SourceKind::kCatalog:
      return "catalog";
    case SourceKind::kHub:
      return "hub";
  }
  return "local";
}

std::optional<DType> DominantDType(const Component& component, bool quantized_only) {
  std::map<DType, int64_t> bytes;
  for (const TensorInfo& t : component.tensors) {
    if (!quantized_only || GetDTypeInfo(t.dtype).kind == DTypeKind::kQuantized) bytes[t.dtype] += t.bytes;
  }
  std::optional<DType> best;
  int64_t most = -1;
  for (const auto& [dtype, total] : bytes) {
    if (total > most) {
      most = total;
      best = dtype;
    }
  }
  return best;
}

}  // namespace pipefit
