// Builds safetensors bytes for tests: a header for a list of tensors laid
// out contiguously, and sparse files whose data section is a hole, so a
// 10 GB shard costs a few KB of disk.
#ifndef PIPEFIT_TESTING_SAFETENSORS_BUILDER_H_
#define PIPEFIT_TESTING_SAFETENSORS_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pipefit/formats/tensor_info.h"

namespace pipefit::testkit {

struct FakeTensor {
  std::string name;
  std::string dtype;  // safetensors name, e.g. "BF16"
  std::vector<int64_t> shape;
};

// Header JSON with contiguous data_offsets; returns the data size too.
std::string SafetensorsHeaderJson(const std::vector<FakeTensor>& tensors, int64_t* data_size,
                                  const std::string& metadata_json = "");
// 8-byte little-endian length + `json`.
std::string SafetensorsPrefix(const std::string& json);
// Header bytes followed by `data_size` zero bytes, in memory (small tests).
std::string SafetensorsBytes(const std::vector<FakeTensor>& tensors);
// Writes the header and extends the file to its full size with a hole.
void WriteSparseSafetensors(const std::string& path, const std::vector<FakeTensor>& tensors);
// Writes `prefix` then extends the file to `size` bytes with a hole.
void WriteSparseFile(const std::string& path, const std::string& prefix, int64_t size);

FakeTensor ToFakeTensor(const TensorInfo& tensor);

}  // namespace pipefit::testkit

#endif  // PIPEFIT_TESTING_SAFETENSORS_BUILDER_H_
