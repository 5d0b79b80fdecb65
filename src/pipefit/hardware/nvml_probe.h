// NVIDIA GPUs through NVML, loaded at run time with dlopen: no build-time
// dependency, and it works wherever the driver is installed.
#ifndef PIPEFIT_HARDWARE_NVML_PROBE_H_
#define PIPEFIT_HARDWARE_NVML_PROBE_H_

#include <optional>
#include <string>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/hardware/gpu_topology.h"
#include "pipefit/hardware/hardware_info.h"

namespace pipefit {

// The library loaded when PIPEFIT_NVML_LIBRARY is unset (the driver's
// runtime name, which the driver package installs).
inline constexpr char kDefaultNvmlLibrary[] = "libnvidia-ml.so.1";

struct NvmlReading {
  std::vector<DetectedGpu> gpus;  // every device, in NVML index order
  std::optional<std::string> driver_version;
  std::vector<std::string> notes;  // devices or fields NVML could not read
  // With two or more devices, when the library exports
  // nvmlDeviceGetTopologyCommonAncestor: each pair's PCIe path, or NVLink
  // when nvmlDeviceGetP2PStatus says so. NVML counts active NVLinks per GPU,
  // not per pair: `nvlinks` is the smaller count of the two GPUs, which is
  // nvidia-smi's NV# through NVSwitch and every link of the GPU in a direct
  // mesh (the bandwidth a collective over all GPUs can use).
  std::optional<GpuTopology> topology;
};

// Loads `library` (a file name searched like dlopen does, or a path), reads
// every device and unloads it again. Errors, each naming the library:
//   kNotFound     the library cannot be loaded
//   kUnsupported  a required symbol is missing (not a usable NVML)
//   kIo           nvmlInit_v2 or nvmlDeviceGetCount_v2 failed (no driver...)
// A device whose handle, name or memory cannot be read is skipped with a
// note; an optional query that is missing or unsupported leaves its field
// empty.
Result<NvmlReading> ReadGpusWithNvml(const std::string& library);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_NVML_PROBE_H_
