#include "pipefit/testing/gguf_builder.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <system_error>
#include <utility>

#include "pipefit/base/bytes.h"

namespace pipefit {
namespace gguf_encode {
namespace {

std::string LittleEndian(uint64_t v, int size) {
  std::string out;
  for (int i = 0; i < size; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  return out;
}

Value Scalar(GgufType type, uint64_t bits, int size) {
  return Value{static_cast<uint32_t>(type), LittleEndian(bits, size)};
}

}  // namespace

std::string LittleEndian32(uint32_t v) { return LittleEndian(v, 4); }
std::string LittleEndian64(uint64_t v) { return LittleEndian(v, 8); }
std::string String(std::string_view v) { return LittleEndian64(v.size()) + std::string(v); }

Value U8(uint8_t v) { return Scalar(GgufType::kUint8, v, 1); }
Value I8(int8_t v) { return Scalar(GgufType::kInt8, static_cast<uint8_t>(v), 1); }
Value U16(uint16_t v) { return Scalar(GgufType::kUint16, v, 2); }
Value I16(int16_t v) { return Scalar(GgufType::kInt16, static_cast<uint16_t>(v), 2); }
Value U32(uint32_t v) { return Scalar(GgufType::kUint32, v, 4); }
Value I32(int32_t v) { return Scalar(GgufType::kInt32, static_cast<uint32_t>(v), 4); }
Value Bool(bool v) { return Scalar(GgufType::kBool, v ? 1 : 0, 1); }
Value U64(uint64_t v) { return Scalar(GgufType::kUint64, v, 8); }
Value I64(int64_t v) { return Scalar(GgufType::kInt64, static_cast<uint64_t>(v), 8); }
Value Str(std::string_view v) { return Value{static_cast<uint32_t>(GgufType::kString), String(v)}; }

Value F32(float v) {
  uint32_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return Scalar(GgufType::kFloat32, bits, 4);
}

Value F64(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return Scalar(GgufType::kFloat64, bits, 8);
}

Value Array(GgufType element_type, const std::vector<Value>& elements) {
  std::string payload;
  for (const Value& element : elements) payload += element.payload;
  return RawArray(static_cast<uint32_t>(element_type), elements.size(), std::move(payload));
}

Value RawArray(uint32_t element_type, uint64_t count, std::string elements) {
  return Value{static_cast<uint32_t>(GgufType::kArray),
               LittleEndian32(element_type) + LittleEndian64(count) + elements};
}

}  // namespace gguf_encode

namespace {

int64_t AlignUp(int64_t value, int64_t alignment) { return (value + alignment - 1) / alignment * alignment; }

// Stored bytes of a tensor with ggml-order dims, or 0 if unknown.
int64_t TensorBytes(const std::vector<uint64_t>& ggml_dims, uint32_t ggml_type) {
  std::optional<DType> dtype = DTypeFromGgmlId(ggml_type);
  if (!dtype || ggml_dims.empty()) return 0;
  std::optional<int64_t> numel = 1;
  for (uint64_t ne : ggml_dims) {
    if (ne > static_cast<uint64_t>(INT64_MAX)) return 0;
    numel = CheckedMul(*numel, static_cast<int64_t>(ne));
    if (!numel) return 0;
  }
  return DTypeBytes(*dtype, *numel).value_or(0);
}

}  // namespace

GgufBuilder& GgufBuilder::SetMagic(std::string magic) {
  magic_ = std::move(magic);
  return *this;
}

GgufBuilder& GgufBuilder::SetVersion(uint32_t version) {
  version_ = version;
  return *this;
}

GgufBuilder& GgufBuilder::SetTensorCount(uint64_t count) {
  tensor_count_ = count;
  return *this;
}

GgufBuilder& GgufBuilder::SetKvCount(uint64_t count) {
  kv_count_ = count;
  return *this;
}

GgufBuilder& GgufBuilder::SetAlignment(uint32_t alignment) {
  const bool power_of_two = alignment != 0 && (alignment & (alignment - 1)) == 0;
  alignment_ = power_of_two ? alignment : kGgufDefaultAlignment;
  return AddKv("general.alignment", gguf_encode::U32(alignment));
}

GgufBuilder& GgufBuilder::AddKv(std::string key, gguf_encode::Value value) {
  kvs_.emplace_back(std::move(key), std::move(value));
  return *this;
}

GgufBuilder& GgufBuilder::AddTensor(std::string name, const std::vector<int64_t>& shape, DType dtype,
                                    std::optional<uint64_t> offset) {
  std::vector<uint64_t> ggml_dims(shape.rbegin(), shape.rend());
  const uint64_t at = offset.value_or(static_cast<uint64_t>(AlignUp(EndOfTensors(), alignment_)));
  return AddRawTensor(std::move(name), std::move(ggml_dims),
                      static_cast<uint32_t>(GetDTypeInfo(dtype).ggml_id), at);
}

GgufBuilder& GgufBuilder::AddRawTensor(std::string name, std::vector<uint64_t> ggml_dims, uint32_t ggml_type,
                                       uint64_t offset) {
  const int64_t bytes = TensorBytes(ggml_dims, ggml_type);
  tensors_.push_back(Tensor{std::move(name), std::move(ggml_dims), ggml_type, offset, bytes});
  return *this;
}

int64_t GgufBuilder::EndOfTensors() const {
  int64_t end = 0;
  for (const Tensor& tensor : tensors_) {
    if (tensor.offset > static_cast<uint64_t>(INT64_MAX)) continue;
    auto tensor_end = CheckedAdd(static_cast<int64_t>(tensor.offset), tensor.bytes);
    if (tensor_end && *tensor_end > end) end = *tensor_end;
  }
  return end;
}

int64_t GgufBuilder::DataSize() const { return AlignUp(EndOfTensors(), alignment_); }

std::string GgufBuilder::Header() const {
  using gguf_encode::LittleEndian32;
  using gguf_encode::LittleEndian64;
  std::string out = magic_ + LittleEndian32(version_) +
                    LittleEndian64(tensor_count_.value_or(tensors_.size())) +
                    LittleEndian64(kv_count_.value_or(kvs_.size()));
  for (const auto& [key, value] : kvs_) {
    out += gguf_encode::String(key) + LittleEndian32(value.type) + value.payload;
  }
  for (const Tensor& tensor : tensors_) {
    out += gguf_encode::String(tensor.name) + LittleEndian32(static_cast<uint32_t>(tensor.ggml_dims.size()));
    for (uint64_t ne : tensor.ggml_dims) out += LittleEndian64(ne);
    out += LittleEndian32(tensor.ggml_type) + LittleEndian64(tensor.offset);
  }
  out.resize(AlignUp(out.size(), alignment_), '\0');
  return out;
}

std::string GgufBuilder::Build() const {
  std::string out = Header();
  out.resize(out.size() + DataSize(), '\0');
  return out;
}

void GgufBuilder::AddTo(MemoryFileSystem& fs, const std::string& path,
                        std::optional<int64_t> file_size) const {
  std::string header = Header();
  const int64_t size = file_size.value_or(static_cast<int64_t>(header.size()) + DataSize());
  if (size < static_cast<int64_t>(header.size())) header.resize(size);
  fs.AddSparseFile(path, std::move(header), size);
}

Status GgufBuilder::WriteSparseFile(const std::string& path) const {
  const std::string header = Header();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    if (!out) return MakeErrorf(ErrorCode::kIo, "{}: cannot write GGUF fixture", path);
  }
  std::error_code error;
  std::filesystem::resize_file(path, static_cast<uintmax_t>(FileSize()), error);
  if (error) return MakeErrorf(ErrorCode::kIo, "{}: cannot extend: {}", path, error.message());
  return OkStatus();
}

}  // namespace pipefit
