#include "pipefit/hardware/pseudo_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::StartsWith;

// Reports every file with a fixed Stat size, as procfs (0) and sysfs (4096)
// do, while reads behave like the real content.
class PseudoFileSystem : public FileSystem {
 public:
  PseudoFileSystem(const MemoryFileSystem& inner, int64_t reported_size)
      : inner_(inner), reported_size_(reported_size) {}
  Result<FileInfo> Stat(const std::string& path) const override {
    PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, inner_.Stat(path));
    if (!info.is_directory) info.size = reported_size_;
    return info;
  }
  Result<std::string> ReadRange(const std::string& path, int64_t offset, int64_t length) const override {
    ++reads;
    return inner_.ReadRange(path, offset, length);
  }
  Result<std::vector<std::string>> ListDirectory(const std::string& path) const override {
    return inner_.ListDirectory(path);
  }
  Result<std::string> ReadUpTo(const std::string& path, int64_t max_bytes) const override {
    ++reads;
    return inner_.ReadUpTo(path, max_bytes);
  }
  mutable int reads = 0;

 private:
  const MemoryFileSystem& inner_;
  int64_t reported_size_;
};

std::string Content(size_t length) {
  std::string text;
  for (size_t i = 0; i < length; ++i) text += static_cast<char>('a' + i % 26);
  return text;
}

TEST(PseudoFileTest, ReadsExactContentWhateverStatSays) {
  for (int64_t reported : {0, 4096}) {
    for (size_t length : {0, 1, 255, 256, 257, 1500, 4095, 4096, 4097, 65536}) {
      MemoryFileSystem memory;
      memory.AddFile("/proc/meminfo", Content(length));
      PseudoFileSystem fs(memory, reported);
      auto text = ReadPseudoFile(fs, "/proc/meminfo");
      ASSERT_TRUE(text.ok()) << length << ": " << text.error().message;
      EXPECT_EQ(text->size(), length) << "stat size " << reported;
      EXPECT_TRUE(*text == Content(length)) << "length " << length << ", stat size " << reported;
      EXPECT_LE(fs.reads, 40) << length;
    }
  }
}

TEST(PseudoFileTest, TooLargeIsALimitError) {
  MemoryFileSystem memory;
  memory.AddFile("/proc/big", Content(5000));
  PseudoFileSystem fs(memory, 0);
  auto text = ReadPseudoFile(fs, "/proc/big", 4096);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kLimit);
  EXPECT_EQ(text.error().message, "/proc/big: more than 4096 bytes, the limit for a system file");
}

TEST(PseudoFileTest, MissingFileAndDirectory) {
  MemoryFileSystem memory;
  memory.AddFile("/sys/a/b", "1\n");
  EXPECT_EQ(ReadPseudoFile(memory, "/sys/none").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(ReadPseudoFile(memory, "/sys/a").error().code, ErrorCode::kMalformed);
}

TEST(PseudoFileTest, RealProcFile) {
  RealFileSystem fs;
  auto text = ReadPseudoFile(fs, "/proc/meminfo");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_THAT(*text, StartsWith("MemTotal:"));
  EXPECT_EQ(text->back(), '\n');
}

TEST(PseudoFileTest, ParseDecimal) {
  EXPECT_EQ(ParseDecimal("25757220864\n"), 25757220864);
  EXPECT_EQ(ParseDecimal("  0 "), 0);
  EXPECT_EQ(ParseDecimal(""), std::nullopt);
  EXPECT_EQ(ParseDecimal("-1"), std::nullopt);
  EXPECT_EQ(ParseDecimal("12 kB"), std::nullopt);
  EXPECT_EQ(ParseDecimal("99999999999999999999"), std::nullopt);
}

}  // namespace
}  // namespace pipefit
