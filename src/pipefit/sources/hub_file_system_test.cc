#include "pipefit/sources/hub_file_system.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

// Serves ranges of in-memory files and records every fetch.
class RecordingFetcher : public HubFetcher {
 public:
  std::map<std::string, std::string> content;
  std::vector<std::tuple<std::string, int64_t, int64_t>> fetches;

  Result<std::string> FetchRange(const std::string& path, int64_t offset, int64_t length,
                                 int64_t size) override {
    fetches.emplace_back(path, offset, length);
    EXPECT_EQ(size, static_cast<int64_t>(content[path].size()));
    return content[path].substr(static_cast<size_t>(offset), static_cast<size_t>(length));
  }
};

std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 7 + i / 251);
  return bytes;
}

struct Fixture {
  RecordingFetcher fetcher;
  std::vector<HubFile> files;
  Fixture() {
    fetcher.content["model_index.json"] = "{}";
    fetcher.content["vae/config.json"] = "{\"a\":1}";
    fetcher.content["vae/w.safetensors"] = Pattern(300 * 1024);
    fetcher.content["t/w.gguf"] = Pattern(2 * 1024 * 1024);
    for (const auto& [path, bytes] : fetcher.content)
      files.push_back(HubFile{path, static_cast<int64_t>(bytes.size())});
  }
};

TEST(HubFileSystemTest, ListingAnswersStatAndDirectoriesWithoutFetching) {
  Fixture f;
  HubFileSystem fs("org/name", f.files, &f.fetcher);
  EXPECT_TRUE(fs.IsDirectory("org/name"));
  EXPECT_TRUE(fs.IsDirectory("org/name/vae"));
  EXPECT_EQ(fs.Stat("org/name/vae/w.safetensors")->size, 300 * 1024);
  EXPECT_EQ(*fs.ListDirectory("org/name"), (std::vector<std::string>{"model_index.json", "t", "vae"}));
  EXPECT_EQ(*fs.ListDirectory("org/name/vae"), (std::vector<std::string>{"config.json", "w.safetensors"}));
  EXPECT_FALSE(fs.Exists("org/name/nope"));
  EXPECT_FALSE(fs.Exists("other/name/vae"));
  EXPECT_EQ(fs.Stat("org/name/nope").error().message, "org/name/nope: no such file in the repo");
  EXPECT_TRUE(f.fetcher.fetches.empty());
}

TEST(HubFileSystemTest, FirstReadFetchesAheadThenExactlyTheRest) {
  Fixture f;
  HubFileSystem fs("org/name", f.files, &f.fetcher);
  const std::string& bytes = f.fetcher.content["vae/w.safetensors"];
  EXPECT_EQ(*fs.ReadRange("org/name/vae/w.safetensors", 0, 8), bytes.substr(0, 8));
  EXPECT_EQ(*fs.ReadRange("org/name/vae/w.safetensors", 8, 1000), bytes.substr(8, 1000));
  EXPECT_EQ(*fs.ReadRange("org/name/vae/w.safetensors", 8, 100000), bytes.substr(8, 100000));
  using Fetch = std::tuple<std::string, int64_t, int64_t>;
  EXPECT_EQ(f.fetcher.fetches,
            (std::vector<Fetch>{{"vae/w.safetensors", 0, kHubFirstReadBytes},
                                {"vae/w.safetensors", kHubFirstReadBytes, 100008 - kHubFirstReadBytes}}));
  EXPECT_EQ(fs.HeldPrefix("vae/w.safetensors"), bytes.substr(0, 100008));
}

TEST(HubFileSystemTest, WholeSmallFilesAreFetchedExactly) {
  Fixture f;
  HubFileSystem fs("org/name", f.files, &f.fetcher);
  EXPECT_EQ(*fs.ReadFile("org/name/vae/config.json", 1024), "{\"a\":1}");
  EXPECT_EQ(*fs.ReadFile("org/name/vae/config.json", 1024), "{\"a\":1}");
  using Fetch = std::tuple<std::string, int64_t, int64_t>;
  EXPECT_EQ(f.fetcher.fetches, (std::vector<Fetch>{{"vae/config.json", 0, 7}}));
}

TEST(HubFileSystemTest, GgufReadAheadDoubles) {
  Fixture f;
  HubFileSystem fs("", f.files, &f.fetcher);
  const std::string& bytes = f.fetcher.content["t/w.gguf"];
  EXPECT_EQ(*fs.ReadRange("t/w.gguf", 0, 24), bytes.substr(0, 24));
  EXPECT_EQ(*fs.ReadRange("t/w.gguf", 65536, 16), bytes.substr(65536, 16));
  EXPECT_EQ(*fs.ReadRange("t/w.gguf", 300000, 16), bytes.substr(300000, 16));
  using Fetch = std::tuple<std::string, int64_t, int64_t>;
  EXPECT_EQ(f.fetcher.fetches,
            (std::vector<Fetch>{
                {"t/w.gguf", 0, 65536}, {"t/w.gguf", 65536, 131072}, {"t/w.gguf", 300000, 262144}}));
}

TEST(HubFileSystemTest, PrefetchFetchesOnlyTheGapAndBlocksMerge) {
  Fixture f;
  HubFileSystem fs("m", f.files, &f.fetcher);
  ASSERT_TRUE(fs.Prefetch("vae/w.safetensors", 100, 50).ok());
  ASSERT_TRUE(fs.Prefetch("vae/w.safetensors", 0, 120).ok());
  ASSERT_TRUE(fs.Prefetch("vae/w.safetensors", 0, 150).ok());
  ASSERT_TRUE(fs.Prefetch("vae/w.safetensors", 140, 10000000).ok());  // clipped to the file
  using Fetch = std::tuple<std::string, int64_t, int64_t>;
  EXPECT_EQ(f.fetcher.fetches, (std::vector<Fetch>{{"vae/w.safetensors", 100, 50},
                                                   {"vae/w.safetensors", 0, 120},
                                                   {"vae/w.safetensors", 150, 300 * 1024 - 150}}));
  EXPECT_EQ(fs.HeldPrefix("vae/w.safetensors"), f.fetcher.content["vae/w.safetensors"]);
}

TEST(HubFileSystemTest, OfflineMissNamesTheBytes) {
  Fixture f;
  HubFileSystem fs("org/name", f.files, nullptr);
  fs.AddPrefix("vae/w.safetensors", f.fetcher.content["vae/w.safetensors"].substr(0, 16));
  EXPECT_TRUE(fs.ReadRange("org/name/vae/w.safetensors", 0, 16).ok());
  auto miss = fs.ReadRange("org/name/vae/w.safetensors", 8, 100);
  ASSERT_FALSE(miss.ok());
  EXPECT_EQ(miss.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(miss.error().message,
            "org/name/vae/w.safetensors: bytes 16-107 are not in pipefit's cache and the network is off "
            "(--offline or HF_HUB_OFFLINE=1)");
}

TEST(HubFileSystemTest, ReadsPastTheEndAreMalformed) {
  Fixture f;
  HubFileSystem fs("", f.files, &f.fetcher);
  auto past = fs.ReadRange("vae/config.json", 4, 10);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().message, "vae/config.json: wanted 10 bytes at offset 4 but the file has 7 bytes");
  EXPECT_TRUE(f.fetcher.fetches.empty());
}

TEST(HubFileSystemTest, APrefixLongerThanTheFileIsIgnored) {
  Fixture f;
  HubFileSystem fs("", f.files, nullptr);
  fs.AddPrefix("vae/config.json", "0123456789");
  EXPECT_EQ(fs.HeldPrefix("vae/config.json"), "");
}

}  // namespace
}  // namespace pipefit
