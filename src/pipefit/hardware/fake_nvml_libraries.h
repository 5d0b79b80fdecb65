// Test-only: where the build put the fake NVML libraries built from
// tests/fake_nvml/fake_nvml.c. The build passes each path as a compile
// definition on the test binary; a test whose library was not built skips.
#ifndef PIPEFIT_HARDWARE_FAKE_NVML_LIBRARIES_H_
#define PIPEFIT_HARDWARE_FAKE_NVML_LIBRARIES_H_

#include <optional>
#include <string>

namespace pipefit::fake_nvml {

// Two GPUs (RTX 4090, T4), every optional symbol.
inline std::optional<std::string> FullLibrary() {
#ifdef PIPEFIT_FAKE_NVML_PATH
  return std::string(PIPEFIT_FAKE_NVML_PATH);
#else
  return std::nullopt;
#endif
}

// The same GPUs without the optional symbols.
inline std::optional<std::string> NoOptionalLibrary() {
#ifdef PIPEFIT_FAKE_NVML_NO_OPTIONAL_PATH
  return std::string(PIPEFIT_FAKE_NVML_NO_OPTIONAL_PATH);
#else
  return std::nullopt;
#endif
}

// Lacks the required nvmlDeviceGetMemoryInfo.
inline std::optional<std::string> NoMemoryInfoLibrary() {
#ifdef PIPEFIT_FAKE_NVML_NO_MEMORY_INFO_PATH
  return std::string(PIPEFIT_FAKE_NVML_NO_MEMORY_INFO_PATH);
#else
  return std::nullopt;
#endif
}

// nvmlInit_v2 fails with NVML_ERROR_DRIVER_NOT_LOADED.
inline std::optional<std::string> InitFailsLibrary() {
#ifdef PIPEFIT_FAKE_NVML_INIT_FAILS_PATH
  return std::string(PIPEFIT_FAKE_NVML_INIT_FAILS_PATH);
#else
  return std::nullopt;
#endif
}

// The same GPUs bridged: NVLink P2P OK, 4 active NVLinks each.
inline std::optional<std::string> NvLinkLibrary() {
#ifdef PIPEFIT_FAKE_NVML_NVLINK_PATH
  return std::string(PIPEFIT_FAKE_NVML_NVLINK_PATH);
#else
  return std::nullopt;
#endif
}

}  // namespace pipefit::fake_nvml

#endif  // PIPEFIT_HARDWARE_FAKE_NVML_LIBRARIES_H_
