#include "pipefit/report/time_basis_text.h"

#include <fmt/format.h>

namespace pipefit {
namespace {

const char* FittedWord(bool fitted) { return fitted ? "fitted" : "guessed"; }

}  // namespace

TimeBasis PlanTimeBasis(const PlanHardware& hardware) {
  return TimeBasisFor(hardware.gpu_id.empty() ? nullptr : FindGpu(hardware.gpu_id));
}

std::string TimeBasisText(const TimeBasis& basis) {
  if (basis.gpu == nullptr) return "no GPU row to time against";
  const TimeClassRow& row = TimeClassFor(basis.gpu_class);
  std::string text = basis.reference_gpu ? "GPU not in the catalog, timed as a GeForce RTX 4090; " : "";
  text +=
      fmt::format("{} {}: {:.3f} x {:g} dense TFLOPS ", row.fitted ? "calibrated for" : "uncalibrated for",
                  row.name, row.efficiency, basis.gpu->dense_tflops);
  text += row.fitted ? fmt::format("(fitted on {}", row.fitted_on) : fmt::format("({}", row.fitted_on);
  if (!row.checked_on.empty()) text += fmt::format("; checked on {}", row.checked_on);
  text += fmt::format(
      "), eager PyTorch with SDPA. The written code's compile_repeated_blocks: x{:.3f} per step ({})",
      row.compile.value, FittedWord(row.compile.fitted));
  if (!row.attention_backend.empty()) {
    text += fmt::format(", {}: x{:.3f} ({})", row.attention_backend, row.attention.value,
                        FittedWord(row.attention.fitted));
  }
  return text + "; quantized kernels: slowdowns measured on an H100 (measurements.md rows 1-13)";
}

}  // namespace pipefit
