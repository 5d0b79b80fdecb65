// A diffusers pipeline as pipefit sees it: its components, each with the
// tensor inventory its checkpoint headers describe. Produced by sources/,
// consumed by measure.h. Plain values; no I/O.
#ifndef PIPEFIT_MODEL_PIPELINE_H_
#define PIPEFIT_MODEL_PIPELINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipefit/formats/tensor_info.h"

namespace pipefit {

enum class WeightFormat {
  kNone,         // no weights (scheduler, tokenizer, feature extractor)
  kSafetensors,  // one file or a sharded index
  kGguf,         // a single .gguf file (loaded with from_single_file)
  kManifest,     // the built-in catalog's tensors.tsv
  kPickle,       // .bin / .pt / .ckpt: size known, tensors not readable
};
const char* WeightFormatName(WeightFormat format);

// The few config.json facts measurement needs.
struct ComponentConfig {
  std::optional<bool> tie_word_embeddings;
  std::optional<std::string> torch_dtype;  // as written in config.json
  // The whole config.json text, for the planner's architecture facts
  // (plan/model_facts.h); "" when the component has none.
  std::string json;
};

struct Component {
  std::string name;        // "transformer", "text_encoder_2", or "model" for a single file
  std::string library;     // "diffusers", "transformers", ...
  std::string class_name;  // "FluxTransformer2DModel"; "" when unknown
  WeightFormat format = WeightFormat::kNone;
  bool single_file = false;        // loaded with from_single_file (dtype rules differ)
  std::vector<std::string> files;  // weight files read, relative to the source root
  int64_t file_bytes = 0;          // sum of those files' sizes
  std::vector<TensorInfo> tensors;
  ComponentConfig config;
  std::vector<std::string> notes;
};

// The dtype holding most of the component's bytes (only ggml quantized
// types when `quantized_only`); nullopt when it has no such tensor.
std::optional<DType> DominantDType(const Component& component, bool quantized_only);

enum class SourceKind { kLocal, kHfCache, kCatalog, kHub };
const char* SourceKindName(SourceKind kind);

// What reading a remote source cost: HTTP requests made (redirects and
// retries included), response body bytes received, and files whose bytes
// came from pipefit's cache instead.
struct FetchSummary {
  std::string endpoint;  // the Hub or mirror read from
  int64_t requests = 0;
  int64_t bytes = 0;
  int64_t cached_files = 0;
  double seconds = 0;  // wall time of resolution and fetching
};

struct SourceInfo {
  SourceKind kind = SourceKind::kLocal;
  std::string path;                   // folder or file the pipeline was read from
  std::string repo;                   // "org/name" when known
  std::string revision;               // commit hash or ref when known
  std::optional<FetchSummary> fetch;  // set for the Hub
  bool pinned = false;                // MODEL named a revision (org/name@rev); `revision` is its commit
};

struct Pipeline {
  std::string pipeline_class;  // "FluxPipeline"; "" for a single component
  SourceInfo source;
  std::vector<Component> components;  // model_index.json order
  std::vector<std::string> notes;
  // model_index.json whole ("" for a single component or file): its
  // pipeline-level settings (Wan 2.2's boundary_ratio, expand_timesteps)
  // are passed to the pipeline by `measure --random-weights`.
  std::string model_index_json;
};

}  // namespace pipefit

#endif  // PIPEFIT_MODEL_PIPELINE_H_
