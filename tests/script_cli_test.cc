// End-to-end tests of `pipefit check` and `pipefit apply` through the
// binary: exit codes, JSON, the diff, --write with its backup, symlinks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using nlohmann::json;

constexpr char kScript[] =
    "import torch\n"
    "from diffusers import FluxPipeline\n"
    "\n"
    "# the pipeline\n"
    "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
    "pipe.to(\"cuda\")\n"
    "pipe.enable_vae_tiling()  # removed API\n"
    "image = pipe(\"a fox\", height=1024, width=1024).images[0]\n"
    "image.save(\"fox.png\")\n";

class ScriptCliTest : public ::testing::Test {
 protected:
  std::string Env() const { return "HF_HUB_CACHE=" + dir_.path() + "/none HOME=" + dir_.path(); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_.path() + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  testkit::TempDir dir_;
};

TEST_F(ScriptCliTest, CheckExitsOneOnAnErrorAndPrintsFileLineSeverityRule) {
  const std::string path = Write("run.py", kScript);
  const RunResult r = RunPipefit("check " + path, Env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(path + ":7: error pipeline-vae-tiling-removed: "));
  EXPECT_THAT(r.out, HasSubstr("    fix: call it on the VAE: pipe.vae.enable_tiling()"));
}

TEST_F(ScriptCliTest, CheckJsonHasTheContractFields) {
  const RunResult r = RunPipefit("check " + Write("run.py", kScript) + " --json", Env());
  EXPECT_EQ(r.exit_code, 1);
  const json j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "pipefit.check/1");
  ASSERT_EQ(j["findings"].size(), 1u) << j.dump();
  const json& f = j["findings"][0];
  EXPECT_EQ(f["rule"], "pipeline-vae-tiling-removed");
  EXPECT_EQ(f["severity"], "error");
  EXPECT_EQ(f["line"], 7);
  EXPECT_TRUE(f["message"].is_string());
  EXPECT_TRUE(f["fix"].is_string());
}

// .to("cuda") before offloading: the finding names the load peak with the
// catalog model's stored bytes (FLUX.1-dev: 33,741,198,278 B = 31.42 GiB).
TEST_F(ScriptCliTest, CheckNamesTheLoadPeakOfToCudaBeforeOffload) {
  const std::string path = Write("run.py",
                                 "import torch\nfrom diffusers import FluxPipeline\n\n"
                                 "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", "
                                 "torch_dtype=torch.bfloat16).to(\"cuda\")\n"
                                 "pipe.enable_model_cpu_offload()\n");
  const RunResult r = RunPipefit("check " + path, Env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(path + ":4: warning to-before-offload: "));
  EXPECT_THAT(r.out, HasSubstr("; for this model that is 31.42 GiB of weights on the GPU while loading"));
}

TEST_F(ScriptCliTest, CleanScriptExitsZero) {
  const RunResult r =
      RunPipefit("check " + Write("ok.py",
                                  "from diffusers import FluxPipeline\nimport torch\n"
                                  "pipe = FluxPipeline.from_pretrained(\"x/y\", torch_dtype=torch.bfloat16)\n"
                                  "pipe.enable_model_cpu_offload()\npipe.vae.enable_tiling()\n"),
                 Env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("no findings"));
}

TEST_F(ScriptCliTest, ApplyPrintsADiffAndLeavesTheFileAlone) {
  const std::string path = Write("run.py", kScript);
  const RunResult r = RunPipefit("apply " + path + " --strategy full+model_offload --offline", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(path), kScript);
  EXPECT_THAT(r.out, HasSubstr("--- a/" + path.substr(1) + "\n"));
  EXPECT_THAT(r.out, HasSubstr("\n-pipe.to(\"cuda\")\n"));
  EXPECT_THAT(r.out, HasSubstr("\n+pipe.enable_model_cpu_offload()\n"));
  EXPECT_THAT(r.out, HasSubstr("\n-pipe.enable_vae_tiling()  # removed API\n"));
}

TEST_F(ScriptCliTest, ApplyWriteKeepsTheOriginalAndIsIdempotent) {
  const std::string path = Write("run.py", kScript);
  RunResult r =
      RunPipefit("apply " + path + " --strategy fp8_layerwise+model_offload --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(path + ".orig"), kScript);
  const std::string once = ReadFile(path);
  EXPECT_NE(once, kScript);
  EXPECT_THAT(once, HasSubstr("pipe.transformer.enable_layerwise_casting("));
  r = RunPipefit("apply " + path + " --strategy fp8_layerwise+model_offload --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(path), once);
  EXPECT_THAT(r.err, HasSubstr("nothing to change"));
  if (std::system("python3 --version >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("python3 -m py_compile '" + path + "'").c_str()), 0);
  }
}

TEST_F(ScriptCliTest, ApplyRefusesASymlinkOutsideTheFolder) {
  const std::string real = Write("real.py", kScript);
  std::filesystem::create_directory(dir_.path() + "/sub");
  const std::string link = dir_.path() + "/sub/run.py";
  ASSERT_EQ(symlink(real.c_str(), link.c_str()), 0);
  const RunResult r = RunPipefit("apply " + link + " --strategy full+model_offload --offline --write", Env());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr("outside its folder"));
  EXPECT_EQ(ReadFile(real), kScript);
  EXPECT_FALSE(std::filesystem::exists(link + ".orig"));
}

TEST_F(ScriptCliTest, ErrorsExitWithTheContractCodes) {
  EXPECT_EQ(RunPipefit("check " + dir_.path() + "/missing.py", Env()).exit_code, 1);
  const std::string none = Write("none.py", "print('no pipeline here')\n");
  EXPECT_EQ(RunPipefit("apply " + none + " --strategy full+gpu --offline", Env()).exit_code, 1);
  const std::string path = Write("run.py", kScript);
  EXPECT_EQ(RunPipefit("apply " + path + " --strategy bogus+gpu --offline", Env()).exit_code, 2);
  const RunResult rejected =
      RunPipefit("apply " + path + " --strategy bnb_nf4+sequential_offload --offline", Env());
  EXPECT_EQ(rejected.exit_code, 2) << rejected.err;
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

// Review findings: user code is never removed, blocks never left empty,
// imports go after the file header, CRLF files stay CRLF.
TEST_F(ScriptCliTest, ApplyKeepsUserCodeAndWritesValidPython) {
  const std::string script =
      "#!/usr/bin/env python3\r\n"
      "\"\"\"Render with a fine-tune.\"\"\"\r\n"
      "def main():\r\n"
      "    import torch\r\n"
      "    from diffusers import FluxPipeline, FluxTransformer2DModel\r\n"
      "    transformer = FluxTransformer2DModel.from_single_file(\"ft.safetensors\", torch_dtype=torch.bfloat16)\r\n"
      "    pipe = FluxPipeline.from_pretrained(\"my-org/flux-ft\", transformer=transformer, torch_dtype=torch.bfloat16)\r\n"
      "    if torch.cuda.is_available():\r\n"
      "        # use the GPU when there is one\r\n"
      "        pipe.to(\"cuda\")\r\n"
      "    pipe.vae.to(torch.float32)  # keep the VAE in fp32\r\n"
      "    return pipe\r\n";
  const std::string path = Write("ft.py", script);
  const RunResult r =
      RunPipefit("apply " + path + " --strategy bnb_nf4+model_offload --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = ReadFile(path);
  EXPECT_THAT(out, HasSubstr("    transformer = FluxTransformer2DModel.from_single_file("));
  EXPECT_THAT(out, HasSubstr("        pass\r\n"));
  EXPECT_THAT(out, HasSubstr("    pipe.vae.to(torch.float32)  # keep the VAE in fp32\r\n"));
  EXPECT_THAT(out, StartsWith("#!/usr/bin/env python3\r\n"));
  EXPECT_EQ(out.find("\n", 0), out.find("\r\n", 0) + 1) << "the first line ending stays CRLF";
  for (size_t at = out.find('\n'); at != std::string::npos; at = out.find('\n', at + 1)) {
    ASSERT_EQ(out[at - 1], '\r') << "LF-only line in a CRLF file at byte " << at << ":\n" << out;
  }
  if (std::system("python3 --version >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("python3 -m py_compile '" + path + "'").c_str()), 0) << out;
  }
}

// Issue 15 item 5: a script rewritten for partial residency, inside a
// function, checks clean and compiles.
TEST_F(ScriptCliTest, ApplyWritesPartialResidencyThatChecksClean) {
  const std::string path = Write("resident.py",
                                 "import torch\n"
                                 "from diffusers import FluxPipeline\n"
                                 "\n"
                                 "\n"
                                 "def main():\n"
                                 "    pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", "
                                 "torch_dtype=torch.bfloat16)\n"
                                 "    pipe.to(\"cuda\")\n"
                                 "    image = pipe(\"a fox\", height=1024, width=1024).images[0]\n"
                                 "    image.save(\"fox.png\")\n");
  RunResult r = RunPipefit("apply " + path + " --strategy full+resident30 --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = ReadFile(path);
  EXPECT_THAT(
      out,
      HasSubstr("from diffusers import FluxPipeline\nfrom diffusers.hooks import apply_group_offloading\n"));
  EXPECT_THAT(out, Not(HasSubstr("pipe.to(\"cuda\")")));
  EXPECT_THAT(out, HasSubstr("    streamed = blocks[30:]\n"));
  EXPECT_THAT(out,
              HasSubstr("    for block in streamed:\n        apply_group_offloading(\n            block,\n"));
  EXPECT_THAT(out, HasSubstr("    image = pipe(\"a fox\", height=1024, width=1024).images[0]\n"));
  r = RunPipefit("check " + path, Env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("no findings"));
  if (std::system("python3 --version >/dev/null 2>&1") == 0) {
    EXPECT_EQ(std::system(("python3 -m py_compile '" + path + "'").c_str()), 0) << out;
  }
  // Past the denoiser's 57 blocks; and without the model, nobody knows them.
  r = RunPipefit("apply " + path + " --strategy full+resident58 --offline", Env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("the denoiser has 57 blocks (resident1 to resident57)"));
  const std::string local =
      Write("local.py",
            "import torch\nfrom diffusers import FluxPipeline\n"
            "pipe = FluxPipeline.from_pretrained(\"/nowhere/flux\", torch_dtype=torch.bfloat16)\n");
  r = RunPipefit("apply " + local + " --strategy full+resident30 --offline", Env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("partial residency needs the model to know the denoiser's blocks (--model)"));
}

// The script's own variable replaces "pipe" everywhere in the written code,
// not only at the start of a line: partial residency and tensor parallelism
// name it inside loops and arguments. (Found on tests/field/scripts/
// s04_nunchaku_qencoder_to_then_sequential.py, whose variable is `pipeline`.)
TEST_F(ScriptCliTest, ApplyRenamesThePipelineVariableInsideLoopsAndArguments) {
  const std::string script =
      "import torch\n"
      "from diffusers import FluxPipeline\n"
      "pipeline = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipeline.to(\"cuda\")\n"
      "image = pipeline(\"a fox\").images[0]\n";
  const std::string path = Write("pipeline.py", script);
  RunResult r = RunPipefit("apply " + path + " --strategy full+resident30 --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string out = ReadFile(path);
  EXPECT_THAT(out, HasSubstr("blocks = [*pipeline.transformer.transformer_blocks, "
                             "*pipeline.transformer.single_transformer_blocks]\n"));
  EXPECT_THAT(out, HasSubstr("for module in pipeline.transformer.modules():\n"));
  EXPECT_THAT(out, HasSubstr("        exclude_kwargs=pipeline.transformer._skip_keys,\n"));
  EXPECT_THAT(out, HasSubstr("for name, component in pipeline.components.items():\n"));
  EXPECT_THAT(out, Not(HasSubstr(" pipe.")));
  EXPECT_THAT(out, Not(HasSubstr("*pipe.")));
  EXPECT_THAT(out, Not(HasSubstr("=pipe.")));
  r = RunPipefit("check " + path, Env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  const std::string tp = Write("tp.py", script);
  r = RunPipefit("apply " + tp + " --strategy full+gpu+tp2 --gpu 2xH100 --ram 512GiB --offline --write",
                 Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  out = ReadFile(tp);
  EXPECT_THAT(out, HasSubstr("for component in pipeline.components.values():\n"));
  EXPECT_THAT(out, Not(HasSubstr(" pipe.")));
}

TEST_F(ScriptCliTest, ApplyWithoutTheModelRefusesRejectedCombinations) {
  const std::string path = Write("run.py", kScript);
  RunResult r = RunPipefit("apply " + path + " --strategy torchao_int4wo+model_offload --offline", Env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("torchao-int4-gpu-only"));
  const std::string svd =
      Write("svd.py",
            "import torch\nfrom diffusers import StableVideoDiffusionPipeline\n"
            "pipe = StableVideoDiffusionPipeline.from_pretrained(\"o/svd\", torch_dtype=torch.float16)\n");
  r = RunPipefit("apply " + svd + " --strategy full+gpu+vae_tiling --offline", Env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

// Offloading and casting go after the components are final: a VAE swapped
// in and LoRA weights loaded after the construction come first.
TEST_F(ScriptCliTest, ApplyInsertsAfterComponentSwapsAndLora) {
  const std::string path =
      Write("sdxl.py",
            "import torch\nfrom diffusers import StableDiffusionXLPipeline, AutoencoderKL\n"
            "pipe = StableDiffusionXLPipeline.from_pretrained(\"o/sdxl\", torch_dtype=torch.float16)\n"
            "pipe.vae = AutoencoderKL.from_pretrained(\"o/vae-fix\", torch_dtype=torch.float16)\n"
            "pipe.load_lora_weights(\"o/lora\")\n"
            "pipe.to(\"cuda\")\n"
            "image = pipe(\"a cat\").images[0]\n");
  const RunResult r = RunPipefit("apply " + path + " --strategy full+model_offload --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(path),
            "import torch\nfrom diffusers import StableDiffusionXLPipeline, AutoencoderKL\n"
            "pipe = StableDiffusionXLPipeline.from_pretrained(\"o/sdxl\", torch_dtype=torch.float16)\n"
            "pipe.vae = AutoencoderKL.from_pretrained(\"o/vae-fix\", torch_dtype=torch.float16)\n"
            "pipe.load_lora_weights(\"o/lora\")\n"
            "pipe.enable_model_cpu_offload()\n"
            "image = pipe(\"a cat\").images[0]\n");
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

TEST_F(ScriptCliTest, CheckSeesAliasedClassesAndTheAttentionVariable) {
  const std::string path = Write("alias.py",
                                 "import os\n"
                                 "import torch\n"
                                 "from diffusers import FluxPipeline as FP\n"
                                 "os.environ[\"DIFFUSERS_ATTN_BACKEND\"] = \"flash_attention_2\"\n"
                                 "pipe = FP.from_pretrained(\"x/y\", torch_dtype=torch.bfloat16)\n"
                                 "pipe.enable_vae_tiling()\n");
  const RunResult r = RunPipefit("check " + path + " --json", Env());
  EXPECT_EQ(r.exit_code, 1);
  const nlohmann::json j = nlohmann::json::parse(r.out);
  std::vector<std::pair<std::string, int>> found;
  for (const auto& f : j["findings"]) found.push_back({f["rule"], f["line"]});
  EXPECT_EQ(found, (std::vector<std::pair<std::string, int>>{{"attention-backend-unknown", 4},
                                                             {"pipeline-vae-tiling-removed", 6}}));
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

// Issue 17: --dtype has no default. Given, the construction's torch_dtype is
// rewritten to it; absent, the script's own dtype stays (and is planned for).
constexpr char kFp16Script[] =
    "import torch\n"
    "from diffusers import StableDiffusionXLPipeline\n"
    "pipe = StableDiffusionXLPipeline.from_pretrained(\"o/sdxl\", torch_dtype=torch.float16)\n"
    "pipe.to(\"cuda\")\n"
    "image = pipe(\"a cat\").images[0]\n";

TEST_F(ScriptCliTest, ApplyDTypeBf16RewritesAnFp16Script) {
  const std::string path = Write("fp16.py", kFp16Script);
  const RunResult r =
      RunPipefit("apply " + path + " --strategy full+model_offload --dtype bf16 --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(path),
            "import torch\n"
            "from diffusers import StableDiffusionXLPipeline\n"
            "pipe = StableDiffusionXLPipeline.from_pretrained(\"o/sdxl\", torch_dtype=torch.bfloat16)\n"
            "pipe.enable_model_cpu_offload()\n"
            "image = pipe(\"a cat\").images[0]\n");
  EXPECT_NE(r.err.find("line 3: torch_dtype=torch.float16 is now torch.bfloat16 (--dtype)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(ReadFile(path + ".orig"), kFp16Script);
}

TEST_F(ScriptCliTest, ApplyWithoutDTypeKeepsTheScriptsDType) {
  const std::string path = Write("fp16.py", kFp16Script);
  const RunResult r =
      RunPipefit("apply " + path + " --strategy fp8_layerwise+model_offload --offline --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string out = ReadFile(path);
  EXPECT_NE(
      out.find("pipe = StableDiffusionXLPipeline.from_pretrained(\"o/sdxl\", torch_dtype=torch.float16)\n"),
      std::string::npos)
      << out;
  EXPECT_NE(out.find("pipe.unet.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, "
                     "compute_dtype=torch.float16)\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("bfloat16"), std::string::npos) << out;
}

TEST_F(ScriptCliTest, ApplyDTypeRewritesTheDTypeKeywordAndRefusesUnknownDTypes) {
  const std::string path = Write("dtype.py",
                                 "import torch\nfrom diffusers import FluxPipeline\n"
                                 "pipe = FluxPipeline.from_pretrained(\"o/flux\", dtype=torch.bfloat16)\n");
  RunResult r = RunPipefit("apply " + path + " --strategy full+gpu --dtype fp16 --offline", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\n+pipe = FluxPipeline.from_pretrained(\"o/flux\", dtype=torch.float16)\n"),
            std::string::npos)
      << r.out;
  r = RunPipefit("apply " + path + " --strategy full+gpu --dtype int8 --offline", Env());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("--dtype must be bf16, fp16 or fp32, not 'int8'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pipefit
