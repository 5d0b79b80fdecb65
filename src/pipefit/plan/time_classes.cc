#include "pipefit/plan/time_classes.h"

#include "pipefit/base/enum_table.h"

namespace pipefit {
namespace {

// Sources (short names used below and in plan/calibration.cc):
//
// measurements.md rows: shared/reference/measurements.md (ORT = rows
//   23-26, TORCHAO = rows 14-21, 93-94, DIFF-BENCH = rows 40-48).
// BENCHFLUX: github.com/varadrane1707/BenchmarkFlux README.md @35368dfb,
//   FLUX.1-dev 1024x1024, 28 steps, batch 1, end-to-end latency:
//   "A100 GPU Performance (1024x1024, 28 steps) ... | BF16 | 15.65 |",
//   "| FlashAttention2 | 14.29 |"; "H100 GPU Performance ... | BF16 | 7.11 |",
//   "| FlashAttention2 | 7.18 |".
// FP8API: github.com/aredden/flux-fp8-api README.md @138a97c2, "Speed
//   Comparison", FLUX.1-dev denoising it/s: "| 1024x1024 | RTX4090 | bfl
//   codebase fp8 wo quant | 1.7 |", "| 768x768 | RTX4090 | bfl codebase fp8
//   wo quant | 2.32 |", "| 1024x1024 | RTX6000ADA | bfl codebase | 1.74 |",
//   "| 768x768 | RTX6000ADA | bfl codebase | 3.01 |", "| 1024x720 |
//   RTX6000ADA | bfl codebase | 2.37 |". "bfl codebase" is Black Forest
//   Labs' reference code (bf16); "fp8 wo quant" keeps fp8 weights and
//   computes in bf16, as diffusers' fp8 layerwise casting does.
//   Excluded: "| 1024x720 | RTX4090 | bfl codebase fp8 wo quant | 3.01 |"
//   is faster than the same card's 768x768 (2.32 it/s) with 25% more
//   pixels, and equals the RTX6000ADA 768x768 cell: a copy slip.
// XDIT: github.com/xdit-project/xDiT docs/performance/flux.md @0124baf9:
//   FLUX.1-dev, 28 steps, 1024px on one H100: "| 1 GPU | 6.71 | 4.30 |"
//   (PyTorch, torch.compile); "Generating a 2048px image using the schnell
//   variant with 4 sampling steps on a single A100 GPU takes approximately
//   10 seconds".
//
// Fits (DenoiserStepFlops of FLUX.1-dev at 1024x1024 = 1.24556e14):
//   Hopper: rows 23 and 25 (50 and 4 steps, same harness) give 0.2439 s
//     per step: 1.24556e14 / (0.2439 x 989.4e12) = 0.516.
//   Ampere DC: BENCHFLUX A100 bf16 15.65 s = 28 steps + overhead, both at
//     efficiency e (time_model.cc scales the overhead by e too):
//     e = (28 x 1.24556e14 / 312e12 + 0.144 x 989.4 x 0.516 / 312) / 15.65
//       = (11.1781 + 0.2356) / 15.65 = 0.729.
//   Ada consumer: FP8API RTX 4090 1024x1024 fp8 wo quant 1.7 it/s, i.e.
//     fp8 layerwise casting (kernel slowdown 13/12, time_model.cc):
//     e = 1.24556e14 x 13/12 / (165.2e12 / 1.7) = 1.389.
//   Ada pro: FP8API RTX 6000 Ada 1024x1024 bf16 1.74 it/s:
//     e = 1.24556e14 / (364.2e12 / 1.74) = 0.595.
//   The 4090 (165.2, fp32 accumulate at half rate) and the RTX 6000 Ada
//   (364.2, full rate) take 0.59 and 0.57 s per step: the same AD102 speed,
//   so the two efficiencies differ by the spec figures' factor, about 2.
//
// torch.compile: the published ratios are whole-model torch.compile;
// regional compilation of the repeated blocks compiles the same blocks
// (internals §8), so the warm speedup is taken as equal.
//   Hopper: ORT rows 24/26 vs 23/25: (8.198 - 0.775) / (12.339 - 1.120)
//     = 0.662 per step.
//   Ada: row 40, DIFF-BENCH L40 forward compiled 0.374 s / 0.493 s = 0.759.
//   Ampere: rows 94/93, CogVideoX-5b on an A100 80GB, 212.0 / 243.3 s =
//     0.871 (whole call, so an upper bound of the per-step ratio).
// Attention: pipefit writes flash_hub (FA2) on SM 8.x and _flash_3_hub
// on SM 9.0 (planner.h BestAttentionBackend).
//   Ampere DC: BENCHFLUX A100 FA2 14.29 s vs bf16 15.65 s, less the
//     0.323 s overhead: 13.967 / 15.327 = 0.911 per step.

constexpr std::string_view kGuessedConsumer =
    "guessed: Ada consumer's (GeForce figures are the half-rate fp32-accumulate ones)";
constexpr std::string_view kGuessedPro = "guessed: Ada pro's (full-rate fp32-accumulate figure)";
constexpr std::string_view kCompileHopper = "ORT rows 23-26 (0.662); checked rows 14-15, XDIT 1xH100";
constexpr std::string_view kCompileAda = "row 40 (DIFF-BENCH L40 forward, 0.759)";
constexpr std::string_view kCompileAmpere = "rows 93-94 (CogVideoX-5b, A100, 0.871)";
constexpr std::string_view kFlashAmpere = "BENCHFLUX A100 FA2 vs SDPA (0.911)";
constexpr std::string_view kNoBackend = "none written: SDPA stays";

// clang-format off
constexpr TimeClassRow kRows[] = {
    {.id = TimeClass::kHopperDataCenter, .name = "Hopper data centre (H100, H200)", .short_name = "Hopper",
     .efficiency = 0.516, .fitted = true, .fitted_on = "measurements.md rows 23, 25 (H100 SXM)",
     .checked_on = "rows 1, 14, 19-21; BENCHFLUX H100; XDIT 1xH100",
     .compile = {0.662, true, kCompileHopper},
     .attention_backend = "_flash_3_hub",
     .attention = {1.0, false, "guessed: no published FA3 FLUX timing; FA2 gained nothing on an H100 "
                               "(BENCHFLUX 7.18 vs 7.11 s)"}},
    {.id = TimeClass::kBlackwellDataCenter, .name = "Blackwell data centre (B200)", .short_name = "Blackwell DC",
     .efficiency = 0.516, .fitted = false, .fitted_on = "guessed: Hopper's (no published B200 diffusers timing)",
     .compile = {0.662, false, "guessed: Hopper's"},
     .attention = {1.0, false, kNoBackend}},
    {.id = TimeClass::kAmpereDataCenter, .name = "Ampere data centre (A100)", .short_name = "Ampere DC",
     .efficiency = 0.729, .fitted = true, .fitted_on = "BENCHFLUX A100 bf16 (15.65 s)",
     .checked_on = "XDIT A100 schnell 2048px",
     .compile = {0.871, true, kCompileAmpere},
     .attention_backend = "flash_hub",
     .attention = {0.911, true, kFlashAmpere}},
    {.id = TimeClass::kAdaConsumer, .name = "Ada consumer (GeForce RTX 40)", .short_name = "Ada consumer",
     .efficiency = 1.389, .fitted = true, .fitted_on = "FP8API RTX 4090 1024x1024 (1.7 it/s)",
     .checked_on = "FP8API RTX 4090 768x768",
     .compile = {0.759, true, kCompileAda},
     .attention_backend = "flash_hub",
     .attention = {0.911, false, "guessed: Ampere DC's FA2 gain"}},
    {.id = TimeClass::kAdaPro, .name = "Ada workstation / data centre (RTX 6000 Ada, L40S, L4)",
     .short_name = "Ada pro",
     .efficiency = 0.595, .fitted = true, .fitted_on = "FP8API RTX 6000 Ada 1024x1024 (1.74 it/s)",
     .checked_on = "FP8API RTX 6000 Ada 768x768, 1024x720",
     .compile = {0.759, true, kCompileAda},
     .attention_backend = "flash_hub",
     .attention = {0.911, false, "guessed: Ampere DC's FA2 gain"}},
    {.id = TimeClass::kAmpereConsumer, .name = "Ampere consumer (GeForce RTX 30)", .short_name = "Ampere consumer",
     .efficiency = 1.389, .fitted = false, .fitted_on = kGuessedConsumer,
     .compile = {0.871, false, "guessed: Ampere DC's"},
     .attention_backend = "flash_hub",
     .attention = {0.911, false, "guessed: Ampere DC's"}},
    {.id = TimeClass::kAmperePro, .name = "Ampere workstation / data centre (RTX A4000-A6000, A10, A10G)",
     .short_name = "Ampere pro",
     .efficiency = 0.595, .fitted = false, .fitted_on = kGuessedPro,
     .compile = {0.871, false, "guessed: Ampere DC's"},
     .attention_backend = "flash_hub",
     .attention = {0.911, false, "guessed: Ampere DC's"}},
    {.id = TimeClass::kBlackwellConsumer, .name = "Blackwell consumer (GeForce RTX 50)",
     .short_name = "Blackwell consumer",
     .efficiency = 1.389, .fitted = false, .fitted_on = kGuessedConsumer,
     .compile = {0.759, false, "guessed: Ada's"},
     .attention = {1.0, false, kNoBackend}},
    {.id = TimeClass::kBlackwellPro, .name = "Blackwell workstation (RTX PRO 6000)", .short_name = "Blackwell pro",
     .efficiency = 0.595, .fitted = false, .fitted_on = kGuessedPro,
     .compile = {0.759, false, "guessed: Ada's"},
     .attention = {1.0, false, kNoBackend}},
    {.id = TimeClass::kTuringConsumer, .name = "Turing consumer (GeForce RTX 20)", .short_name = "Turing consumer",
     .efficiency = 1.389, .fitted = false, .fitted_on = kGuessedConsumer,
     .compile = {0.871, false, "guessed: Ampere's"},
     .attention = {1.0, false, kNoBackend}},
    {.id = TimeClass::kTuringDataCenter, .name = "Turing data centre (T4)", .short_name = "Turing DC",
     .efficiency = 0.595, .fitted = false, .fitted_on = kGuessedPro,
     .compile = {0.871, false, "guessed: Ampere's"},
     .attention = {1.0, false, kNoBackend}},
    {.id = TimeClass::kOther, .name = "other (AMD, unknown architecture)", .short_name = "other",
     .efficiency = 0.516, .fitted = false, .fitted_on = "guessed: Hopper's (no published timing)",
     .compile = {1.0, false, "guessed: no speedup"},
     .attention = {1.0, false, kNoBackend}},
};
// clang-format on
static_assert(RowsFollowEnum(kRows, &TimeClassRow::id, static_cast<size_t>(TimeClass::kOther) + 1));

bool Starts(std::string_view text, std::string_view prefix) { return text.starts_with(prefix); }

}  // namespace

std::span<const TimeClassRow> TimeClassRows() { return kRows; }

const TimeClassRow& TimeClassFor(TimeClass id) { return RowFor(kRows, id); }

TimeClass ClassifyGpu(const GpuSpec& gpu) {
  if (gpu.vendor != GpuVendor::kNvidia) return TimeClass::kOther;
  const std::string_view arch = gpu.architecture;
  const bool consumer = gpu.segment == GpuSegment::kConsumer;
  const bool datacenter = gpu.segment == GpuSegment::kDataCenter;
  if (Starts(arch, "Hopper")) return TimeClass::kHopperDataCenter;
  if (Starts(arch, "Blackwell")) {
    if (consumer) return TimeClass::kBlackwellConsumer;
    return datacenter ? TimeClass::kBlackwellDataCenter : TimeClass::kBlackwellPro;
  }
  if (Starts(arch, "Ada")) return consumer ? TimeClass::kAdaConsumer : TimeClass::kAdaPro;
  if (Starts(arch, "Ampere")) {
    if (ComputeCapabilityValue(gpu.compute_capability) == 80) return TimeClass::kAmpereDataCenter;
    return consumer ? TimeClass::kAmpereConsumer : TimeClass::kAmperePro;
  }
  if (Starts(arch, "Turing")) return consumer ? TimeClass::kTuringConsumer : TimeClass::kTuringDataCenter;
  return TimeClass::kOther;
}

}  // namespace pipefit
