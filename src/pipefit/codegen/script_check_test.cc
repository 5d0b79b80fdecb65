#include "pipefit/codegen/script_check.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

std::vector<std::pair<std::string, int>> Findings(const char* source, const ScriptModelFacts& facts) {
  auto script = ParsePythonScript(source);
  EXPECT_TRUE(script.ok());
  std::vector<std::pair<std::string, int>> out;
  for (const Finding& f : CheckScript(*script, facts).findings) out.emplace_back(f.rule, f.line);
  return out;
}

ScriptModelFacts StoredIn(const char* dtype) {
  ScriptModelFacts facts;
  facts.known = true;
  facts.preferred_dtype = dtype;
  return facts;
}

using V = std::vector<std::pair<std::string, int>>;

// diffusers loads float32 when no torch_dtype is given: for a checkpoint
// stored in half precision (the catalog's stored dtype, offline) that is
// twice the memory, unless the pipeline is cast afterwards.
TEST(ScriptCheckTest, DefaultFloat32LoadOfAHalfPrecisionModel) {
  const char* missing =
      "from diffusers import DiffusionPipeline\n"
      "pipe = DiffusionPipeline.from_pretrained('org/model')\n"
      "pipe.to('cuda')\n";
  EXPECT_EQ(Findings(missing, StoredIn("fp16")), (V{{"fp32-for-half-model", 2}}));
  EXPECT_EQ(Findings(missing, StoredIn("bf16")), (V{{"fp32-for-half-model", 2}}));
  EXPECT_EQ(Findings(missing, StoredIn("")), V{});  // stored in fp32: float32 is right
  const char* cast =
      "pipe = DiffusionPipeline.from_pretrained('org/model')\n"
      "pipe.to('cuda', torch.float16)\n";
  EXPECT_EQ(Findings(cast, StoredIn("fp16")), V{});
  const char* variable = "pipe = DiffusionPipeline.from_pretrained('org/model', torch_dtype=dtype)\n";
  EXPECT_EQ(Findings(variable, StoredIn("bf16")), V{});
  const char* quantized = "pipe = DiffusionPipeline.from_pretrained('org/model', quantization_config=q)\n";
  EXPECT_EQ(Findings(quantized, StoredIn("bf16")), V{});
}

}  // namespace
}  // namespace pipefit
