// The machine a plan is for: --gpu values (NAME, NxNAME, repeated) and the
// detected GPUs with their interconnect.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipefit/plan/planner.h"

namespace pipefit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Ids(const std::vector<const GpuSpec*>& specs) {
  std::vector<std::string> ids;
  for (const GpuSpec* spec : specs) ids.push_back(spec->id);
  return ids;
}

TEST(TargetTest, GpuFlagNamesOneOrSeveralCards) {
  struct Case {
    std::string value;
    std::vector<std::string> ids;
  };
  const Case cases[] = {
      {"H100", {"h100-sxm"}},
      {"4xH100", {"h100-sxm", "h100-sxm", "h100-sxm", "h100-sxm"}},
      {"2x RTX 3090", {"rtx-3090", "rtx-3090"}},
      {"2 × RTX 4090", {"rtx-4090", "rtx-4090"}},
      {"2X4090", {"rtx-4090", "rtx-4090"}},
      {"4090", {"rtx-4090"}},  // digits alone are a name
      {"1xT4", {"t4"}},
  };
  for (const Case& c : cases) {
    auto parsed = ParseGpuFlag(c.value);
    ASSERT_TRUE(parsed.ok()) << c.value << ": " << parsed.error().message;
    EXPECT_EQ(Ids(*parsed), c.ids) << c.value;
  }
}

TEST(TargetTest, BadGpuFlagsAreUsageErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"0xH100", "--gpu '0xH100': the count must be 1 to 64"},
      {"65xH100", "--gpu '65xH100': the count must be 1 to 64"},
      {"2x", "--gpu '2x': no GPU name (NAME or NxNAME, e.g. 4xH100)"},
      {"", "--gpu '': no GPU name"},
      {"3xNoSuchCard", "--gpu '3xNoSuchCard' is not in pipefit's GPU catalog"},
  };
  for (const auto& [value, message] : cases) {
    auto parsed = ParseGpuFlag(value);
    ASSERT_FALSE(parsed.ok()) << value;
    EXPECT_EQ(parsed.error().code, ErrorCode::kUsage);
    EXPECT_THAT(parsed.error().message, HasSubstr(message)) << value;
  }
}

TEST(TargetTest, RepeatedGpuFlagsListEveryCardAndPlanForTheFirst) {
  HardwareFlags flags;
  flags.gpus = {"2xRTX 3090", "RTX 4090"};
  flags.ram = 64 * kGiB;
  const GpuSpec* row = nullptr;
  auto hw = ResolvePlanHardware(nullptr, flags, &row);
  ASSERT_TRUE(hw.ok()) << hw.error().message;
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->id, "rtx-3090");
  EXPECT_EQ(hw->gpu_id, "rtx-3090");
  ASSERT_EQ(hw->gpus.size(), 3u);
  EXPECT_EQ(hw->gpus[2].index, 2);
  EXPECT_EQ(hw->gpus[2].gpu_id, "rtx-4090");
  EXPECT_EQ(hw->gpus[2].vram, 24 * kGiB);
  EXPECT_THAT(
      hw->notes,
      ElementsAre("3 GPUs (2 × GeForce RTX 3090 + 1 × GeForce RTX 4090): single-GPU candidates run on GPU 0 "
                  "(GeForce RTX 3090), multi-GPU ones (context and tensor parallel, device_map=\"balanced\") "
                  "on the first N"));
  EXPECT_FALSE(hw->topology.has_value());  // a what-if: no links known
  flags.gpus = {"4xH100", "nope"};
  auto bad = ResolvePlanHardware(nullptr, flags, &row);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("'nope'"));
}

TEST(TargetTest, DetectedGpusAndHowTheyConnect) {
  HardwareInfo info;
  for (int i = 0; i < 2; ++i) {
    DetectedGpu gpu;
    gpu.index = i;
    gpu.name = "NVIDIA GeForce RTX 3090";
    gpu.vram_total = 24 * kGiB;
    gpu.catalog_match = FindGpu("rtx-3090");
    info.gpus.push_back(gpu);
  }
  info.topology = GpuTopology{{{0, 1, GpuLinkKind::kNvLink, 4}}, "nvidia-smi topo -m"};
  info.ram = RamInfo{.total = 64 * kGiB, .available = 60 * kGiB};
  const GpuSpec* row = nullptr;
  auto hw = ResolvePlanHardware(&info, HardwareFlags{}, &row);
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ(hw->gpus.size(), 2u);
  EXPECT_EQ(hw->interconnect, "NVLink between every pair (slowest pair NV4)");
  EXPECT_THAT(hw->notes,
              ElementsAre(HasSubstr("2 GPUs (2 × NVIDIA GeForce RTX 3090; NVLink between every pair "
                                    "(slowest pair NV4)): single-GPU candidates run on GPU 0")));
  ASSERT_TRUE(hw->topology.has_value());
  EXPECT_EQ(hw->topology->links.size(), 1u);
  EXPECT_EQ(hw->ram, 60 * kGiB);
}

}  // namespace
}  // namespace pipefit
