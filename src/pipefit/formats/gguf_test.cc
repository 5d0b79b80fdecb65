#include "pipefit/formats/gguf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <ostream>
#include <utility>

#include "pipefit/testing/gguf_builder.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace enc = gguf_encode;

constexpr char kPath[] = "model.gguf";

// Raw ids for hand-written values and tensor infos.
constexpr uint32_t kU8 = static_cast<uint32_t>(GgufType::kUint8);
constexpr uint32_t kU32 = static_cast<uint32_t>(GgufType::kUint32);
constexpr uint32_t kStr = static_cast<uint32_t>(GgufType::kString);
constexpr uint32_t kArray = static_cast<uint32_t>(GgufType::kArray);
constexpr uint32_t kF32 = 0, kQ4_0 = 2;  // ggml type ids

// Records every ReadRange so tests can bound what the reader fetched.
class RecordingFileSystem : public FileSystem {
 public:
  explicit RecordingFileSystem(const FileSystem& inner) : inner_(inner) {}
  Result<FileInfo> Stat(const std::string& path) const override { return inner_.Stat(path); }
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) const override {
    reads.emplace_back(offset, length);
    return inner_.ReadRange(path, offset, length);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) const override {
    return inner_.ListDirectory(path);
  }
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override {
    reads.emplace_back(0, max_bytes);
    return inner_.ReadUpTo(path, max_bytes);
  }
  int64_t MaxReadEnd() const {
    int64_t end = 0;
    for (const auto& [offset, length] : reads) end = std::max(end, offset + length);
    return end;
  }
  mutable std::vector<std::pair<int64_t, int64_t>> reads;

 private:
  const FileSystem& inner_;
};

Result<GgufHeader> ReadBuilt(const GgufBuilder& builder) {
  MemoryFileSystem fs;
  builder.AddTo(fs, kPath);
  return ReadGgufHeader(fs, kPath);
}

// --- Valid files -------------------------------------------------------------

TEST(GgufTest, SmallFileHasExactLayout) {
  GgufBuilder builder;
  builder.AddTensor("w", {2, 32}, DType::kQ8_0);
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  // 24 bytes preamble + tensor info (8+1 name, 4 n_dims, 2x8 dims, 4 type,
  // 8 offset) = 65, padded to 32 -> 96. Data: 2 Q8_0 blocks = 68 -> 96.
  EXPECT_EQ(header->version, 3u);
  EXPECT_EQ(header->alignment, 32u);
  EXPECT_EQ(header->data_start, 96);
  EXPECT_EQ(header->file_size, 192);
  EXPECT_TRUE(header->metadata.empty());
  ASSERT_EQ(header->tensors.size(), 1u);
  EXPECT_EQ(header->tensors[0].shape, (std::vector<int64_t>{2, 32}));
  EXPECT_EQ(header->tensors[0].bytes, 68);
}

struct ExpectedTensor {
  const char* name;
  std::vector<int64_t> shape;  // torch order
  DType dtype;
  int64_t numel;
  int64_t bytes;
  int64_t offset;  // automatic: previous end rounded up to 32
};

const std::vector<ExpectedTensor>& MixedTensors() {
  static const auto* tensors = new std::vector<ExpectedTensor>{
      {"f32", {3, 5}, DType::kF32, 15, 60, 0},
      {"f16", {7}, DType::kF16, 7, 14, 64},
      {"bf16", {2, 3, 4}, DType::kBF16, 24, 48, 96},
      {"q4_0", {4, 64}, DType::kQ4_0, 256, 8 * 18, 160},
      {"q8_0", {2, 32}, DType::kQ8_0, 64, 2 * 34, 320},
      {"q4_k", {3, 256}, DType::kQ4_K, 768, 3 * 144, 416},
      {"q6_k", {1, 2, 3, 512}, DType::kQ6_K, 3072, 12 * 210, 864},
      {"iq4_xs", {256}, DType::kIQ4_XS, 256, 136, 3392},
      {"tq2_0", {2, 256}, DType::kTQ2_0, 512, 2 * 66, 3552},
      {"mxfp4", {32}, DType::kMXFP4, 32, 17, 3712},
      {"i32", {4}, DType::kI32, 4, 16, 3744},
  };
  return *tensors;
}

GgufBuilder MixedFile(uint32_t version) {
  GgufBuilder builder;
  builder.SetVersion(version)
      .AddKv("u8", enc::U8(200))
      .AddKv("i8", enc::I8(-100))
      .AddKv("u16", enc::U16(60000))
      .AddKv("i16", enc::I16(-30000))
      .AddKv("u32", enc::U32(4'000'000'000u))
      .AddKv("i32", enc::I32(-2'000'000'000))
      .AddKv("f32", enc::F32(1.5f))
      .AddKv("bool", enc::Bool(true))
      .AddKv("general.architecture", enc::Str("flux"))
      .AddKv("u64", enc::U64((uint64_t{1} << 63) + 5))
      .AddKv("i64", enc::I64(-(int64_t{1} << 62)))
      .AddKv("f64", enc::F64(-0.25))
      .AddKv("u32s", enc::Array(GgufType::kUint32, {enc::U32(1), enc::U32(2), enc::U32(3)}))
      .AddKv("strs", enc::Array(GgufType::kString, {enc::Str("a"), enc::Str("bc"), enc::Str("")}))
      .AddKv("nested",
             enc::Array(GgufType::kArray, {enc::Array(GgufType::kInt16, {enc::I16(-1), enc::I16(2)}),
                                           enc::Array(GgufType::kInt16, {})}));
  for (const ExpectedTensor& t : MixedTensors()) builder.AddTensor(t.name, t.shape, t.dtype);
  return builder;
}

void ExpectMixedTensors(const GgufHeader& header) {
  ASSERT_EQ(header.tensors.size(), MixedTensors().size());
  for (size_t i = 0; i < header.tensors.size(); ++i) {
    const ExpectedTensor& want = MixedTensors()[i];
    const TensorInfo& got = header.tensors[i];
    SCOPED_TRACE(want.name);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.shape, want.shape);
    EXPECT_EQ(got.dtype, want.dtype);
    EXPECT_EQ(got.numel, want.numel);
    EXPECT_EQ(got.bytes, want.bytes);
    EXPECT_EQ(got.data_offset, want.offset);
  }
}

TEST(GgufTest, ReadsEveryValueTypeAndTensorType) {
  GgufBuilder builder = MixedFile(3);
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->version, 3u);
  EXPECT_EQ(header->alignment, 32u);
  EXPECT_EQ(header->data_start, builder.DataStart());
  EXPECT_EQ(header->data_start % 32, 0);
  EXPECT_EQ(header->file_size, builder.DataStart() + 3776);  // 3744 + 16 -> 3776
  ExpectMixedTensors(*header);
}

TEST(GgufTest, DecodesMetadataValues) {
  auto header = ReadBuilt(MixedFile(3));
  ASSERT_TRUE(header.ok()) << header.error().message;
  ASSERT_EQ(header->metadata.size(), 15u);
  EXPECT_EQ(header->metadata[0].key, "u8");  // file order
  EXPECT_EQ(GgufInt(*header, "u8"), 200);
  EXPECT_EQ(GgufInt(*header, "i8"), -100);
  EXPECT_EQ(GgufInt(*header, "u16"), 60000);
  EXPECT_EQ(GgufInt(*header, "i16"), -30000);
  EXPECT_EQ(GgufInt(*header, "u32"), 4'000'000'000);
  EXPECT_EQ(GgufInt(*header, "i32"), -2'000'000'000);
  EXPECT_EQ(GgufInt(*header, "i64"), -(int64_t{1} << 62));
  EXPECT_EQ(GgufInt(*header, "u64"), std::nullopt);  // above INT64_MAX
  EXPECT_EQ(FindGgufValue(*header, "u64")->uint_value, (uint64_t{1} << 63) + 5);
  EXPECT_EQ(FindGgufValue(*header, "f32")->float_value, 1.5);
  EXPECT_EQ(FindGgufValue(*header, "f64")->float_value, -0.25);
  EXPECT_EQ(FindGgufValue(*header, "bool")->type, GgufType::kBool);
  EXPECT_EQ(FindGgufValue(*header, "bool")->uint_value, 1u);
  EXPECT_EQ(GgufInt(*header, "bool"), std::nullopt);
  EXPECT_EQ(GgufString(*header, "general.architecture"), "flux");
  EXPECT_EQ(GgufString(*header, "u8"), std::nullopt);
  EXPECT_EQ(GgufString(*header, "missing"), std::nullopt);
  EXPECT_EQ(FindGgufValue(*header, "missing"), nullptr);
}

TEST(GgufTest, DecodesArrays) {
  auto header = ReadBuilt(MixedFile(3));
  ASSERT_TRUE(header.ok()) << header.error().message;
  const GgufValue* u32s = FindGgufValue(*header, "u32s");
  ASSERT_NE(u32s, nullptr);
  EXPECT_EQ(u32s->type, GgufType::kArray);
  EXPECT_EQ(u32s->element_type, GgufType::kUint32);
  EXPECT_EQ(u32s->array_count, 3u);
  ASSERT_EQ(u32s->elements.size(), 3u);
  EXPECT_EQ(u32s->elements[2].uint_value, 3u);

  const GgufValue* strs = FindGgufValue(*header, "strs");
  ASSERT_EQ(strs->elements.size(), 3u);
  EXPECT_EQ(strs->elements[0].string_value, "a");
  EXPECT_EQ(strs->elements[1].string_value, "bc");
  EXPECT_EQ(strs->elements[2].string_value, "");

  const GgufValue* nested = FindGgufValue(*header, "nested");
  EXPECT_EQ(nested->element_type, GgufType::kArray);
  ASSERT_EQ(nested->elements.size(), 2u);
  EXPECT_EQ(nested->elements[0].element_type, GgufType::kInt16);
  ASSERT_EQ(nested->elements[0].elements.size(), 2u);
  EXPECT_EQ(nested->elements[0].elements[0].int_value, -1);
  EXPECT_EQ(nested->elements[0].elements[1].int_value, 2);
  EXPECT_EQ(nested->elements[1].array_count, 0u);
}

TEST(GgufTest, AcceptsVersion2) {
  auto header = ReadBuilt(MixedFile(2));
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->version, 2u);
  ExpectMixedTensors(*header);
}

TEST(GgufTest, HonoursCustomAlignment) {
  GgufBuilder builder;
  builder.SetAlignment(64).AddTensor("a", {10}, DType::kF32).AddTensor("b", {10}, DType::kF32);
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  // 24 + KV (8+17 key, 4 type, 4 value) = 57, + 2 x 33 tensor infos = 123 -> 128.
  EXPECT_EQ(header->alignment, 64u);
  EXPECT_EQ(header->data_start, 128);
  EXPECT_EQ(header->tensors[1].data_offset, 64);
  EXPECT_EQ(GgufInt(*header, "general.alignment"), 64);

  // Offset 32 is aligned to the default but not to 64.
  GgufBuilder misaligned;
  misaligned.SetAlignment(64).AddTensor("a", {8}, DType::kF32, 32);
  auto error = ReadBuilt(misaligned);
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().code, ErrorCode::kMalformed);
  EXPECT_THAT(error.error().message, HasSubstr("offset 32 is not a multiple of the alignment 64"));
}

TEST(GgufTest, AllowsHolesAndUnorderedTensors) {
  GgufBuilder builder;
  builder.AddTensor("late", {16}, DType::kF32, 256).AddTensor("early", {16}, DType::kF32, 0);
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->tensors[0].name, "late");  // file order kept
  EXPECT_EQ(header->tensors[0].data_offset, 256);
}

TEST(GgufTest, AcceptsNoTensorsAndNoKeyValues) {
  auto header = ReadBuilt(GgufBuilder());
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->data_start, 32);
  EXPECT_TRUE(header->tensors.empty());
}

enc::Value NestedArrayValue(int depth) {
  enc::Value value = enc::Array(GgufType::kInt8, {enc::I8(7)});
  for (int i = 1; i < depth; ++i) value = enc::Array(GgufType::kArray, {value});
  return value;
}

TEST(GgufTest, AcceptsArraysNestedUpToTheLimit) {
  GgufBuilder builder;
  builder.AddKv("deep", NestedArrayValue(kMaxGgufArrayDepth));
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  const GgufValue* value = FindGgufValue(*header, "deep");
  for (int i = 1; i < kMaxGgufArrayDepth; ++i) value = &value->elements.at(0);
  EXPECT_EQ(value->elements.at(0).int_value, 7);
}

TEST(GgufTest, KeepsArrayElementsWithinBudgetAndCountsAll) {
  const uint64_t count = kMaxGgufArrayElementsKept + 10;
  GgufBuilder builder;
  builder
      .AddKv("big", enc::RawArray(static_cast<uint32_t>(GgufType::kUint8), count, std::string(count, '\x01')))
      .AddKv("after", enc::Array(GgufType::kString, {enc::Str("x")}))
      .AddKv("s", enc::Str("still read"));
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(FindGgufValue(*header, "big")->array_count, count);
  EXPECT_EQ(FindGgufValue(*header, "big")->elements.size(), static_cast<size_t>(kMaxGgufArrayElementsKept));
  EXPECT_EQ(FindGgufValue(*header, "after")->array_count, 1u);
  EXPECT_TRUE(FindGgufValue(*header, "after")->elements.empty());
  EXPECT_EQ(GgufString(*header, "s"), "still read");
}

// --- Sparse files and bounded reads ------------------------------------------

TEST(GgufTest, ReadsSparseFileWithoutTouchingTheData) {
  GgufBuilder builder;
  builder.AddKv("general.architecture", enc::Str("flux"))
      .AddTensor("big", {3072, 3072 * 1024}, DType::kQ8_0);  // 10.0 GiB of Q8_0
  MemoryFileSystem memory;
  memory.AddSparseFile(kPath, builder.Header(), builder.FileSize());
  RecordingFileSystem fs(memory);
  auto header = ReadGgufHeader(fs, kPath);
  ASSERT_TRUE(header.ok()) << header.error().message;
  const int64_t bytes = int64_t{3072} * 3072 * 1024 / 32 * 34;
  EXPECT_EQ(header->tensors[0].bytes, bytes);
  EXPECT_EQ(header->file_size, header->data_start + bytes);
  EXPECT_EQ(fs.reads.size(), 1u);
  EXPECT_LE(fs.MaxReadEnd(), kMiB);
}

TEST(GgufTest, GrowsReadsForLargeHeaders) {
  std::vector<enc::Value> tokens;
  for (int i = 0; i < 200'000; ++i) tokens.push_back(enc::Str("token" + std::to_string(i)));
  GgufBuilder builder;
  builder.AddKv("tokenizer.ggml.tokens", enc::Array(GgufType::kString, tokens))
      .AddTensor("w", {4096, 4096}, DType::kQ4_K);
  MemoryFileSystem memory;
  builder.AddTo(memory, kPath);
  RecordingFileSystem fs(memory);
  auto header = ReadGgufHeader(fs, kPath);
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(FindGgufValue(*header, "tokenizer.ggml.tokens")->elements.at(199'999).string_value,
            "token199999");
  EXPECT_GT(header->data_start, kMiB);
  EXPECT_LE(fs.reads.size(), 4u);  // 1, 2, 4 MiB
  EXPECT_LE(fs.MaxReadEnd(), 2 * header->data_start);
}

// Counts that fit a 1 PiB sparse file but not the header limit: the reader
// stops at the limit without reading past it. (Elements past the keep budget
// are skipped in bulk, so this takes no time.)
TEST(GgufTest, HostileCountsInHugeFileStopAtTheLimit) {
  GgufBuilder builder;
  builder.SetKvCount(1'000'000).AddKv("k", enc::RawArray(kU32, uint64_t{1} << 40, ""));
  MemoryFileSystem memory;
  builder.AddTo(memory, kPath, int64_t{1} << 50);
  RecordingFileSystem fs(memory);
  auto header = ReadGgufHeader(fs, kPath);
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, ErrorCode::kLimit);
  EXPECT_THAT(header.error().message, HasSubstr("header exceeds the 256 MiB limit"))
      << header.error().message;
  EXPECT_LE(fs.MaxReadEnd(), 2 * kMiB);
}

// Strings and arrays past the keep budget are skipped one by one; the next
// KV must still be read from the right place.
TEST(GgufTest, SkipsStringsAndArraysPastTheBudget) {
  const size_t count = kMaxGgufArrayElementsKept + 1000;
  std::string strings, arrays;
  const std::string one_string = enc::String("ab");
  const std::string one_array = enc::Array(GgufType::kUint8, {enc::U8(1)}).payload;
  for (size_t i = 0; i < count; ++i) {
    strings += one_string;
    arrays += one_array;
  }
  for (const auto& [type, elements] : {std::pair{kStr, strings}, std::pair{kArray, arrays}}) {
    GgufBuilder builder;
    builder.AddKv("k", enc::RawArray(type, count, elements)).AddKv("after", enc::Str("ok"));
    auto header = ReadBuilt(builder);
    ASSERT_TRUE(header.ok()) << header.error().message;
    const GgufValue* value = FindGgufValue(*header, "k");
    EXPECT_EQ(value->array_count, count);
    EXPECT_LE(value->elements.size(), static_cast<size_t>(kMaxGgufArrayElementsKept));
    EXPECT_GE(value->elements.size(), static_cast<size_t>(kMaxGgufArrayElementsKept / 2));
    EXPECT_EQ(GgufString(*header, "after"), "ok");
  }
}

TEST(GgufTest, NestedArraysShareTheKeepBudget) {
  // One outer array of two inner arrays that together pass the budget.
  const uint64_t inner = kMaxGgufArrayElementsKept - 1;
  const std::string bytes(inner, '\x02');
  const enc::Value inner_array = enc::RawArray(kU8, inner, bytes);
  GgufBuilder builder;
  builder.AddKv("outer", enc::Array(GgufType::kArray, {inner_array, inner_array}))
      .AddKv("after", enc::Array(GgufType::kUint8, {enc::U8(1)}));
  auto header = ReadBuilt(builder);
  ASSERT_TRUE(header.ok()) << header.error().message;
  const GgufValue* outer = FindGgufValue(*header, "outer");
  ASSERT_EQ(outer->elements.size(), 1u);
  EXPECT_EQ(outer->elements[0].elements.size(), inner);
  EXPECT_EQ(FindGgufValue(*header, "after")->array_count, 1u);
  EXPECT_TRUE(FindGgufValue(*header, "after")->elements.empty());
}

TEST(GgufTest, ReadsRealSparseFile) {
  GgufBuilder builder;
  builder.AddTensor("w", {1024, 1024 * 1024}, DType::kQ4_0);  // 576 MiB hole
  const std::string path = ::testing::TempDir() + "/pipefit_gguf_test.gguf";
  ASSERT_TRUE(builder.WriteSparseFile(path).ok());
  RealFileSystem fs;
  auto header = ReadGgufHeader(fs, path);
  std::remove(path.c_str());
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->tensors[0].bytes, int64_t{1024} * 1024 * 1024 / 32 * 18);
  EXPECT_EQ(header->file_size, builder.FileSize());
}

TEST(GgufTest, NamesDirectoryAndMissingFile) {
  MemoryFileSystem fs;
  fs.AddFile("dir/x.gguf", GgufBuilder().Build());
  auto missing = ReadGgufHeader(fs, "nope.gguf");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  auto dir = ReadGgufHeader(fs, "dir");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, ErrorCode::kMalformed);
}

// --- Corrupt inputs ----------------------------------------------------------

struct CorruptCase {
  const char* name;
  std::function<void(MemoryFileSystem&)> make;
  ErrorCode code;
  const char* message;  // expected substring, after "model.gguf: "
};

void PrintTo(const CorruptCase& test_case, std::ostream* out) { *out << test_case.name; }

// Adds a file built by `configure` on a fresh builder.
std::function<void(MemoryFileSystem&)> Built(std::function<void(GgufBuilder&)> configure,
                                             std::optional<int64_t> file_size = std::nullopt) {
  return [configure, file_size](MemoryFileSystem& fs) {
    GgufBuilder builder;
    configure(builder);
    builder.AddTo(fs, kPath, file_size);
  };
}

std::function<void(MemoryFileSystem&)> Bytes(std::string bytes) {
  return [bytes](MemoryFileSystem& fs) { fs.AddFile(kPath, bytes); };
}

constexpr uint64_t kHuge = uint64_t{1} << 60;

std::vector<CorruptCase> PreambleCases() {
  return {
      {"Empty", Bytes(""), ErrorCode::kMalformed, "file is 0 bytes, too short for the GGUF magic"},
      {"BadMagic", Built([](GgufBuilder& b) { b.SetMagic("GGML"); }), ErrorCode::kMalformed,
       "bad magic 'GGML', expected 'GGUF'"},
      {"BinaryMagic", Bytes(std::string("\x00\x01GG", 4) + std::string(28, '\0')), ErrorCode::kMalformed,
       "bad magic '\\x00\\x01GG'"},
      {"TruncatedAfterMagic", Bytes("GGUF"), ErrorCode::kMalformed,
       "file ends after 4 bytes, inside the version at offset 4"},
      {"TruncatedInCounts", Bytes(GgufBuilder().Build().substr(0, 12)), ErrorCode::kMalformed,
       "file ends after 12 bytes, inside the tensor count at offset 8"},
      {"Version0", Built([](GgufBuilder& b) { b.SetVersion(0); }), ErrorCode::kMalformed,
       "GGUF version 0 is invalid"},
      {"Version1", Built([](GgufBuilder& b) { b.SetVersion(1); }), ErrorCode::kUnsupported,
       "GGUF version 1 is not supported"},
      {"Version4", Built([](GgufBuilder& b) { b.SetVersion(4); }), ErrorCode::kUnsupported,
       "GGUF version 4 is newer than v3"},
      {"BigEndian", Built([](GgufBuilder& b) { b.SetVersion(0x03000000); }), ErrorCode::kUnsupported,
       "big-endian GGUF"},
      {"HugeTensorCount", Built([](GgufBuilder& b) { b.SetTensorCount(kHuge); }), ErrorCode::kMalformed,
       "tensor count 1152921504606846976 needs at least 32 bytes each, but the file has 8 bytes "
       "left after offset 24"},
      {"HugeKvCount", Built([](GgufBuilder& b) { b.SetKvCount(kHuge); }), ErrorCode::kMalformed,
       "KV count 1152921504606846976 needs at least 13 bytes each, but the file has 8 bytes left "
       "after offset 24"},
      {"TensorCountOverLimit",
       Built([](GgufBuilder& b) { b.SetTensorCount(kMaxTensorsPerFile + 1); }, 64 * kMiB), ErrorCode::kLimit,
       "tensor count 1000001 exceeds the limit of 1000000"},
      {"KvCountOverLimit", Built([](GgufBuilder& b) { b.SetKvCount(kMaxGgufKeyValues + 1); }, 64 * kMiB),
       ErrorCode::kLimit, "KV count 1000001 exceeds the limit of 1000000"},
  };
}

std::vector<CorruptCase> KeyValueCases() {
  return {
      {"KeyLengthPastEnd", Built([](GgufBuilder& b) { b.AddKv(std::string(40, 'k'), enc::U8(1)); }, 40),
       ErrorCode::kMalformed,
       "KV 0 key: string length 40 at offset 24 runs past the end of the file (40 bytes)"},
      {"StringPastEnd", Built([](GgufBuilder& b) {
         b.AddKv("k", {kStr, enc::LittleEndian64(1000) + "abc"});
       }),
       ErrorCode::kMalformed, "KV 'k': string length 1000 at offset 37 runs past the end"},
      {"UnknownValueType", Built([](GgufBuilder& b) {
         b.AddKv("k", {99, ""});
       }),
       ErrorCode::kMalformed, "KV 'k': unknown value type 99 at offset 33"},
      {"UnknownArrayElementType", Built([](GgufBuilder& b) { b.AddKv("k", enc::RawArray(13, 0, "")); }),
       ErrorCode::kMalformed, "KV 'k': unknown array element type 13 at offset 37"},
      {"ArrayCountPastEnd", Built([](GgufBuilder& b) { b.AddKv("k", enc::RawArray(kU32, 1000, "")); }),
       ErrorCode::kMalformed,
       "KV 'k': array count 1000 needs at least 4 bytes each, but the file has 15 bytes left after "
       "offset 49"},
      {"HugeArrayCount", Built([](GgufBuilder& b) { b.AddKv("k", enc::RawArray(kStr, kHuge, "")); }),
       ErrorCode::kMalformed, "KV 'k': array count 1152921504606846976"},
      {"StringElementPastEnd", Built([](GgufBuilder& b) {
         b.AddKv("k", enc::RawArray(kStr, 2, enc::String("a") + enc::LittleEndian64(1000)));
       }),
       ErrorCode::kMalformed, "string length 1000 at offset 58 runs past the end"},
      {"ArraysTooDeep", Built([](GgufBuilder& b) { b.AddKv("k", NestedArrayValue(kMaxGgufArrayDepth + 1)); }),
       ErrorCode::kLimit, "KV 'k': arrays nested deeper than 8 levels"},
      {"DuplicateKey", Built([](GgufBuilder& b) { b.AddKv("k", enc::U8(1)).AddKv("k", enc::U8(2)); }),
       ErrorCode::kMalformed, "duplicate KV key 'k'"},
      {"AlignmentZero", Built([](GgufBuilder& b) { b.AddKv("general.alignment", enc::U32(0)); }),
       ErrorCode::kMalformed, "general.alignment 0 is not a nonzero power of two"},
      {"AlignmentThree", Built([](GgufBuilder& b) { b.AddKv("general.alignment", enc::U32(3)); }),
       ErrorCode::kMalformed, "general.alignment 3 is not a nonzero power of two"},
      {"AlignmentWrongType", Built([](GgufBuilder& b) { b.AddKv("general.alignment", enc::I32(32)); }),
       ErrorCode::kMalformed, "general.alignment must be UINT32, found INT32"},
      {"HeaderOverLimit",
       Built(
           [](GgufBuilder& b) {
             b.AddKv("k", {kStr, enc::LittleEndian64(300 * kMiB)});
           },
           512 * kMiB),
       ErrorCode::kLimit, "header exceeds the 256 MiB limit (KV 'k' at offset 45"},
  };
}

std::vector<CorruptCase> TensorCases() {
  return {
      {"TruncatedInTensorInfo",
       Built([](GgufBuilder& b) { b.AddTensor("tensor_name_long", {8}, DType::kF32); }, 60),
       ErrorCode::kMalformed, "file ends after 60 bytes, inside tensor 'tensor_name_long' at offset 60"},
      {"NDimsZero", Built([](GgufBuilder& b) { b.AddRawTensor("t", {}, kF32, 0); }), ErrorCode::kMalformed,
       "tensor 't': n_dims is 0"},
      {"NDimsTooLarge", Built([](GgufBuilder& b) {
         b.AddRawTensor("t", {1, 1, 1, 1, 1}, kF32, 0);
       }),
       ErrorCode::kUnsupported, "tensor 't': n_dims 5 exceeds ggml's limit of 4"},
      {"NDimsHuge", Built([](GgufBuilder& b) {
         b.AddRawTensor("t", std::vector<uint64_t>(kMaxTensorDims + 1, 1), kF32, 0);
       }),
       ErrorCode::kUnsupported, "tensor 't': n_dims 17 exceeds"},
      {"DimZero", Built([](GgufBuilder& b) {
         b.AddRawTensor("t", {32, 0}, kF32, 0);
       }),
       ErrorCode::kMalformed, "tensor 't': dimension ne[1] is 0, expected 1 to INT64_MAX"},
      {"DimAboveInt64", Built([](GgufBuilder& b) { b.AddRawTensor("t", {uint64_t{1} << 63}, kF32, 0); }),
       ErrorCode::kMalformed, "dimension ne[0] is 9223372036854775808"},
      {"ElementCountOverflow", Built([](GgufBuilder& b) {
         b.AddRawTensor("t", {uint64_t{1} << 32, uint64_t{1} << 32}, kF32, 0);
       }),
       ErrorCode::kMalformed, "tensor 't': element count of shape [4294967296, 4294967296] overflows int64"},
      {"ByteCountOverflow", Built([](GgufBuilder& b) {
         b.AddRawTensor("t", {uint64_t{1} << 31, uint64_t{1} << 31}, kF32, 0);
       }),
       ErrorCode::kMalformed, "tensor 't': byte count of shape [2147483648, 2147483648] F32"},
      {"UnknownGgmlType", Built([](GgufBuilder& b) { b.AddRawTensor("t", {32}, 99, 0); }),
       ErrorCode::kUnsupported, "tensor 't': unknown ggml type id 99"},
      {"RemovedGgmlType", Built([](GgufBuilder& b) { b.AddRawTensor("t", {32}, 4, 0); }),
       ErrorCode::kUnsupported, "tensor 't': unknown ggml type id 4"},
      {"RowNotMultipleOfBlock", Built([](GgufBuilder& b) {
         b.AddRawTensor("t", {33, 2}, kQ4_0, 0);
       }),
       ErrorCode::kMalformed,
       "tensor 't': row length ne[0] = 33 is not a multiple of the Q4_0 block size 32"},
      {"MisalignedOffset", Built([](GgufBuilder& b) { b.AddTensor("t", {8}, DType::kF32, 16); }),
       ErrorCode::kMalformed, "tensor 't': offset 16 is not a multiple of the alignment 32"},
      {"OffsetPastEnd",
       Built([](GgufBuilder& b) { b.AddRawTensor("t", {8}, kF32, uint64_t{1} << 40); }, 4096),
       ErrorCode::kMalformed, "tensor 't': offset 1099511627776 is past the end of the file"},
      {"TensorPastEnd", Built([](GgufBuilder& b) { b.AddTensor("t", {16}, DType::kF32); }, 64 + 63),
       ErrorCode::kMalformed,
       "tensor 't': 64 bytes at data offset 0 (data starts at 64) run past the end of the file "
       "(127 bytes)"},
      {"OverlappingTensors", Built([](GgufBuilder& b) {
         b.AddTensor("a", {16}, DType::kF32, 0).AddTensor("b", {16}, DType::kF32, 32);
       }),
       ErrorCode::kMalformed, "tensor 'b' at data offset 32 overlaps tensor 'a' (64 bytes at data offset 0)"},
      {"DuplicateTensorName",
       Built([](GgufBuilder& b) { b.AddTensor("a", {16}, DType::kF32).AddTensor("a", {16}, DType::kF32); }),
       ErrorCode::kMalformed, "duplicate tensor name 'a'"},
  };
}

std::vector<CorruptCase> AllCorruptCases() {
  std::vector<CorruptCase> cases = PreambleCases();
  for (auto& more : {KeyValueCases(), TensorCases()}) {
    cases.insert(cases.end(), more.begin(), more.end());
  }
  return cases;
}

class GgufCorruptTest : public ::testing::TestWithParam<CorruptCase> {};

TEST_P(GgufCorruptTest, ReturnsExactError) {
  const CorruptCase& test_case = GetParam();
  MemoryFileSystem fs;
  test_case.make(fs);
  auto header = ReadGgufHeader(fs, kPath);
  ASSERT_FALSE(header.ok()) << "accepted a corrupt file";
  EXPECT_EQ(header.error().code, test_case.code)
      << ErrorCodeName(header.error().code) << ": " << header.error().message;
  const std::string& message = header.error().message;
  EXPECT_THAT(message, StartsWith(std::string(kPath) + ": "));
  EXPECT_THAT(message, HasSubstr(test_case.message));
}

INSTANTIATE_TEST_SUITE_P(AllCases, GgufCorruptTest, ::testing::ValuesIn(AllCorruptCases()),
                         [](const ::testing::TestParamInfo<CorruptCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

// Every prefix of a valid file is an error, never a crash.
TEST(GgufTest, EveryTruncationIsAnError) {
  const std::string bytes = MixedFile(3).Build();
  const int64_t data_start = MixedFile(3).DataStart();
  for (int64_t size = 0; size < data_start; ++size) {
    MemoryFileSystem fs;
    fs.AddFile(kPath, bytes.substr(0, static_cast<size_t>(size)));
    auto header = ReadGgufHeader(fs, kPath);
    ASSERT_FALSE(header.ok()) << "accepted a prefix of " << size << " bytes";
    EXPECT_EQ(header.error().code, ErrorCode::kMalformed) << header.error().message;
  }
}

// Overwriting any header byte gives an error or a consistent header, never a
// crash (run under ASan and UBSan).
TEST(GgufTest, EveryByteOverwriteIsHandled) {
  const std::string bytes = MixedFile(3).Build();
  const int64_t data_start = MixedFile(3).DataStart();
  for (int64_t at = 0; at < data_start; ++at) {
    for (int replacement : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string mutated = bytes;
      mutated[static_cast<size_t>(at)] = static_cast<char>(replacement);
      MemoryFileSystem fs;
      fs.AddFile(kPath, mutated);
      auto header = ReadGgufHeader(fs, kPath);
      if (!header.ok()) {
        EXPECT_THAT(header.error().message, StartsWith(std::string(kPath) + ": "));
        continue;
      }
      for (const TensorInfo& tensor : header->tensors) {
        EXPECT_LE(header->data_start + tensor.data_offset + tensor.bytes, header->file_size);
      }
    }
  }
}

}  // namespace
}  // namespace pipefit
