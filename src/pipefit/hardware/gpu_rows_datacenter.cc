// Workstation and data-centre GPUs (NVIDIA and AMD Instinct).
//
// Datasheets quote tensor throughput "with sparsity" (marked *); the dense
// figure used here is half of it. Workstation and data-centre parts run
// fp32 accumulate at the full rate, unlike GeForce. Memory is the nominal
// size; drivers report a little less (an H100 80GB shows 79.6 GiB).
#include "pipefit/hardware/gpu_rows.h"

namespace pipefit::gpu_rows {

std::vector<GpuSpec> WorkstationRows() {
  constexpr GpuVendor kNv = GpuVendor::kNvidia;
  constexpr GpuSegment kSeg = GpuSegment::kWorkstation;
  // clang-format off
  return {
      {.id = "rtx-a4000", .name = "RTX A4000", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA104)", .vram = 16 * kGiB, .memory_bandwidth_gbs = 448,
       .dense_tflops = 76.7, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA RTX A4000"},
       .source = "NVIDIA RTX A4000 datasheet: tensor performance 153.4 TFLOPS with sparsity, "
                 "16 GB GDDR6, 448 GB/s"},
      {.id = "rtx-a5000", .name = "RTX A5000", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 768,
       .dense_tflops = 111.1, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA RTX A5000"},
       .source = "NVIDIA RTX A5000 datasheet: tensor performance 222.2 TFLOPS with sparsity, "
                 "24 GB GDDR6, 768 GB/s"},
      {.id = "rtx-a6000", .name = "RTX A6000", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 48 * kGiB, .memory_bandwidth_gbs = 768,
       .dense_tflops = 154.8, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA RTX A6000"},
       .source = "NVIDIA RTX A6000 datasheet: tensor performance 309.7 TFLOPS with sparsity, "
                 "48 GB GDDR6, 768 GB/s"},
      {.id = "rtx-6000-ada", .name = "RTX 6000 Ada Generation", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD102)", .vram = 48 * kGiB, .memory_bandwidth_gbs = 960,
       .dense_tflops = 364.2, .fp8 = true, .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"RTX 6000 Ada", "NVIDIA RTX 6000 Ada Generation"},
       .source = "NVIDIA RTX 6000 Ada Generation datasheet: tensor performance 1457 TFLOPS "
                 "(fp8 with sparsity; bf16 dense = 1/4), 48 GB GDDR6, 960 GB/s"},
      {.id = "rtx-pro-6000-blackwell", .name = "RTX PRO 6000 Blackwell", .vendor = kNv,
       .segment = kSeg, .architecture = "Blackwell (GB202)", .vram = 96 * kGiB,
       .memory_bandwidth_gbs = 1792, .dense_tflops = 500.0, .fp8 = true,
       .compute_capability = "12.0", .pcie_generation = 5,
       .aliases = {"RTX PRO 6000", "NVIDIA RTX PRO 6000 Blackwell Workstation Edition",
                   "NVIDIA RTX PRO 6000 Blackwell Server Edition"},
       .source = "NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet: 96 GB GDDR7, "
                 "1792 GB/s, 4000 AI TOPS (fp4 with sparsity); bf16 derived as AI TOPS / 8 "
                 "assuming full-rate fp32 accumulate as on RTX 6000 Ada (uncertain)"},
  };
  // clang-format on
}

std::vector<GpuSpec> DataCenterRows() {
  constexpr GpuVendor kNv = GpuVendor::kNvidia;
  constexpr GpuSegment kSeg = GpuSegment::kDataCenter;
  return {
      {.id = "t4", .name = "Tesla T4", .vendor = kNv, .segment = kSeg,
       .architecture = "Turing (TU104)", .vram = 16 * kGiB, .memory_bandwidth_gbs = 320,
       .dense_tflops = 65.0, .bf16 = false, .fp8 = false, .compute_capability = "7.5",
       .pcie_generation = 3, .aliases = {"T4", "NVIDIA T4"},
       .source = "NVIDIA T4 datasheet: mixed precision (fp16/fp32) 65 TFLOPS, 16 GB GDDR6, "
                 "320 GB/s, PCIe Gen3 x16; no bf16"},
      {.id = "l4", .name = "L4", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD104)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 300,
       .dense_tflops = 121.0, .fp8 = true, .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"NVIDIA L4"},
       .source = "NVIDIA L4 datasheet: bf16 tensor 242 TFLOPS with sparsity, 24 GB GDDR6, "
                 "300 GB/s"},
      {.id = "a10", .name = "A10", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 600,
       .dense_tflops = 125.0, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA A10"},
       .source = "NVIDIA A10 datasheet: bf16 tensor 125 TFLOPS (250 with sparsity), 24 GB "
                 "GDDR6, 600 GB/s"},
      {.id = "a10g", .name = "A10G", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 600,
       .dense_tflops = 70.0, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA A10G"},
       .source = "AWS EC2 G5 instance page (A10G, 24 GB, 600 GB/s); NVIDIA publishes no A10G "
                 "datasheet: 70 TFLOPS bf16 dense is the commonly cited figure (uncertain)"},
      {.id = "l40s", .name = "L40S", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD102)", .vram = 48 * kGiB, .memory_bandwidth_gbs = 864,
       .dense_tflops = 362.05, .fp8 = true, .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"NVIDIA L40S"},
       .source = "NVIDIA L40S datasheet: bf16 tensor 362.05 TFLOPS (733 with sparsity), "
                 "48 GB GDDR6, 864 GB/s"},
      {.id = "a100-40gb", .name = "A100 40GB", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA100)", .vram = 40 * kGiB, .memory_bandwidth_gbs = 1555,
       .dense_tflops = 312.0, .compute_capability = "8.0", .pcie_generation = 4,
       .aliases = {"NVIDIA A100-SXM4-40GB", "NVIDIA A100-PCIE-40GB", "A100 40GB PCIe"},
       .source = "NVIDIA A100 datasheet: bf16 tensor 312 TFLOPS (624 with sparsity); 40 GB "
                 "HBM2, 1555 GB/s (SXM4 and PCIe)"},
      {.id = "a100-80gb", .name = "A100 80GB SXM", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA100)", .vram = 80 * kGiB, .memory_bandwidth_gbs = 2039,
       .dense_tflops = 312.0, .compute_capability = "8.0", .pcie_generation = 4,
       .aliases = {"A100 80GB", "A100", "NVIDIA A100-SXM4-80GB"},
       .source = "NVIDIA A100 datasheet: bf16 tensor 312 TFLOPS (624 with sparsity); 80 GB "
                 "HBM2e, 2039 GB/s (SXM4)"},
      {.id = "a100-80gb-pcie", .name = "A100 80GB PCIe", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA100)", .vram = 80 * kGiB, .memory_bandwidth_gbs = 1935,
       .dense_tflops = 312.0, .compute_capability = "8.0", .pcie_generation = 4,
       .aliases = {"NVIDIA A100 80GB PCIe", "NVIDIA A100-PCIE-80GB"},
       .source = "NVIDIA A100 datasheet: bf16 tensor 312 TFLOPS (624 with sparsity); 80 GB "
                 "HBM2e, 1935 GB/s (PCIe)"},
      {.id = "h100-sxm", .name = "H100 SXM", .vendor = kNv, .segment = kSeg,
       .architecture = "Hopper (GH100)", .vram = 80 * kGiB, .memory_bandwidth_gbs = 3350,
       .dense_tflops = 989.4, .fp8 = true, .compute_capability = "9.0", .pcie_generation = 5,
       .aliases = {"H100", "H100 SXM5", "NVIDIA H100 80GB HBM3"},
       .source = "NVIDIA H100 datasheet, SXM: bf16 tensor 1979 TFLOPS with sparsity, 80 GB "
                 "HBM3, 3.35 TB/s"},
      {.id = "h100-pcie", .name = "H100 PCIe", .vendor = kNv, .segment = kSeg,
       .architecture = "Hopper (GH100)", .vram = 80 * kGiB, .memory_bandwidth_gbs = 2000,
       .dense_tflops = 756.5, .fp8 = true, .compute_capability = "9.0", .pcie_generation = 5,
       .aliases = {"NVIDIA H100 PCIe"},
       .source = "NVIDIA H100 datasheet, PCIe: bf16 tensor 1513 TFLOPS with sparsity, 80 GB "
                 "HBM2e, 2 TB/s"},
      {.id = "h100-nvl", .name = "H100 NVL", .vendor = kNv, .segment = kSeg,
       .architecture = "Hopper (GH100)", .vram = 94 * kGiB, .memory_bandwidth_gbs = 3900,
       .dense_tflops = 835.5, .fp8 = true, .compute_capability = "9.0", .pcie_generation = 5,
       .aliases = {"NVIDIA H100 NVL"},
       .source = "NVIDIA H100 datasheet, H100 NVL: bf16 tensor 1671 TFLOPS with sparsity, "
                 "94 GB HBM3, 3.9 TB/s"},
      {.id = "h200", .name = "H200", .vendor = kNv, .segment = kSeg,
       .architecture = "Hopper (GH100)", .vram = 141 * kGiB, .memory_bandwidth_gbs = 4800,
       .dense_tflops = 989.4, .fp8 = true, .compute_capability = "9.0", .pcie_generation = 5,
       .aliases = {"H200 SXM", "NVIDIA H200"},
       .source = "NVIDIA H200 datasheet, SXM: bf16 tensor 1979 TFLOPS with sparsity, 141 GB "
                 "HBM3e, 4.8 TB/s"},
      {.id = "b200", .name = "B200", .vendor = kNv, .segment = kSeg,
       .architecture = "Blackwell (GB100, two dies)", .vram = 180 * kGiB,
       .memory_bandwidth_gbs = 8000, .dense_tflops = 2250.0, .fp8 = true,
       .compute_capability = "10.0", .pcie_generation = 6,
       .aliases = {"NVIDIA B200", "HGX B200"},
       .source = "NVIDIA DGX B200 / HGX B200 datasheets, per GPU: 180 GB HBM3e, 8 TB/s, bf16 "
                 "4.5 PFLOPS with sparsity; PCIe Gen6 host link (uncertain: hosts may run "
                 "it at Gen5)"},
      {.id = "mi250", .name = "Instinct MI250 (one GCD)", .vendor = GpuVendor::kAmd,
       .segment = kSeg, .architecture = "CDNA 2 (Aldebaran, gfx90a)", .vram = 64 * kGiB,
       .memory_bandwidth_gbs = 1638.4, .dense_tflops = 181.0, .fp8 = false,
       .pcie_generation = 4,
       .aliases = {"MI250", "AMD Instinct MI250", "AMD Instinct MI250X/MI250"},
       .source = "AMD Instinct MI250 spec page: 128 GB HBM2e, 3.2768 TB/s, bf16 362.1 TFLOPS "
                 "per module; halved here because each of its two GCDs is a separate device "
                 "to ROCm and PyTorch"},
      {.id = "mi300x", .name = "Instinct MI300X", .vendor = GpuVendor::kAmd, .segment = kSeg,
       .architecture = "CDNA 3 (gfx942)", .vram = 192 * kGiB, .memory_bandwidth_gbs = 5300,
       .dense_tflops = 1307.4, .fp8 = true, .pcie_generation = 5,
       .aliases = {"MI300X", "AMD Instinct MI300X", "AMD Instinct MI300X OAM"},
       .source = "AMD Instinct MI300X spec page: 192 GB HBM3, 5.3 TB/s, bf16 1307.4 TFLOPS "
                 "dense (2614.9 with sparsity), PCIe Gen5 x16"},
  };
}

}  // namespace pipefit::gpu_rows
