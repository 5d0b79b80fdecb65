// The GPU catalog: GPUs people run diffusers on, with what the planner
// needs (memory, bandwidth, dense tensor throughput, fp8 support). Rows are
// data (gpu_rows_consumer.cc, gpu_rows_datacenter.cc), each citing its
// source; this file is the evaluator: lookup by name or alias, and matching
// a detected GPU to its row.
#ifndef PIPEFIT_HARDWARE_GPU_CATALOG_H_
#define PIPEFIT_HARDWARE_GPU_CATALOG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/bytes.h"

namespace pipefit {

enum class GpuVendor { kNvidia, kAmd };
enum class GpuSegment { kConsumer, kWorkstation, kDataCenter };

const char* GpuVendorName(GpuVendor vendor);     // "nvidia", "amd"
const char* GpuSegmentName(GpuSegment segment);  // "consumer", "workstation", "datacenter"

struct GpuSpec {
  std::string id;    // stable, for --gpu and JSON: "rtx-4090"
  std::string name;  // display: "GeForce RTX 4090"
  GpuVendor vendor = GpuVendor::kNvidia;
  GpuSegment segment = GpuSegment::kConsumer;
  std::string architecture;         // "Ada Lovelace (AD102)"
  Bytes vram = 0;                   // nominal capacity; drivers report slightly less
  double memory_bandwidth_gbs = 0;  // GB/s, decimal, peak
  // Dense (no 2:4 sparsity) tensor-core TFLOPS for bf16 inputs with fp32
  // accumulation, which is what PyTorch matmuls use: on GeForce cards this
  // is half the fp16-accumulate figure. For GPUs without bf16 (`bf16` is
  // false: Turing, T4) it is the fp16 figure with fp32 accumulation.
  double dense_tflops = 0;
  bool bf16 = true;
  bool fp8 = false;                // fp8 tensor cores (Ada, Hopper, Blackwell, CDNA 3)
  std::string compute_capability;  // CUDA "8.9"; empty for AMD
  int pcie_generation = 0;
  int pcie_width = 16;
  // NVLink bandwidth per GPU and direction, GB/s decimal (half the
  // datasheet's bidirectional figure), for parts whose multi-GPU systems are
  // NVLink/NVSwitch boards (SXM); 0 where NVLink is absent or an optional
  // bridge (the detected topology says whether one is fitted).
  double nvlink_gbs = 0;
  std::vector<std::string> aliases;  // extra names; id and name always match
  std::string source;                // vendor spec page / datasheet the numbers come from
};

// A CUDA compute capability "8.9" as 89 ("12.0" as 120), for comparisons;
// nullopt for "" or anything else that is not MAJOR.MINOR.
std::optional<int> ComputeCapabilityValue(std::string_view compute_capability);

// Every row, in display order (consumer, workstation, data centre, AMD).
const std::vector<GpuSpec>& GpuCatalog();

// Lower-cased tokens of a GPU name with vendor and brand words removed, and
// letters split from digits: "NVIDIA GeForce RTX 4090" -> "4090",
// "rtx-4060ti-16gb" -> "4060 ti 16 gb", "Tesla T4" -> "t 4". Names that
// normalise equally name the same GPU.
std::string NormalizeGpuName(std::string_view name);

// The row whose id, name or an alias normalises equal to `query`, or null.
const GpuSpec* FindGpu(std::string_view query);

// The row for a GPU the probe found: found by name (FindGpu), and accepted
// only when the reported memory is plausible for it (between 85% and 105%
// of the row's, since drivers reserve some), so a 3060 8GB is not taken for
// the 3060 12GB row. Null when none fits.
const GpuSpec* MatchDetectedGpu(std::string_view name, Bytes vram_total);

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_GPU_CATALOG_H_
