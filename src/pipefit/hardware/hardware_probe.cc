#include "pipefit/hardware/hardware_probe.h"

#include "pipefit/hardware/amd_sysfs.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/hardware/memory_info.h"
#include "pipefit/hardware/nvidia_smi.h"
#include "pipefit/hardware/nvml_probe.h"

namespace pipefit {
namespace {

// NVML first; nvidia-smi only when NVML is unusable. Both missing is the
// ordinary state of a machine without an NVIDIA driver, so the notes stay
// short.
void ProbeNvidia(const HardwareProbeContext& context, HardwareInfo& info) {
  const std::string library = context.env.GetNonEmpty("PIPEFIT_NVML_LIBRARY").value_or(kDefaultNvmlLibrary);
  auto nvml = ReadGpusWithNvml(library);
  if (nvml.ok()) {
    info.gpus = std::move(nvml->gpus);
    info.driver_version = std::move(nvml->driver_version);
    info.notes.insert(info.notes.end(), nvml->notes.begin(), nvml->notes.end());
    return;
  }
  info.notes.push_back("NVML unavailable: " + nvml.error().message);
  auto smi = ReadGpusWithNvidiaSmi(context.runner);
  if (smi.ok()) {
    info.gpus = std::move(smi).value();
    info.notes.push_back("NVIDIA GPUs read with nvidia-smi instead");
    return;
  }
  info.notes.push_back("nvidia-smi unavailable: " + smi.error().message);
}

}  // namespace

Result<HardwareInfo> ProbeHardware(const HardwareProbeContext& context) {
  HardwareInfo info;
  ProbeNvidia(context, info);
  std::vector<DetectedGpu> amd = ReadAmdGpus(context.fs, context.root + kDrmRoot, info.notes);
  info.gpus.insert(info.gpus.end(), amd.begin(), amd.end());
  for (DetectedGpu& gpu : info.gpus) {
    gpu.catalog_match = MatchDetectedGpu(gpu.name, gpu.vram_total);
    if (gpu.catalog_match == nullptr) {
      info.notes.push_back("GPU " + std::to_string(gpu.index) + " (" + gpu.name +
                           ") is not in the GPU catalog (pipefit gpus): its speed is unknown");
    }
  }
  if (info.gpus.empty()) info.notes.push_back("no GPU found");
  PIPEFIT_ASSIGN_OR_RETURN(info.ram, ProbeRam(context.fs, info.notes, context.root));
  return info;
}

}  // namespace pipefit
