#include "pipefit/hardware/gpu_catalog.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace pipefit {
namespace {

TEST(GpuCatalogTest, HasAtLeastThirtyRows) { EXPECT_GE(GpuCatalog().size(), 30u); }

TEST(GpuCatalogTest, EveryRowIsComplete) {
  for (const GpuSpec& spec : GpuCatalog()) {
    SCOPED_TRACE(spec.id);
    EXPECT_FALSE(spec.id.empty());
    EXPECT_FALSE(spec.name.empty());
    EXPECT_FALSE(spec.architecture.empty());
    EXPECT_GE(spec.vram, 6 * kGiB);
    EXPECT_LE(spec.vram, 256 * kGiB);
    EXPECT_GT(spec.memory_bandwidth_gbs, 100);
    EXPECT_LT(spec.memory_bandwidth_gbs, 10'000);
    EXPECT_GT(spec.dense_tflops, 10);
    EXPECT_LT(spec.dense_tflops, 5'000);
    EXPECT_GE(spec.pcie_generation, 3);
    EXPECT_LE(spec.pcie_generation, 6);
    EXPECT_TRUE(spec.pcie_width == 8 || spec.pcie_width == 16);
    EXPECT_GT(spec.source.size(), 20u);
    if (spec.vendor == GpuVendor::kNvidia) {
      ASSERT_FALSE(spec.compute_capability.empty());
      double cc = std::stod(spec.compute_capability);
      // fp8 tensor cores arrived with Ada (8.9); bf16 with Ampere (8.0).
      EXPECT_EQ(spec.fp8, cc >= 8.9);
      EXPECT_EQ(spec.bf16, cc >= 8.0);
    } else {
      EXPECT_TRUE(spec.compute_capability.empty());
    }
  }
}

TEST(GpuCatalogTest, IdsAreUniqueSlugs) {
  std::set<std::string> ids;
  for (const GpuSpec& spec : GpuCatalog()) {
    EXPECT_TRUE(ids.insert(spec.id).second) << spec.id;
    for (char c : spec.id) {
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << spec.id;
    }
  }
}

TEST(GpuCatalogTest, NamesAndAliasesAreUniqueAfterNormalisation) {
  std::map<std::string, std::string> owner;  // normalised name -> row id
  for (const GpuSpec& spec : GpuCatalog()) {
    std::set<std::string> keys = {NormalizeGpuName(spec.id), NormalizeGpuName(spec.name)};
    for (const std::string& alias : spec.aliases) keys.insert(NormalizeGpuName(alias));
    for (const std::string& key : keys) {
      EXPECT_FALSE(key.empty()) << spec.id;
      auto [it, inserted] = owner.emplace(key, spec.id);
      EXPECT_TRUE(inserted) << "'" << key << "' names both " << it->second << " and " << spec.id;
    }
  }
}

TEST(GpuCatalogTest, CoversTheGpusPeopleRunDiffusersOn) {
  for (const char* id : {"rtx-2060",     "rtx-3060-12gb",
                         "rtx-3090",     "rtx-4060-ti-16gb",
                         "rtx-4070",     "rtx-4080",
                         "rtx-4090",     "rtx-5080",
                         "rtx-5090",     "rtx-a4000",
                         "rtx-a5000",    "rtx-a6000",
                         "rtx-6000-ada", "rtx-pro-6000-blackwell",
                         "t4",           "l4",
                         "a10g",         "l40s",
                         "a100-40gb",    "a100-80gb",
                         "h100-sxm",     "h100-pcie",
                         "h200",         "b200",
                         "mi250",        "mi300x",
                         "rx-7900-xtx"}) {
    EXPECT_NE(FindGpu(id), nullptr) << id;
  }
}

TEST(GpuCatalogTest, NormalisesNames) {
  EXPECT_EQ(NormalizeGpuName("NVIDIA GeForce RTX 4090"), "4090");
  EXPECT_EQ(NormalizeGpuName("rtx-4060ti-16GB"), "4060 ti 16 gb");
  EXPECT_EQ(NormalizeGpuName("Tesla T4"), "t 4");
  EXPECT_EQ(NormalizeGpuName("NVIDIA A100-SXM4-40GB"), "a 100 sxm 4 40 gb");
  EXPECT_EQ(NormalizeGpuName("AMD Instinct MI300X"), "mi 300 x");
  EXPECT_EQ(NormalizeGpuName("  "), "");
}

TEST(GpuCatalogTest, AliasesResolveToOneRow) {
  const std::map<std::string, std::string> examples = {
      {"4090", "rtx-4090"},
      {"rtx-4090", "rtx-4090"},
      {"RTX 4090", "rtx-4090"},
      {"RTX4090", "rtx-4090"},
      {"NVIDIA GeForce RTX 4090", "rtx-4090"},
      {"geforce rtx 4090", "rtx-4090"},
      {"Tesla T4", "t4"},
      {"t4", "t4"},
      {"NVIDIA A100-SXM4-40GB", "a100-40gb"},
      {"NVIDIA A100-PCIE-40GB", "a100-40gb"},
      {"NVIDIA A100-SXM4-80GB", "a100-80gb"},
      {"NVIDIA A100 80GB PCIe", "a100-80gb-pcie"},
      {"NVIDIA H100 80GB HBM3", "h100-sxm"},
      {"H100", "h100-sxm"},
      {"NVIDIA H100 PCIe", "h100-pcie"},
      {"NVIDIA H200", "h200"},
      {"NVIDIA B200", "b200"},
      {"NVIDIA L40S", "l40s"},
      {"NVIDIA L4", "l4"},
      {"NVIDIA A10G", "a10g"},
      {"NVIDIA RTX A6000", "rtx-a6000"},
      {"NVIDIA RTX 6000 Ada Generation", "rtx-6000-ada"},
      {"NVIDIA RTX PRO 6000 Blackwell Workstation Edition", "rtx-pro-6000-blackwell"},
      {"NVIDIA GeForce RTX 3060", "rtx-3060-12gb"},
      {"4060 Ti 16GB", "rtx-4060-ti-16gb"},
      {"AMD Instinct MI300X", "mi300x"},
      {"mi300x", "mi300x"},
      {"AMD Radeon RX 7900 XTX", "rx-7900-xtx"},
      {"7900xtx", "rx-7900-xtx"},
      {"AMD Instinct MI250X/MI250", "mi250"},
  };
  for (const auto& [query, id] : examples) {
    const GpuSpec* spec = FindGpu(query);
    ASSERT_NE(spec, nullptr) << query;
    EXPECT_EQ(spec->id, id) << query;
  }
}

TEST(GpuCatalogTest, UnknownNamesFindNothing) {
  for (const char* query :
       {"", "GTX 1080", "NVIDIA GeForce RTX 4090 Laptop GPU", "nvidia", "RTX 4090 D", "A1000"}) {
    EXPECT_EQ(FindGpu(query), nullptr) << query;
  }
}

TEST(GpuCatalogTest, DetectedGpusMatchByNameAndPlausibleMemory) {
  EXPECT_EQ(MatchDetectedGpu("NVIDIA GeForce RTX 4090", 25757220864)->id, "rtx-4090");
  EXPECT_EQ(MatchDetectedGpu("Tesla T4", 16106127360)->id, "t4");  // 15 of 16 GiB
  EXPECT_EQ(MatchDetectedGpu("NVIDIA H100 80GB HBM3", 85520809984)->id, "h100-sxm");
  EXPECT_EQ(MatchDetectedGpu("NVIDIA GeForce RTX 3060", 12 * kGiB - 200 * kMiB)->id, "rtx-3060-12gb");
  // Same names, other boards.
  EXPECT_EQ(MatchDetectedGpu("NVIDIA GeForce RTX 3060", 8 * kGiB), nullptr);
  EXPECT_EQ(MatchDetectedGpu("NVIDIA GeForce RTX 4060 Ti", 8 * kGiB), nullptr);
  EXPECT_EQ(MatchDetectedGpu("NVIDIA GeForce GTX 1080", 8 * kGiB), nullptr);
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

TEST(ComputeCapabilityValueTest, MajorMinorOrNothing) {
  EXPECT_EQ(ComputeCapabilityValue("8.9"), 89);
  EXPECT_EQ(ComputeCapabilityValue("12.0"), 120);
  EXPECT_EQ(ComputeCapabilityValue("7.5"), 75);
  EXPECT_EQ(ComputeCapabilityValue(""), std::nullopt);
  EXPECT_EQ(ComputeCapabilityValue("8"), std::nullopt);
  EXPECT_EQ(ComputeCapabilityValue("8.10"), std::nullopt);
  EXPECT_EQ(ComputeCapabilityValue("x.9"), std::nullopt);
  EXPECT_EQ(ComputeCapabilityValue(".9"), std::nullopt);
}

}  // namespace
}  // namespace pipefit
