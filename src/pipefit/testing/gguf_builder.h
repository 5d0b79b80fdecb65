// Test helper that writes GGUF files: the header (magic, version, counts),
// metadata KVs of every value type, tensor infos and the alignment padding.
// The data section is zeros, or a hole: AddTo() registers a sparse file in a
// MemoryFileSystem and WriteSparseFile() truncates a real file up to size,
// so a fixture for a 12 GB checkpoint costs only its header.
//
// Everything the reader validates can be written wrong on purpose: the
// magic, the version, the counts, raw value types and array counts, raw
// tensor dims, type ids and offsets.
//
//   GgufBuilder builder;
//   builder.AddKv("general.architecture", gguf_encode::Str("flux"))
//       .AddTensor("img_in.weight", {3072, 64}, DType::kQ8_0);
//   builder.AddTo(fs, "flux1-dev-Q8_0.gguf");
#ifndef PIPEFIT_TESTING_GGUF_BUILDER_H_
#define PIPEFIT_TESTING_GGUF_BUILDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/formats/dtype.h"
#include "pipefit/formats/gguf.h"

namespace pipefit {
namespace gguf_encode {

// One metadata value as written: the u32 type id and the encoded payload
// (for ARRAY: element type, count and elements).
struct Value {
  uint32_t type = 0;
  std::string payload;
};

Value U8(uint8_t v);
Value I8(int8_t v);
Value U16(uint16_t v);
Value I16(int16_t v);
Value U32(uint32_t v);
Value I32(int32_t v);
Value F32(float v);
Value Bool(bool v);
Value Str(std::string_view v);
Value U64(uint64_t v);
Value I64(int64_t v);
Value F64(double v);
// An array of `elements`; their type ids are not checked against
// `element_type`, so a test can write a mixed (invalid) array.
Value Array(GgufType element_type, const std::vector<Value>& elements);
// An array header claiming `count` elements, followed by `elements` as is.
Value RawArray(uint32_t element_type, uint64_t count, std::string elements);

// Little-endian encodings, for raw headers.
std::string LittleEndian32(uint32_t v);
std::string LittleEndian64(uint64_t v);
// A gguf string: u64 length, then the bytes.
std::string String(std::string_view v);

}  // namespace gguf_encode

class GgufBuilder {
 public:
  GgufBuilder& SetMagic(std::string magic);   // default "GGUF"
  GgufBuilder& SetVersion(uint32_t version);  // default 3
  // Write these counts instead of the real ones.
  GgufBuilder& SetTensorCount(uint64_t count);
  GgufBuilder& SetKvCount(uint64_t count);
  // Adds general.alignment = `alignment` (UINT32) and pads to it. Without
  // it, padding and automatic offsets use the default of 32. Call it before
  // AddTensor. An invalid alignment (0, 3) is written as given, for error
  // tests, but padding then stays at 32.
  GgufBuilder& SetAlignment(uint32_t alignment);

  GgufBuilder& AddKv(std::string key, gguf_encode::Value value);
  // A tensor with a torch-order `shape`. Without `offset` it goes at the
  // next aligned offset after the tensors added so far.
  GgufBuilder& AddTensor(std::string name, const std::vector<int64_t>& shape, DType dtype,
                         std::optional<uint64_t> offset = std::nullopt);
  // A tensor info exactly as given: ggml-order dims, any type id, any
  // offset. Its bytes count toward DataSize() when the type is known and
  // the size fits int64.
  GgufBuilder& AddRawTensor(std::string name, std::vector<uint64_t> ggml_dims, uint32_t ggml_type,
                            uint64_t offset);

  // The bytes before the data section, padding included.
  std::string Header() const;
  int64_t DataStart() const { return static_cast<int64_t>(Header().size()); }
  // The end of the last tensor, rounded up to the alignment.
  int64_t DataSize() const;
  int64_t FileSize() const { return DataStart() + DataSize(); }
  // Header and a zero-filled data section; for small files.
  std::string Build() const;
  // Registers a sparse file (the header, then a hole) of `file_size` bytes,
  // FileSize() by default.
  void AddTo(MemoryFileSystem& fs, const std::string& path,
             std::optional<int64_t> file_size = std::nullopt) const;
  // Writes the header to a real file and extends it to FileSize() with a hole.
  Status WriteSparseFile(const std::string& path) const;

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ggml_dims;
    uint32_t ggml_type = 0;
    uint64_t offset = 0;
    int64_t bytes = 0;  // 0 when unknown
  };
  int64_t EndOfTensors() const;

  std::string magic_ = "GGUF";
  uint32_t version_ = 3;
  std::optional<uint64_t> tensor_count_;
  std::optional<uint64_t> kv_count_;
  uint32_t alignment_ = kGgufDefaultAlignment;
  std::vector<std::pair<std::string, gguf_encode::Value>> kvs_;
  std::vector<Tensor> tensors_;
};

}  // namespace pipefit

#endif  // PIPEFIT_TESTING_GGUF_BUILDER_H_
