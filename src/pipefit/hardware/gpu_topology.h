// How a machine's GPUs connect to each other: NVLink (with the number of
// bonded links) or one of the PCIe paths `nvidia-smi topo -m` names. Read
// from NVML where it exports the topology calls (nvml_probe.h), else parsed
// from `nvidia-smi topo -m` (the pure parser below; the legend is
// nvidia-smi's own, quoted in gpu_topology.cc).
#ifndef PIPEFIT_HARDWARE_GPU_TOPOLOGY_H_
#define PIPEFIT_HARDWARE_GPU_TOPOLOGY_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

// From fastest to slowest; the PCIe kinds follow nvidia-smi's legend.
enum class GpuLinkKind {
  kNvLink,        // NV#: a bonded set of # NVLinks (also through NVSwitch)
  kPcieSwitch,    // PIX: at most one PCIe bridge
  kPcieSwitches,  // PXB: several PCIe bridges, not the host bridge
  kHostBridge,    // PHB: through a PCIe host bridge (the CPU)
  kNumaNode,      // NODE: between host bridges within a NUMA node
  kCrossSocket,   // SYS: across the SMP interconnect between NUMA nodes
};

struct GpuLink {
  int a = 0;  // device indices, a < b
  int b = 0;
  GpuLinkKind kind = GpuLinkKind::kCrossSocket;
  int nvlinks = 0;  // for kNvLink: the bonded link count (NV18 = 18)
};

struct GpuTopology {
  std::vector<GpuLink> links;  // every pair once, (0,1), (0,2), …
  std::string source;          // "nvml" | "nvidia-smi topo -m"
};

// "NV18", "PIX", "PXB", "PHB", "NODE", "SYS": nvidia-smi's labels.
std::string GpuLinkLabel(const GpuLink& link);
// The JSON names: "nvlink", "pcie_switch", "pcie_switches",
// "pcie_host_bridge", "pcie_numa_node", "pcie_cross_socket".
const char* GpuLinkKindName(GpuLinkKind kind);

// The slowest link among the GPUs in `devices` (all of them when empty):
// what a collective over those GPUs is limited by. nullptr for fewer than
// two GPUs or a topology that lacks a pair.
const GpuLink* SlowestLink(const GpuTopology& topology, const std::vector<int>& devices);

// One line: "NVLink between every pair (NV18)", "PCIe only (PHB: through
// the CPU's host bridge)", "mixed: NVLink for 1 of 3 pairs, else NODE".
std::string DescribeTopology(const GpuTopology& topology);

// The command run when NVML has no topology: `nvidia-smi topo -m`.
std::vector<std::string> NvidiaSmiTopologyCommand();

// Parses `nvidia-smi topo -m`: the header row names GPU0 … GPUn-1 (then
// NICs and affinity columns, ignored), each GPU row gives one cell per GPU.
// Leading indentation (as in vLLM's collect_env) and the legend are
// skipped; "SOC" (older drivers' name for SYS) is read as SYS. kMalformed
// names the row and column of a cell it cannot read, or a missing row.
Result<GpuTopology> ParseNvidiaSmiTopology(std::string_view text);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_GPU_TOPOLOGY_H_
