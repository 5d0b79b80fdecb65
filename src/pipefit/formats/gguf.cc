#include "pipefit/formats/gguf.h"

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

struct TypeRow {
  GgufType type;
  std::string_view name;
  int64_t min_bytes;  // exact size for scalars; STRING and ARRAY headers
};

// Sizes from ggml docs/gguf.md (`gguf_metadata_value_type`).
constexpr TypeRow kTypeRows[] = {
    {GgufType::kUint8, "UINT8", 1},     {GgufType::kInt8, "INT8", 1},
    {GgufType::kUint16, "UINT16", 2},   {GgufType::kInt16, "INT16", 2},
    {GgufType::kUint32, "UINT32", 4},   {GgufType::kInt32, "INT32", 4},
    {GgufType::kFloat32, "FLOAT32", 4}, {GgufType::kBool, "BOOL", 1},
    {GgufType::kString, "STRING", 8},   {GgufType::kArray, "ARRAY", 4 + 8},
    {GgufType::kUint64, "UINT64", 8},   {GgufType::kInt64, "INT64", 8},
    {GgufType::kFloat64, "FLOAT64", 8},
};

const TypeRow& RowOf(GgufType type) { return kTypeRows[static_cast<uint32_t>(type)]; }

bool IsFixedSize(GgufType type) { return type != GgufType::kString && type != GgufType::kArray; }

uint64_t LoadLittleEndian(const char* bytes, int64_t size) {
  uint64_t value = 0;
  for (int64_t i = size - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

// Reads the header front to back, fetching bytes from the file system on
// demand. Every request is checked against the end of the file and the
// header limit before a byte is read or allocated.
class HeaderReader {
 public:
  HeaderReader(const FileSystem& fs, const std::string& path, int64_t file_size)
      : fs_(fs), path_(path), file_size_(file_size) {}

  int64_t position() const { return position_; }
  int64_t file_size() const { return file_size_; }
  const std::string& path() const { return path_; }

  Error Fail(ErrorCode code, const std::string& what) const {
    return MakeError(code, path_ + ": " + what);
  }
  Error Malformed(const std::string& what) const { return Fail(ErrorCode::kMalformed, what); }

  Result<uint64_t> ReadUint(int64_t size, std::string_view what) {
    PIPEFIT_RETURN_IF_ERROR(Ensure(size, what));
    uint64_t value = LoadLittleEndian(buffer_.data() + position_, size);
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

  // Fails unless `count` items of at least `min_bytes` each can follow.
  // The message is "<where>: <noun> <count> needs ..." (no "where" if empty).
  Status CheckCount(uint64_t count, int64_t min_bytes, std::string_view where,
                    std::string_view noun) const {
    const int64_t left = file_size_ - position_;
    if (count <= static_cast<uint64_t>(left / min_bytes)) return OkStatus();
    const std::string prefix = where.empty() ? "" : std::string(where) + ": ";
    return Malformed(prefix + std::string(noun) + " " + std::to_string(count) + " needs at least " +
                     std::to_string(min_bytes) + " bytes each, but the file has " +
                     std::to_string(left) + " bytes left after offset " +
                     std::to_string(position_));
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
  if (size > file_size_ - position_) {
    return Malformed("file ends after " + std::to_string(file_size_) + " bytes, inside " +
                     std::string(what) + " at offset " + std::to_string(position_));
  }
  const int64_t end = position_ + size;
  if (end > kMaxGgufHeaderBytes) {
    return Fail(ErrorCode::kLimit,
                "header exceeds the " + std::to_string(kMaxGgufHeaderBytes / kMiB) +
                    " MiB limit (" + std::string(what) + " at offset " + std::to_string(position_) +
                    " ends at " + std::to_string(end) + ")");
  }
  const int64_t loaded = static_cast<int64_t>(buffer_.size());
  if (end <= loaded) return OkStatus();
  int64_t target = std::max({end, 2 * loaded, kInitialReadBytes});
  target = std::min({target, file_size_, kMaxGgufHeaderBytes});
  PIPEFIT_ASSIGN_OR_RETURN(std::string more, fs_.ReadRange(path_, loaded, target - loaded));
  buffer_ += more;
  return OkStatus();
}

// A string's u64 length, checked against the rest of the file.
Result<int64_t> HeaderReader::ReadStringLength(std::string_view what) {
  const int64_t at = position_;
  PIPEFIT_ASSIGN_OR_RETURN(uint64_t length, ReadU64(what));
  if (length > static_cast<uint64_t>(file_size_ - position_)) {
    return Malformed(std::string(what) + ": string length " + std::to_string(length) +
                     " at offset " + std::to_string(at) + " runs past the end of the file (" +
                     std::to_string(file_size_) + " bytes)");
  }
  return static_cast<int64_t>(length);
}

// Budget of array elements kept across one header.
struct KeepBudget {
  int64_t left = kMaxGgufArrayElementsKept;
};

// A type id; messages read "<what>: unknown <noun> 99 at offset N".
Result<GgufType> ReadType(HeaderReader& reader, std::string_view what, std::string_view noun) {
  const int64_t at = reader.position();
  PIPEFIT_ASSIGN_OR_RETURN(uint32_t raw, reader.ReadU32(what));
  if (raw >= std::size(kTypeRows)) {
    return reader.Malformed(std::string(what) + ": unknown " + std::string(noun) + " " +
                            std::to_string(raw) + " at offset " + std::to_string(at));
  }
  return static_cast<GgufType>(raw);
}

Result<GgufValue> ReadValue(HeaderReader& reader, GgufType type, int depth, KeepBudget& budget,
                            const std::string& where);

Result<GgufValue> ReadArray(HeaderReader& reader, int depth, KeepBudget& budget,
                            const std::string& where);

// Skips `count` elements of `type` once the keep budget is spent. The
// count was checked against the file, so the bulk skip cannot overflow.
Status SkipElements(HeaderReader& reader, GgufType type, uint64_t count, int depth,
                    KeepBudget& budget, const std::string& where) {
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

Result<GgufValue> ReadArray(HeaderReader& reader, int depth, KeepBudget& budget,
                            const std::string& where) {
  GgufValue value;
  value.type = GgufType::kArray;
  PIPEFIT_ASSIGN_OR_RETURN(value.element_type, ReadType(reader, where, "array element type"));
  if (value.element_type == GgufType::kArray && depth + 1 > kMaxGgufArrayDepth) {
    return reader.Fail(ErrorCode::kLimit, where + ": arrays nested deeper than " +
                                              std::to_string(kMaxGgufArrayDepth) + " levels");
  }
  PIPEFIT_ASSIGN_OR_RETURN(value.array_count, reader.ReadU64(where));
  PIPEFIT_RETURN_IF_ERROR(reader.CheckCount(value.array_count, RowOf(value.element_type).min_bytes,
                                            where, "array count"));
  for (uint64_t i = 0; i < value.array_count; ++i) {
    if (budget.left == 0) {
      PIPEFIT_RETURN_IF_ERROR(
          SkipElements(reader, value.element_type, value.array_count - i, depth, budget, where));
      break;
    }
    PIPEFIT_ASSIGN_OR_RETURN(GgufValue element,
                             ReadValue(reader, value.element_type, depth, budget, where));
    value.elements.push_back(std::move(element));
    if (budget.left > 0) --budget.left;  // a nested array may have spent it
  }
  return value;
}

// Decodes a scalar of `type` from its little-endian bits.
GgufValue DecodeScalar(GgufType type, uint64_t bits) {
  GgufValue value;
  value.type = type;
  switch (type) {
    case GgufType::kInt8:
      value.int_value = static_cast<int8_t>(bits);
      break;
    case GgufType::kInt16:
      value.int_value = static_cast<int16_t>(bits);
      break;
    case GgufType::kInt32:
      value.int_value = static_cast<int32_t>(bits);
      break;
    case GgufType::kInt64:
      value.int_value = static_cast<int64_t>(bits);
      break;
    case GgufType::kFloat32: {
      const uint32_t narrow = static_cast<uint32_t>(bits);
      float f;
      std::memcpy(&f, &narrow, sizeof f);
      value.float_value = f;
      break;
    }
    case GgufType::kFloat64:
      std::memcpy(&value.float_value, &bits, sizeof bits);
      break;
    case GgufType::kBool:
      value.uint_value = bits != 0 ? 1 : 0;
      break;
    default:
      value.uint_value = bits;
      break;  // unsigned integers
  }
  return value;
}

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

Status CheckVersion(HeaderReader& reader, uint32_t version) {
  if (version == 0) return reader.Malformed("GGUF version 0 is invalid");
  // A big-endian file's version (2 or 3) reads as 0x02000000 or 0x03000000
  // here; ggml's gguf.cpp uses the same test on the low 16 bits.
  if ((version & 0xFFFF) == 0) {
    return reader.Fail(ErrorCode::kUnsupported, "big-endian GGUF (version field reads " +
                                                    std::to_string(version) +
                                                    "); only little-endian files are supported");
  }
  if (version == 1) {
    return reader.Fail(ErrorCode::kUnsupported,
                       "GGUF version 1 is not supported (it used 32-bit counts); only v2 and v3 "
                       "are read");
  }
  if (version > 3) {
    return reader.Fail(ErrorCode::kUnsupported, "GGUF version " + std::to_string(version) +
                                                    " is newer than v3, the latest supported");
  }
  return OkStatus();
}

std::string Printable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += std::string("\\x") + kHex[c >> 4] + kHex[c & 15];
    }
  }
  return out;
}

// Magic, version and the two counts; leaves the reader at the first KV.
Status ReadPreamble(HeaderReader& reader, GgufHeader& header, uint64_t& tensor_count,
                    uint64_t& kv_count) {
  if (reader.file_size() < 4) {
    return reader.Malformed("file is " + std::to_string(reader.file_size()) +
                            " bytes, too short for the GGUF magic");
  }
  PIPEFIT_ASSIGN_OR_RETURN(std::string magic, reader.ReadBytes(4, "the magic"));
  if (magic != "GGUF") {
    return reader.Malformed("bad magic '" + Printable(magic) + "', expected 'GGUF'");
  }
  PIPEFIT_ASSIGN_OR_RETURN(header.version, reader.ReadU32("the version"));
  PIPEFIT_RETURN_IF_ERROR(CheckVersion(reader, header.version));
  PIPEFIT_ASSIGN_OR_RETURN(tensor_count, reader.ReadU64("the tensor count"));
  PIPEFIT_ASSIGN_OR_RETURN(kv_count, reader.ReadU64("the KV count"));
  PIPEFIT_RETURN_IF_ERROR(reader.CheckCount(kv_count, kMinKeyValueBytes, "", "KV count"));
  if (kv_count > static_cast<uint64_t>(kMaxGgufKeyValues)) {
    return reader.Fail(ErrorCode::kLimit, "KV count " + std::to_string(kv_count) +
                                              " exceeds the limit of " +
                                              std::to_string(kMaxGgufKeyValues));
  }
  return OkStatus();
}

Status ReadKeyValues(HeaderReader& reader, uint64_t kv_count, GgufHeader& header) {
  KeepBudget budget;
  std::unordered_set<std::string> keys;
  for (uint64_t i = 0; i < kv_count; ++i) {
    PIPEFIT_ASSIGN_OR_RETURN(std::string key,
                             reader.ReadString("KV " + std::to_string(i) + " key"));
    const std::string where = "KV '" + key + "'";
    if (!keys.insert(key).second) return reader.Malformed("duplicate KV key '" + key + "'");
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
    return reader.Malformed("general.alignment must be UINT32, found " +
                            std::string(GgufTypeName(value->type)));
  }
  const uint64_t alignment = value->uint_value;
  if (alignment == 0 || (alignment & (alignment - 1)) != 0) {
    return reader.Malformed("general.alignment " + std::to_string(alignment) +
                            " is not a nonzero power of two");
  }
  header.alignment = static_cast<uint32_t>(alignment);
  return OkStatus();
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

// Reads n_dims and ne[], checks them and fills shape (torch order) and numel.
Status ReadShape(HeaderReader& reader, const std::string& where, TensorInfo& tensor) {
  PIPEFIT_ASSIGN_OR_RETURN(uint32_t n_dims, reader.ReadU32(where + " n_dims"));
  if (n_dims == 0) return reader.Malformed(where + ": n_dims is 0");
  if (n_dims > static_cast<uint32_t>(kGgmlMaxDims)) {
    return reader.Fail(ErrorCode::kUnsupported,
                       where + ": n_dims " + std::to_string(n_dims) + " exceeds ggml's limit of " +
                           std::to_string(kGgmlMaxDims) + " (GGML_MAX_DIMS)");
  }
  tensor.shape.assign(n_dims, 0);
  tensor.numel = 1;
  bool overflow = false;
  for (uint32_t j = 0; j < n_dims; ++j) {
    PIPEFIT_ASSIGN_OR_RETURN(uint64_t ne, reader.ReadU64(where + " dimensions"));
    if (ne == 0 || ne > static_cast<uint64_t>(INT64_MAX)) {
      return reader.Malformed(where + ": dimension ne[" + std::to_string(j) + "] is " +
                              std::to_string(ne) + ", expected 1 to INT64_MAX");
    }
    tensor.shape[n_dims - 1 - j] = static_cast<int64_t>(ne);  // ggml order reversed
    auto product = CheckedMul(tensor.numel, static_cast<int64_t>(ne));
    overflow = overflow || !product;
    tensor.numel = product.value_or(1);
  }
  if (overflow) {
    return reader.Malformed(where + ": element count of shape " + ShapeText(tensor.shape) +
                            " overflows int64");
  }
  return OkStatus();
}

Status ReadTypeAndSize(HeaderReader& reader, const std::string& where, TensorInfo& tensor) {
  PIPEFIT_ASSIGN_OR_RETURN(uint32_t type_id, reader.ReadU32(where + " ggml type"));
  std::optional<DType> dtype = DTypeFromGgmlId(type_id);
  if (!dtype) {
    return reader.Fail(ErrorCode::kUnsupported,
                       where + ": unknown ggml type id " + std::to_string(type_id));
  }
  tensor.dtype = *dtype;
  const DTypeInfo& info = GetDTypeInfo(*dtype);
  const int64_t row = tensor.shape.back();  // ne[0]
  if (row % info.block_elements != 0) {
    return reader.Malformed(where + ": row length ne[0] = " + std::to_string(row) +
                            " is not a multiple of the " + std::string(info.name) + " block size " +
                            std::to_string(info.block_elements));
  }
  std::optional<int64_t> bytes = DTypeBytes(*dtype, tensor.numel);
  if (!bytes) {
    return reader.Malformed(where + ": byte count of shape " + ShapeText(tensor.shape) + " " +
                            std::string(info.name) + " overflows int64");
  }
  tensor.bytes = *bytes;
  return OkStatus();
}

Result<TensorInfo> ReadTensorInfo(HeaderReader& reader, uint64_t index, uint32_t alignment) {
  TensorInfo tensor;
  PIPEFIT_ASSIGN_OR_RETURN(tensor.name,
                           reader.ReadString("tensor info " + std::to_string(index) + " name"));
  const std::string where = "tensor '" + tensor.name + "'";
  PIPEFIT_RETURN_IF_ERROR(ReadShape(reader, where, tensor));
  PIPEFIT_RETURN_IF_ERROR(ReadTypeAndSize(reader, where, tensor));
  PIPEFIT_ASSIGN_OR_RETURN(uint64_t offset, reader.ReadU64(where + " offset"));
  if (offset % alignment != 0) {
    return reader.Malformed(where + ": offset " + std::to_string(offset) +
                            " is not a multiple of the alignment " + std::to_string(alignment));
  }
  if (offset > static_cast<uint64_t>(reader.file_size())) {
    return reader.Malformed(where + ": offset " + std::to_string(offset) +
                            " is past the end of the file (" + std::to_string(reader.file_size()) +
                            " bytes)");
  }
  tensor.data_offset = static_cast<int64_t>(offset);
  return tensor;
}

Status ReadTensorInfos(HeaderReader& reader, uint64_t tensor_count, GgufHeader& header) {
  PIPEFIT_RETURN_IF_ERROR(reader.CheckCount(tensor_count, kMinTensorInfoBytes, "", "tensor count"));
  if (tensor_count > static_cast<uint64_t>(kMaxTensorsPerFile)) {
    return reader.Fail(ErrorCode::kLimit, "tensor count " + std::to_string(tensor_count) +
                                              " exceeds the limit of " +
                                              std::to_string(kMaxTensorsPerFile));
  }
  std::unordered_set<std::string> names;
  for (uint64_t i = 0; i < tensor_count; ++i) {
    PIPEFIT_ASSIGN_OR_RETURN(TensorInfo tensor, ReadTensorInfo(reader, i, header.alignment));
    if (!names.insert(tensor.name).second) {
      return reader.Malformed("duplicate tensor name '" + tensor.name + "'");
    }
    header.tensors.push_back(std::move(tensor));
  }
  return OkStatus();
}

// Every tensor lies inside the file and no two overlap.
Status CheckTensorRanges(const HeaderReader& reader, const GgufHeader& header) {
  for (const TensorInfo& tensor : header.tensors) {
    auto start = CheckedAdd(header.data_start, tensor.data_offset);
    auto end = start ? CheckedAdd(*start, tensor.bytes) : std::nullopt;
    if (!end || *end > header.file_size) {
      return reader.Malformed("tensor '" + tensor.name + "': " + std::to_string(tensor.bytes) +
                              " bytes at data offset " + std::to_string(tensor.data_offset) +
                              " (data starts at " + std::to_string(header.data_start) +
                              ") run past the end of the file (" +
                              std::to_string(header.file_size) + " bytes)");
    }
  }
  std::vector<size_t> order(header.tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return header.tensors[a].data_offset < header.tensors[b].data_offset;
  });
  for (size_t k = 1; k < order.size(); ++k) {
    const TensorInfo& before = header.tensors[order[k - 1]];
    const TensorInfo& after = header.tensors[order[k]];
    if (after.data_offset < before.data_offset + before.bytes) {
      return reader.Malformed("tensor '" + after.name + "' at data offset " +
                              std::to_string(after.data_offset) + " overlaps tensor '" +
                              before.name + "' (" + std::to_string(before.bytes) +
                              " bytes at data offset " + std::to_string(before.data_offset) + ")");
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
    return MakeError(ErrorCode::kMalformed, path + ": is a directory, expected a .gguf file");
  }
  HeaderReader reader(fs, path, info.size);
  GgufHeader header;
  header.file_size = info.size;
  uint64_t tensor_count = 0, kv_count = 0;
  PIPEFIT_RETURN_IF_ERROR(ReadPreamble(reader, header, tensor_count, kv_count));
  PIPEFIT_RETURN_IF_ERROR(ReadKeyValues(reader, kv_count, header));
  PIPEFIT_RETURN_IF_ERROR(ApplyAlignment(reader, header));
  PIPEFIT_RETURN_IF_ERROR(ReadTensorInfos(reader, tensor_count, header));
  // Round up to the alignment (a power of two, at most 2^31; the position
  // is under kMaxGgufHeaderBytes, so this cannot overflow).
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
  switch (value->type) {
    case GgufType::kInt8:
    case GgufType::kInt16:
    case GgufType::kInt32:
    case GgufType::kInt64:
      return value->int_value;
    case GgufType::kUint8:
    case GgufType::kUint16:
    case GgufType::kUint32:
    case GgufType::kUint64:
      if (value->uint_value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<int64_t>(value->uint_value);
    default:
      return std::nullopt;
  }
}

}  // namespace pipefit
