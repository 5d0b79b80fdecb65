// safetensors header reader. The format: an 8-byte little-endian header
// length N, N bytes of JSON {name: {dtype, shape, data_offsets}, optional
// "__metadata__": {string: string}}, then the data section. Everything is
// validated before a number is trusted: the header fits the file and the
// 100 MB limit, every dtype is known, numel x itemsize equals the byte range
// without overflow, ranges lie inside the data section, do not overlap and
// leave no hole, and names are unique. Only the header bytes are read.
#ifndef PIPEFIT_FORMATS_SAFETENSORS_H_
#define PIPEFIT_FORMATS_SAFETENSORS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/formats/tensor_info.h"

namespace pipefit {

// Header limit, as in the safetensors library (MAX_HEADER_SIZE = 100 MB).
inline constexpr int64_t kMaxSafetensorsHeaderBytes = 100'000'000;

struct SafetensorsHeader {
  int64_t header_length = 0;        // N
  int64_t data_size = 0;            // file size - 8 - N
  std::vector<TensorInfo> tensors;  // in data-offset order
  std::map<std::string, std::string> metadata;
};

// Parses the JSON header. `data_size` is the length of the data section.
// Messages are prefixed with `label` (usually the file path).
Result<SafetensorsHeader> ParseSafetensorsHeader(std::string_view json, int64_t data_size,
                                                 const std::string& label);

// Decodes the 8-byte length prefix and checks it against the file size.
Result<int64_t> ParseSafetensorsHeaderLength(std::string_view first8, int64_t file_size,
                                             const std::string& label);

// Reads and parses the header of the file at `path`.
Result<SafetensorsHeader> ReadSafetensorsHeader(const FileSystem& fs, const std::string& path);

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_SAFETENSORS_H_
