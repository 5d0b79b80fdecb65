// Consumer GPUs: GeForce RTX 20 to 50 series and the Radeon RX 7900 XTX.
//
// dense_tflops on GeForce is bf16 (fp16 for Turing) with fp32 accumulate,
// which GeForce runs at half the fp16-accumulate rate (NVIDIA's Turing,
// Ampere GA102, Ada and RTX Blackwell whitepapers list both). Where NVIDIA
// publishes only "AI TOPS" (Ada: fp8 with sparsity; Blackwell: fp4 with
// sparsity), the figure is derived: Ada AI TOPS / 8, Blackwell AI TOPS / 16,
// and agrees with tensor cores x clock where both are known. Rows marked
// "derived" or "uncertain" in `source` carry that caveat to the user.
// Memory is the nominal size in GiB (GDDR chips are binary-sized).
#include "pipefit/hardware/gpu_rows.h"

namespace pipefit::gpu_rows {

std::vector<GpuSpec> ConsumerRows() {
  constexpr GpuVendor kNv = GpuVendor::kNvidia;
  constexpr GpuSegment kSeg = GpuSegment::kConsumer;
  // clang-format off
  return {
      // Turing: no bf16; fp16 tensor with fp32 accumulate.
      {.id = "rtx-2060", .name = "GeForce RTX 2060", .vendor = kNv, .segment = kSeg,
       .architecture = "Turing (TU106)", .vram = 6 * kGiB, .memory_bandwidth_gbs = 336,
       .dense_tflops = 25.8, .bf16 = false, .fp8 = false, .compute_capability = "7.5",
       .pcie_generation = 3, .aliases = {"NVIDIA GeForce RTX 2060"},
       .source = "NVIDIA GeForce RTX 2060 spec page (6 GB, 336 GB/s); fp16 tensor derived: "
                 "240 tensor cores x 128 FLOP/clk x 1.68 GHz / 2 (fp32 accumulate)"},
      {.id = "rtx-2080-ti", .name = "GeForce RTX 2080 Ti", .vendor = kNv, .segment = kSeg,
       .architecture = "Turing (TU102)", .vram = 11 * kGiB, .memory_bandwidth_gbs = 616,
       .dense_tflops = 53.8, .bf16 = false, .fp8 = false, .compute_capability = "7.5",
       .pcie_generation = 3, .aliases = {"NVIDIA GeForce RTX 2080 Ti"},
       .source = "NVIDIA Turing GPU Architecture whitepaper, RTX 2080 Ti reference board: "
                 "fp16 tensor with fp32 accumulate 53.8 TFLOPS, 616 GB/s"},
      // Ampere GA10x.
      {.id = "rtx-3060-12gb", .name = "GeForce RTX 3060 12GB", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA106)", .vram = 12 * kGiB, .memory_bandwidth_gbs = 360,
       .dense_tflops = 25.5, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"3060", "RTX 3060", "NVIDIA GeForce RTX 3060"},
       .source = "NVIDIA GeForce RTX 3060 family spec page (12 GB, 192-bit, 360 GB/s); bf16 "
                 "derived: 112 tensor cores x 256 FLOP/clk x 1.777 GHz / 2 (fp32 accumulate)"},
      {.id = "rtx-3070", .name = "GeForce RTX 3070", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA104)", .vram = 8 * kGiB, .memory_bandwidth_gbs = 448,
       .dense_tflops = 40.6, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 3070"},
       .source = "NVIDIA Ampere GA102 GPU Architecture whitepaper, RTX 3070 column: bf16 "
                 "tensor with fp32 accumulate 40.6 TFLOPS, 448 GB/s"},
      {.id = "rtx-3080", .name = "GeForce RTX 3080", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 10 * kGiB, .memory_bandwidth_gbs = 760,
       .dense_tflops = 59.5, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 3080"},
       .source = "NVIDIA Ampere GA102 GPU Architecture whitepaper, RTX 3080 (10 GB) column: "
                 "bf16 tensor with fp32 accumulate 59.5 TFLOPS, 760 GB/s"},
      {.id = "rtx-3090", .name = "GeForce RTX 3090", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 936,
       .dense_tflops = 71.0, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 3090"},
       .source = "NVIDIA Ampere GA102 GPU Architecture whitepaper, RTX 3090 column: bf16 "
                 "tensor with fp32 accumulate 71 TFLOPS, 936 GB/s"},
      {.id = "rtx-3090-ti", .name = "GeForce RTX 3090 Ti", .vendor = kNv, .segment = kSeg,
       .architecture = "Ampere (GA102)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 1008,
       .dense_tflops = 80.0, .compute_capability = "8.6", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 3090 Ti"},
       .source = "NVIDIA GeForce RTX 3090 Ti spec page (24 GB, 21 Gbps x 384-bit = 1008 GB/s); "
                 "bf16 derived: 336 tensor cores x 256 FLOP/clk x 1.86 GHz / 2"},
      // Ada Lovelace: AI TOPS are fp8 with sparsity; bf16/fp32-acc dense = /8.
      {.id = "rtx-4060", .name = "GeForce RTX 4060", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD107)", .vram = 8 * kGiB, .memory_bandwidth_gbs = 272,
       .dense_tflops = 30.2, .fp8 = true, .compute_capability = "8.9", .pcie_generation = 4,
       .pcie_width = 8, .aliases = {"NVIDIA GeForce RTX 4060"},
       .source = "NVIDIA GeForce RTX 4060 family spec page (8 GB, 272 GB/s, PCIe 4.0 x8, "
                 "242 AI TOPS); bf16 derived as AI TOPS / 8"},
      {.id = "rtx-4060-ti-16gb", .name = "GeForce RTX 4060 Ti 16GB", .vendor = kNv,
       .segment = kSeg, .architecture = "Ada Lovelace (AD106)", .vram = 16 * kGiB,
       .memory_bandwidth_gbs = 288, .dense_tflops = 44.1, .fp8 = true,
       .compute_capability = "8.9", .pcie_generation = 4, .pcie_width = 8,
       .aliases = {"4060 Ti", "RTX 4060 Ti", "NVIDIA GeForce RTX 4060 Ti"},
       .source = "NVIDIA GeForce RTX 4060 family spec page (16 GB, 288 GB/s, PCIe 4.0 x8, "
                 "353 AI TOPS); bf16 derived as AI TOPS / 8"},
      {.id = "rtx-4070", .name = "GeForce RTX 4070", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD104)", .vram = 12 * kGiB, .memory_bandwidth_gbs = 504,
       .dense_tflops = 58.3, .fp8 = true, .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 4070"},
       .source = "NVIDIA GeForce RTX 4070 family spec page (12 GB, 21 Gbps x 192-bit, "
                 "466 AI TOPS); bf16 derived as AI TOPS / 8"},
      {.id = "rtx-4070-ti-super", .name = "GeForce RTX 4070 Ti SUPER", .vendor = kNv,
       .segment = kSeg, .architecture = "Ada Lovelace (AD103)", .vram = 16 * kGiB,
       .memory_bandwidth_gbs = 672, .dense_tflops = 88.2, .fp8 = true,
       .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 4070 Ti SUPER"},
       .source = "NVIDIA GeForce RTX 4070 family spec page (16 GB, 21 Gbps x 256-bit, "
                 "706 AI TOPS); bf16 derived as AI TOPS / 8"},
      {.id = "rtx-4080", .name = "GeForce RTX 4080", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD103)", .vram = 16 * kGiB,
       .memory_bandwidth_gbs = 716.8, .dense_tflops = 97.5, .fp8 = true,
       .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"NVIDIA GeForce RTX 4080"},
       .source = "NVIDIA Ada Lovelace GPU Architecture whitepaper, RTX 4080 column: bf16 "
                 "tensor with fp32 accumulate 97.5 TFLOPS, 716.8 GB/s"},
      {.id = "rtx-4090", .name = "GeForce RTX 4090", .vendor = kNv, .segment = kSeg,
       .architecture = "Ada Lovelace (AD102)", .vram = 24 * kGiB, .memory_bandwidth_gbs = 1008,
       .dense_tflops = 165.2, .fp8 = true, .compute_capability = "8.9", .pcie_generation = 4,
       .aliases = {"4090", "NVIDIA GeForce RTX 4090"},
       .source = "NVIDIA Ada Lovelace GPU Architecture whitepaper, RTX 4090 column: bf16 "
                 "tensor with fp32 accumulate 165.2 TFLOPS, 1008 GB/s"},
      // RTX Blackwell: AI TOPS are fp4 with sparsity; bf16/fp32-acc dense = /16.
      {.id = "rtx-5060-ti-16gb", .name = "GeForce RTX 5060 Ti 16GB", .vendor = kNv,
       .segment = kSeg, .architecture = "Blackwell (GB206)", .vram = 16 * kGiB,
       .memory_bandwidth_gbs = 448, .dense_tflops = 47.4, .fp8 = true,
       .compute_capability = "12.0", .pcie_generation = 5, .pcie_width = 8,
       .aliases = {"5060 Ti", "RTX 5060 Ti", "NVIDIA GeForce RTX 5060 Ti"},
       .source = "NVIDIA GeForce RTX 5060 family spec page (16 GB GDDR7, 448 GB/s, PCIe 5.0 "
                 "x8, 759 AI TOPS); bf16 derived as AI TOPS / 16"},
      {.id = "rtx-5070", .name = "GeForce RTX 5070", .vendor = kNv, .segment = kSeg,
       .architecture = "Blackwell (GB205)", .vram = 12 * kGiB, .memory_bandwidth_gbs = 672,
       .dense_tflops = 61.7, .fp8 = true, .compute_capability = "12.0", .pcie_generation = 5,
       .aliases = {"NVIDIA GeForce RTX 5070"},
       .source = "NVIDIA GeForce RTX 5070 family spec page (12 GB GDDR7, 672 GB/s, "
                 "988 AI TOPS); bf16 derived as AI TOPS / 16"},
      {.id = "rtx-5070-ti", .name = "GeForce RTX 5070 Ti", .vendor = kNv, .segment = kSeg,
       .architecture = "Blackwell (GB203)", .vram = 16 * kGiB, .memory_bandwidth_gbs = 896,
       .dense_tflops = 87.9, .fp8 = true, .compute_capability = "12.0", .pcie_generation = 5,
       .aliases = {"NVIDIA GeForce RTX 5070 Ti"},
       .source = "NVIDIA GeForce RTX 5070 family spec page (16 GB GDDR7, 896 GB/s, "
                 "1406 AI TOPS); bf16 derived as AI TOPS / 16"},
      {.id = "rtx-5080", .name = "GeForce RTX 5080", .vendor = kNv, .segment = kSeg,
       .architecture = "Blackwell (GB203)", .vram = 16 * kGiB, .memory_bandwidth_gbs = 960,
       .dense_tflops = 112.6, .fp8 = true, .compute_capability = "12.0", .pcie_generation = 5,
       .aliases = {"5080", "NVIDIA GeForce RTX 5080"},
       .source = "NVIDIA GeForce RTX 5080 spec page (16 GB GDDR7, 960 GB/s, 1801 AI TOPS); "
                 "bf16 derived as AI TOPS / 16"},
      {.id = "rtx-5090", .name = "GeForce RTX 5090", .vendor = kNv, .segment = kSeg,
       .architecture = "Blackwell (GB202)", .vram = 32 * kGiB, .memory_bandwidth_gbs = 1792,
       .dense_tflops = 209.5, .fp8 = true, .compute_capability = "12.0", .pcie_generation = 5,
       .aliases = {"5090", "NVIDIA GeForce RTX 5090"},
       .source = "NVIDIA RTX Blackwell GPU Architecture whitepaper, RTX 5090 column: bf16 "
                 "tensor with fp32 accumulate 209.5 TFLOPS; 32 GB GDDR7, 1792 GB/s"},
      // AMD RDNA 3.
      {.id = "rx-7900-xtx", .name = "Radeon RX 7900 XTX", .vendor = GpuVendor::kAmd,
       .segment = kSeg, .architecture = "RDNA 3 (Navi 31, gfx1100)", .vram = 24 * kGiB,
       .memory_bandwidth_gbs = 960, .dense_tflops = 122.8, .fp8 = false,
       .pcie_generation = 4, .aliases = {"7900 XTX", "AMD Radeon RX 7900 XTX"},
       .source = "AMD Radeon RX 7900 XTX spec page (24 GB, 960 GB/s, peak half precision "
                 "122.8 TFLOPS); uncertain: bf16 WMMA assumed at the fp16 rate, and the "
                 "figure counts dual issue, so sustained matmul is lower"},
  };
  // clang-format on
}

}  // namespace pipefit::gpu_rows
