#include "pipefit/hardware/hw_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pipefit {
namespace {

HardwareInfo TwoGpus() {
  HardwareInfo info;
  DetectedGpu rtx;
  rtx.index = 0;
  rtx.name = "NVIDIA GeForce RTX 4090";
  rtx.vram_total = 25757220864;
  rtx.vram_free = 25223495680;
  rtx.compute_capability = "8.9";
  rtx.pcie_generation = 4;
  rtx.pcie_width = 16;
  rtx.source = GpuSource::kNvml;
  rtx.catalog_match = FindGpu("rtx-4090");
  DetectedGpu odd;
  odd.index = 1;
  odd.name = "NVIDIA Mystery";
  odd.vram_total = 8 * kGiB;
  odd.vram_free = 4 * kGiB;
  odd.source = GpuSource::kNvidiaSmi;
  info.gpus = {rtx, odd};
  info.driver_version = "550.54.15";
  info.ram = RamInfo{.total = 16 * kGiB, .available = 13 * kGiB, .source = RamSource::kCgroup};
  info.notes = {"RAM is limited by the cgroup v2 memory limit in /sys/fs/cgroup/memory.max"};
  info.topology = GpuTopology{{{0, 1, GpuLinkKind::kHostBridge, 0}}, "nvml"};
  return info;
}

TEST(HwReportTest, JsonFollowsTheContract) {
  EXPECT_EQ(RenderHwJson(TwoGpus()), R"json({
  "schema": "pipefit.hw/1",
  "gpus": [
    {
      "index": 0,
      "physical_index": null,
      "name": "NVIDIA GeForce RTX 4090",
      "vram_total": 25757220864,
      "vram_free": 25223495680,
      "compute_capability": "8.9",
      "pcie_generation": 4,
      "pcie_width": 16,
      "source": "nvml",
      "catalog_match": "rtx-4090"
    },
    {
      "index": 1,
      "physical_index": null,
      "name": "NVIDIA Mystery",
      "vram_total": 8589934592,
      "vram_free": 4294967296,
      "compute_capability": null,
      "pcie_generation": null,
      "pcie_width": null,
      "source": "nvidia-smi",
      "catalog_match": null
    }
  ],
  "topology": {
    "source": "nvml",
    "summary": "PCIe only (slowest pair PHB: PCIe through the CPU's host bridge)",
    "links": [
      {
        "gpus": [
          0,
          1
        ],
        "kind": "pcie_host_bridge",
        "label": "PHB",
        "nvlinks": null
      }
    ]
  },
  "driver_version": "550.54.15",
  "ram_total": 17179869184,
  "ram_available": 13958643712,
  "ram_source": "cgroup",
  "notes": [
    "RAM is limited by the cgroup v2 memory limit in /sys/fs/cgroup/memory.max"
  ]
}
)json");
}

TEST(HwReportTest, NoGpuJsonHasAnEmptyList) {
  HardwareInfo info;
  info.ram = RamInfo{.total = 1000, .available = 500, .source = RamSource::kMeminfo};
  auto j = nlohmann::json::parse(RenderHwJson(info));
  EXPECT_EQ(j["schema"], "pipefit.hw/1");
  EXPECT_TRUE(j["gpus"].is_array());
  EXPECT_TRUE(j["gpus"].empty());
  EXPECT_TRUE(j["driver_version"].is_null());
  EXPECT_EQ(j["ram_total"], 1000);
  EXPECT_EQ(j["ram_available"], 500);
  EXPECT_EQ(j["ram_source"], "meminfo");
  EXPECT_TRUE(j["notes"].is_array());
}

TEST(HwReportTest, TextTable) {
  EXPECT_EQ(RenderHwText(TwoGpus()),
            "GPU  name                     VRAM total   VRAM free  CC    PCIe      source      catalog\n"
            "0    NVIDIA GeForce RTX 4090   23.99 GiB   23.49 GiB  8.9   gen4 x16  nvml        rtx-4090\n"
            "1    NVIDIA Mystery             8.00 GiB    4.00 GiB  -     -         nvidia-smi  -\n"
            "\n"
            "Interconnect: PCIe only (slowest pair PHB: PCIe through the CPU's host bridge) (nvml)\n"
            "      GPU0  GPU1  \n"
            "GPU0  -     PHB   \n"
            "GPU1  PHB   -     \n"
            "\n"
            "RAM: 16.00 GiB total, 13.00 GiB available (cgroup limit)\n"
            "NVIDIA driver: 550.54.15\n"
            "note: RAM is limited by the cgroup v2 memory limit in /sys/fs/cgroup/memory.max\n");
}

TEST(HwReportTest, TextWithoutGpu) {
  HardwareInfo info;
  info.ram = RamInfo{.total = 64 * kGiB, .available = 60 * kGiB, .source = RamSource::kMeminfo};
  info.notes = {"no GPU found"};
  EXPECT_EQ(RenderHwText(info),
            "No GPU found.\n\nRAM: 64.00 GiB total, 60.00 GiB available (/proc/meminfo)\n"
            "note: no GPU found\n");
}

TEST(HwReportTest, CatalogJsonHasEveryRow) {
  std::vector<const GpuSpec*> specs;
  for (const GpuSpec& spec : GpuCatalog()) specs.push_back(&spec);
  auto j = nlohmann::json::parse(RenderGpuCatalogJson(specs));
  EXPECT_EQ(j["schema"], "pipefit.gpus/1");
  ASSERT_EQ(j["gpus"].size(), GpuCatalog().size());
  const auto& rtx =
      *std::find_if(j["gpus"].begin(), j["gpus"].end(), [](const auto& g) { return g["id"] == "rtx-4090"; });
  EXPECT_EQ(rtx["vram"], 24 * kGiB);
  EXPECT_EQ(rtx["memory_bandwidth_gbs"], 1008);
  EXPECT_EQ(rtx["dense_tflops"], 165.2);
  EXPECT_EQ(rtx["tflops_dtype"], "bf16");
  EXPECT_EQ(rtx["fp8"], true);
  EXPECT_EQ(rtx["compute_capability"], "8.9");
  const auto& t4 =
      *std::find_if(j["gpus"].begin(), j["gpus"].end(), [](const auto& g) { return g["id"] == "t4"; });
  EXPECT_EQ(t4["tflops_dtype"], "fp16");
  const auto& mi300x =
      *std::find_if(j["gpus"].begin(), j["gpus"].end(), [](const auto& g) { return g["id"] == "mi300x"; });
  EXPECT_TRUE(mi300x["compute_capability"].is_null());
  EXPECT_EQ(mi300x["vendor"], "amd");
}

TEST(HwReportTest, CatalogText) {
  std::string text = RenderGpuCatalogText({FindGpu("4090"), FindGpu("t4")});
  EXPECT_EQ(text,
            "id                       name                          VRAM     GB/s  dense TFLOPS "
            "fp8  CC    PCIe\n"
            "rtx-4090                 GeForce RTX 4090            24 GiB     1008    165.2 bf16 "
            "yes  8.9   gen4 x16\n"
            "t4                       Tesla T4                    16 GiB      320       65 fp16 "
            "no   7.5   gen3 x16\n");
}

}  // namespace
}  // namespace pipefit
