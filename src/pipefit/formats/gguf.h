// GGUF header reader. The format (ggml docs/gguf.md, "File Structure"), all
// little-endian:
//   "GGUF", u32 version, u64 tensor_count, u64 kv_count,
//   kv_count x { string key, u32 value_type, value },
//   tensor_count x { string name, u32 n_dims, u64 ne[n_dims] (innermost
//                    first), u32 ggml_type, u64 offset },
//   zero padding to `general.alignment` (default 32), then the data section.
// A string is a u64 byte length followed by the bytes (no terminator). An
// array value is u32 element type, u64 count, then the elements.
//
// Versions 2 and 3 share this layout and are read; version 1 (32-bit counts)
// and big-endian files (v3 allows them; the version then reads byte-swapped)
// are kUnsupported. Every count and length is checked against the bytes left
// in the file before anything is allocated or read, so a hostile header
// cannot cause a large allocation. The header is read incrementally through
// FileSystem::ReadRange (1 MiB first, doubling as needed, never past the end
// of the file or the header limit); the data section is never read.
//
// Checks, each an error naming the file and the fault:
//   kMalformed   bad magic, truncation, unknown value type, duplicate KV key,
//                general.alignment not a UINT32 power of two, n_dims 0, a
//                dimension of 0 or above INT64_MAX, element or byte count
//                overflow, row length ne[0] not a multiple of the type's
//                block size, offset not a multiple of the alignment, tensor
//                past the end of the file, overlapping tensors, duplicate
//                tensor name, a count or length larger than the rest of the
//                file.
//   kUnsupported version 1, versions above 3, big-endian files, n_dims above
//                ggml's GGML_MAX_DIMS (4), unknown ggml type id.
//   kLimit       more than kMaxTensorsPerFile tensors, more than
//                kMaxGgufKeyValues KVs, arrays nested deeper than
//                kMaxGgufArrayDepth, a header above kMaxGgufHeaderBytes.
// Versus ggml's gguf.cpp: holes between tensors are allowed (gguf-py, which
// diffusers uses, does not require packed tensors; gguf.cpp does), nested
// arrays are read (gguf-py reads them; gguf.cpp rejects them), and n_dims 0
// and zero dimensions are rejected (gguf.cpp accepts them, though its writer
// never emits n_dims 0 and a zero ne[1..3] breaks its own overflow check).
#ifndef PIPEFIT_FORMATS_GGUF_H_
#define PIPEFIT_FORMATS_GGUF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/formats/tensor_info.h"

namespace pipefit {

// pipefit's limits for GGUF headers (docs/formats.md). The largest real
// headers are LLM text encoders with a 256k-token vocabulary and merges, a
// few tens of MB; 256 MiB leaves room and bounds memory.
inline constexpr int64_t kMaxGgufHeaderBytes = 256 * kMiB;
inline constexpr int64_t kMaxGgufKeyValues = 1'000'000;
// ggml's gguf.cpp rejects nested arrays; gguf-py reads them. Real files do
// not nest; depth 1 is a plain array.
inline constexpr int kMaxGgufArrayDepth = 8;
// Array elements kept in memory across the whole header (a GgufValue is
// ~100 bytes, so at most ~26 MB). Counts are always exact; elements past
// the budget are skipped, not stored. pipefit needs no vocabulary.
inline constexpr int64_t kMaxGgufArrayElementsKept = 1 << 18;
// ggml/include/ggml.h GGML_MAX_DIMS; gguf.cpp rejects n_dims above it.
inline constexpr int kGgmlMaxDims = 4;
// ggml/include/gguf.h GGUF_DEFAULT_ALIGNMENT.
inline constexpr uint32_t kGgufDefaultAlignment = 32;

// Value types (ggml/include/gguf.h `enum gguf_type`).
enum class GgufType : uint32_t {
  kUint8 = 0,
  kInt8 = 1,
  kUint16 = 2,
  kInt16 = 3,
  kUint32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUint64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "UINT32", "STRING", ... as in the GGUF spec.
std::string_view GgufTypeName(GgufType type);

// One metadata value. Only the fields for `type` are set.
struct GgufValue {
  GgufType type = GgufType::kUint8;
  uint64_t uint_value = 0;                   // UINT8, UINT16, UINT32, UINT64; BOOL as 0 or 1
  int64_t int_value = 0;                     // INT8, INT16, INT32, INT64
  double float_value = 0;                    // FLOAT32, FLOAT64
  std::string string_value;                  // STRING (bytes as stored, not checked UTF-8)
  GgufType element_type = GgufType::kUint8;  // ARRAY
  uint64_t array_count = 0;                  // ARRAY: elements in the file
  // ARRAY: the first elements, all of them unless the header-wide
  // kMaxGgufArrayElementsKept budget ran out (then fewer than array_count).
  std::vector<GgufValue> elements;
};

struct GgufKeyValue {
  std::string key;
  GgufValue value;
};

struct GgufHeader {
  uint32_t version = 0;
  uint32_t alignment = kGgufDefaultAlignment;
  // Start of the data section: the end of the tensor infos rounded up to
  // `alignment`. May exceed file_size only when there are no tensors.
  int64_t data_start = 0;
  int64_t file_size = 0;
  std::vector<GgufKeyValue> metadata;  // file order, keys unique
  // File order; shapes in torch order (ggml's ne reversed); data_offset is
  // relative to data_start.
  std::vector<TensorInfo> tensors;
};

// Reads and validates the header of the GGUF file at `path`. Messages are
// prefixed with `path`.
Result<GgufHeader> ReadGgufHeader(const FileSystem& fs, const std::string& path);

// The value of `key`, or nullptr.
const GgufValue* FindGgufValue(const GgufHeader& header, std::string_view key);
// The STRING value of `key`; nullopt if absent or of another type.
std::optional<std::string> GgufString(const GgufHeader& header, std::string_view key);
// The value of `key` if it is an integer type (not BOOL) that fits int64.
std::optional<int64_t> GgufInt(const GgufHeader& header, std::string_view key);

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_GGUF_H_
