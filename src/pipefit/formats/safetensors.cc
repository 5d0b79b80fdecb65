#include "pipefit/formats/safetensors.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "pipefit/base/bytes.h"
#include "pipefit/formats/json_object.h"

namespace pipefit {
namespace {

// "label: what", with `what` formatted by fmt.
template <typename... Args>
Error Malformed(const std::string& label, fmt::format_string<Args...> what, Args&&... args) {
  return MakeErrorf(ErrorCode::kMalformed, "{}: {}", label, fmt::format(what, std::forward<Args>(args)...));
}

Result<std::vector<int64_t>> ParseShape(simdjson::dom::element value, const std::string& where) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    return Malformed(where, "shape must be an array of integers");
  }
  std::vector<int64_t> shape;
  for (simdjson::dom::element dim : array) {
    if (static_cast<int>(shape.size()) >= kMaxTensorDims) {
      return MakeErrorf(ErrorCode::kLimit, "{}: more than {} dimensions", where, kMaxTensorDims);
    }
    uint64_t n = 0;
    if (dim.get_uint64().get(n) != simdjson::SUCCESS || n > static_cast<uint64_t>(INT64_MAX)) {
      return Malformed(where, "shape must contain non-negative integers");
    }
    shape.push_back(static_cast<int64_t>(n));
  }
  return shape;
}

Result<TensorInfo> ParseTensorEntry(std::string_view name, simdjson::dom::element value, int64_t data_size,
                                    const std::string& label) {
  const std::string where = fmt::format("{}: tensor '{}'", label, name);
  if (!value.is_object()) return MakeErrorf(ErrorCode::kMalformed, "{}: entry must be an object", where);
  TensorInfo tensor;
  tensor.name = std::string(name);

  std::string_view dtype_name;
  if (value["dtype"].get_string().get(dtype_name) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: missing or non-string 'dtype'", where);
  }
  auto dtype = DTypeFromSafetensorsName(dtype_name);
  if (!dtype) {
    return MakeErrorf(ErrorCode::kUnsupported, "{}: unknown dtype '{}'", where, dtype_name);
  }
  tensor.dtype = *dtype;

  simdjson::dom::element shape_value;
  if (value["shape"].get(shape_value) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: missing 'shape'", where);
  }
  PIPEFIT_ASSIGN_OR_RETURN(tensor.shape, ParseShape(shape_value, where));

  simdjson::dom::array offsets;
  if (value["data_offsets"].get_array().get(offsets) != simdjson::SUCCESS || offsets.size() != 2) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: 'data_offsets' must be [begin, end]", where);
  }
  uint64_t begin = 0, end = 0;
  if (offsets.at(0).get_uint64().get(begin) != simdjson::SUCCESS ||
      offsets.at(1).get_uint64().get(end) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: 'data_offsets' must be non-negative integers", where);
  }
  if (begin > end) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: data_offsets begin {} is after end {}", where, begin, end);
  }
  if (end > static_cast<uint64_t>(data_size)) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: data_offsets end {} is past the data section ({} bytes)",
                      where, end, data_size);
  }

  int64_t numel = 1;
  for (int64_t dim : tensor.shape) {
    auto product = CheckedMul(numel, dim);
    if (!product) return MakeErrorf(ErrorCode::kMalformed, "{}: element count overflows", where);
    numel = *product;
  }
  tensor.numel = numel;
  auto bytes = DTypeBytes(tensor.dtype, numel);
  if (!bytes && numel % GetDTypeInfo(tensor.dtype).block_elements == 0) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: byte size overflows", where);
  }
  if (!bytes) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: {} elements do not fit dtype {} exactly", where, numel,
                      dtype_name);
  }
  tensor.bytes = *bytes;
  tensor.data_offset = static_cast<int64_t>(begin);
  if (static_cast<uint64_t>(tensor.bytes) != end - begin) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: shape and dtype give {} bytes but data_offsets span {}",
                      where, tensor.bytes, end - begin);
  }
  return tensor;
}

Status ParseMetadata(simdjson::dom::element value, const std::string& label,
                     std::map<std::string, std::string>& metadata) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Malformed(label, "'__metadata__' must be an object of strings");
  }
  for (auto field : object) {
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) {
      return Malformed(label, "'__metadata__' value for '{}' must be a string", field.key);
    }
    metadata[std::string(field.key)] = std::string(text);
  }
  return OkStatus();
}

// The data section must be covered exactly: tensors sorted by offset start
// at 0, follow each other without gap or overlap, and end at data_size.
Status CheckCoverage(std::vector<TensorInfo>& tensors, int64_t data_size, const std::string& label) {
  std::stable_sort(tensors.begin(), tensors.end(),
                   [](const TensorInfo& a, const TensorInfo& b) { return a.data_offset < b.data_offset; });
  int64_t expected = 0;
  const TensorInfo* previous = nullptr;
  for (const TensorInfo& tensor : tensors) {
    if (tensor.data_offset < expected) {
      return Malformed(label, "tensor '{}' overlaps tensor '{}'", tensor.name,
                       previous ? previous->name : std::string());
    }
    if (tensor.data_offset > expected) {
      return Malformed(label, "hole of {} bytes before tensor '{}' at offset {}",
                       tensor.data_offset - expected, tensor.name, expected);
    }
    expected = tensor.data_offset + tensor.bytes;
    previous = &tensor;
  }
  if (expected != data_size) {
    return Malformed(label, "tensors cover {} bytes but the data section has {}", expected, data_size);
  }
  return OkStatus();
}

}  // namespace

Result<int64_t> ParseSafetensorsHeaderLength(std::string_view first8, int64_t file_size,
                                             const std::string& label) {
  if (file_size < 8 || first8.size() < 8) {
    return Malformed(label, "file is {} bytes, too short for the 8-byte header length", file_size);
  }
  uint64_t n = 0;
  for (size_t i = 8; i-- > 0;) n = (n << 8) | static_cast<unsigned char>(first8[i]);
  if (n > static_cast<uint64_t>(kMaxSafetensorsHeaderBytes)) {
    return MakeErrorf(ErrorCode::kLimit, "{}: header length {} exceeds the 100 MB limit", label, n);
  }
  if (static_cast<int64_t>(n) > file_size - 8) {
    return Malformed(label, "header length {} exceeds file size {}", n, file_size);
  }
  if (n < 2) return Malformed(label, "header length {} is too short for JSON", n);
  return static_cast<int64_t>(n);
}

Result<SafetensorsHeader> ParseSafetensorsHeader(std::string_view json, int64_t data_size,
                                                 const std::string& label) {
  SafetensorsHeader header;
  header.header_length = static_cast<int64_t>(json.size());
  header.data_size = data_size;
  if (json.empty() || json.front() != '{') {
    return Malformed(label, "header does not start with '{{'");
  }
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object object, ParseJsonObject(parser, json, label, "header"));
  std::set<std::string_view> seen;
  for (auto field : object) {
    if (!seen.insert(field.key).second) {
      return Malformed(label, "duplicate tensor name '{}'", field.key);
    }
    if (field.key == "__metadata__") {
      PIPEFIT_RETURN_IF_ERROR(ParseMetadata(field.value, label, header.metadata));
      continue;
    }
    if (static_cast<int64_t>(header.tensors.size()) >= kMaxTensorsPerFile) {
      return MakeErrorf(ErrorCode::kLimit, "{}: more than {} tensors", label, kMaxTensorsPerFile);
    }
    PIPEFIT_ASSIGN_OR_RETURN(TensorInfo tensor, ParseTensorEntry(field.key, field.value, data_size, label));
    header.tensors.push_back(std::move(tensor));
  }
  PIPEFIT_RETURN_IF_ERROR(CheckCoverage(header.tensors, data_size, label));
  return header;
}

Result<SafetensorsHeader> ReadSafetensorsHeader(const FileSystem& fs, const std::string& path) {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (info.is_directory) return Malformed(path, "is a directory, expected a .safetensors file");
  std::string first8;
  if (info.size >= 8) {
    PIPEFIT_ASSIGN_OR_RETURN(first8, fs.ReadRange(path, 0, 8));
  }
  PIPEFIT_ASSIGN_OR_RETURN(int64_t n, ParseSafetensorsHeaderLength(first8, info.size, path));
  PIPEFIT_ASSIGN_OR_RETURN(std::string json, fs.ReadRange(path, 8, n));
  return ParseSafetensorsHeader(json, info.size - 8 - n, path);
}

}  // namespace pipefit
