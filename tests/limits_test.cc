// Every input limit pipefit enforces (docs/fuzzing.md "Limits") gives a
// clear error naming the input, without reading what is over the limit.
// Oversized files are sparse, so a gigabyte costs nothing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "pipefit/base/file_system.h"
#include "pipefit/codegen/python_script.h"
#include "pipefit/formats/gguf.h"
#include "pipefit/formats/safetensors.h"
#include "pipefit/formats/sharded_index.h"
#include "pipefit/formats/tensor_info.h"
#include "pipefit/sources/pipeline_folder.h"
#include "pipefit/testing/safetensors_builder.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;

TEST(LimitsTest, ScriptOverFourMebibytesIsRefused) {
  auto script = ParsePythonScript(std::string(kMaxScriptBytes + 1, '#'));
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.error().code, ErrorCode::kLimit);
  EXPECT_THAT(script.error().message, HasSubstr("up to 4194304 bytes"));
  EXPECT_TRUE(ParsePythonScript(std::string(1000, '#')).ok());

  testkit::TempDir dir;
  const std::string path = dir.path() + "/big.py";
  testkit::WriteSparseFile(path, "import torch\n", 5 * kMiB);
  const RunResult r = RunPipefit("check " + path);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path));
  EXPECT_THAT(r.err, HasSubstr("limit"));
}

TEST(LimitsTest, LogOverOneGibibyteIsRefusedWithoutReadingIt) {
  testkit::TempDir dir;
  const std::string path = dir.path() + "/huge.log";
  testkit::WriteSparseFile(path, "CUDA out of memory.\n", kGiB + 1);
  const RunResult r = RunPipefit("doctor " + path + " --json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("huge.log"));
  EXPECT_THAT(r.err, HasSubstr("more than the limit of 1073741824"));
}

TEST(LimitsTest, JsonNestedDeeperThanSimdjsonsLimitIsMalformedNotACrash) {
  MemoryFileSystem fs;
  std::string deep(5000, '[');
  deep += std::string(5000, ']');
  fs.AddFile("p/model_index.json", "{\"_class_name\": \"FluxPipeline\", \"x\": " + deep + "}");
  auto pipeline = LoadPipelineFolder(fs, "p", "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kMalformed);
  EXPECT_THAT(pipeline.error().message, HasSubstr("model_index.json"));
}

TEST(LimitsTest, ConfigOverSixteenMebibytesIsRefused) {
  MemoryFileSystem fs;
  fs.AddFile("p/model_index.json", R"({"_class_name": "FluxPipeline", "transformer": ["diffusers", "X"]})");
  fs.AddSparseFile("p/transformer/config.json", "{", 16 * kMiB + 1);
  fs.AddFile("p/transformer/diffusion_pytorch_model.safetensors",
             testkit::SafetensorsBytes({{"a.weight", "BF16", {2, 2}}}));
  auto pipeline = LoadPipelineFolder(fs, "p", "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kLimit);
  EXPECT_THAT(pipeline.error().message, HasSubstr("config.json"));
}

TEST(LimitsTest, IndexFileOverSixtyFourMebibytesIsRefused) {
  MemoryFileSystem fs;
  fs.AddFile("p/model_index.json", R"({"_class_name": "FluxPipeline", "transformer": ["diffusers", "X"]})");
  fs.AddFile("p/transformer/config.json", "{}");
  fs.AddSparseFile("p/transformer/diffusion_pytorch_model.safetensors.index.json", "{",
                   kMaxIndexFileBytes + 1);
  auto pipeline = LoadPipelineFolder(fs, "p", "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kLimit) << pipeline.error().message;
  EXPECT_THAT(pipeline.error().message, HasSubstr("index.json"));
}

TEST(LimitsTest, TensorDimsAndHeaderSize) {
  // 17 dimensions: one more than kMaxTensorDims.
  std::vector<int64_t> shape(kMaxTensorDims + 1, 1);
  MemoryFileSystem fs;
  fs.AddFile("x.safetensors", testkit::SafetensorsBytes({{"w", "BF16", shape}}));
  auto header = ReadSafetensorsHeader(fs, "x.safetensors");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, ErrorCode::kLimit) << header.error().message;
  // A header length over 100 MB is refused before anything is read.
  std::string prefix(8, '\0');
  const uint64_t length = static_cast<uint64_t>(kMaxSafetensorsHeaderBytes) + 1;
  for (int i = 0; i < 8; ++i) prefix[i] = static_cast<char>((length >> (8 * i)) & 0xff);
  fs.AddSparseFile("big.safetensors", prefix, 200 * kMiB);
  header = ReadSafetensorsHeader(fs, "big.safetensors");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, ErrorCode::kLimit);
  EXPECT_THAT(header.error().message, HasSubstr("100 MB"));
}

}  // namespace
}  // namespace pipefit
