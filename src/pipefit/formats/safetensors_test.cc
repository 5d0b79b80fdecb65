#include "pipefit/formats/safetensors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipefit/testing/safetensors_builder.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

using testkit::FakeTensor;
using testkit::SafetensorsBytes;
using testkit::SafetensorsPrefix;

Result<SafetensorsHeader> ReadBytes(const std::string& bytes) {
  MemoryFileSystem fs;
  fs.AddFile("x.safetensors", bytes);
  return ReadSafetensorsHeader(fs, "x.safetensors");
}

// A file whose JSON header is `json` and whose data section is `data_size` bytes.
std::string WithHeader(const std::string& json, int64_t data_size) {
  return SafetensorsPrefix(json) + std::string(static_cast<size_t>(data_size), '\0');
}

TEST(SafetensorsTest, ReadsEveryTensorExactly) {
  auto header = ReadBytes(SafetensorsBytes({{"a.weight", "BF16", {3, 4}},
                                            {"a.bias", "F32", {3}},
                                            {"ids", "I64", {2}},
                                            {"flag", "BOOL", {5}},
                                            {"scalar", "F64", {}},
                                            {"packed", "F4", {2, 3}},
                                            {"six", "F6_E2M3", {4}},
                                            {"q", "F8_E4M3", {7}}}));
  ASSERT_TRUE(header.ok()) << header.error().message;
  ASSERT_EQ(header->tensors.size(), 8u);
  EXPECT_EQ(header->tensors[0].name, "a.weight");
  EXPECT_EQ(header->tensors[0].bytes, 24);
  EXPECT_EQ(header->tensors[0].numel, 12);
  EXPECT_EQ(header->tensors[1].bytes, 12);
  EXPECT_EQ(header->tensors[2].dtype, DType::kI64);
  EXPECT_EQ(header->tensors[2].bytes, 16);
  EXPECT_EQ(header->tensors[3].bytes, 5);
  EXPECT_EQ(header->tensors[4].numel, 1);  // a scalar has one element
  EXPECT_EQ(header->tensors[4].bytes, 8);
  EXPECT_EQ(header->tensors[5].bytes, 3);  // 6 fp4 values in 3 bytes
  EXPECT_EQ(header->tensors[6].bytes, 3);  // 4 fp6 values in 3 bytes
  EXPECT_EQ(header->tensors[7].bytes, 7);
  EXPECT_EQ(header->data_size, 24 + 12 + 16 + 5 + 8 + 3 + 3 + 7);
}

TEST(SafetensorsTest, AcceptsMetadataAndUnsortedOffsets) {
  const std::string json =
      R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F16","shape":[2],"data_offsets":[4,8]},)"
      R"("a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})";
  auto header = ReadBytes(WithHeader(json, 8));
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->metadata.at("format"), "pt");
  ASSERT_EQ(header->tensors.size(), 2u);
  EXPECT_EQ(header->tensors[0].name, "a");  // sorted by offset
  EXPECT_EQ(header->header_length, static_cast<int64_t>(json.size()));
}

TEST(SafetensorsTest, ReadsOnlyTheHeaderOfASparseFile) {
  MemoryFileSystem fs;
  int64_t data_size = 0;
  std::string json = testkit::SafetensorsHeaderJson({{"w", "BF16", {100000, 100000}}}, &data_size);
  std::string prefix = SafetensorsPrefix(json);
  fs.AddSparseFile("big.safetensors", prefix, static_cast<int64_t>(prefix.size()) + data_size);
  auto header = ReadSafetensorsHeader(fs, "big.safetensors");
  ASSERT_TRUE(header.ok()) << header.error().message;
  EXPECT_EQ(header->tensors[0].bytes, 20'000'000'000);
}

struct CorruptCase {
  const char* label;
  std::string bytes;
  ErrorCode code;
  const char* message;  // substring of the error message
};

std::string Entry(const std::string& name, const std::string& body) {
  return "\"" + name + "\":{" + body + "}";
}

std::vector<CorruptCase> CorruptCases() {
  const std::string ok_tensor = R"("dtype":"F16","shape":[2],"data_offsets":[0,4])";
  std::string huge_length(8, '\xff');
  std::string over_limit = SafetensorsPrefix(std::string(10, ' '));
  over_limit[3] = 0x10;  // 0x10000000a > 100 MB
  return {
      {"empty file", "", ErrorCode::kMalformed, "x.safetensors: file is 0 bytes, too short"},
      {"short length", "abc", ErrorCode::kMalformed, "too short for the 8-byte header length"},
      {"length 2^64-1", huge_length + "{}", ErrorCode::kLimit, "exceeds the 100 MB limit"},
      {"length over limit", over_limit, ErrorCode::kLimit, "exceeds the 100 MB limit"},
      {"length past end", SafetensorsPrefix("{}").substr(0, 8) + "{", ErrorCode::kMalformed,
       "header length 2 exceeds file size 9"},
      {"not json", WithHeader("{nope", 0), ErrorCode::kMalformed, "header is not valid JSON"},
      {"not an object", WithHeader("[1,2]", 0), ErrorCode::kMalformed, "does not start with '{'"},
      {"truncated json", WithHeader("{\"a\":{\"dtype\":", 0), ErrorCode::kMalformed, "not valid JSON"},
      {"entry not object", WithHeader(R"({"a":3})", 0), ErrorCode::kMalformed,
       "tensor 'a': entry must be an object"},
      {"missing dtype", WithHeader("{" + Entry("a", R"("shape":[2],"data_offsets":[0,4])") + "}", 4),
       ErrorCode::kMalformed, "tensor 'a': missing or non-string 'dtype'"},
      {"unknown dtype",
       WithHeader("{" + Entry("a", R"("dtype":"F12","shape":[2],"data_offsets":[0,4])") + "}", 4),
       ErrorCode::kUnsupported, "tensor 'a': unknown dtype 'F12'"},
      {"missing shape", WithHeader("{" + Entry("a", R"("dtype":"F16","data_offsets":[0,4])") + "}", 4),
       ErrorCode::kMalformed, "tensor 'a': missing 'shape'"},
      {"negative dim",
       WithHeader("{" + Entry("a", R"("dtype":"F16","shape":[-2],"data_offsets":[0,4])") + "}", 4),
       ErrorCode::kMalformed, "shape must contain non-negative integers"},
      {"float dim",
       WithHeader("{" + Entry("a", R"("dtype":"F16","shape":[2.5],"data_offsets":[0,4])") + "}", 4),
       ErrorCode::kMalformed, "shape must contain non-negative integers"},
      {"too many dims",
       WithHeader(
           "{" +
               Entry("a",
                     R"("dtype":"F16","shape":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2],"data_offsets":[0,4])") +
               "}",
           4),
       ErrorCode::kLimit, "more than 16 dimensions"},
      {"numel overflow",
       WithHeader(
           "{" + Entry("a", R"("dtype":"F16","shape":[4294967296,4294967296],"data_offsets":[0,4])") + "}",
           4),
       ErrorCode::kMalformed, "element count overflows"},
      {"bytes overflow",
       WithHeader(
           "{" + Entry("a", R"("dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,4])") + "}", 4),
       ErrorCode::kMalformed, "tensor 'a': byte size overflows"},
      {"offsets not pair",
       WithHeader("{" + Entry("a", R"("dtype":"F16","shape":[2],"data_offsets":[0])") + "}", 4),
       ErrorCode::kMalformed, "'data_offsets' must be [begin, end]"},
      {"begin after end",
       WithHeader("{" + Entry("a", R"("dtype":"F16","shape":[2],"data_offsets":[4,0])") + "}", 4),
       ErrorCode::kMalformed, "data_offsets begin 4 is after end 0"},
      {"end past data", WithHeader("{" + Entry("a", ok_tensor) + "}", 2), ErrorCode::kMalformed,
       "data_offsets end 4 is past the data section (2 bytes)"},
      {"size mismatch",
       WithHeader("{" + Entry("a", R"("dtype":"F32","shape":[2],"data_offsets":[0,4])") + "}", 4),
       ErrorCode::kMalformed, "shape and dtype give 8 bytes but data_offsets span 4"},
      {"fp4 odd count",
       WithHeader("{" + Entry("a", R"("dtype":"F4","shape":[3],"data_offsets":[0,2])") + "}", 2),
       ErrorCode::kMalformed, "3 elements do not fit dtype F4 exactly"},
      {"duplicate name", WithHeader("{" + Entry("a", ok_tensor) + "," + Entry("a", ok_tensor) + "}", 4),
       ErrorCode::kMalformed, "duplicate tensor name 'a'"},
      {"overlap",
       WithHeader("{" + Entry("a", ok_tensor) + "," +
                      Entry("b", R"("dtype":"F16","shape":[2],"data_offsets":[2,6])") + "}",
                  6),
       ErrorCode::kMalformed, "tensor 'b' overlaps tensor 'a'"},
      {"hole", WithHeader("{" + Entry("a", R"("dtype":"F16","shape":[2],"data_offsets":[2,6])") + "}", 6),
       ErrorCode::kMalformed, "hole of 2 bytes before tensor 'a' at offset 0"},
      {"trailing bytes", WithHeader("{" + Entry("a", ok_tensor) + "}", 10), ErrorCode::kMalformed,
       "tensors cover 4 bytes but the data section has 10"},
      {"metadata not strings", WithHeader(R"({"__metadata__":{"format":1}})", 0), ErrorCode::kMalformed,
       "'__metadata__' value for 'format' must be a string"},
  };
}

TEST(SafetensorsTest, EveryCorruptInputIsAClearError) {
  for (const CorruptCase& c : CorruptCases()) {
    auto header = ReadBytes(c.bytes);
    ASSERT_FALSE(header.ok()) << c.label;
    EXPECT_EQ(header.error().code, c.code) << c.label << ": " << header.error().message;
    EXPECT_THAT(header.error().message, HasSubstr(c.message))
        << c.label << ": got '" << header.error().message << "'";
    EXPECT_THAT(header.error().message, StartsWith("x.safetensors: ")) << c.label << " names the file";
  }
}

TEST(SafetensorsTest, EveryTruncationOfAValidFileFails) {
  const std::string bytes = SafetensorsBytes({{"a", "BF16", {4}}, {"b", "F32", {2}}});
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_FALSE(ReadBytes(bytes.substr(0, size)).ok()) << size;
  }
  EXPECT_TRUE(ReadBytes(bytes).ok());
}

}  // namespace
}  // namespace pipefit
