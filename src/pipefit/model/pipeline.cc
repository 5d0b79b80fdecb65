#include "pipefit/model/pipeline.h"

namespace pipefit {

const char* WeightFormatName(WeightFormat format) {
  switch (format) {
    case WeightFormat::kNone: return "none";
    case WeightFormat::kSafetensors: return "safetensors";
    case WeightFormat::kGguf: return "gguf";
    case WeightFormat::kManifest: return "manifest";
    case WeightFormat::kPickle: return "pickle";
  }
  return "none";
}

const char* SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kLocal: return "local";
    case SourceKind::kHfCache: return "hf_cache";
    case SourceKind::kCatalog: return "catalog";
    case SourceKind::kHub: return "hub";
  }
  return "local";
}

}  // namespace pipefit
