// What the hardware probe found: the GPUs (from NVML, nvidia-smi or the
// amdgpu sysfs files), the host RAM the process may use, and notes that
// explain fallbacks. Plain values, handed on to the planner and the report.
#ifndef PIPEFIT_HARDWARE_HARDWARE_INFO_H_
#define PIPEFIT_HARDWARE_HARDWARE_INFO_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/hardware/gpu_topology.h"

namespace pipefit {

struct GpuSpec;  // gpu_catalog.h

enum class GpuSource { kNvml, kNvidiaSmi, kSysfs };

// "nvml", "nvidia-smi", "sysfs": the JSON `source` of a GPU.
const char* GpuSourceName(GpuSource source);

struct DetectedGpu {
  int index = 0;  // the device index the framework will use (CUDA / HIP order)
  // The index NVML or nvidia-smi gave it, when CUDA_VISIBLE_DEVICES
  // renumbered the GPUs (index is then the position in that list).
  std::optional<int> physical_index;
  std::string name;
  Bytes vram_total = 0;
  Bytes vram_free = 0;
  std::optional<std::string> compute_capability;  // "8.9"; NVIDIA only
  std::optional<int> pcie_generation;             // maximum the link supports
  std::optional<int> pcie_width;                  // lanes
  GpuSource source = GpuSource::kNvml;
  const GpuSpec* catalog_match = nullptr;  // filled by ProbeHardware
};

enum class RamSource { kMeminfo, kCgroup };

// "meminfo", "cgroup": the JSON `ram_source`.
const char* RamSourceName(RamSource source);

struct RamInfo {
  Bytes total = 0;      // MemTotal, or the cgroup limit when lower
  Bytes available = 0;  // MemAvailable, lowered to what the cgroup leaves
  RamSource source = RamSource::kMeminfo;
};

struct HardwareInfo {
  std::vector<DetectedGpu> gpus;              // empty on a machine without a GPU
  std::optional<std::string> driver_version;  // NVIDIA driver, when known
  RamInfo ram;
  // How the GPUs connect, with two or more NVIDIA GPUs (gpu_topology.h);
  // link indices are the framework's (DetectedGpu::index).
  std::optional<GpuTopology> topology;
  std::vector<std::string> notes;  // fallbacks taken and why
};

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_HARDWARE_INFO_H_
