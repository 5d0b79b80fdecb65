// Renders `pipefit hw` and `pipefit gpus`. JSON follows CONTRACT.md
// (schema "pipefit.hw/1"; sizes in integer bytes; unknown values null);
// text is a short table. Pure functions: the library never prints.
#ifndef PIPEFIT_HARDWARE_HW_REPORT_H_
#define PIPEFIT_HARDWARE_HW_REPORT_H_

#include <string>
#include <vector>

#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/hardware/hardware_info.h"

namespace pipefit {

// {"schema": "pipefit.hw/1", "gpus": [{"index", "name", "vram_total",
//  "vram_free", "compute_capability", "pcie_generation", "pcie_width",
//  "source", "catalog_match"}], "driver_version", "ram_total",
//  "ram_available", "ram_source", "notes"}
std::string RenderHwJson(const HardwareInfo& info);
std::string RenderHwText(const HardwareInfo& info);

// {"schema": "pipefit.gpus/1", "gpus": [{"id", "name", "vendor", "segment",
//  "architecture", "vram", "memory_bandwidth_gbs", "dense_tflops",
//  "tflops_dtype" ("bf16"|"fp16"), "fp8", "compute_capability",
//  "pcie_generation", "pcie_width", "aliases", "source"}]}
std::string RenderGpuCatalogJson(const std::vector<const GpuSpec*>& specs);
std::string RenderGpuCatalogText(const std::vector<const GpuSpec*>& specs);
// One row in full, its source and aliases included.
std::string RenderGpuSpecText(const GpuSpec& spec);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_HW_REPORT_H_
