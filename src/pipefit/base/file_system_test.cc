#include "pipefit/base/file_system.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "pipefit/testing/temp_dir.h"

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

// --- WriteFileAtomically ------------------------------------------------------

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string Contents(const std::string& path) { return *RealFileSystem().ReadFile(path, 1 << 20); }

// Only `expected` names in the folder: no temporary file left behind.
std::vector<std::string> Names(const std::string& folder) { return *RealFileSystem().ListDirectory(folder); }

TEST(FileSystemTest, AtomicWriteCreatesAFileWithTheGivenModeAndFoldersWhenAsked) {
  testkit::TempDir dir;
  const std::string path = dir.path() + "/a/b/c.txt";
  Status missing = WriteFileAtomically(path, "x");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
  EXPECT_TRUE(missing.error().message.starts_with(path + ".pipefit-tmp-")) << missing.error().message;
  EXPECT_TRUE(missing.error().message.ends_with(": cannot create: No such file or directory"))
      << missing.error().message;
  ASSERT_TRUE(WriteFileAtomically(path, "hello", {.new_file_mode = 0600, .create_folders = true}).ok());
  EXPECT_EQ(Contents(path), "hello");
  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(Names(dir.path() + "/a/b"), std::vector<std::string>{"c.txt"});
}

TEST(FileSystemTest, AtomicWriteReplacesAFileAndKeepsItsMode) {
  testkit::TempDir dir;
  const std::string path = dir.path() + "/run.py";
  ASSERT_TRUE(WriteFileAtomically(path, "old\n").ok());
  ASSERT_EQ(::chmod(path.c_str(), 0751), 0);
  ASSERT_TRUE(WriteFileAtomically(path, std::string("new\0bytes", 9)).ok());
  EXPECT_EQ(Contents(path), std::string("new\0bytes", 9));
  EXPECT_EQ(ModeOf(path), 0751u);
  // A backup takes its original's mode.
  ASSERT_TRUE(WriteFileAtomically(path + ".orig", "old\n", {.mode_from = path}).ok());
  EXPECT_EQ(ModeOf(path + ".orig"), 0751u);
  EXPECT_EQ(Names(dir.path()), (std::vector<std::string>{"run.py", "run.py.orig"}));
}

TEST(FileSystemTest, AtomicWriteWithoutReplaceLeavesAnExistingFile) {
  testkit::TempDir dir;
  const std::string path = dir.path() + "/run.py";
  ASSERT_TRUE(WriteFileAtomically(path, "first", {.replace_existing = false}).ok());
  Status again = WriteFileAtomically(path, "second", {.replace_existing = false});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUsage);
  EXPECT_EQ(again.error().message, path + ": file exists");
  EXPECT_EQ(Contents(path), "first");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"run.py"});
}

TEST(FileSystemTest, AtomicWriteReplacesALinkOrFollowsOneInsideItsFolder) {
  testkit::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/in/sub");
  std::filesystem::create_directories(dir.path() + "/out");
  const std::string inside = dir.path() + "/in/sub/real.py";
  const std::string outside = dir.path() + "/out/real.py";
  ASSERT_TRUE(WriteFileAtomically(inside, "inside").ok());
  ASSERT_TRUE(WriteFileAtomically(outside, "outside").ok());
  const std::string link_in = dir.path() + "/in/a.py";
  const std::string link_out = dir.path() + "/in/b.py";
  ASSERT_EQ(::symlink("sub/real.py", link_in.c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), link_out.c_str()), 0);

  ASSERT_TRUE(WriteFileAtomically(link_in, "through the link", {.follow_link_within_folder = true}).ok());
  EXPECT_TRUE(std::filesystem::is_symlink(link_in));
  EXPECT_EQ(Contents(inside), "through the link");

  Status refused = WriteFileAtomically(link_out, "no", {.follow_link_within_folder = true});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(refused.error().message, link_out + " is a symlink to " + outside + ", outside its folder");
  EXPECT_EQ(Contents(outside), "outside");
  EXPECT_EQ(*ResolveLinkWithinFolder(link_in), inside);
  EXPECT_EQ(*ResolveLinkWithinFolder(inside), inside);

  // By default the link itself is replaced; its target is untouched.
  ASSERT_TRUE(WriteFileAtomically(link_out, "a file now").ok());
  EXPECT_FALSE(std::filesystem::is_symlink(link_out));
  EXPECT_EQ(Contents(link_out), "a file now");
  EXPECT_EQ(Contents(outside), "outside");
  EXPECT_EQ(Names(dir.path() + "/in"), (std::vector<std::string>{"a.py", "b.py", "sub"}));
}

TEST(FileSystemTest, FindFilesUnderListsMatchingFilesOfEveryFolderSorted) {
  testkit::TempDir dir;
  std::filesystem::create_directories(dir.path() + "/b/deep");
  for (const char* name : {"/z.json", "/a.txt", "/b/deep/c.json", "/b/a.json"})
    ASSERT_TRUE(WriteFileAtomically(dir.path() + name, "{}").ok());
  std::filesystem::create_directories(dir.path() + "/folder.json");  // a folder, not a file
  auto found = FindFilesUnder(dir.path(), ".json");
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, (std::vector<std::string>{dir.path() + "/b/a.json", dir.path() + "/b/deep/c.json",
                                              dir.path() + "/z.json"}));
  auto missing = FindFilesUnder(dir.path() + "/none", ".json");
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
}

}  // namespace
}  // namespace pipefit
