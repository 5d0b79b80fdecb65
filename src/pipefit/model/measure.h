// Measurements of a pipeline's components at a load dtype, from tensor
// inventories alone (CONTRACT.md `inspect`, internals §1.3-1.5, §5, §6.1):
//   bytes            resident size after the load-dtype rules
//   blocks           numbered children of the direct ModuleList/Sequential
//                    children (what block_level group offloading groups)
//   block_bytes      largest such block; leaf_bytes: largest module that
//                    owns tensors directly
//   layerwise_fp8    after enable_layerwise_casting(storage=float8_e4m3fn)
//   int8 / nf4       after bitsandbytes 8-bit / 4-bit nf4 (no double quant)
// Byte counts are exact tensor bytes; the CUDA allocator's 512-byte rounding
// per tensor (internals "a(x)") is the planner's business, not inspect's.
#ifndef PIPEFIT_MODEL_MEASURE_H_
#define PIPEFIT_MODEL_MEASURE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/model/family_table.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

enum class LoadDType { kBF16, kFP16, kFP32 };
const char* LoadDTypeName(LoadDType dtype);                      // "bf16", "fp16", "fp32"
std::optional<LoadDType> ParseLoadDType(std::string_view text);  // also "bfloat16", ...
DType LoadDTypeStorage(LoadDType dtype);

// One numbered child of a root ModuleList ("single_transformer_blocks.7"):
// what group offloading streams as a block and partial residency keeps or
// streams (plan/estimator.h). Bytes at the load dtype and after fp8 layerwise
// casting; `allocated` is the CUDA allocator's 512-byte rounding of the
// tensors, `pinned` their pow2 pinned host copies (internals §3.6).
struct BlockMeasurement {
  std::string name;  // "transformer_blocks.7"
  int64_t bytes = 0;
  int64_t fp8_bytes = 0;
  int64_t allocated_bytes = 0;
  int64_t pinned_bytes = 0;
  // Tensors owned by the block module itself (Wan's "blocks.0.scale_shift_table"),
  // not by one of its layers.
  bool own_tensors = false;
};

struct ComponentMeasurement {
  std::string name;
  std::string class_name;
  std::string library;
  WeightFormat format = WeightFormat::kNone;
  ModelRole role = ModelRole::kOther;
  int64_t tensors = 0;
  int64_t params = 0;
  int64_t stored_bytes = 0;
  int64_t bytes = 0;
  int64_t blocks = 0;
  int64_t block_bytes = 0;
  std::string largest_block;  // e.g. "transformer_blocks.0"
  int64_t leaf_bytes = 0;
  std::string largest_leaf;  // e.g. "transformer_blocks.0.norm1.linear"
  int64_t layerwise_fp8_bytes = 0;
  int64_t int8_bytes = 0;
  int64_t nf4_bytes = 0;
  int64_t fp32_kept_bytes = 0;  // bytes of tensors kept in fp32 at this dtype
  int64_t tied_dropped = 0;     // duplicate (tied) tensors not counted
  // torchao weight-only sizes (internals §6.2 table, torchao 0.19 defaults):
  // Int8WeightOnlyConfig, Float8WeightOnlyConfig, Int4WeightOnlyConfig(128).
  int64_t torchao_int8_bytes = 0;
  int64_t torchao_fp8_bytes = 0;
  int64_t torchao_int4_bytes = 0;
  // Planner detail (not in inspect's contract fields).
  int64_t block_total_bytes = 0;      // sum over every block (the rest is block_level's unmatched group)
  int64_t block_fp8_bytes = 0;        // largest block after fp8 layerwise casting
  int64_t block_total_fp8_bytes = 0;  // every block after fp8 layerwise casting
  int64_t leaf_fp8_bytes = 0;         // largest leaf after fp8 layerwise casting
  int64_t largest_layer_params = 0;   // elements of the largest Linear/Conv/Embedding weight
  int64_t allocated_bytes = 0;        // sum of a(b): the CUDA caching allocator's 512-byte rounding
  int64_t pinned_bytes = 0;           // sum of pow2ceil(b): pinned host copies (internals §3.6)
  // Every block in the order the model calls them (BlockCallOrder), and the
  // root ModuleLists holding them in that order ("transformer_blocks",
  // "single_transformer_blocks").
  std::vector<BlockMeasurement> block_list;
  std::vector<std::string> block_lists;
  std::vector<std::string> notes;

  bool has_weights() const { return format != WeightFormat::kNone; }
};

// The seed calculator's quantities (reference/memory-calculator.md), at the
// load dtype. The denoiser is the transformer or unet.
struct SeedQuantities {
  std::string denoiser;  // component name; "" when the pipeline has none
  int64_t s_total = 0, s_max = 0, s_block = 0, s_leaf = 0, s_total_lc = 0, s_max_lc = 0;
};

struct PipelineMeasurement {
  LoadDType load_dtype = LoadDType::kBF16;
  std::vector<ComponentMeasurement> components;
  SeedQuantities seed;
};

ComponentMeasurement MeasureComponent(const Component& component, LoadDType dtype);
PipelineMeasurement MeasurePipeline(const Pipeline& pipeline, LoadDType dtype);

// Orders a model's root block lists as its forward calls them: FLUX-style
// double-stream lists before their single-stream ones ("transformer_blocks"
// before "single_transformer_blocks", "double_stream_blocks" before
// "single_stream_blocks"), else by name. Which blocks come first changes no
// estimate beyond their sizes (docs/partial-residency.md).
bool BlockListCalledBefore(std::string_view a, std::string_view b);

// Python `re.search(pattern, text)` for the pattern forms diffusers uses:
// plain substrings and "^name$" anchors (other regexes go through
// std::regex with ECMAScript syntax).
bool LayerwisePatternMatches(std::string_view pattern, std::string_view text);

}  // namespace pipefit

#endif  // PIPEFIT_MODEL_MEASURE_H_
