#include "pipefit/formats/dtype.h"

#include <gtest/gtest.h>

#include <set>

namespace pipefit {
namespace {

TEST(DTypeTest, NamesAndIdsAreUnique) {
  std::set<std::string_view> names, st_names;
  std::set<int> ggml_ids;
  for (const DTypeInfo& info : AllDTypes()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    if (!info.safetensors_name.empty()) {
      EXPECT_TRUE(st_names.insert(info.safetensors_name).second);
    }
    if (info.ggml_id >= 0) {
      EXPECT_TRUE(ggml_ids.insert(info.ggml_id).second) << info.ggml_id;
    }
    EXPECT_GT(info.block_elements, 0);
    EXPECT_GT(info.block_bytes, 0);
    EXPECT_EQ(&GetDTypeInfo(info.dtype), &info);
  }
  EXPECT_EQ(st_names.size(), 20u);  // every dtype safetensors defines
}

TEST(DTypeTest, SafetensorsSizes) {
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("BF16"), 10), 20);
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("F8_E5M2"), 10), 10);
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("F64"), 3), 24);
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("C64"), 3), 24);
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("F4"), 4), 2);
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("F4"), 3), std::nullopt);
  EXPECT_EQ(DTypeBytes(*DTypeFromSafetensorsName("F6_E3M2"), 8), 6);
  EXPECT_FALSE(DTypeFromSafetensorsName("Q4_0").has_value());
}

// bpw from internals §6.3 (ggml-common.h static_asserts).
TEST(DTypeTest, GgmlBlockSizes) {
  struct Row {
    int id;
    const char* name;
    int64_t bytes_per_256;
  } rows[] = {{0, "F32", 1024},   {1, "F16", 512},     {30, "BF16", 512},   {2, "Q4_0", 144},
              {3, "Q4_1", 160},   {6, "Q5_0", 176},    {7, "Q5_1", 192},    {8, "Q8_0", 272},
              {9, "Q8_1", 288},   {10, "Q2_K", 84},    {11, "Q3_K", 110},   {12, "Q4_K", 144},
              {13, "Q5_K", 176},  {14, "Q6_K", 210},   {15, "Q8_K", 292},   {16, "IQ2_XXS", 66},
              {17, "IQ2_XS", 74}, {18, "IQ3_XXS", 98}, {19, "IQ1_S", 50},   {20, "IQ4_NL", 144},
              {21, "IQ3_S", 110}, {22, "IQ2_S", 82},   {23, "IQ4_XS", 136}, {29, "IQ1_M", 56},
              {34, "TQ1_0", 54},  {35, "TQ2_0", 66},   {39, "MXFP4", 136},  {24, "I8", 256},
              {25, "I16", 512},   {26, "I32", 1024},   {27, "I64", 2048},   {28, "F64", 2048}};
  for (const Row& row : rows) {
    auto dtype = DTypeFromGgmlId(row.id);
    ASSERT_TRUE(dtype.has_value()) << row.name;
    EXPECT_EQ(GetDTypeInfo(*dtype).name, row.name);
    EXPECT_EQ(DTypeBytes(*dtype, 256), row.bytes_per_256) << row.name;
  }
  EXPECT_FALSE(DTypeFromGgmlId(4).has_value());  // removed Q4_2
  EXPECT_EQ(DTypeBytes(DType::kQ4_0, 33), std::nullopt);
}

TEST(DTypeTest, OnlyRealFloatsConvert) {
  EXPECT_TRUE(IsConvertibleFloat(DType::kBF16));
  EXPECT_TRUE(IsConvertibleFloat(DType::kF64));
  EXPECT_FALSE(IsConvertibleFloat(DType::kF8_E4M3));
  EXPECT_FALSE(IsConvertibleFloat(DType::kI64));
  EXPECT_FALSE(IsConvertibleFloat(DType::kQ4_K));
}

}  // namespace
}  // namespace pipefit
