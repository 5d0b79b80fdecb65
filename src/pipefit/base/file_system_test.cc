#include "pipefit/base/file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::StartsWith;

TEST(FileSystemTest, ReadFileWorksOnProcFilesWhoseStatSizeIsZero) {
  RealFileSystem fs;
  ASSERT_EQ(fs.Stat("/proc/meminfo")->size, 0);
  auto text = fs.ReadFile("/proc/meminfo", 1 << 20);
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_THAT(*text, StartsWith("MemTotal:"));
  auto small = fs.ReadFile("/proc/meminfo", 16);
  ASSERT_FALSE(small.ok());
  EXPECT_EQ(small.error().code, ErrorCode::kLimit);
  EXPECT_EQ(small.error().message, "/proc/meminfo: file is more than the limit of 16 bytes");
}

TEST(FileSystemTest, ReadUpToStopsAtTheLimitOrTheEnd) {
  MemoryFileSystem fs;
  fs.AddFile("a", "hello");
  EXPECT_EQ(*fs.ReadUpTo("a", 3), "hel");
  EXPECT_EQ(*fs.ReadUpTo("a", 100), "hello");
  EXPECT_EQ(fs.ReadUpTo("b", 3).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*fs.ReadFile("a", 5), "hello");
  EXPECT_EQ(fs.ReadFile("a", 4).error().message, "a: file is 5 bytes, more than the limit of 4");
}

}  // namespace
}  // namespace pipefit
