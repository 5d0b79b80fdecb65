#include "pipefit/hardware/hardware_info.h"

namespace pipefit {

const char* GpuSourceName(GpuSource source) {
  switch (source) {
    case GpuSource::kNvml:
      return "nvml";
    case GpuSource::kNvidiaSmi:
      return "nvidia-smi";
    case GpuSource::kSysfs:
      return "sysfs";
  }
  return "unknown";
}

const char* RamSourceName(RamSource source) {
  switch (source) {
    case RamSource::kMeminfo:
      return "meminfo";
    case RamSource::kCgroup:
      return "cgroup";
  }
  return "unknown";
}

}  // namespace pipefit
