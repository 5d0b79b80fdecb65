// AMD GPUs from the amdgpu driver's sysfs files, read through FileSystem:
//   DRM_ROOT/cardN/device/mem_info_vram_total, mem_info_vram_used  (bytes)
//   DRM_ROOT/cardN/device/product_name        (on cards with a FRU EEPROM)
//   DRM_ROOT/cardN/device/device              (PCI device id, "0x744c")
//   DRM_ROOT/cardN/device/max_link_speed, max_link_width  (PCI core files)
// Documented in the kernel's Documentation/gpu/amdgpu/driver-misc.rst
// ("GPU Memory Usage Information", "GPU Product Information") and
// Documentation/ABI/testing/sysfs-bus-pci.
#ifndef PIPEFIT_HARDWARE_AMD_SYSFS_H_
#define PIPEFIT_HARDWARE_AMD_SYSFS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/file_system.h"
#include "pipefit/hardware/hardware_info.h"

namespace pipefit {

inline constexpr char kDrmRoot[] = "/sys/class/drm";

// Every cardN (connector entries such as card0-DP-1 are skipped) that has
// mem_info_vram_total, in card order, indexed 0.. as HIP numbers them.
// Never fails: a missing DRM_ROOT means no AMD GPU; a card whose files are
// unreadable or malformed is skipped with a note.
std::vector<DetectedGpu> ReadAmdGpus(const FileSystem& fs, const std::string& drm_root,
                                     std::vector<std::string>& notes);

// PCIe generation from a max_link_speed value ("16.0 GT/s PCIe" -> 4).
std::optional<int> PcieGenerationFromLinkSpeed(std::string_view speed);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_AMD_SYSFS_H_
