#include "pipefit/formats/gguf.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <numeric>
#include <unordered_set>
#include <utility>

#include "pipefit/base/bytes.h"
#include "pipefit/formats/dtype.h"

namespace pipefit {
namespace {

// The first read; later reads double the buffer (kept under the limit).
constexpr int64_t kInitialReadBytes = kMiB;
// Smallest encodings, used to bound counts by the bytes left in the file:
// a KV is a key length (8), a value type (4) and at least one value byte; a
// tensor info is a name length (8), n_dims (4), one dimension (8), a type (4)
// and an offset (8).
constexpr int64_t kMinKeyValueBytes = 8 + 4 + 1;
constexpr int64_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

enum class Kind { kUnsigned, kSigned, kFloat, kBool, kString, kArray };

struct TypeRow {
  std::string_view name;
  Kind kind;
  int64_t min_bytes;  // exact size for scalars; STRING and ARRAY headers
};

// Indexed by GgufType. Sizes from ggml docs/gguf.md (`gguf_metadata_value_type`).
constexpr TypeRow kTypeRows[] = {
    {"UINT8", Kind::kUnsigned, 1},  {"INT8", Kind::kSigned, 1},     {"UINT16", Kind::kUnsigned, 2},
    {"INT16", Kind::kSigned, 2},    {"UINT32", Kind::kUnsigned, 4}, {"INT32", Kind::kSigned, 4},
    {"FLOAT32", Kind::kFloat, 4},   {"BOOL", Kind::kBool, 1},       {"STRING", Kind::kString, 8},
    {"ARRAY", Kind::kArray, 4 + 8}, {"UINT64", Kind::kUnsigned, 8}, {"INT64", Kind::kSigned, 8},
    {"FLOAT64", Kind::kFloat, 8},
};

const TypeRow& RowOf(GgufType type) { return kTypeRows[static_cast<uint32_t>(type)]; }

bool IsFixedSize(GgufType type) { return type != GgufType::kString && type != GgufType::kArray; }

// Reads the header front to back, fetching bytes from the file system on
// demand. Every request is checked against the end of the file and the
// header limit before a byte is read or allocated. `what` arguments name the
// field in messages and cost nothing unless there is an error.
class HeaderReader {
 public:
  HeaderReader(const FileSystem& fs, const std::string& path, int64_t file_size)
      : fs_(fs), path_(path), file_size_(file_size) {}

  int64_t position() const { return position_; }
  int64_t file_size() const { return file_size_; }
  int64_t left() const { return file_size_ - position_; }

  // An error whose message is "<path>: <formatted text>".
  template <typename... Args>
  Error Fail(ErrorCode code, fmt::format_string<Args...> text, Args&&... args) const {
    return MakeErrorf(code, "{}: {}", path_, fmt::format(text, std::forward<Args>(args)...));
  }
  template <typename... Args>
  Error Malformed(fmt::format_string<Args...> text, Args&&... args) const {
    return Fail(ErrorCode::kMalformed, text, std::forward<Args>(args)...);
  }

  // A little-endian unsigned integer of `size` (1 to 8) bytes.
  Result<uint64_t> ReadUint(int64_t size, std::string_view what) {
    PIPEFIT_RETURN_IF_ERROR(Ensure(size, what));
    uint64_t value = 0;
    for (int64_t i = size - 1; i >= 0; --i) {
      value = (value << 8) | static_cast<unsigned char>(buffer_[static_cast<size_t>(position_ + i)]);
    }
    position_ += size;
    return value;
  }
  Result<uint32_t> ReadU32(std::string_view what) {
    PIPEFIT_ASSIGN_OR_RETURN(uint64_t value, ReadUint(4, what));
    return static_cast<uint32_t>(value);
  }
  Result<uint64_t> ReadU64(std::string_view what) { return ReadUint(8, what); }

  Result<std::string> ReadBytes(int64_t size, std::string_view what) {
    PIPEFIT_RETURN_IF_ERROR(Ensure(size, what));
    std::string out = buffer_.substr(static_cast<size_t>(position_), static_cast<size_t>(size));
    position_ += size;
    return out;
  }
  Status Skip(int64_t size, std::string_view what) {
    PIPEFIT_RETURN_IF_ERROR(Ensure(size, what));
    position_ += size;
    return OkStatus();
  }

  // A gguf string: u64 length, then the bytes.
  Result<std::string> ReadString(std::string_view what) {
    PIPEFIT_ASSIGN_OR_RETURN(int64_t length, ReadStringLength(what));
    return ReadBytes(length, what);
  }
  Status SkipString(std::string_view what) {
    PIPEFIT_ASSIGN_OR_RETURN(int64_t length, ReadStringLength(what));
    return Skip(length, what);
  }

  // Fails unless `count` items of at least `min_bytes` each can follow. The
  // message reads "[<where>: ]<noun> <count> needs ...".
  Status CheckCount(uint64_t count, int64_t min_bytes, std::string_view where, std::string_view noun) const {
    if (count <= static_cast<uint64_t>(left() / min_bytes)) return OkStatus();
    return Malformed(
        "{}{}{} {} needs at least {} bytes each, but the file has {} bytes left "
        "after offset {}",
        where, where.empty() ? "" : ": ", noun, count, min_bytes, left(), position_);
  }

 private:
  Status Ensure(int64_t size, std::string_view what);
  Result<int64_t> ReadStringLength(std::string_view what);

  const FileSystem& fs_;
  const std::string& path_;
  const int64_t file_size_;
  int64_t position_ = 0;
  std::string buffer_;  // the file's bytes [0, buffer_.size())
};

Status HeaderReader::Ensure(int64_t size, std::string_view what) {
  if (size > left()) {
    return Malformed("file ends after {} bytes, inside {} at offset {}", file_size_, what, position_);
  }
  const int64_t end = position_ + size;
  if (end > kMaxGgufHeaderBytes) {
    return Fail(ErrorCode::kLimit, "header exceeds the {} MiB limit ({} at offset {} ends at {})",
                kMaxGgufHeaderBytes / kMiB, what, position_, end);
  }
  const int64_t loaded = static_cast<int64_t>(buffer_.size());
  if (end <= loaded) return OkStatus();
  const int64_t target =
      std::min({std::max({end, 2 * loaded, kInitialReadBytes}), file_size_, kMaxGgufHeaderBytes});
  PIPEFIT_ASSIGN_OR_RETURN(std::string more, fs_.ReadRange(path_, loaded, target - loaded));
  buffer_ += more;
  return OkStatus();
}

Result<int64_t> HeaderReader::ReadStringLength(std::string_view what) {
  const int64_t at = position_;
  PIPEFIT_ASSIGN_OR_RETURN(uint64_t length, ReadU64(what));
  if (length > static_cast<uint64_t>(left())) {
    return Malformed("{}: string length {} at offset {} runs past the end of the file ({} bytes)", what,
                     length, at, file_size_);
  }
  return static_cast<int64_t>(length);
}

// --- Metadata ----------------------------------------------------------------

// Array elements kept so far across one header.
struct KeepBudget {
  int64_t left = kMaxGgufArrayElementsKept;
};

// A type id; messages read "<what>: unknown <noun> 99 at offset N".
Result<GgufType> ReadType(HeaderReader& reader, std::string_view what, std::string_view noun) {
  const int64_t at = reader.position();
  PIPEFIT_ASSIGN_OR_RETURN(uint32_t raw, reader.ReadU32(what));
  if (raw >= std::size(kTypeRows)) {
    return reader.Malformed("{}: unknown {} {} at offset {}", what, noun, raw, at);
  }
  return static_cast<GgufType>(raw);
}

// Decodes a scalar of `type` from its little-endian bits.
GgufValue DecodeScalar(GgufType type, uint64_t bits) {
  GgufValue value;
  value.type = type;
  const TypeRow& row = RowOf(type);
  if (row.kind == Kind::kSigned) {
    const int shift = static_cast<int>(64 - 8 * row.min_bytes);  // sign-extend
    value.int_value = static_cast<int64_t>(bits << shift) >> shift;
  } else if (row.kind == Kind::kFloat && row.min_bytes == 4) {
    const uint32_t narrow = static_cast<uint32_t>(bits);
    float f;
    std::memcpy(&f, &narrow, sizeof f);
    value.float_value = f;
  } else if (row.kind == Kind::kFloat) {
    std::memcpy(&value.float_value, &bits, sizeof bits);
  } else {
    value.uint_value = row.kind == Kind::kBool ? (bits != 0) : bits;
  }
  return value;
}

Result<GgufValue> ReadArray(HeaderReader& reader, int depth, KeepBudget& budget, const std::string& where);

// `depth` counts the arrays around the value (0 for a KV's own value).
Result<GgufValue> ReadValue(HeaderReader& reader, GgufType type, int depth, KeepBudget& budget,
                            const std::string& where) {
  if (type == GgufType::kArray) return ReadArray(reader, depth + 1, budget, where);
  if (type == GgufType::kString) {
    GgufValue value;
    value.type = type;
    PIPEFIT_ASSIGN_OR_RETURN(value.string_value, reader.ReadString(where));
    return value;
  }
  PIPEFIT_ASSIGN_OR_RETURN(uint64_t bits, reader.ReadUint(RowOf(type).min_bytes, where));
  return DecodeScalar(type, bits);
}

// Skips `count` elements of `type` once the keep budget is spent. The count
// was checked against the file, so the bulk skip cannot overflow.
Status SkipElements(HeaderReader& reader, GgufType type, uint64_t count, int depth, KeepBudget& budget,
                    const std::string& where) {
  if (IsFixedSize(type)) {
    return reader.Skip(static_cast<int64_t>(count) * RowOf(type).min_bytes, where);
  }
  for (uint64_t i = 0; i < count; ++i) {
    if (type == GgufType::kString) {
      PIPEFIT_RETURN_IF_ERROR(reader.SkipString(where));
    } else {
      PIPEFIT_RETURN_IF_ERROR(ReadArray(reader, depth + 1, budget, where));
    }
  }
  return OkStatus();
}

// An array at nesting `depth` (1 for a KV's own array value).
Result<GgufValue> ReadArray(HeaderReader& reader, int depth, KeepBudget& budget, const std::string& where) {
  GgufValue value;
  value.type = GgufType::kArray;
  PIPEFIT_ASSIGN_OR_RETURN(value.element_type, ReadType(reader, where, "array element type"));
  if (value.element_type == GgufType::kArray && depth + 1 > kMaxGgufArrayDepth) {
    return reader.Fail(ErrorCode::kLimit, "{}: arrays nested deeper than {} levels", where,
                       kMaxGgufArrayDepth);
  }
  PIPEFIT_ASSIGN_OR_RETURN(value.array_count, reader.ReadU64(where));
  PIPEFIT_RETURN_IF_ERROR(
      reader.CheckCount(value.array_count, RowOf(value.element_type).min_bytes, where, "array count"));
  for (uint64_t i = 0; i < value.array_count; ++i) {
    if (budget.left == 0) {
      PIPEFIT_RETURN_IF_ERROR(
          SkipElements(reader, value.element_type, value.array_count - i, depth, budget, where));
      break;
    }
    PIPEFIT_ASSIGN_OR_RETURN(GgufValue element, ReadValue(reader, value.element_type, depth, budget, where));
    value.elements.push_back(std::move(element));
    if (budget.left > 0) --budget.left;  // a nested array may have spent it
  }
  return value;
}

Status ReadKeyValues(HeaderReader& reader, uint64_t kv_count, GgufHeader& header) {
  PIPEFIT_RETURN_IF_ERROR(reader.CheckCount(kv_count, kMinKeyValueBytes, "", "KV count"));
  if (kv_count > static_cast<uint64_t>(kMaxGgufKeyValues)) {
    return reader.Fail(ErrorCode::kLimit, "KV count {} exceeds the limit of {}", kv_count, kMaxGgufKeyValues);
  }
  KeepBudget budget;
  std::unordered_set<std::string> keys;
  for (uint64_t i = 0; i < kv_count; ++i) {
    PIPEFIT_ASSIGN_OR_RETURN(std::string key, reader.ReadString(fmt::format("KV {} key", i)));
    if (!keys.insert(key).second) return reader.Malformed("duplicate KV key '{}'", key);
    const std::string where = fmt::format("KV '{}'", key);
    PIPEFIT_ASSIGN_OR_RETURN(GgufType type, ReadType(reader, where, "value type"));
    PIPEFIT_ASSIGN_OR_RETURN(GgufValue value, ReadValue(reader, type, 0, budget, where));
    header.metadata.push_back(GgufKeyValue{std::move(key), std::move(value)});
  }
  return OkStatus();
}

// general.alignment (ggml/include/gguf.h GGUF_KEY_GENERAL_ALIGNMENT): a
// UINT32 power of two; gguf.cpp reads it with gguf_get_val_u32.
Status ApplyAlignment(const HeaderReader& reader, GgufHeader& header) {
  const GgufValue* value = FindGgufValue(header, "general.alignment");
  if (value == nullptr) return OkStatus();
  if (value->type != GgufType::kUint32) {
    return reader.Malformed("general.alignment must be UINT32, found {}", GgufTypeName(value->type));
  }
  const uint64_t alignment = value->uint_value;
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return reader.Malformed("general.alignment {} is not a nonzero power of two", alignment);
  }
  header.alignment = static_cast<uint32_t>(alignment);
  return OkStatus();
}

// --- Preamble ----------------------------------------------------------------

Status CheckVersion(const HeaderReader& reader, uint32_t version) {
  if (version == 0) return reader.Malformed("GGUF version 0 is invalid");
  // A big-endian file's version (2 or 3) reads as 0x02000000 or 0x03000000;
  // ggml's gguf.cpp uses the same test on the low 16 bits.
  if ((version & 0xFFFF) == 0) {
    return reader.Fail(ErrorCode::kUnsupported,
                       "big-endian GGUF (version field reads {:#010x}); only little-endian files "
                       "are supported",
                       version);
  }
  if (version == 1) {
    return reader.Fail(ErrorCode::kUnsupported,
                       "GGUF version 1 is not supported (it used 32-bit counts); only v2 and v3 "
                       "are read");
  }
  if (version > 3) {
    return reader.Fail(ErrorCode::kUnsupported, "GGUF version {} is newer than v3, the latest supported",
                       version);
  }
  return OkStatus();
}

std::string Printable(std::string_view bytes) {
  std::string out;
  for (char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    out += (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c)) : fmt::format("\\x{:02x}", c);
  }
  return out;
}

// Magic, version and the two counts; leaves the reader at the first KV.
Status ReadPreamble(HeaderReader& reader, GgufHeader& header, uint64_t& tensor_count, uint64_t& kv_count) {
  if (reader.file_size() < 4) {
    return reader.Malformed("file is {} bytes, too short for the GGUF magic", reader.file_size());
  }
  PIPEFIT_ASSIGN_OR_RETURN(std::string magic, reader.ReadBytes(4, "the magic"));
  if (magic != "GGUF") return reader.Malformed("bad magic '{}', expected 'GGUF'", Printable(magic));
  PIPEFIT_ASSIGN_OR_RETURN(header.version, reader.ReadU32("the version"));
  PIPEFIT_RETURN_IF_ERROR(CheckVersion(reader, header.version));
  PIPEFIT_ASSIGN_OR_RETURN(tensor_count, reader.ReadU64("the tensor count"));
  PIPEFIT_ASSIGN_OR_RETURN(kv_count, reader.ReadU64("the KV count"));
  return OkStatus();
}

// --- Tensor infos ------------------------------------------------------------

std::string ShapeText(const std::vector<int64_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

// Reads n_dims and ne[], checks them and fills shape (torch order) and numel.
Status ReadShape(HeaderReader& reader, const std::string& where, TensorInfo& tensor) {
  PIPEFIT_ASSIGN_OR_RETURN(uint32_t n_dims, reader.ReadU32(where));
  if (n_dims == 0) return reader.Malformed("{}: n_dims is 0", where);
  if (n_dims > static_cast<uint32_t>(kGgmlMaxDims)) {
    return reader.Fail(ErrorCode::kUnsupported, "{}: n_dims {} exceeds ggml's limit of {} (GGML_MAX_DIMS)",
                       where, n_dims, kGgmlMaxDims);
  }
  tensor.shape.assign(n_dims, 0);
  std::optional<int64_t> numel = 1;
  for (uint32_t j = 0; j < n_dims; ++j) {
    PIPEFIT_ASSIGN_OR_RETURN(uint64_t ne, reader.ReadU64(where));
    if (ne == 0 || ne > static_cast<uint64_t>(INT64_MAX)) {
      return reader.Malformed("{}: dimension ne[{}] is {}, expected 1 to INT64_MAX", where, j, ne);
    }
    tensor.shape[n_dims - 1 - j] = static_cast<int64_t>(ne);  // ggml order reversed
    if (numel) numel = CheckedMul(*numel, static_cast<int64_t>(ne));
  }
  if (!numel) {
    return reader.Malformed("{}: element count of shape {} overflows int64", where, ShapeText(tensor.shape));
  }
  tensor.numel = *numel;
  return OkStatus();
}

Status ReadTypeAndSize(HeaderReader& reader, const std::string& where, TensorInfo& tensor) {
  PIPEFIT_ASSIGN_OR_RETURN(uint32_t type_id, reader.ReadU32(where));
  std::optional<DType> dtype = DTypeFromGgmlId(type_id);
  if (!dtype) {
    return reader.Fail(ErrorCode::kUnsupported, "{}: unknown ggml type id {}", where, type_id);
  }
  tensor.dtype = *dtype;
  const DTypeInfo& info = GetDTypeInfo(*dtype);
  const int64_t row = tensor.shape.back();  // ne[0]
  if (row % info.block_elements != 0) {
    return reader.Malformed("{}: row length ne[0] = {} is not a multiple of the {} block size {}", where, row,
                            info.name, info.block_elements);
  }
  std::optional<int64_t> bytes = DTypeBytes(*dtype, tensor.numel);
  if (!bytes) {
    return reader.Malformed("{}: byte count of shape {} {} overflows int64", where, ShapeText(tensor.shape),
                            info.name);
  }
  tensor.bytes = *bytes;
  return OkStatus();
}

Result<TensorInfo> ReadTensorInfo(HeaderReader& reader, uint64_t index, uint32_t alignment) {
  TensorInfo tensor;
  PIPEFIT_ASSIGN_OR_RETURN(tensor.name, reader.ReadString(fmt::format("tensor info {} name", index)));
  const std::string where = fmt::format("tensor '{}'", tensor.name);
  PIPEFIT_RETURN_IF_ERROR(ReadShape(reader, where, tensor));
  PIPEFIT_RETURN_IF_ERROR(ReadTypeAndSize(reader, where, tensor));
  PIPEFIT_ASSIGN_OR_RETURN(uint64_t offset, reader.ReadU64(where));
  if (offset % alignment != 0) {
    return reader.Malformed("{}: offset {} is not a multiple of the alignment {}", where, offset, alignment);
  }
  if (offset > static_cast<uint64_t>(reader.file_size())) {
    return reader.Malformed("{}: offset {} is past the end of the file ({} bytes)", where, offset,
                            reader.file_size());
  }
  tensor.data_offset = static_cast<int64_t>(offset);
  return tensor;
}

Status ReadTensorInfos(HeaderReader& reader, uint64_t tensor_count, GgufHeader& header) {
  PIPEFIT_RETURN_IF_ERROR(reader.CheckCount(tensor_count, kMinTensorInfoBytes, "", "tensor count"));
  if (tensor_count > static_cast<uint64_t>(kMaxTensorsPerFile)) {
    return reader.Fail(ErrorCode::kLimit, "tensor count {} exceeds the limit of {}", tensor_count,
                       kMaxTensorsPerFile);
  }
  std::unordered_set<std::string> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    PIPEFIT_ASSIGN_OR_RETURN(TensorInfo tensor, ReadTensorInfo(reader, i, header.alignment));
    if (!names.insert(tensor.name).second) {
      return reader.Malformed("duplicate tensor name '{}'", tensor.name);
    }
    header.tensors.push_back(std::move(tensor));
  }
  return OkStatus();
}

// Every tensor lies inside the file and no two overlap.
Status CheckTensorRanges(const HeaderReader& reader, const GgufHeader& header) {
  for (const TensorInfo& t : header.tensors) {
    auto start = CheckedAdd(header.data_start, t.data_offset);
    auto end = start ? CheckedAdd(*start, t.bytes) : std::nullopt;
    if (!end || *end > header.file_size) {
      return reader.Malformed(
          "tensor '{}': {} bytes at data offset {} (data starts at {}) run past the end of the "
          "file ({} bytes)",
          t.name, t.bytes, t.data_offset, header.data_start, header.file_size);
    }
  }
  std::vector<const TensorInfo*> order;
  for (const TensorInfo& t : header.tensors) order.push_back(&t);
  std::sort(order.begin(), order.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->data_offset < b->data_offset; });
  for (size_t k = 1; k < order.size(); ++k) {
    const TensorInfo& before = *order[k - 1];
    const TensorInfo& after = *order[k];
    if (after.data_offset < before.data_offset + before.bytes) {
      return reader.Malformed(
          "tensor '{}' at data offset {} overlaps tensor '{}' ({} bytes at data offset {})", after.name,
          after.data_offset, before.name, before.bytes, before.data_offset);
    }
  }
  return OkStatus();
}

}  // namespace

std::string_view GgufTypeName(GgufType type) {
  const auto index = static_cast<uint32_t>(type);
  return index < std::size(kTypeRows) ? kTypeRows[index].name : std::string_view("UNKNOWN");
}

Result<GgufHeader> ReadGgufHeader(const FileSystem& fs, const std::string& path) {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (info.is_directory) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: is a directory, expected a .gguf file", path);
  }
  HeaderReader reader(fs, path, info.size);
  GgufHeader header;
  header.file_size = info.size;
  uint64_t tensor_count = 0, kv_count = 0;
  PIPEFIT_RETURN_IF_ERROR(ReadPreamble(reader, header, tensor_count, kv_count));
  PIPEFIT_RETURN_IF_ERROR(ReadKeyValues(reader, kv_count, header));
  PIPEFIT_RETURN_IF_ERROR(ApplyAlignment(reader, header));
  PIPEFIT_RETURN_IF_ERROR(ReadTensorInfos(reader, tensor_count, header));
  // Round up to the alignment (a power of two below 2^32; the position is
  // under kMaxGgufHeaderBytes, so this cannot overflow).
  const int64_t mask = static_cast<int64_t>(header.alignment) - 1;
  header.data_start = (reader.position() + mask) & ~mask;
  PIPEFIT_RETURN_IF_ERROR(CheckTensorRanges(reader, header));
  return header;
}

const GgufValue* FindGgufValue(const GgufHeader& header, std::string_view key) {
  for (const GgufKeyValue& entry : header.metadata) {
    if (entry.key == key) return &entry.value;
  }
  return nullptr;
}

std::optional<std::string> GgufString(const GgufHeader& header, std::string_view key) {
  const GgufValue* value = FindGgufValue(header, key);
  if (value == nullptr || value->type != GgufType::kString) return std::nullopt;
  return value->string_value;
}

std::optional<int64_t> GgufInt(const GgufHeader& header, std::string_view key) {
  const GgufValue* value = FindGgufValue(header, key);
  if (value == nullptr) return std::nullopt;
  const Kind kind = RowOf(value->type).kind;
  if (kind == Kind::kSigned) return value->int_value;
  if (kind != Kind::kUnsigned || value->uint_value > static_cast<uint64_t>(INT64_MAX)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(value->uint_value);
}

}  // namespace pipefit
