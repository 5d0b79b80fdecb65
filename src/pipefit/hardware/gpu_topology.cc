#include "pipefit/hardware/gpu_topology.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "pipefit/base/text.h"

namespace pipefit {
namespace {

// nvidia-smi topo -m's legend (driver 535–580):
//   X    = Self
//   SYS  = Connection traversing PCIe as well as the SMP interconnect between NUMA nodes (e.g., QPI/UPI)
//   NODE = Connection traversing PCIe as well as the interconnect between PCIe Host Bridges within a NUMA
//   node PHB  = Connection traversing PCIe as well as a PCIe Host Bridge (typically the CPU) PXB  =
//   Connection traversing multiple PCIe bridges (without traversing the PCIe Host Bridge) PIX  = Connection
//   traversing at most a single PCIe bridge NV#  = Connection traversing a bonded set of # NVLinks
struct LinkRow {
  std::string_view label;
  GpuLinkKind kind;
  const char* json_name;
  const char* meaning;
};

constexpr LinkRow kLinks[] = {
    {"NV", GpuLinkKind::kNvLink, "nvlink", "NVLink"},
    {"PIX", GpuLinkKind::kPcieSwitch, "pcie_switch", "PCIe through at most one bridge"},
    {"PXB", GpuLinkKind::kPcieSwitches, "pcie_switches", "PCIe through several bridges"},
    {"PHB", GpuLinkKind::kHostBridge, "pcie_host_bridge", "PCIe through the CPU's host bridge"},
    {"NODE", GpuLinkKind::kNumaNode, "pcie_numa_node", "PCIe between host bridges of one NUMA node"},
    {"SYS", GpuLinkKind::kCrossSocket, "pcie_cross_socket", "PCIe across CPU sockets"},
};

const LinkRow& RowOf(GpuLinkKind kind) {
  for (const LinkRow& row : kLinks) {
    if (row.kind == kind) return row;
  }
  return kLinks[std::size(kLinks) - 1];
}

std::vector<std::string_view> SplitTabs(std::string_view line) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    cells.push_back(TrimWhitespace(line.substr(start, tab == std::string_view::npos ? tab : tab - start)));
    if (tab == std::string_view::npos) return cells;
    start = tab + 1;
  }
}

// "GPU12" -> 12; -1 otherwise.
int GpuNumber(std::string_view name) {
  if (!name.starts_with("GPU") || name.size() == 3) return -1;
  int n = -1;
  auto [end, error] = std::from_chars(name.data() + 3, name.data() + name.size(), n);
  return error == std::errc() && end == name.data() + name.size() ? n : -1;
}

// One cell: "NV18", "PIX", …; false for anything else.
bool ParseCell(std::string_view cell, GpuLink& link) {
  if (cell.starts_with("NV") && cell.size() > 2) {
    int count = 0;
    auto [end, error] = std::from_chars(cell.data() + 2, cell.data() + cell.size(), count);
    if (error != std::errc() || end != cell.data() + cell.size() || count < 1 || count > 64) return false;
    link.kind = GpuLinkKind::kNvLink;
    link.nvlinks = count;
    return true;
  }
  if (cell == "SOC") cell = "SYS";
  for (const LinkRow& row : kLinks) {
    if (row.kind != GpuLinkKind::kNvLink && cell == row.label) {
      link.kind = row.kind;
      return true;
    }
  }
  return false;
}

}  // namespace

std::string GpuLinkLabel(const GpuLink& link) {
  if (link.kind == GpuLinkKind::kNvLink) return fmt::format("NV{}", link.nvlinks);
  return std::string(RowOf(link.kind).label);
}

const char* GpuLinkKindName(GpuLinkKind kind) { return RowOf(kind).json_name; }

const GpuLink* SlowestLink(const GpuTopology& topology, const std::vector<int>& devices) {
  auto wanted = [&](int device) {
    return devices.empty() || std::find(devices.begin(), devices.end(), device) != devices.end();
  };
  const GpuLink* slowest = nullptr;
  for (const GpuLink& link : topology.links) {
    if (!wanted(link.a) || !wanted(link.b)) continue;
    const bool slower = slowest == nullptr || link.kind > slowest->kind ||
                        (link.kind == slowest->kind && link.nvlinks < slowest->nvlinks);
    if (slower) slowest = &link;
  }
  return slowest;
}

std::string DescribeTopology(const GpuTopology& topology) {
  if (topology.links.empty()) return "one GPU";
  size_t nvlink = 0;
  for (const GpuLink& link : topology.links) nvlink += link.kind == GpuLinkKind::kNvLink ? 1 : 0;
  const GpuLink* slowest = SlowestLink(topology, {});
  if (nvlink == topology.links.size()) {
    return fmt::format("NVLink between every pair (slowest pair {})", GpuLinkLabel(*slowest));
  }
  const std::string worst = fmt::format("{}: {}", GpuLinkLabel(*slowest), RowOf(slowest->kind).meaning);
  if (nvlink == 0) return "PCIe only (slowest pair " + worst + ")";
  return fmt::format("mixed: NVLink for {} of {} pairs, the slowest pair {}", nvlink, topology.links.size(),
                     worst);
}

std::vector<std::string> NvidiaSmiTopologyCommand() { return {"nvidia-smi", "topo", "-m"}; }

Result<GpuTopology> ParseNvidiaSmiTopology(std::string_view text) {
  int gpu_count = 0;
  std::map<int, std::vector<std::string_view>> rows;  // GPU row -> its cells
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = TrimWhitespace(text.substr(start, end - start));
    start = end + 1;
    if (line.starts_with("Legend")) break;
    std::vector<std::string_view> cells = SplitTabs(line);
    if (cells.empty()) continue;
    if (gpu_count == 0 && GpuNumber(cells[0]) == 0 && (cells.size() < 2 || cells[1] != "X")) {
      // The header (its leading tab trimmed): GPU0 GPU1 … then NICs and
      // affinity columns. A GPU row has "X" where the header has GPU1.
      while (gpu_count < static_cast<int>(cells.size()) &&
             GpuNumber(cells[static_cast<size_t>(gpu_count)]) == gpu_count)
        ++gpu_count;
      continue;
    }
    const int row = GpuNumber(cells[0]);
    if (row >= 0 && gpu_count > 0) {
      cells.erase(cells.begin());
      rows[row] = std::move(cells);
    }
  }
  if (gpu_count == 0) return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi topo -m: no GPU0 … header row");
  GpuTopology topology;
  topology.source = "nvidia-smi topo -m";
  for (int a = 0; a < gpu_count; ++a) {
    auto found = rows.find(a);
    if (found == rows.end())
      return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi topo -m: no row for GPU{}", a);
    const std::vector<std::string_view>& cells = found->second;
    if (static_cast<int>(cells.size()) < gpu_count) {
      return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi topo -m: row GPU{} has {} cells for {} GPUs", a,
                        cells.size(), gpu_count);
    }
    for (int b = 0; b < gpu_count; ++b) {
      const std::string_view cell = cells[static_cast<size_t>(b)];
      if (a == b) {
        if (cell != "X") {
          return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi topo -m: GPU{} to itself is '{}', not X", a,
                            cell);
        }
        continue;
      }
      GpuLink link{a, b};
      if (!ParseCell(cell, link)) {
        return MakeErrorf(ErrorCode::kMalformed, "nvidia-smi topo -m: GPU{} to GPU{} is '{}'", a, b,
                          cell.substr(0, 20));
      }
      if (a < b) topology.links.push_back(link);
    }
  }
  return topology;
}

}  // namespace pipefit
