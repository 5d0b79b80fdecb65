#include "pipefit/doctor/script_tie.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

std::vector<ScriptTie> Tie(OomStage stage, const char* source) {
  OomReport r;
  r.kind = OomKind::kCuda;
  r.stage = stage;
  auto script = ParsePythonScript(source);
  EXPECT_TRUE(script.ok());
  return TieLogToScript(r, *script);
}

TEST(ScriptTieTest, PipelineOnTheGpuWithoutOffloadAtDecode) {
  const auto ties = Tie(OomStage::kVaeDecode,
                        "import torch\n"
                        "from diffusers import FluxPipeline\n"
                        "pipe = FluxPipeline.from_pretrained('black-forest-labs/FLUX.1-dev', "
                        "torch_dtype=torch.bfloat16)\n"
                        "pipe.to('cuda')\n"
                        "image = pipe('a cat', height=1536, width=1536).images[0]\n");
  ASSERT_EQ(ties.size(), 3u);
  EXPECT_EQ(ties[0].rule, "to-cuda-no-offload");
  EXPECT_EQ(ties[0].line, 4);
  EXPECT_EQ(ties[0].text.rfind("line 4 moves the whole pipeline to the GPU", 0), 0u);
  EXPECT_EQ(ties[1].rule, "vae-not-tiled");
  EXPECT_EQ(ties[1].line, 4);
  EXPECT_EQ(ties[2].rule, "generation-size");
  EXPECT_EQ(ties[2].line, 5);
  EXPECT_NE(ties[2].text.find("1536x1536"), std::string::npos);
}

TEST(ScriptTieTest, ChainedMoveBeforeOffloadAndMoveAfterOffload) {
  auto ties = Tie(OomStage::kLoading,
                  "pipe = DiffusionPipeline.from_pretrained('x/y').to('cuda')\n"
                  "pipe.enable_model_cpu_offload()\n");
  ASSERT_EQ(ties.size(), 1u);
  EXPECT_EQ(ties[0].rule, "to-cuda-before-offload");
  EXPECT_EQ(ties[0].line, 1);
  ties = Tie(OomStage::kDenoising,
             "pipe = DiffusionPipeline.from_pretrained('x/y')\n"
             "pipe.enable_model_cpu_offload()\n"
             "pipe.to('cuda')\n");
  ASSERT_EQ(ties.size(), 1u);
  EXPECT_EQ(ties[0].rule, "to-cuda-after-offload");
  EXPECT_EQ(ties[0].line, 3);
}

TEST(ScriptTieTest, TiledVaeAndOffloadedPipelineHaveNothingToTie) {
  EXPECT_TRUE(Tie(OomStage::kVaeDecode,
                  "pipe = DiffusionPipeline.from_pretrained('x/y')\n"
                  "pipe.enable_model_cpu_offload()\n"
                  "pipe.vae.enable_tiling()\n"
                  "image = pipe('p').images[0]\n")
                  .empty());
  EXPECT_TRUE(Tie(OomStage::kVaeDecode, "print('no pipeline here')\n").empty());
}

}  // namespace
}  // namespace pipefit
