#include "pipefit/hardware/hw_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "pipefit/base/units.h"

namespace pipefit {
namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json OrNull(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json GpuJson(const DetectedGpu& gpu) {
  return Json{{"index", gpu.index},
              {"physical_index", OrNull(gpu.physical_index)},
              {"name", gpu.name},
              {"vram_total", gpu.vram_total},
              {"vram_free", gpu.vram_free},
              {"compute_capability", OrNull(gpu.compute_capability)},
              {"pcie_generation", OrNull(gpu.pcie_generation)},
              {"pcie_width", OrNull(gpu.pcie_width)},
              {"source", GpuSourceName(gpu.source)},
              {"catalog_match", gpu.catalog_match ? Json(gpu.catalog_match->id) : Json(nullptr)}};
}

std::string PcieText(const std::optional<int>& generation, const std::optional<int>& width) {
  if (!generation && !width) return "-";
  return fmt::format("{}{}", generation ? fmt::format("gen{}", *generation) : "gen?",
                     width ? fmt::format(" x{}", *width) : "");
}

std::string GpuTable(const std::vector<DetectedGpu>& gpus) {
  size_t name_width = 4;
  for (const DetectedGpu& gpu : gpus) name_width = std::max(name_width, gpu.name.size());
  std::string out = fmt::format("{:<4} {:<{}}  {:>10}  {:>10}  {:<5} {:<9} {:<11} {}\n", "GPU", "name",
                                name_width, "VRAM total", "VRAM free", "CC", "PCIe", "source", "catalog");
  for (const DetectedGpu& gpu : gpus) {
    out += fmt::format("{:<4} {:<{}}  {:>10}  {:>10}  {:<5} {:<9} {:<11} {}\n", gpu.index, gpu.name,
                       name_width, FormatGiB(gpu.vram_total), FormatGiB(gpu.vram_free),
                       gpu.compute_capability.value_or("-"), PcieText(gpu.pcie_generation, gpu.pcie_width),
                       GpuSourceName(gpu.source), gpu.catalog_match ? gpu.catalog_match->id : "-");
  }
  return out;
}

// "24 GiB" for whole sizes (the catalog's), else two decimals.
std::string CatalogVram(Bytes vram) {
  return vram % kGiB == 0 ? fmt::format("{} GiB", vram / kGiB) : FormatGiB(vram);
}

// {"source", "summary", "links": [{"gpus": [a, b], "kind", "label", "nvlinks"}]}
Json TopologyJson(const GpuTopology& topology) {
  Json links = Json::array();
  for (const GpuLink& link : topology.links) {
    links.push_back({{"gpus", {link.a, link.b}},
                     {"kind", GpuLinkKindName(link.kind)},
                     {"label", GpuLinkLabel(link)},
                     {"nvlinks", link.kind == GpuLinkKind::kNvLink ? Json(link.nvlinks) : Json(nullptr)}});
  }
  return {{"source", topology.source}, {"summary", DescribeTopology(topology)}, {"links", links}};
}

// nvidia-smi's matrix, GPU by GPU ("-" on the diagonal).
std::string TopologyText(const GpuTopology& topology, size_t gpu_count) {
  std::vector<std::vector<std::string>> cells(gpu_count, std::vector<std::string>(gpu_count, "-"));
  for (const GpuLink& link : topology.links) {
    const auto a = static_cast<size_t>(link.a), b = static_cast<size_t>(link.b);
    if (a >= gpu_count || b >= gpu_count) continue;
    cells[a][b] = cells[b][a] = GpuLinkLabel(link);
  }
  std::string out =
      fmt::format("\nInterconnect: {} ({})\n      ", DescribeTopology(topology), topology.source);
  for (size_t b = 0; b < gpu_count; ++b) out += fmt::format("{:<6}", fmt::format("GPU{}", b));
  out += "\n";
  for (size_t a = 0; a < gpu_count; ++a) {
    out += fmt::format("{:<6}", fmt::format("GPU{}", a));
    for (size_t b = 0; b < gpu_count; ++b) out += fmt::format("{:<6}", cells[a][b]);
    out += "\n";
  }
  return out;
}

}  // namespace

std::string RenderHwJson(const HardwareInfo& info) {
  Json j;
  j["schema"] = "pipefit.hw/1";
  j["gpus"] = Json::array();
  for (const DetectedGpu& gpu : info.gpus) j["gpus"].push_back(GpuJson(gpu));
  j["topology"] = info.topology ? TopologyJson(*info.topology) : Json(nullptr);
  j["driver_version"] = OrNull(info.driver_version);
  j["ram_total"] = info.ram.total;
  j["ram_available"] = info.ram.available;
  j["ram_source"] = RamSourceName(info.ram.source);
  j["notes"] = info.notes;
  return j.dump(2) + "\n";
}

std::string RenderHwText(const HardwareInfo& info) {
  std::string out = info.gpus.empty() ? "No GPU found.\n" : GpuTable(info.gpus);
  if (info.topology && info.gpus.size() >= 2) out += TopologyText(*info.topology, info.gpus.size());
  out += fmt::format("\nRAM: {} total, {} available ({})\n", FormatGiB(info.ram.total),
                     FormatGiB(info.ram.available),
                     info.ram.source == RamSource::kCgroup ? "cgroup limit" : "/proc/meminfo");
  if (info.driver_version) out += fmt::format("NVIDIA driver: {}\n", *info.driver_version);
  for (const std::string& note : info.notes) out += fmt::format("note: {}\n", note);
  return out;
}

std::string RenderGpuCatalogJson(const std::vector<const GpuSpec*>& specs) {
  Json j;
  j["schema"] = "pipefit.gpus/1";
  j["gpus"] = Json::array();
  for (const GpuSpec* spec : specs) {
    j["gpus"].push_back(
        Json{{"id", spec->id},
             {"name", spec->name},
             {"vendor", GpuVendorName(spec->vendor)},
             {"segment", GpuSegmentName(spec->segment)},
             {"architecture", spec->architecture},
             {"vram", spec->vram},
             {"memory_bandwidth_gbs", spec->memory_bandwidth_gbs},
             {"dense_tflops", spec->dense_tflops},
             {"tflops_dtype", spec->bf16 ? "bf16" : "fp16"},
             {"fp8", spec->fp8},
             {"compute_capability",
              spec->compute_capability.empty() ? Json(nullptr) : Json(spec->compute_capability)},
             {"pcie_generation", spec->pcie_generation},
             {"pcie_width", spec->pcie_width},
             {"aliases", spec->aliases},
             {"source", spec->source}});
  }
  return j.dump(2) + "\n";
}

std::string RenderGpuCatalogText(const std::vector<const GpuSpec*>& specs) {
  std::string out = fmt::format("{:<24} {:<26} {:>7} {:>8} {:>13} {:<4} {:<5} {}\n", "id", "name", "VRAM",
                                "GB/s", "dense TFLOPS", "fp8", "CC", "PCIe");
  for (const GpuSpec* spec : specs) {
    out += fmt::format("{:<24} {:<26} {:>7} {:>8g} {:>8g} {:<4} {:<4} {:<5} gen{} x{}\n", spec->id,
                       spec->name, CatalogVram(spec->vram), spec->memory_bandwidth_gbs, spec->dense_tflops,
                       spec->bf16 ? "bf16" : "fp16", spec->fp8 ? "yes" : "no",
                       spec->compute_capability.empty() ? "-" : spec->compute_capability,
                       spec->pcie_generation, spec->pcie_width);
  }
  return out;
}

std::string RenderGpuSpecText(const GpuSpec& spec) {
  std::string aliases;
  for (const std::string& alias : spec.aliases) aliases += (aliases.empty() ? "" : ", ") + alias;
  std::string out = fmt::format("{} ({})\n", spec.name, spec.id);
  out += fmt::format("  {:<13} {}, {}, {}\n", "kind", GpuVendorName(spec.vendor),
                     GpuSegmentName(spec.segment), spec.architecture);
  out += fmt::format("  {:<13} {}\n", "VRAM", CatalogVram(spec.vram));
  out += fmt::format("  {:<13} {:g} GB/s\n", "bandwidth", spec.memory_bandwidth_gbs);
  out += fmt::format("  {:<13} {:g} {} (dense, fp32 accumulate)\n", "tensor TFLOPS", spec.dense_tflops,
                     spec.bf16 ? "bf16" : "fp16; no bf16");
  out += fmt::format("  {:<13} {}\n", "fp8", spec.fp8 ? "yes" : "no");
  out += fmt::format("  {:<13} {}\n", "compute cap.",
                     spec.compute_capability.empty() ? "-" : spec.compute_capability);
  out += fmt::format("  {:<13} gen{} x{}\n", "PCIe", spec.pcie_generation, spec.pcie_width);
  out += fmt::format("  {:<13} {}\n", "aliases", aliases.empty() ? "-" : aliases);
  out += fmt::format("  {:<13} {}\n", "source", spec.source);
  return out;
}

}  // namespace pipefit
