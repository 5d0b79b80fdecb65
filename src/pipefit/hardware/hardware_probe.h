// `pipefit hw`: finds the GPUs and the RAM this process can use.
//
// GPUs, in order of preference:
//   1. NVML (PIPEFIT_NVML_LIBRARY, else libnvidia-ml.so.1);
//   2. when NVML cannot be loaded or initialised: nvidia-smi;
//   3. AMD GPUs from the amdgpu sysfs files (always looked for).
// No GPU at all is a normal answer: an empty list, never an error. Each
// fallback taken leaves a note saying why.
//
// With two or more NVIDIA GPUs, how they connect: NVML's topology queries,
// else `nvidia-smi topo -m` (gpu_topology.h). CUDA_VISIBLE_DEVICES is
// respected as CUDA reads it: a comma-separated list of indices keeps those
// GPUs in that order, renumbered from 0, up to the first invalid entry; an
// empty value hides every NVIDIA GPU. UUID entries (GPU-…, MIG-…) cannot be
// matched without UUIDs, so all GPUs stay listed, with a note.
#ifndef PIPEFIT_HARDWARE_HARDWARE_PROBE_H_
#define PIPEFIT_HARDWARE_HARDWARE_PROBE_H_

#include <string>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/hardware/hardware_info.h"
#include "pipefit/hardware/program_runner.h"

namespace pipefit {

// The outside worlds the probe reads. `root` prefixes /proc and /sys so
// tests can lay out a machine in a MemoryFileSystem ("" in production).
struct HardwareProbeContext {
  const FileSystem& fs;
  const Environment& env;
  const ProgramRunner& runner;
  std::string root;
};

// Fails only when /proc/meminfo is missing or unreadable (then no RAM
// figure can be given); every GPU problem becomes a note.
Result<HardwareInfo> ProbeHardware(const HardwareProbeContext& context);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_HARDWARE_PROBE_H_
