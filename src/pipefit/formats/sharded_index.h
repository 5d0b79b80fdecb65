// `*.safetensors.index.json` files of sharded checkpoints:
//   {"metadata": {"total_size": N, ...}, "weight_map": {tensor: shard file}}
// (diffusers utils/hub_utils.py, transformers modeling_utils; internals §1.2).
#ifndef PIPEFIT_FORMATS_SHARDED_INDEX_H_
#define PIPEFIT_FORMATS_SHARDED_INDEX_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

inline constexpr int64_t kMaxIndexFileBytes = 64 * 1024 * 1024;

struct ShardedIndex {
  std::optional<int64_t> total_size;              // metadata.total_size, when present
  std::map<std::string, std::string> weight_map;  // tensor name -> shard file name
  std::vector<std::string> shards;                // distinct shard names, sorted
};

// Parses an index file's JSON. Shard names must be plain file names in the
// same folder (no '/', no ".."): a hostile index cannot point elsewhere.
Result<ShardedIndex> ParseShardedIndex(std::string_view json, const std::string& label);

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_SHARDED_INDEX_H_
