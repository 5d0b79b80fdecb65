#include "pipefit/hardware/amd_sysfs.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

constexpr char kDrm[] = "/sys/class/drm";

// One card's device directory as amdgpu lays it out.
void AddAmdCard(MemoryFileSystem& fs, const std::string& card, const std::string& total,
                const std::string& used, const std::string& pci_device) {
  const std::string dir = std::string(kDrm) + "/" + card + "/device/";
  fs.AddFile(dir + "mem_info_vram_total", total);
  fs.AddFile(dir + "mem_info_vram_used", used);
  fs.AddFile(dir + "vendor", "0x1002\n");
  fs.AddFile(dir + "device", pci_device);
}

TEST(AmdSysfsTest, ReadsCardsToExactBytes) {
  MemoryFileSystem fs;
  // A 7900 XTX (no product_name: consumer cards have no FRU EEPROM).
  AddAmdCard(fs, "card0", "25753026560\n", "1097728000\n", "0x744c\n");
  fs.AddFile("/sys/class/drm/card0/device/max_link_speed", "16.0 GT/s PCIe\n");
  fs.AddFile("/sys/class/drm/card0/device/max_link_width", "16\n");
  fs.AddFile("/sys/class/drm/card0-DP-1/status", "connected\n");
  fs.AddFile("/sys/class/drm/renderD128/dev", "226:128\n");
  fs.AddFile("/sys/class/drm/version", "drm 1.1.0 20060810\n");
  // An Intel iGPU: a DRM card without amdgpu's files.
  fs.AddFile("/sys/class/drm/card1/device/vendor", "0x8086\n");
  // An MI300X with a product name, numbered after card1 (card10 > card2).
  AddAmdCard(fs, "card10", "206141652992\n", "293601280\n", "0x74a1\n");
  fs.AddFile("/sys/class/drm/card10/device/product_name", "AMD Instinct MI300X\n");
  fs.AddFile("/sys/class/drm/card10/device/max_link_speed", "32.0 GT/s PCIe\n");
  fs.AddFile("/sys/class/drm/card10/device/max_link_width", "16\n");
  // An unknown AMD board.
  AddAmdCard(fs, "card2", "8573157376\n", "0\n", "0x73ff\n");

  std::vector<std::string> notes;
  std::vector<DetectedGpu> gpus = ReadAmdGpus(fs, kDrm, notes);
  EXPECT_TRUE(notes.empty());
  ASSERT_EQ(gpus.size(), 3u);
  EXPECT_EQ(gpus[0].index, 0);
  EXPECT_EQ(gpus[0].name, "AMD Radeon RX 7900 XTX");
  EXPECT_EQ(gpus[0].vram_total, 25753026560);
  EXPECT_EQ(gpus[0].vram_free, 25753026560 - 1097728000);
  EXPECT_EQ(gpus[0].pcie_generation, 4);
  EXPECT_EQ(gpus[0].pcie_width, 16);
  EXPECT_FALSE(gpus[0].compute_capability.has_value());
  EXPECT_EQ(gpus[0].source, GpuSource::kSysfs);

  EXPECT_EQ(gpus[1].index, 1);
  EXPECT_EQ(gpus[1].name, "AMD GPU [1002:73ff]");
  EXPECT_EQ(gpus[1].vram_total, 8573157376);
  EXPECT_EQ(gpus[1].vram_free, 8573157376);
  EXPECT_FALSE(gpus[1].pcie_generation.has_value());

  EXPECT_EQ(gpus[2].index, 2);
  EXPECT_EQ(gpus[2].name, "AMD Instinct MI300X");
  EXPECT_EQ(gpus[2].vram_total, 206141652992);
  EXPECT_EQ(gpus[2].vram_free, 206141652992 - 293601280);
  EXPECT_EQ(gpus[2].pcie_generation, 5);
}

TEST(AmdSysfsTest, NamesBoardsSharingAPciIdByMemory) {
  MemoryFileSystem fs;
  AddAmdCard(fs, "card0", "21458059264\n", "0\n", "0x744c\n");  // 19.98 GiB
  AddAmdCard(fs, "card1", "68702699520\n", "0\n", "0x740c\n");  // 63.98 GiB, one GCD
  std::vector<std::string> notes;
  std::vector<DetectedGpu> gpus = ReadAmdGpus(fs, kDrm, notes);
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[0].name, "AMD Radeon RX 7900 XT");
  EXPECT_EQ(gpus[1].name, "AMD Instinct MI250X/MI250");
}

TEST(AmdSysfsTest, MalformedCardIsSkippedWithNote) {
  MemoryFileSystem fs;
  AddAmdCard(fs, "card0", "lots\n", "0\n", "0x744c\n");
  AddAmdCard(fs, "card1", "1000\n", "2000\n", "0x744c\n");  // used > total
  std::vector<std::string> notes;
  EXPECT_TRUE(ReadAmdGpus(fs, kDrm, notes).empty());
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], "/sys/class/drm/card0/device: VRAM files hold 'lots' total and '0' used; card skipped");
  EXPECT_EQ(notes[1],
            "/sys/class/drm/card1/device: VRAM files hold '1000' total and '2000' used; card "
            "skipped");
}

TEST(AmdSysfsTest, NoDrmDirectoryMeansNoGpu) {
  MemoryFileSystem fs;
  std::vector<std::string> notes;
  EXPECT_TRUE(ReadAmdGpus(fs, kDrm, notes).empty());
  EXPECT_TRUE(notes.empty());
}

TEST(AmdSysfsTest, LinkSpeedToGeneration) {
  EXPECT_EQ(PcieGenerationFromLinkSpeed("2.5 GT/s PCIe"), 1);
  EXPECT_EQ(PcieGenerationFromLinkSpeed("5.0 GT/s PCIe\n"), 2);
  EXPECT_EQ(PcieGenerationFromLinkSpeed("8 GT/s"), 3);  // older kernels
  EXPECT_EQ(PcieGenerationFromLinkSpeed("16.0 GT/s PCIe"), 4);
  EXPECT_EQ(PcieGenerationFromLinkSpeed("32.0 GT/s PCIe"), 5);
  EXPECT_EQ(PcieGenerationFromLinkSpeed("64.0 GT/s PCIe"), 6);
  EXPECT_FALSE(PcieGenerationFromLinkSpeed("Unknown").has_value());
  EXPECT_FALSE(PcieGenerationFromLinkSpeed("12.0 GT/s").has_value());
}

}  // namespace
}  // namespace pipefit
