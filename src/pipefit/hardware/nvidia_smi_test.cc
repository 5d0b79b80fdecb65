#include "pipefit/hardware/nvidia_smi.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

// Captured from `nvidia-smi --query-gpu=index,name,memory.total,memory.free,
// compute_cap,pcie.link.gen.max,pcie.link.width.max --format=csv,noheader,nounits`
// on a mixed box; lines 2 and 3 show how unreadable fields are printed.
constexpr char kFourGpus[] =
    "0, NVIDIA GeForce RTX 4090, 24564, 24055, 8.9, 4, 16\n"
    "1, NVIDIA H100 80GB HBM3, 81559, 80994, 9.0, [N/A], [N/A]\n"
    "2, Tesla T4, 15360, 14918, [Not Supported], 3, 16\n"
    "3, NVIDIA A100-SXM4-40GB, 40960, 40337, 8.0, 4, 16\n";

TEST(NvidiaSmiTest, ParsesEveryGpuToExactBytes) {
  auto gpus = ParseNvidiaSmiCsv(kFourGpus);
  ASSERT_TRUE(gpus.ok()) << gpus.error().message;
  ASSERT_EQ(gpus->size(), 4u);
  const DetectedGpu& rtx = (*gpus)[0];
  EXPECT_EQ(rtx.index, 0);
  EXPECT_EQ(rtx.name, "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(rtx.vram_total, 25757220864);
  EXPECT_EQ(rtx.vram_free, 25223495680);
  EXPECT_EQ(rtx.compute_capability, "8.9");
  EXPECT_EQ(rtx.pcie_generation, 4);
  EXPECT_EQ(rtx.pcie_width, 16);
  EXPECT_EQ(rtx.source, GpuSource::kNvidiaSmi);

  const DetectedGpu& h100 = (*gpus)[1];
  EXPECT_EQ(h100.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(h100.vram_total, 85520809984);  // 81559 MiB
  EXPECT_EQ(h100.vram_free, 84928364544);   // 80994 MiB
  EXPECT_EQ(h100.compute_capability, "9.0");
  EXPECT_FALSE(h100.pcie_generation.has_value());
  EXPECT_FALSE(h100.pcie_width.has_value());

  const DetectedGpu& t4 = (*gpus)[2];
  EXPECT_EQ(t4.index, 2);
  EXPECT_EQ(t4.vram_total, 16106127360);
  EXPECT_EQ(t4.vram_free, 15642656768);
  EXPECT_FALSE(t4.compute_capability.has_value());
  EXPECT_EQ(t4.pcie_generation, 3);

  EXPECT_EQ((*gpus)[3].name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ((*gpus)[3].vram_total, 42949672960);
}

TEST(NvidiaSmiTest, ToleratesCrLfBlankLinesAndCommasInNames) {
  auto gpus = ParseNvidiaSmiCsv("\r\n0, Odd, Name GPU, 1024, 512, 8.6, 4, 8\r\n\n");
  ASSERT_TRUE(gpus.ok()) << gpus.error().message;
  ASSERT_EQ(gpus->size(), 1u);
  EXPECT_EQ((*gpus)[0].name, "Odd,Name GPU");
  EXPECT_EQ((*gpus)[0].vram_total, 1073741824);
  EXPECT_EQ((*gpus)[0].pcie_width, 8);
}

TEST(NvidiaSmiTest, EmptyOutputMeansNoGpu) {
  auto gpus = ParseNvidiaSmiCsv("");
  ASSERT_TRUE(gpus.ok());
  EXPECT_TRUE(gpus->empty());
}

TEST(NvidiaSmiTest, CorruptLinesNameLineAndField) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"0, NVIDIA L4, 23034\n", "nvidia-smi output line 1: 3 fields, expected 7: '0, NVIDIA L4, 23034'"},
      {"0, NVIDIA L4, 23034, 22700, 8.9, 4, 16\nx, NVIDIA L4, 1, 1, 8.9, 4, 16\n",
       "nvidia-smi output line 2: index is 'x', expected a number"},
      {"0, NVIDIA L4, [N/A], 22700, 8.9, 4, 16\n",
       "nvidia-smi output line 1: memory.total is '[N/A]', expected a number"},
      {"0, NVIDIA L4, 23034, -5, 8.9, 4, 16\n",
       "nvidia-smi output line 1: memory.free is '-5', expected a number"},
      {"0, NVIDIA L4, 99999999999999999, 1, 8.9, 4, 16\n",
       "nvidia-smi output line 1: memory.total is '99999999999999999', expected a number"},
      {"0, NVIDIA L4, 23034, 22700, eight, 4, 16\n",
       "nvidia-smi output line 1: compute_cap is 'eight', expected a number"},
      {"0, NVIDIA L4, 23034, 22700, 8.9, four, 16\n",
       "nvidia-smi output line 1: pcie.link.gen.max is 'four', expected a number"},
  };
  for (const Case& c : cases) {
    auto gpus = ParseNvidiaSmiCsv(c.text);
    ASSERT_FALSE(gpus.ok()) << c.text;
    EXPECT_EQ(gpus.error().code, ErrorCode::kMalformed);
    EXPECT_EQ(gpus.error().message, c.message);
  }
}

class CannedRunner : public ProgramRunner {
 public:
  explicit CannedRunner(Result<ProgramOutput> output) : output_(std::move(output)) {}
  Result<ProgramOutput> Run(const std::vector<std::string>& argv, int timeout_ms) const override {
    last_argv = argv;
    last_timeout_ms = timeout_ms;
    return output_;
  }
  mutable std::vector<std::string> last_argv;
  mutable int last_timeout_ms = 0;

 private:
  Result<ProgramOutput> output_;
};

TEST(NvidiaSmiTest, RunsTheDocumentedQuery) {
  CannedRunner runner(ProgramOutput{0, kFourGpus});
  auto gpus = ReadGpusWithNvidiaSmi(runner);
  ASSERT_TRUE(gpus.ok());
  EXPECT_EQ(gpus->size(), 4u);
  EXPECT_EQ(runner.last_argv, (std::vector<std::string>{"nvidia-smi",
                                                        "--query-gpu=index,name,memory.total,memory.free,"
                                                        "compute_cap,pcie.link.gen.max,pcie.link.width.max",
                                                        "--format=csv,noheader,nounits"}));
  EXPECT_GT(runner.last_timeout_ms, 0);
}

TEST(NvidiaSmiTest, FailedRunQuotesFirstLine) {
  CannedRunner runner(
      ProgramOutput{9,
                    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure "
                    "that the latest NVIDIA driver is installed and running.\n\n"});
  auto gpus = ReadGpusWithNvidiaSmi(runner);
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.error().code, ErrorCode::kIo);
  EXPECT_EQ(gpus.error().message,
            "nvidia-smi exited with status 9: NVIDIA-SMI has failed because it couldn't "
            "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is "
            "installed and running.");
}

TEST(NvidiaSmiTest, MissingProgramPassesErrorOn) {
  CannedRunner runner(MakeErrorf(ErrorCode::kNotFound, "nvidia-smi: cannot run: No such file"));
  auto gpus = ReadGpusWithNvidiaSmi(runner);
  ASSERT_FALSE(gpus.ok());
  EXPECT_EQ(gpus.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pipefit
