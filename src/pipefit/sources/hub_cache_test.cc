#include "pipefit/sources/hub_cache.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

using ::testing::StartsWith;

const std::string kCommit = "4f2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f40";

TEST(HubCacheTest, LayoutAndRoundTrips) {
  testkit::TempDir dir;
  HubCache cache(dir.path(), "http://127.0.0.1:8080", "org/name");
  EXPECT_EQ(cache.root(), dir.path() + "/hub/127.0.0.1_8080/org/name");
  EXPECT_EQ(HubCache(dir.path(), "https://huggingface.co", "o/n").root(),
            dir.path() + "/hub/huggingface.co/o/n");
  EXPECT_EQ(HubCache(dir.path(), "https://mirror.test/hf", "o/n").root(),
            dir.path() + "/hub/mirror.test_%2Fhf/o/n");
  EXPECT_EQ(HubCache(dir.path(), "https://user:secret@mirror.test/hf", "o/n").root(),
            dir.path() + "/hub/mirror.test_%2Fhf/o/n");

  EXPECT_EQ(cache.ReadRef("main"), std::nullopt);
  ASSERT_TRUE(cache.WriteRef("refs/pr/1", kCommit).ok());
  EXPECT_EQ(cache.ReadRef("refs/pr/1"), kCommit);
  EXPECT_TRUE(RealFileSystem().IsFile(cache.root() + "/refs/refs%2Fpr%2F1"));

  std::vector<HubFile> files = {{"model_index.json", 10}, {"vae/w.safetensors", 1000}};
  ASSERT_TRUE(cache.WriteTree(kCommit, files).ok());
  auto tree = cache.ReadTree(kCommit);
  ASSERT_TRUE(tree.has_value());
  ASSERT_EQ(tree->size(), 2u);
  EXPECT_EQ((*tree)[1].path, "vae/w.safetensors");
  EXPECT_EQ((*tree)[1].size, 1000);

  HubFileSystem fs("org/name", files, nullptr);
  fs.AddPrefix("vae/w.safetensors", "0123456789");
  fs.AddPrefix("model_index.json", "{\"a\": 1}  ");
  ASSERT_TRUE(cache.SaveData(kCommit, fs).ok());
  HubFileSystem loaded("org/name", files, nullptr);
  EXPECT_EQ(cache.LoadData(kCommit, loaded), 2);
  EXPECT_EQ(*loaded.ReadFile("org/name/model_index.json", 100), "{\"a\": 1}  ");
  EXPECT_EQ(*loaded.ReadRange("org/name/vae/w.safetensors", 2, 3), "234");
}

TEST(HubCacheTest, AnythingInconsistentIsIgnored) {
  testkit::TempDir dir;
  HubCache cache(dir.path(), "https://hub.test", "org/name");
  const std::string tree = cache.root() + "/" + kCommit + "/tree.tsv";
  for (const char* text :
       {"", "other-format\n1\ta\n", "pipefit-hub-tree/1\n1\t../escape\n", "pipefit-hub-tree/1\nx\ta\n",
        "pipefit-hub-tree/1\nno tab\n", "pipefit-hub-tree/1\n99999999999999999999\ta\n"}) {
    testkit::WriteTextFile(tree, text);
    EXPECT_EQ(cache.ReadTree(kCommit), std::nullopt) << text;
  }
  testkit::WriteTextFile(cache.root() + "/refs/main", "not-a-commit\n");
  EXPECT_EQ(cache.ReadRef("main"), std::nullopt);
  // A cached prefix longer than the listed file is not trusted.
  testkit::WriteTextFile(cache.root() + "/" + kCommit + "/data/a.json", "0123456789");
  HubFileSystem fs("", {{"a.json", 4}}, nullptr);
  EXPECT_EQ(cache.LoadData(kCommit, fs), 0);
}

TEST(HubCacheTest, DisabledAndUnwritable) {
  HubCache disabled("", "https://hub.test", "org/name");
  EXPECT_FALSE(disabled.enabled());
  EXPECT_TRUE(disabled.WriteRef("main", kCommit).ok());
  EXPECT_EQ(disabled.ReadRef("main"), std::nullopt);

  testkit::TempDir dir;
  testkit::WriteTextFile(dir.path() + "/file", "x");  // a file where a folder must go
  HubCache blocked(dir.path() + "/file", "https://hub.test", "org/name");
  auto status = blocked.WriteRef("main", kCommit);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kIo);
  EXPECT_THAT(status.error().message, StartsWith(dir.path() + "/file/hub: cannot create folder: "))
      << status.error().message;
}

}  // namespace
}  // namespace pipefit
