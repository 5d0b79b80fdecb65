#include "pipefit/testing/safetensors_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "pipefit/formats/dtype.h"

namespace pipefit::testkit {

std::string SafetensorsHeaderJson(const std::vector<FakeTensor>& tensors, int64_t* data_size,
                                  const std::string& metadata_json) {
  std::string json = "{";
  if (!metadata_json.empty()) json += "\"__metadata__\":" + metadata_json;
  int64_t offset = 0;
  for (const FakeTensor& t : tensors) {
    int64_t numel = 1;
    std::string shape;
    for (int64_t d : t.shape) {
      numel *= d;
      if (!shape.empty()) shape += ',';
      shape += std::to_string(d);
    }
    int64_t bytes = DTypeBytes(*DTypeFromSafetensorsName(t.dtype), numel).value();
    if (json.size() > 1) json += ",";
    json += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + shape + "],\"data_offsets\":[" +
            std::to_string(offset) + "," + std::to_string(offset + bytes) + "]}";
    offset += bytes;
  }
  json += "}";
  if (data_size) *data_size = offset;
  return json;
}

std::string SafetensorsPrefix(const std::string& json) {
  std::string out(8, '\0');
  uint64_t n = json.size();
  for (size_t i = 0; i < 8; ++i) out[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return out + json;
}

std::string SafetensorsBytes(const std::vector<FakeTensor>& tensors) {
  int64_t data_size = 0;
  std::string bytes = SafetensorsPrefix(SafetensorsHeaderJson(tensors, &data_size));
  bytes.append(static_cast<size_t>(data_size), '\0');
  return bytes;
}

void WriteSparseFile(const std::string& path, const std::string& prefix, int64_t size) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + path);
  bool ok = ::write(fd, prefix.data(), prefix.size()) == static_cast<ssize_t>(prefix.size()) &&
            ::ftruncate(fd, static_cast<off_t>(size)) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + path);
}

void WriteSparseSafetensors(const std::string& path, const std::vector<FakeTensor>& tensors) {
  int64_t data_size = 0;
  std::string prefix = SafetensorsPrefix(SafetensorsHeaderJson(tensors, &data_size));
  WriteSparseFile(path, prefix, static_cast<int64_t>(prefix.size()) + data_size);
}

FakeTensor ToFakeTensor(const TensorInfo& tensor) {
  return FakeTensor{tensor.name, std::string(GetDTypeInfo(tensor.dtype).safetensors_name), tensor.shape};
}

}  // namespace pipefit::testkit
