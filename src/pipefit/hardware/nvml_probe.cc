#include "pipefit/hardware/nvml_probe.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "pipefit/hardware/nvml_api.h"

namespace pipefit {
namespace {

// More devices than any machine holds means the library is not what it
// claims to be; reading them all would only waste time.
constexpr unsigned int kMaxDevices = 256;

// Closes the library when the reading is done.
class LibraryHandle {
 public:
  explicit LibraryHandle(void* handle) : handle_(handle) {}
  LibraryHandle(const LibraryHandle&) = delete;
  LibraryHandle& operator=(const LibraryHandle&) = delete;
  ~LibraryHandle() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  void* get() const { return handle_; }

 private:
  void* handle_;
};

template <typename Fn>
Fn LookUp(void* handle, const char* name) {
  return reinterpret_cast<Fn>(dlsym(handle, name));
}

struct NvmlFunctions {
  pipefit_nvmlInit_v2_fn init = nullptr;
  pipefit_nvmlShutdown_fn shutdown = nullptr;
  pipefit_nvmlDeviceGetCount_v2_fn get_count = nullptr;
  pipefit_nvmlDeviceGetHandleByIndex_v2_fn get_handle = nullptr;
  pipefit_nvmlDeviceGetName_fn get_name = nullptr;
  pipefit_nvmlDeviceGetMemoryInfo_fn get_memory = nullptr;
  // Optional.
  pipefit_nvmlDeviceGetCudaComputeCapability_fn get_compute_capability = nullptr;
  pipefit_nvmlDeviceGetMaxPcieLinkGeneration_fn get_pcie_generation = nullptr;
  pipefit_nvmlDeviceGetMaxPcieLinkWidth_fn get_pcie_width = nullptr;
  pipefit_nvmlSystemGetDriverVersion_fn get_driver_version = nullptr;
  pipefit_nvmlErrorString_fn error_string = nullptr;
  pipefit_nvmlDeviceGetTopologyCommonAncestor_fn get_common_ancestor = nullptr;
  pipefit_nvmlDeviceGetP2PStatus_fn get_p2p_status = nullptr;
  pipefit_nvmlDeviceGetNvLinkState_fn get_nvlink_state = nullptr;

  std::string Describe(pipefit_nvmlReturn_t code) const {
    const char* text = error_string != nullptr ? error_string(code) : nullptr;
    return text != nullptr ? fmt::format("{} (NVML error {})", text, code)
                           : fmt::format("NVML error {}", code);
  }
};

Result<NvmlFunctions> ResolveFunctions(void* handle, const std::string& library) {
  NvmlFunctions f;
  f.init = LookUp<pipefit_nvmlInit_v2_fn>(handle, "nvmlInit_v2");
  f.shutdown = LookUp<pipefit_nvmlShutdown_fn>(handle, "nvmlShutdown");
  f.get_count = LookUp<pipefit_nvmlDeviceGetCount_v2_fn>(handle, "nvmlDeviceGetCount_v2");
  f.get_handle = LookUp<pipefit_nvmlDeviceGetHandleByIndex_v2_fn>(handle, "nvmlDeviceGetHandleByIndex_v2");
  f.get_name = LookUp<pipefit_nvmlDeviceGetName_fn>(handle, "nvmlDeviceGetName");
  f.get_memory = LookUp<pipefit_nvmlDeviceGetMemoryInfo_fn>(handle, "nvmlDeviceGetMemoryInfo");
  const std::pair<const char*, bool> required[] = {
      {"nvmlInit_v2", f.init != nullptr},
      {"nvmlShutdown", f.shutdown != nullptr},
      {"nvmlDeviceGetCount_v2", f.get_count != nullptr},
      {"nvmlDeviceGetHandleByIndex_v2", f.get_handle != nullptr},
      {"nvmlDeviceGetName", f.get_name != nullptr},
      {"nvmlDeviceGetMemoryInfo", f.get_memory != nullptr},
  };
  for (const auto& [name, found] : required) {
    if (!found) {
      return MakeErrorf(ErrorCode::kUnsupported, "{}: not a usable NVML library: symbol {} is missing",
                        library, name);
    }
  }
  f.get_compute_capability =
      LookUp<pipefit_nvmlDeviceGetCudaComputeCapability_fn>(handle, "nvmlDeviceGetCudaComputeCapability");
  f.get_pcie_generation =
      LookUp<pipefit_nvmlDeviceGetMaxPcieLinkGeneration_fn>(handle, "nvmlDeviceGetMaxPcieLinkGeneration");
  f.get_pcie_width =
      LookUp<pipefit_nvmlDeviceGetMaxPcieLinkWidth_fn>(handle, "nvmlDeviceGetMaxPcieLinkWidth");
  f.get_driver_version = LookUp<pipefit_nvmlSystemGetDriverVersion_fn>(handle, "nvmlSystemGetDriverVersion");
  f.error_string = LookUp<pipefit_nvmlErrorString_fn>(handle, "nvmlErrorString");
  f.get_common_ancestor =
      LookUp<pipefit_nvmlDeviceGetTopologyCommonAncestor_fn>(handle, "nvmlDeviceGetTopologyCommonAncestor");
  f.get_p2p_status = LookUp<pipefit_nvmlDeviceGetP2PStatus_fn>(handle, "nvmlDeviceGetP2PStatus");
  f.get_nvlink_state = LookUp<pipefit_nvmlDeviceGetNvLinkState_fn>(handle, "nvmlDeviceGetNvLinkState");
  return f;
}

// A NUL-terminated string from a fixed buffer the library filled (bounded
// even if it forgot the terminator).
std::string FromBuffer(const char* buffer, size_t size) { return std::string(buffer, strnlen(buffer, size)); }

void ReadOptionalFields(const NvmlFunctions& f, pipefit_nvmlDevice_t device, DetectedGpu& gpu) {
  if (f.get_compute_capability != nullptr) {
    int major = 0, minor = 0;
    if (f.get_compute_capability(device, &major, &minor) == PIPEFIT_NVML_SUCCESS && major > 0) {
      gpu.compute_capability = std::to_string(major) + "." + std::to_string(minor);
    }
  }
  unsigned int value = 0;
  if (f.get_pcie_generation != nullptr && f.get_pcie_generation(device, &value) == PIPEFIT_NVML_SUCCESS &&
      value > 0) {
    gpu.pcie_generation = static_cast<int>(value);
  }
  value = 0;
  if (f.get_pcie_width != nullptr && f.get_pcie_width(device, &value) == PIPEFIT_NVML_SUCCESS && value > 0) {
    gpu.pcie_width = static_cast<int>(value);
  }
}

int ActiveNvLinks(const NvmlFunctions& f, pipefit_nvmlDevice_t device) {
  if (f.get_nvlink_state == nullptr) return 0;
  int active = 0;
  for (unsigned int link = 0; link < PIPEFIT_NVML_NVLINK_MAX_LINKS; ++link) {
    int state = 0;
    if (f.get_nvlink_state(device, link, &state) != PIPEFIT_NVML_SUCCESS) continue;
    active += state == PIPEFIT_NVML_FEATURE_ENABLED ? 1 : 0;
  }
  return active;
}

GpuLinkKind KindOfLevel(int level) {
  if (level <= PIPEFIT_NVML_TOPOLOGY_SINGLE) return GpuLinkKind::kPcieSwitch;  // same board, or one bridge
  if (level <= PIPEFIT_NVML_TOPOLOGY_MULTIPLE) return GpuLinkKind::kPcieSwitches;
  if (level <= PIPEFIT_NVML_TOPOLOGY_HOSTBRIDGE) return GpuLinkKind::kHostBridge;
  if (level <= PIPEFIT_NVML_TOPOLOGY_NODE) return GpuLinkKind::kNumaNode;
  return GpuLinkKind::kCrossSocket;
}

// The pairs' links (nvml_probe.h), or nullopt with a note when a query fails.
std::optional<GpuTopology> ReadTopology(const NvmlFunctions& f,
                                        const std::vector<pipefit_nvmlDevice_t>& devices,
                                        const std::vector<DetectedGpu>& gpus,
                                        std::vector<std::string>& notes) {
  if (devices.size() < 2 || f.get_common_ancestor == nullptr) return std::nullopt;
  std::vector<int> active;
  for (pipefit_nvmlDevice_t device : devices) active.push_back(ActiveNvLinks(f, device));
  GpuTopology topology;
  topology.source = "nvml";
  for (size_t a = 0; a < devices.size(); ++a) {
    for (size_t b = a + 1; b < devices.size(); ++b) {
      GpuLink link{gpus[a].index, gpus[b].index};
      int level = 0;
      if (pipefit_nvmlReturn_t rc = f.get_common_ancestor(devices[a], devices[b], &level);
          rc != PIPEFIT_NVML_SUCCESS) {
        notes.push_back(fmt::format("NVML: nvmlDeviceGetTopologyCommonAncestor({}, {}): {}", link.a, link.b,
                                    f.Describe(rc)));
        return std::nullopt;
      }
      link.kind = KindOfLevel(level);
      int status = -1;
      if (f.get_p2p_status != nullptr &&
          f.get_p2p_status(devices[a], devices[b], PIPEFIT_NVML_P2P_CAPS_INDEX_NVLINK, &status) ==
              PIPEFIT_NVML_SUCCESS &&
          status == PIPEFIT_NVML_P2P_STATUS_OK) {
        link.kind = GpuLinkKind::kNvLink;
        link.nvlinks = std::max(1, std::min(active[a], active[b]));
      }
      topology.links.push_back(link);
    }
  }
  return topology;
}

// One device, or the reason it cannot be read (which becomes a note).
Result<DetectedGpu> ReadDevice(const NvmlFunctions& f, unsigned int index, pipefit_nvmlDevice_t& handle) {
  const std::string which = fmt::format("NVML device {}", index);
  pipefit_nvmlDevice_t device = nullptr;
  if (pipefit_nvmlReturn_t rc = f.get_handle(index, &device); rc != PIPEFIT_NVML_SUCCESS) {
    return MakeErrorf(ErrorCode::kIo, "{}: nvmlDeviceGetHandleByIndex_v2: {}", which, f.Describe(rc));
  }
  char name[PIPEFIT_NVML_DEVICE_NAME_BUFFER_SIZE] = {};
  if (pipefit_nvmlReturn_t rc = f.get_name(device, name, sizeof(name)); rc != PIPEFIT_NVML_SUCCESS) {
    return MakeErrorf(ErrorCode::kIo, "{}: nvmlDeviceGetName: {}", which, f.Describe(rc));
  }
  pipefit_nvmlMemory_t memory{};
  if (pipefit_nvmlReturn_t rc = f.get_memory(device, &memory); rc != PIPEFIT_NVML_SUCCESS) {
    return MakeErrorf(ErrorCode::kIo, "{}: nvmlDeviceGetMemoryInfo: {}", which, f.Describe(rc));
  }
  constexpr unsigned long long kMaxBytes = 1ULL << 62;  // guards the int64 conversion
  if (memory.total > kMaxBytes || memory.free > memory.total) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: nvmlDeviceGetMemoryInfo returned total {}, free {}", which,
                      memory.total, memory.free);
  }
  handle = device;
  DetectedGpu gpu;
  gpu.index = static_cast<int>(index);
  gpu.name = FromBuffer(name, sizeof(name));
  gpu.vram_total = static_cast<Bytes>(memory.total);
  gpu.vram_free = static_cast<Bytes>(memory.free);
  gpu.source = GpuSource::kNvml;
  ReadOptionalFields(f, device, gpu);
  return gpu;
}

Result<NvmlReading> ReadAllDevices(const NvmlFunctions& f, const std::string& library) {
  unsigned int count = 0;
  if (pipefit_nvmlReturn_t rc = f.get_count(&count); rc != PIPEFIT_NVML_SUCCESS) {
    return MakeErrorf(ErrorCode::kIo, "{}: nvmlDeviceGetCount_v2 failed: {}", library, f.Describe(rc));
  }
  if (count > kMaxDevices) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: nvmlDeviceGetCount_v2 reported {} devices", library, count);
  }
  NvmlReading reading;
  std::vector<pipefit_nvmlDevice_t> devices;
  for (unsigned int i = 0; i < count; ++i) {
    pipefit_nvmlDevice_t device = nullptr;
    auto gpu = ReadDevice(f, i, device);
    if (gpu.ok()) {
      reading.gpus.push_back(std::move(gpu).value());
      devices.push_back(device);
    } else {
      reading.notes.push_back(gpu.error().message + "; device skipped");
    }
  }
  reading.topology = ReadTopology(f, devices, reading.gpus, reading.notes);
  if (f.get_driver_version != nullptr) {
    char version[PIPEFIT_NVML_DRIVER_VERSION_BUFFER_SIZE] = {};
    if (f.get_driver_version(version, sizeof(version)) == PIPEFIT_NVML_SUCCESS) {
      std::string text = FromBuffer(version, sizeof(version));
      if (!text.empty()) reading.driver_version = std::move(text);
    }
  }
  return reading;
}

}  // namespace

Result<NvmlReading> ReadGpusWithNvml(const std::string& library) {
  dlerror();  // clear any stale message
  LibraryHandle handle(dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (handle.get() == nullptr) {
    const char* reason = dlerror();
    return MakeErrorf(ErrorCode::kNotFound, "cannot load NVML ({}): {}", library,
                      reason != nullptr ? reason : "unknown reason");
  }
  PIPEFIT_ASSIGN_OR_RETURN(NvmlFunctions f, ResolveFunctions(handle.get(), library));
  if (pipefit_nvmlReturn_t rc = f.init(); rc != PIPEFIT_NVML_SUCCESS) {
    return MakeErrorf(ErrorCode::kIo, "{}: nvmlInit_v2 failed: {}", library, f.Describe(rc));
  }
  Result<NvmlReading> reading = ReadAllDevices(f, library);
  f.shutdown();
  return reading;
}

}  // namespace pipefit
