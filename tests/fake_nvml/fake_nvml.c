/* A fake NVML shared library for pipefit's tests: it exports the NVML entry
 * points pipefit loads with dlopen and describes two GPUs with exact values.
 *
 *   GPU 0  "NVIDIA GeForce RTX 4090"  total 25757220864 B (24564 MiB),
 *          free 25223495680 B (24055 MiB), compute capability 8.9, PCIe gen 4 x16
 *   GPU 1  "Tesla T4"                 total 16106127360 B (15360 MiB),
 *          free 15642656768 B (14918 MiB), compute capability 7.5, PCIe gen 3 x16
 *   driver version "550.54.15"
 *
 * Variants built from this one source:
 *   (none)                    everything above
 *   -DFAKE_NVML_NO_OPTIONAL   no nvmlDeviceGetCudaComputeCapability,
 *                             nvmlDeviceGetMaxPcieLink{Generation,Width},
 *                             nvmlSystemGetDriverVersion, nvmlErrorString
 *   -DFAKE_NVML_NO_MEMORY_INFO  no nvmlDeviceGetMemoryInfo (a required symbol)
 *   -DFAKE_NVML_INIT_FAILS    nvmlInit_v2 returns NVML_ERROR_DRIVER_NOT_LOADED
 *   -DFAKE_NVML_NVLINK        the two GPUs are bridged: NVLink P2P OK, 4 active
 *                             NVLinks each (otherwise: their common ancestor is
 *                             a host bridge and NVLink P2P is not supported)
 *
 * Signatures follow the NVML API Reference Guide
 * (https://docs.nvidia.com/deploy/nvml-api/); written independently of
 * pipefit's own declarations so a mismatch would show. */
#include <string.h>

/* Unmangled names even if a build compiles this file as C++. */
#ifdef __cplusplus
extern "C" {
#endif

#define NVML_SUCCESS 0
#define NVML_ERROR_UNINITIALIZED 1
#define NVML_ERROR_INVALID_ARGUMENT 2
#define NVML_ERROR_INSUFFICIENT_SIZE 7
#define NVML_ERROR_DRIVER_NOT_LOADED 9
#define NVML_TOPOLOGY_HOSTBRIDGE 30
#define NVML_P2P_CAPS_INDEX_NVLINK 2
#define NVML_P2P_STATUS_OK 0
#define NVML_P2P_STATUS_NOT_SUPPORTED 4
#define NVML_FEATURE_DISABLED 0
#define NVML_FEATURE_ENABLED 1

typedef int nvmlReturn_t;

struct nvmlDevice_st {
  const char* name;
  unsigned long long total;
  unsigned long long free;
  int cc_major;
  int cc_minor;
  unsigned int pcie_generation;
  unsigned int pcie_width;
};
typedef struct nvmlDevice_st* nvmlDevice_t;

typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

static struct nvmlDevice_st devices[] = {
    {"NVIDIA GeForce RTX 4090", 25757220864ULL, 25223495680ULL, 8, 9, 4, 16},
    {"Tesla T4", 16106127360ULL, 15642656768ULL, 7, 5, 3, 16},
};
static const unsigned int device_count = sizeof(devices) / sizeof(devices[0]);

/* Sessions opened minus sessions closed: tests check pipefit shuts NVML down. */
static int active_sessions = 0;

int fake_nvml_active_sessions(void) { return active_sessions; }

nvmlReturn_t nvmlInit_v2(void) {
#ifdef FAKE_NVML_INIT_FAILS
  return NVML_ERROR_DRIVER_NOT_LOADED;
#else
  ++active_sessions;
  return NVML_SUCCESS;
#endif
}

nvmlReturn_t nvmlShutdown(void) {
  if (active_sessions == 0) return NVML_ERROR_UNINITIALIZED;
  --active_sessions;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) {
  if (active_sessions == 0) return NVML_ERROR_UNINITIALIZED;
  if (count == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *count = device_count;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  if (active_sessions == 0) return NVML_ERROR_UNINITIALIZED;
  if (device == NULL || index >= device_count) return NVML_ERROR_INVALID_ARGUMENT;
  *device = &devices[index];
  return NVML_SUCCESS;
}

static nvmlReturn_t copy_string(const char* value, char* out, unsigned int length) {
  if (out == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(out, value, strlen(value) + 1);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  if (device == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  return copy_string(device->name, name, length);
}

#ifndef FAKE_NVML_NO_MEMORY_INFO
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  if (device == NULL || memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  memory->total = device->total;
  memory->free = device->free;
  memory->used = device->total - device->free;
  return NVML_SUCCESS;
}
#endif

#ifndef FAKE_NVML_NO_OPTIONAL
nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int* major, int* minor) {
  if (device == NULL || major == NULL || minor == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *major = device->cc_major;
  *minor = device->cc_minor;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxPcieLinkGeneration(nvmlDevice_t device, unsigned int* generation) {
  if (device == NULL || generation == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *generation = device->pcie_generation;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMaxPcieLinkWidth(nvmlDevice_t device, unsigned int* width) {
  if (device == NULL || width == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *width = device->pcie_width;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  return copy_string("550.54.15", version, length);
}

const char* nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS:
      return "Success";
    case NVML_ERROR_UNINITIALIZED:
      return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT:
      return "Invalid Argument";
    case NVML_ERROR_INSUFFICIENT_SIZE:
      return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}
#endif

/* Topology: optional like the fields above. */
#ifndef FAKE_NVML_NO_OPTIONAL
nvmlReturn_t nvmlDeviceGetTopologyCommonAncestor(nvmlDevice_t device1, nvmlDevice_t device2, int* level) {
  if (device1 == NULL || device2 == NULL || level == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *level = NVML_TOPOLOGY_HOSTBRIDGE;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetP2PStatus(nvmlDevice_t device1, nvmlDevice_t device2, int caps_index, int* status) {
  if (device1 == NULL || device2 == NULL || status == NULL) return NVML_ERROR_INVALID_ARGUMENT;
#ifdef FAKE_NVML_NVLINK
  *status = caps_index == NVML_P2P_CAPS_INDEX_NVLINK ? NVML_P2P_STATUS_OK : NVML_P2P_STATUS_NOT_SUPPORTED;
#else
  (void)caps_index;
  *status = NVML_P2P_STATUS_NOT_SUPPORTED;
#endif
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t device, unsigned int link, int* is_active) {
  if (device == NULL || is_active == NULL || link >= 18) return NVML_ERROR_INVALID_ARGUMENT;
#ifdef FAKE_NVML_NVLINK
  *is_active = link < 4 ? NVML_FEATURE_ENABLED : NVML_FEATURE_DISABLED;
#else
  *is_active = NVML_FEATURE_DISABLED;
#endif
  return NVML_SUCCESS;
}
#endif

#ifdef __cplusplus
}  // extern "C"
#endif
