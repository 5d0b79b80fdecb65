#include "pipefit/hardware/amd_sysfs.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "pipefit/hardware/pseudo_file.h"

namespace pipefit {
namespace {

// Names for cards without product_name (consumer cards have no FRU EEPROM).
// One PCI id covers several boards, told apart by their memory.
struct AmdBoardName {
  int pci_device;
  Bytes vram;
  const char* name;
};

constexpr AmdBoardName kAmdBoardNames[] = {
    // pci.ids 1002:744c "Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]";
    // the kernel's amd_pci_ids / amdgpu_drv.c list 0x744C as Navi 31.
    // Memory per AMD's product pages: XTX 24 GB, XT 20 GB, GRE 16 GB.
    {.pci_device = 0x744c, .vram = 24 * kGiB, .name = "AMD Radeon RX 7900 XTX"},
    {.pci_device = 0x744c, .vram = 20 * kGiB, .name = "AMD Radeon RX 7900 XT"},
    {.pci_device = 0x744c, .vram = 16 * kGiB, .name = "AMD Radeon RX 7900 GRE"},
    // pci.ids 1002:740c "Aldebaran/MI200 [Instinct MI250X/MI250]": each of the
    // module's two GCDs is its own device with 64 GB (AMD MI250 spec page).
    {.pci_device = 0x740c, .vram = 64 * kGiB, .name = "AMD Instinct MI250X/MI250"},
    // pci.ids 1002:74a1 "Aqua Vanjaram [Instinct MI300X]", 192 GB HBM3.
    {.pci_device = 0x74a1, .vram = 192 * kGiB, .name = "AMD Instinct MI300X"},
};

// The card number of "cardN", or -1 for anything else (card0-DP-1, renderD128).
int CardNumber(const std::string& entry) {
  if (entry.size() <= 4 || !entry.starts_with("card")) return -1;
  std::optional<int64_t> n = ParseDecimal(std::string_view(entry).substr(4));
  return (n && *n < 1'000'000 && std::isdigit(static_cast<unsigned char>(entry[4]))) ? static_cast<int>(*n)
                                                                                     : -1;
}

std::optional<std::string> ReadText(const FileSystem& fs, const std::string& path) {
  auto text = ReadPseudoFile(fs, path, 4096);
  if (!text.ok()) return std::nullopt;
  std::string_view trimmed = TrimWhitespace(*text);
  if (trimmed.empty()) return std::nullopt;
  return std::string(trimmed);
}

// A board name from the PCI id and memory size (within 10%), else a generic
// one carrying the id so the user can look it up.
std::string NameFromPciId(const std::optional<std::string>& device_id, Bytes vram) {
  if (!device_id) return "AMD GPU";
  int id = static_cast<int>(std::strtol(device_id->c_str(), nullptr, 16));
  for (const AmdBoardName& board : kAmdBoardNames) {
    if (board.pci_device == id && std::llabs(vram - board.vram) <= board.vram / 10) {
      return board.name;
    }
  }
  return "AMD GPU [1002:" + device_id->substr(device_id->rfind('x') + 1) + "]";
}

Result<DetectedGpu> ReadCard(const FileSystem& fs, const std::string& device_dir) {
  const std::string total_path = JoinPath(device_dir, "mem_info_vram_total");
  const std::string used_path = JoinPath(device_dir, "mem_info_vram_used");
  PIPEFIT_ASSIGN_OR_RETURN(std::string total_text, ReadPseudoFile(fs, total_path, 4096));
  PIPEFIT_ASSIGN_OR_RETURN(std::string used_text, ReadPseudoFile(fs, used_path, 4096));
  std::optional<int64_t> total = ParseDecimal(total_text);
  std::optional<int64_t> used = ParseDecimal(used_text);
  if (!total || !used || *used > *total) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: VRAM files hold '{}' total and '{}' used", device_dir,
                      TrimWhitespace(total_text), TrimWhitespace(used_text));
  }
  DetectedGpu gpu;
  gpu.source = GpuSource::kSysfs;
  gpu.vram_total = *total;
  gpu.vram_free = *total - *used;
  std::optional<std::string> product = ReadText(fs, JoinPath(device_dir, "product_name"));
  gpu.name = product ? *product : NameFromPciId(ReadText(fs, JoinPath(device_dir, "device")), *total);
  if (auto speed = ReadText(fs, JoinPath(device_dir, "max_link_speed"))) {
    gpu.pcie_generation = PcieGenerationFromLinkSpeed(*speed);
  }
  if (auto width = ReadText(fs, JoinPath(device_dir, "max_link_width"))) {
    std::optional<int64_t> lanes = ParseDecimal(*width);
    if (lanes && *lanes > 0 && *lanes <= 32) gpu.pcie_width = static_cast<int>(*lanes);
  }
  return gpu;
}

}  // namespace

std::optional<int> PcieGenerationFromLinkSpeed(std::string_view speed) {
  // Transfer rate per lane of each PCIe generation (PCI-SIG): 2.5, 5, 8,
  // 16, 32, 64 GT/s for generations 1 to 6.
  speed = TrimWhitespace(speed);
  double rate = 0;
  auto [end, ec] = std::from_chars(speed.data(), speed.data() + speed.size(), rate);
  if (ec != std::errc() || end == speed.data()) return std::nullopt;
  constexpr double kRates[] = {2.5, 5.0, 8.0, 16.0, 32.0, 64.0};
  for (int gen = 1; gen <= 6; ++gen) {
    if (rate > kRates[gen - 1] - 0.1 && rate < kRates[gen - 1] + 0.1) return gen;
  }
  return std::nullopt;
}

std::vector<DetectedGpu> ReadAmdGpus(const FileSystem& fs, const std::string& drm_root,
                                     std::vector<std::string>& notes) {
  auto entries = fs.ListDirectory(drm_root);
  if (!entries.ok()) return {};
  std::vector<std::pair<int, std::string>> cards;
  for (const std::string& entry : *entries) {
    if (int n = CardNumber(entry); n >= 0) cards.emplace_back(n, entry);
  }
  std::sort(cards.begin(), cards.end());
  std::vector<DetectedGpu> gpus;
  for (const auto& [number, entry] : cards) {
    const std::string device_dir = JoinPath(JoinPath(drm_root, entry), "device");
    if (!fs.Exists(JoinPath(device_dir, "mem_info_vram_total"))) continue;  // not amdgpu
    auto gpu = ReadCard(fs, device_dir);
    if (!gpu.ok()) {
      notes.push_back(gpu.error().message + "; card skipped");
      continue;
    }
    gpu->index = static_cast<int>(gpus.size());
    gpus.push_back(std::move(gpu).value());
  }
  return gpus;
}

}  // namespace pipefit
