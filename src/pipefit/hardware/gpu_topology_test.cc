// `nvidia-smi topo -m` as users pasted it (tests/data/topology/SOURCES.md),
// and the summaries the planner and `hw` print.
#include "pipefit/hardware/gpu_topology.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pipefit {
namespace {

using ::testing::HasSubstr;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PIPEFIT_SOURCE_DIR) + "/tests/data/topology/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Labels(const GpuTopology& topology) {
  std::vector<std::string> labels;
  for (const GpuLink& link : topology.links)
    labels.push_back(fmt::format("{}-{} {}", link.a, link.b, GpuLinkLabel(link)));
  return labels;
}

TEST(GpuTopologyTest, EightH100OnNvSwitch) {
  auto topology = ParseNvidiaSmiTopology(Fixture("h100_8x_nvswitch.txt"));
  ASSERT_TRUE(topology.ok()) << topology.error().message;
  EXPECT_EQ(topology->links.size(), 28u);  // 8 choose 2; the NIC row and column are ignored
  for (const GpuLink& link : topology->links) {
    EXPECT_EQ(link.kind, GpuLinkKind::kNvLink);
    EXPECT_EQ(link.nvlinks, 18);
  }
  EXPECT_EQ(DescribeTopology(*topology), "NVLink between every pair (slowest pair NV18)");
  EXPECT_EQ(topology->source, "nvidia-smi topo -m");
}

TEST(GpuTopologyTest, TwoBridgedConsumerCards) {
  auto topology = ParseNvidiaSmiTopology(Fixture("rtx3090_2x_nvlink_bridge.txt"));
  ASSERT_TRUE(topology.ok()) << topology.error().message;
  EXPECT_THAT(Labels(*topology), ::testing::ElementsAre("0-1 NV4"));
}

TEST(GpuTopologyTest, PcieOnlyAndMixed) {
  auto pcie = ParseNvidiaSmiTopology(Fixture("rtx5060ti_4x_pcie.txt"));
  ASSERT_TRUE(pcie.ok()) << pcie.error().message;
  EXPECT_EQ(pcie->links.size(), 6u);
  EXPECT_EQ(DescribeTopology(*pcie), "PCIe only (slowest pair PHB: PCIe through the CPU's host bridge)");

  auto mixed = ParseNvidiaSmiTopology(Fixture("a6000_3x_mixed.txt"));
  ASSERT_TRUE(mixed.ok()) << mixed.error().message;
  EXPECT_THAT(Labels(*mixed), ::testing::ElementsAre("0-1 NV4", "0-2 NODE", "1-2 NODE"));
  EXPECT_EQ(
      DescribeTopology(*mixed),
      "mixed: NVLink for 1 of 3 pairs, the slowest pair NODE: PCIe between host bridges of one NUMA node");
  // The pair that is bridged is fast on its own.
  EXPECT_EQ(GpuLinkLabel(*SlowestLink(*mixed, {0, 1})), "NV4");
  EXPECT_EQ(GpuLinkLabel(*SlowestLink(*mixed, {0, 1, 2})), "NODE");
  EXPECT_EQ(SlowestLink(*mixed, {2}), nullptr);
}

TEST(GpuTopologyTest, HeaderWithoutLeadingTabAndNicsNamedMlx) {
  auto topology = ParseNvidiaSmiTopology(Fixture("a100_4x_polaris_mlx.txt"));
  ASSERT_TRUE(topology.ok()) << topology.error().message;
  EXPECT_EQ(topology->links.size(), 6u);
  EXPECT_EQ(DescribeTopology(*topology), "NVLink between every pair (slowest pair NV4)");
}

TEST(GpuTopologyTest, OneGpuAndOldNames) {
  auto one = ParseNvidiaSmiTopology("\tGPU0\tCPU Affinity\tNUMA Affinity\nGPU0\t X \t0-7\t0\n");
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_TRUE(one->links.empty());
  EXPECT_EQ(DescribeTopology(*one), "one GPU");
  auto soc =
      ParseNvidiaSmiTopology("\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \tSOC\t0-11\nGPU1\tSOC\t X \t12-23\n");
  ASSERT_TRUE(soc.ok()) << soc.error().message;
  EXPECT_EQ(GpuLinkLabel(soc->links[0]), "SYS");
  EXPECT_STREQ(GpuLinkKindName(soc->links[0].kind), "pcie_cross_socket");
}

TEST(GpuTopologyTest, MalformedOutputNamesTheCell) {
  struct Case {
    std::string text;
    std::string message;
  };
  const Case cases[] = {
      {"", "no GPU0 … header row"},
      {"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
       "no GPU0 … header row"},
      {"\tGPU0\tGPU1\nGPU0\t X \tNV4\n", "no row for GPU1"},
      {"\tGPU0\tGPU1\nGPU0\t X \tQPI\nGPU1\tQPI\t X \n", "GPU0 to GPU1 is 'QPI'"},
      {"\tGPU0\tGPU1\nGPU0\t X \tNV\nGPU1\tNV\t X \n", "GPU0 to GPU1 is 'NV'"},
      {"\tGPU0\tGPU1\nGPU0\tNV4\tNV4\nGPU1\tNV4\t X \n", "GPU0 to itself is 'NV4', not X"},
      {"\tGPU0\tGPU1\tGPU2\nGPU0\t X \tNV4\nGPU1\tNV4\t X \tPHB\nGPU2\tPHB\tPHB\t X \n",
       "row GPU0 has 2 cells for 3 GPUs"},
  };
  for (const Case& c : cases) {
    auto topology = ParseNvidiaSmiTopology(c.text);
    ASSERT_FALSE(topology.ok()) << c.text;
    EXPECT_EQ(topology.error().code, ErrorCode::kMalformed);
    EXPECT_THAT(topology.error().message, HasSubstr(c.message)) << c.text;
  }
}

}  // namespace
}  // namespace pipefit
