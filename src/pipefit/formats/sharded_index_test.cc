#include "pipefit/formats/sharded_index.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::HasSubstr;

TEST(ShardedIndexTest, ParsesWeightMapAndTotalSize) {
  auto index = ParseShardedIndex(
      R"({"metadata":{"total_size":23802816640},"weight_map":{"a":"m-00001-of-00002.safetensors",)"
      R"("b":"m-00002-of-00002.safetensors","c":"m-00001-of-00002.safetensors"}})",
      "idx.json");
  ASSERT_TRUE(index.ok()) << index.error().message;
  EXPECT_EQ(index->total_size, 23802816640);
  EXPECT_EQ(index->weight_map.size(), 3u);
  EXPECT_EQ(index->shards,
            (std::vector<std::string>{"m-00001-of-00002.safetensors", "m-00002-of-00002.safetensors"}));
}

TEST(ShardedIndexTest, TotalSizeIsOptionalAndMayBeAFloat) {
  auto without = ParseShardedIndex(R"({"weight_map":{"a":"s.safetensors"}})", "idx.json");
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without->total_size.has_value());
  auto with_float = ParseShardedIndex(R"({"metadata":{"total_size":1024.0},"weight_map":{"a":"s"}})", "i");
  ASSERT_TRUE(with_float.ok());
  EXPECT_EQ(with_float->total_size, 1024);
}

TEST(ShardedIndexTest, EveryCorruptIndexIsAClearError) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"{", "idx.json: index is not valid JSON"},
      {"[]", "idx.json: index must be a JSON object"},
      {R"({"metadata":{}})", "idx.json: missing or non-object 'weight_map'"},
      {R"({"weight_map":[]})", "idx.json: missing or non-object 'weight_map'"},
      {R"({"weight_map":{}})", "idx.json: 'weight_map' is empty"},
      {R"({"weight_map":{"a":1}})", "idx.json: weight_map entry 'a' is not a string"},
      {R"({"weight_map":{"a":"../../etc/passwd"}})",
       "names shard '../../etc/passwd' outside the component folder"},
      {R"({"weight_map":{"a":"/abs.safetensors"}})", "outside the component folder"},
      {R"({"weight_map":{"a":".."}})", "outside the component folder"},
      {R"({"weight_map":{"a":"s","a":"t"}})", "idx.json: duplicate tensor name 'a' in weight_map"},
      {R"({"metadata":3,"weight_map":{"a":"s"}})", "idx.json: 'metadata' must be an object"},
      {R"({"metadata":{"total_size":-5},"weight_map":{"a":"s"}})",
       "'metadata.total_size' must be a non-negative integer"},
      {R"({"metadata":{"total_size":"12"},"weight_map":{"a":"s"}})",
       "'metadata.total_size' must be a non-negative integer"},
  };
  for (const Case& c : cases) {
    auto index = ParseShardedIndex(c.json, "idx.json");
    ASSERT_FALSE(index.ok()) << c.json;
    EXPECT_EQ(index.error().code, ErrorCode::kMalformed) << c.json;
    EXPECT_THAT(index.error().message, HasSubstr(c.message)) << c.json << " -> " << index.error().message;
  }
}

}  // namespace
}  // namespace pipefit
