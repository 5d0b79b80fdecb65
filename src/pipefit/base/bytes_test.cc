#include "pipefit/base/bytes.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

TEST(BytesTest, ParseSizeUnits) {
  EXPECT_EQ(*ParseSize("24GiB"), 24 * kGiB);
  EXPECT_EQ(*ParseSize("24GB"), 24'000'000'000);
  EXPECT_EQ(*ParseSize("24000MiB"), 24000 * kMiB);
  EXPECT_EQ(*ParseSize("24000MB"), 24'000'000'000);
  EXPECT_EQ(*ParseSize("24"), 24 * kGiB);
  EXPECT_EQ(*ParseSize("11.5gib"), 11 * kGiB + kGiB / 2);
  EXPECT_EQ(*ParseSize("512KiB"), 512 * kKiB);
  EXPECT_EQ(*ParseSize("100B"), 100);
}

TEST(BytesTest, ParseSizeRejectsGarbage) {
  for (const char* bad : {"", "GiB", "-1GiB", "12XB", "1e400", "nan", "12 34", "0x10"}) {
    auto size = ParseSize(bad);
    ASSERT_FALSE(size.ok()) << bad;
    EXPECT_EQ(size.error().code, ErrorCode::kUsage);
  }
}

TEST(BytesTest, CheckedArithmetic) {
  EXPECT_EQ(CheckedMul(1 << 20, 1 << 20), int64_t{1} << 40);
  EXPECT_EQ(CheckedMul(int64_t{1} << 40, int64_t{1} << 40), std::nullopt);
  EXPECT_EQ(CheckedMul(-1, 2), std::nullopt);
  EXPECT_EQ(CheckedAdd(INT64_MAX, 1), std::nullopt);
  EXPECT_EQ(FormatByteCount(23802816640), "23,802,816,640 B");
}

}  // namespace
}  // namespace pipefit
