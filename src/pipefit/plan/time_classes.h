// Time per GPU class: how much of a GPU catalog row's dense tensor TFLOPS
// figure the denoiser reaches, per architecture and market, and how much
// regional torch.compile and the attention backend pipefit writes speed a
// step up. One row per class (time_classes.cc), each fitted on published
// timings (shared/reference/measurements.md rows or a public README, cited
// per row) or marked guessed, with the rows it is fitted on and the ones it
// is only checked against (docs/memory-model.md, bench/calibration_report).
//
// The efficiency is relative to the catalog's `dense_tflops`, which is the
// bf16 (fp16 on Turing) tensor rate WITH fp32 accumulate: on GeForce cards
// that is half the fp16-accumulate figure on the spec sheet, on workstation
// and data-centre parts it is the full rate. The efficiency absorbs that
// difference and the over-count of DenoiserStepFlops (it charges every
// parameter to every token), so a GeForce class can exceed 1.
#ifndef PIPEFIT_PLAN_TIME_CLASSES_H_
#define PIPEFIT_PLAN_TIME_CLASSES_H_

#include <span>
#include <string_view>

#include "pipefit/hardware/gpu_catalog.h"

namespace pipefit {

enum class TimeClass {
  kHopperDataCenter,     // H100, H200
  kBlackwellDataCenter,  // B200
  kAmpereDataCenter,     // A100 (GA100, SM 8.0)
  kAdaConsumer,          // GeForce RTX 40
  kAdaPro,               // RTX 6000 Ada, L40S, L4
  kAmpereConsumer,       // GeForce RTX 30
  kAmperePro,            // RTX A4000-A6000, A10, A10G (GA10x)
  kBlackwellConsumer,    // GeForce RTX 50
  kBlackwellPro,         // RTX PRO 6000 Blackwell
  kTuringConsumer,       // GeForce RTX 20
  kTuringDataCenter,     // T4
  kOther,                // AMD and anything else
};

// A speed factor with where it comes from.
struct TimeFactor {
  double value = 1.0;  // multiplies a denoising step's time
  bool fitted = false;
  std::string_view basis;  // the rows or the reason it is guessed
};

struct TimeClassRow {
  TimeClass id;
  std::string_view name;        // "Ada consumer (GeForce RTX 40)"
  std::string_view short_name;  // "Ada consumer"
  // Share of the catalog row's dense_tflops reached in eager bf16 with
  // PyTorch SDPA, relative to DenoiserStepFlops.
  double efficiency = 0;
  bool fitted = false;
  std::string_view fitted_on;   // rows the efficiency is solved from
  std::string_view checked_on;  // rows only predicted (out of sample)
  // Step time with compile_repeated_blocks (warm calls) / without.
  TimeFactor compile;
  // Step time with the attention backend pipefit writes for this class
  // (planner.h BestAttentionBackend) / with SDPA; 1 where none is written.
  std::string_view attention_backend;  // "" = SDPA kept
  TimeFactor attention;
};

// Every row, in TimeClass order.
std::span<const TimeClassRow> TimeClassRows();

// The class of a catalog GPU: vendor, then the architecture's name
// ("Ada Lovelace (AD102)"), then segment and compute capability (GA100 is
// SM 8.0, the other Ampere dies 8.6).
TimeClass ClassifyGpu(const GpuSpec& gpu);

const TimeClassRow& TimeClassFor(TimeClass id);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_TIME_CLASSES_H_
