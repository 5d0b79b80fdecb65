// The few NVML declarations pipefit uses, written from the NVML API
// Reference Guide (https://docs.nvidia.com/deploy/nvml-api/, sections
// "Initialization and Cleanup", "System Queries", "Device Queries" and the
// nvmlMemory_t struct reference), so the build needs no NVIDIA headers: the
// library is loaded at run time with dlopen. Only nvml_probe.cc and the fake
// library in tests/fake_nvml/ include this file.
#ifndef PIPEFIT_HARDWARE_NVML_API_H_
#define PIPEFIT_HARDWARE_NVML_API_H_

#ifdef __cplusplus
extern "C" {
#endif

// nvmlReturn_t is a C enum; its values are ints. The codes pipefit names:
#define PIPEFIT_NVML_SUCCESS 0
#define PIPEFIT_NVML_ERROR_NOT_SUPPORTED 3
#define PIPEFIT_NVML_ERROR_INSUFFICIENT_SIZE 7
#define PIPEFIT_NVML_ERROR_DRIVER_NOT_LOADED 9
typedef int pipefit_nvmlReturn_t;

// nvmlDevice_t is an opaque pointer (typedef struct nvmlDevice_st*).
typedef struct pipefit_nvmlDevice_st* pipefit_nvmlDevice_t;

// nvmlMemory_t (v1): bytes; total = free + used.
typedef struct {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} pipefit_nvmlMemory_t;

// NVML_DEVICE_NAME_V2_BUFFER_SIZE and NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE.
#define PIPEFIT_NVML_DEVICE_NAME_BUFFER_SIZE 96
#define PIPEFIT_NVML_DRIVER_VERSION_BUFFER_SIZE 80

// Required.
typedef pipefit_nvmlReturn_t (*pipefit_nvmlInit_v2_fn)(void);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlShutdown_fn)(void);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetCount_v2_fn)(unsigned int* count);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetHandleByIndex_v2_fn)(unsigned int index,
                                                                         pipefit_nvmlDevice_t* device);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetName_fn)(pipefit_nvmlDevice_t device, char* name,
                                                             unsigned int length);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetMemoryInfo_fn)(pipefit_nvmlDevice_t device,
                                                                   pipefit_nvmlMemory_t* memory);

// Optional: used when the library exports them.
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetCudaComputeCapability_fn)(pipefit_nvmlDevice_t device,
                                                                              int* major, int* minor);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetMaxPcieLinkGeneration_fn)(pipefit_nvmlDevice_t device,
                                                                              unsigned int* generation);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetMaxPcieLinkWidth_fn)(pipefit_nvmlDevice_t device,
                                                                         unsigned int* width);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlSystemGetDriverVersion_fn)(char* version, unsigned int length);
typedef const char* (*pipefit_nvmlErrorString_fn)(pipefit_nvmlReturn_t result);

// Optional, for the topology between GPUs ("Topology Queries", "NvLink
// Methods", nvmlDeviceGetP2PStatus). nvmlGpuTopologyLevel_t values:
#define PIPEFIT_NVML_TOPOLOGY_INTERNAL 0
#define PIPEFIT_NVML_TOPOLOGY_SINGLE 10
#define PIPEFIT_NVML_TOPOLOGY_MULTIPLE 20
#define PIPEFIT_NVML_TOPOLOGY_HOSTBRIDGE 30
#define PIPEFIT_NVML_TOPOLOGY_NODE 40
#define PIPEFIT_NVML_TOPOLOGY_SYSTEM 50
// nvmlGpuP2PCapsIndex_t NVML_P2P_CAPS_INDEX_NVLINK and nvmlGpuP2PStatus_t
// NVML_P2P_STATUS_OK; nvmlEnableState_t NVML_FEATURE_ENABLED;
// NVML_NVLINK_MAX_LINKS (18 since NVLink 4).
#define PIPEFIT_NVML_P2P_CAPS_INDEX_NVLINK 2
#define PIPEFIT_NVML_P2P_STATUS_OK 0
#define PIPEFIT_NVML_FEATURE_ENABLED 1
#define PIPEFIT_NVML_NVLINK_MAX_LINKS 18
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetTopologyCommonAncestor_fn)(pipefit_nvmlDevice_t device1,
                                                                               pipefit_nvmlDevice_t device2,
                                                                               int* level);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetP2PStatus_fn)(pipefit_nvmlDevice_t device1,
                                                                  pipefit_nvmlDevice_t device2,
                                                                  int caps_index, int* status);
typedef pipefit_nvmlReturn_t (*pipefit_nvmlDeviceGetNvLinkState_fn)(pipefit_nvmlDevice_t device,
                                                                    unsigned int link, int* is_active);

#ifdef __cplusplus
}  // extern "C"
#endif

#endif  // PIPEFIT_HARDWARE_NVML_API_H_
