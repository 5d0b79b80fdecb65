// End-to-end tests of `pipefit doctor` (CONTRACT.md `doctor`): JSON fields
// and types, stdin, --model planning for the GPU in the log, exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;

using nlohmann::json;

constexpr char kLog[] =
    "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
    "Traceback (most recent call last):\n"
    "  File \"/home/me/run.py\", line 12, in <module>\n"
    "    image = pipe(prompt).images[0]\n"
    "  File \"/venv/lib/python3.11/site-packages/diffusers/pipelines/flux/pipeline_flux.py\", line 1010, in __call__\n"
    "    image = self.vae.decode(latents, return_dict=False)[0]\n"
    "  File \"/venv/lib/python3.11/site-packages/diffusers/models/autoencoders/autoencoder_kl.py\", line 323, in decode\n"
    "    decoded = self._decode(z).sample\n"
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.00 GiB. GPU 0 has a total capacity of 11.72 GiB "
    "of which 2.06 GiB is free. Including non-PyTorch memory, this process has 9.64 GiB memory in use. Of the "
    "allocated memory 9.21 GiB is allocated by PyTorch, and 218.34 MiB is reserved by PyTorch but unallocated.\n";

class DoctorCliTest : public ::testing::Test {
 protected:
  std::string Env() const { return "HF_HUB_CACHE=" + dir_.path() + "/none HOME=" + dir_.path(); }
  std::string WriteLog(const std::string& text) {
    const std::string path = dir_.path() + "/oom.log";
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  testkit::TempDir dir_;
};

TEST_F(DoctorCliTest, JsonHasTheContractFieldsWithExactBytes) {
  const RunResult r = RunPipefit("doctor " + WriteLog(kLog) + " --json --offline --ram 64GiB", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "pipefit.doctor/1");
  EXPECT_EQ(j["kind"], "cuda_oom");
  EXPECT_EQ(j["stage"], "vae_decode");
  EXPECT_EQ(j["vae_call"], "decode");
  EXPECT_EQ(j["requested"], int64_t{4} * 1073741824);         // 4.00 GiB
  EXPECT_EQ(j["gpu_total"], int64_t{12584254177});            // 11.72 GiB
  EXPECT_EQ(j["gpu_free"], int64_t{2211908157});              // 2.06 GiB
  EXPECT_EQ(j["process_in_use"], int64_t{10350871183});       // 9.64 GiB
  EXPECT_EQ(j["allocated_by_pytorch"], int64_t{9889162199});  // 9.21 GiB
  EXPECT_EQ(j["reserved_unallocated"], int64_t{228946084});   // 218.34 MiB
  ASSERT_TRUE(j["advice"].is_array());
  ASSERT_FALSE(j["advice"].empty());
  EXPECT_THAT(j["advice"].dump(), HasSubstr("pipe.vae.enable_tiling()"));
  // The model id in the log is planned for the card in the log.
  ASSERT_TRUE(j["plan"].is_object());
  EXPECT_EQ(j["plan"]["model"], "black-forest-labs/FLUX.1-dev");
  EXPECT_EQ(j["plan"]["vram"], int64_t{12584254177});
  for (const json& c : j["plan"]["candidates"]) EXPECT_LE(c["vram"].get<int64_t>(), int64_t{12584254177});
}

TEST_F(DoctorCliTest, ReadsStdinAndSaysWhenThereIsNoOom) {
  const std::string path = WriteLog("Traceback (most recent call last):\nValueError: bad shape\n");
  const RunResult r = RunPipefit("doctor --json < " + path, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["kind"], "not_oom");
  EXPECT_EQ(j["stage"], "unknown");
  EXPECT_TRUE(j["requested"].is_null());
  EXPECT_TRUE(j["plan"].is_null());
}

TEST_F(DoctorCliTest, MissingLogExitsOneNamingIt) {
  const RunResult r = RunPipefit("doctor " + dir_.path() + "/nope.log", Env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("nope.log"));
}

TEST_F(DoctorCliTest, UnresolvableModelIsANoteNotAFailure) {
  const RunResult r =
      RunPipefit("doctor " + WriteLog(kLog) + " --json --offline --model nobody/nothing", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_TRUE(j["plan"].is_null());
  EXPECT_THAT(j["notes"].dump(), HasSubstr("no plan")) << j["notes"];
}

TEST_F(DoctorCliTest, TextNamesKindStageAndAdvice) {
  const RunResult r = RunPipefit("doctor " + WriteLog(kLog) + " --offline --ram 64GiB", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cuda_oom during vae_decode (vae.decode)"));
  EXPECT_THAT(r.out, HasSubstr("What to do"));
  EXPECT_THAT(r.out, HasSubstr("What fits black-forest-labs/FLUX.1-dev in 11.72 GiB VRAM"));
}

}  // namespace
}  // namespace pipefit
