// `pipefit plan FILE.gguf`: a GGUF denoiser checkpoint is planned inside the
// catalog pipeline of its class (text encoders and VAE from FLUX.1-dev), its
// only weights kind is `gguf`, GGUF is offered only with the placements
// diffusers documents for it, and the code loads the file with
// from_single_file + GGUFQuantizationConfig.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "pipefit/testing/gguf_builder.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

using nlohmann::json;

// A FLUX transformer in original BFL names (as city96's GGUF files use),
// Q8_0 weights and F32 norms: two double blocks, two single blocks.
std::string WriteFluxGguf(const testkit::TempDir& dir) {
  GgufBuilder b;
  for (int i = 0; i < 2; ++i) {
    const std::string d = "double_blocks." + std::to_string(i) + ".";
    b.AddTensor(d + "img_attn.qkv.weight", {9216, 3072}, DType::kQ8_0);
    b.AddTensor(d + "img_attn.norm.key_norm.scale", {128}, DType::kF32);
    b.AddTensor(d + "img_mlp.0.weight", {12288, 3072}, DType::kQ8_0);
    const std::string s = "single_blocks." + std::to_string(i) + ".";
    b.AddTensor(s + "linear1.weight", {21504, 3072}, DType::kQ8_0);
    b.AddTensor(s + "linear2.weight", {3072, 15360}, DType::kQ8_0);
  }
  b.AddTensor("img_in.weight", {3072, 64}, DType::kF16);
  const std::string path = dir.path() + "/flux1-dev-Q8_0.gguf";
  EXPECT_TRUE(b.WriteSparseFile(path).ok());
  return path;
}

class PlanGgufTest : public ::testing::Test {
 protected:
  std::string Env() const { return "HF_HUB_CACHE=" + dir_.path() + "/none HOME=" + dir_.path(); }
  testkit::TempDir dir_;
};

TEST_F(PlanGgufTest, PlansTheFileInsideItsCatalogPipeline) {
  const std::string file = WriteFluxGguf(dir_);
  const RunResult r = RunPipefit("plan " + file + " --offline --vram 12GiB --ram 32GiB --all --json", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["pipeline_class"], "FluxPipeline");
  std::set<std::string> placements;
  for (const json& c : j["candidates"]) {
    EXPECT_EQ(c["weights"], "gguf") << c["id"];
    EXPECT_EQ(c["group"], "quantization");
    EXPECT_EQ(c["quality"], "int8") << "Q8_0 is 8.5 bits per weight";
    EXPECT_EQ(c["quantized_components"], json::array({"transformer"}));
    placements.insert(c["placement"].get<std::string>());
    const std::string code = c["code"];
    EXPECT_THAT(code, HasSubstr("FluxTransformer2DModel.from_single_file("));
    EXPECT_THAT(code, HasSubstr(file));
    EXPECT_THAT(code, HasSubstr("GGUFQuantizationConfig(compute_dtype=torch.bfloat16)"));
    EXPECT_THAT(code, HasSubstr("\"black-forest-labs/FLUX.1-dev\""));
  }
  // rules.cc gguf-stream-or-sequential: no streams, no sequential offload.
  EXPECT_EQ(placements, (std::set<std::string>{"gpu", "model_offload", "group_block", "group_leaf"}));
  // The text encoders and VAE of the base pipeline are in the plan: the T5
  // encoder alone is 9,524,621,312 bytes.
  EXPECT_GT(j["measurements"]["S_total"].get<int64_t>(), int64_t{9524621312});
  EXPECT_THAT(j["notes"].get<std::vector<std::string>>(),
              Contains(HasSubstr("black-forest-labs/FLUX.1-dev")));
}

TEST_F(PlanGgufTest, EmittedScriptParses) {
  if (std::system("python3 --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not found";
  const std::string file = WriteFluxGguf(dir_);
  const std::string script = dir_.path() + "/run.py";
  const RunResult r = RunPipefit(
      "plan " + file + " --offline --vram 24GiB --ram 64GiB --strategy gguf+model_offload --emit " + script,
      Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::system(("python3 -m py_compile '" + script + "'").c_str()), 0);
}

}  // namespace
}  // namespace pipefit
