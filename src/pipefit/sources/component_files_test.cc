// GuessComponentWeightFiles: the weight files a remote prefetch asks for in
// the same round as the index, from file names alone.
#include "pipefit/sources/component_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

MemoryFileSystem Folder(const std::vector<std::string>& names) {
  MemoryFileSystem fs;
  for (const std::string& name : names) fs.AddFile("c/" + name, "x");
  return fs;
}

TEST(GuessComponentWeightFilesTest, ShardsOfTheIndexStemWithoutAVariant) {
  MemoryFileSystem fs =
      Folder({"config.json", "diffusion_pytorch_model.safetensors.index.json",
              "diffusion_pytorch_model-00001-of-00002.safetensors",
              "diffusion_pytorch_model-00002-of-00002.safetensors",
              "diffusion_pytorch_model.fp16-00001-of-00001.safetensors", "notes.safetensors"});
  EXPECT_THAT(GuessComponentWeightFiles(fs, "c", ""),
              ElementsAre("c/diffusion_pytorch_model-00001-of-00002.safetensors",
                          "c/diffusion_pytorch_model-00002-of-00002.safetensors"));
}

TEST(GuessComponentWeightFilesTest, VariantShardsInEitherNaming) {
  MemoryFileSystem fs = Folder({"model.safetensors.index.fp16.json", "model.fp16-00001-of-00002.safetensors",
                                "model-00002-of-00002.fp16.safetensors", "model-00001-of-00001.safetensors"});
  EXPECT_THAT(
      GuessComponentWeightFiles(fs, "c", "fp16"),
      ElementsAre("c/model-00002-of-00002.fp16.safetensors", "c/model.fp16-00001-of-00002.safetensors"));
}

TEST(GuessComponentWeightFilesTest, SingleFileFallbackAndNothingToGuess) {
  // No fp16 files: the plain single file, as the loader falls back.
  EXPECT_THAT(GuessComponentWeightFiles(Folder({"model.safetensors"}), "c", "fp16"),
              ElementsAre("c/model.safetensors"));
  // Shards named unlike the stem are left to the exact second round.
  EXPECT_THAT(
      GuessComponentWeightFiles(Folder({"model.safetensors.index.json", "part1.safetensors"}), "c", ""),
      IsEmpty());
  // The catalog's manifest is read whole, not guessed.
  EXPECT_THAT(GuessComponentWeightFiles(Folder({"tensors.tsv", "model.safetensors"}), "c", ""), IsEmpty());
  EXPECT_THAT(GuessComponentWeightFiles(Folder({"config.json"}), "c", ""), IsEmpty());
}

}  // namespace
}  // namespace pipefit
