#include "pipefit/hardware/hardware_probe.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "pipefit/base/text.h"
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
    info.topology = std::move(nvml->topology);
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

// NVML without the topology queries (old drivers) or nvidia-smi: ask
// `nvidia-smi topo -m`.
void ProbeTopologyWithNvidiaSmi(const HardwareProbeContext& context, HardwareInfo& info) {
  if (info.gpus.size() < 2 || info.topology) return;
  auto output = context.runner.Run(NvidiaSmiTopologyCommand(), 10000);
  if (!output.ok() || output->exit_code != 0) {
    info.notes.push_back(
        "how the GPUs connect is unknown: nvidia-smi topo -m " +
        (output.ok() ? "exited with " + std::to_string(output->exit_code) : output.error().message));
    return;
  }
  auto topology = ParseNvidiaSmiTopology(output->stdout_text);
  if (!topology.ok()) {
    info.notes.push_back("how the GPUs connect is unknown: " + topology.error().message);
    return;
  }
  info.topology = std::move(*topology);
}

// CUDA_VISIBLE_DEVICES (hardware_probe.h). Renumbers the GPUs and their
// links to the framework's indices.
void ApplyCudaVisibleDevices(const Environment& env, HardwareInfo& info) {
  auto visible = env.Get("CUDA_VISIBLE_DEVICES");
  if (!visible) return;
  std::vector<int> order;
  std::string_view rest = *visible;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view entry = TrimWhitespace(rest.substr(0, comma));
    if (entry.starts_with("GPU-") || entry.starts_with("MIG-")) {
      info.notes.push_back(
          "CUDA_VISIBLE_DEVICES names GPUs by UUID, which pipefit does not read: every GPU is "
          "listed");
      return;
    }
    int index = -1;
    auto [end, error] = std::from_chars(entry.data(), entry.data() + entry.size(), index);
    const bool valid = !entry.empty() && error == std::errc() && end == entry.data() + entry.size() &&
                       index >= 0 && index < static_cast<int>(info.gpus.size()) &&
                       std::find(order.begin(), order.end(), index) == order.end();
    if (!valid) break;  // CUDA ignores the entries from the first invalid one on
    order.push_back(index);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  std::vector<DetectedGpu> kept;
  std::map<int, int> renumbered;
  for (int physical : order) {
    DetectedGpu gpu = info.gpus[static_cast<size_t>(physical)];
    renumbered[gpu.index] = static_cast<int>(kept.size());
    gpu.physical_index = gpu.index;
    gpu.index = static_cast<int>(kept.size());
    kept.push_back(std::move(gpu));
  }
  info.notes.push_back("CUDA_VISIBLE_DEVICES=" + *visible + ": " + std::to_string(kept.size()) + " of " +
                       std::to_string(info.gpus.size()) + " NVIDIA GPUs visible");
  info.gpus = std::move(kept);
  if (info.topology) {
    std::vector<GpuLink> links;
    for (GpuLink link : info.topology->links) {
      if (!renumbered.contains(link.a) || !renumbered.contains(link.b)) continue;
      link.a = renumbered[link.a];
      link.b = renumbered[link.b];
      if (link.a > link.b) std::swap(link.a, link.b);
      links.push_back(link);
    }
    std::sort(links.begin(), links.end(),
              [](const GpuLink& x, const GpuLink& y) { return std::pair(x.a, x.b) < std::pair(y.a, y.b); });
    info.topology->links = std::move(links);
  }
}

}  // namespace

Result<HardwareInfo> ProbeHardware(const HardwareProbeContext& context) {
  HardwareInfo info;
  ProbeNvidia(context, info);
  ProbeTopologyWithNvidiaSmi(context, info);
  ApplyCudaVisibleDevices(context.env, info);
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
