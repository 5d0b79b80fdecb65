#include "pipefit/formats/sharded_index.h"

#include <simdjson.h>

#include <set>

#include "pipefit/formats/json_object.h"

namespace pipefit {
namespace {

// "label: what", with `what` formatted by fmt.
template <typename... Args>
Error Malformed(const std::string& label, fmt::format_string<Args...> what, Args&&... args) {
  return MakeErrorf(ErrorCode::kMalformed, "{}: {}", label, fmt::format(what, std::forward<Args>(args)...));
}

bool IsPlainFileName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\\') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

Status ParseTotalSize(simdjson::dom::object root, const std::string& label, ShardedIndex& index) {
  simdjson::dom::element metadata;
  if (root["metadata"].get(metadata) != simdjson::SUCCESS || metadata.is_null()) return OkStatus();
  if (!metadata.is_object()) return Malformed(label, "'metadata' must be an object");
  simdjson::dom::element total;
  if (metadata["total_size"].get(total) != simdjson::SUCCESS || total.is_null()) return OkStatus();
  uint64_t unsigned_total = 0;
  double float_total = 0;
  if (total.get_uint64().get(unsigned_total) == simdjson::SUCCESS &&
      unsigned_total <= static_cast<uint64_t>(INT64_MAX)) {
    index.total_size = static_cast<int64_t>(unsigned_total);
  } else if (total.get_double().get(float_total) == simdjson::SUCCESS && float_total >= 0 &&
             float_total < 9.2e18 && float_total == static_cast<double>(static_cast<int64_t>(float_total))) {
    // Some writers emit "total_size": 1234.0
    index.total_size = static_cast<int64_t>(float_total);
  } else {
    return Malformed(label, "'metadata.total_size' must be a non-negative integer");
  }
  return OkStatus();
}

}  // namespace

Result<ShardedIndex> ParseShardedIndex(std::string_view json, const std::string& label) {
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object object, ParseJsonObject(parser, json, label, "index"));
  ShardedIndex index;
  PIPEFIT_RETURN_IF_ERROR(ParseTotalSize(object, label, index));
  simdjson::dom::object weight_map;
  if (object["weight_map"].get_object().get(weight_map) != simdjson::SUCCESS) {
    return Malformed(label, "missing or non-object 'weight_map'");
  }
  std::set<std::string> shards;
  for (auto field : weight_map) {
    std::string_view shard;
    if (field.value.get_string().get(shard) != simdjson::SUCCESS) {
      return Malformed(label, "weight_map entry '{}' is not a string", field.key);
    }
    if (!IsPlainFileName(shard)) {
      return Malformed(label, "weight_map entry '{}' names shard '{}' outside the component folder",
                       field.key, shard);
    }
    auto [it, inserted] = index.weight_map.emplace(std::string(field.key), std::string(shard));
    if (!inserted) return Malformed(label, "duplicate tensor name '{}' in weight_map", it->first);
    shards.insert(std::string(shard));
  }
  if (index.weight_map.empty()) return Malformed(label, "'weight_map' is empty");
  index.shards.assign(shards.begin(), shards.end());
  return index;
}

}  // namespace pipefit
