// The published measurements the estimator is checked against
// (shared/reference/measurements.md, cited by row), and the function that
// predicts each one with pipefit's own model. Used by the calibration test
// (every prediction within its tolerance) and by bench/calibration_report
// (the error table quoted in docs/memory-model.md).
#ifndef PIPEFIT_PLAN_CALIBRATION_H_
#define PIPEFIT_PLAN_CALIBRATION_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/model/measure.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

enum class CalibrationMetric {
  kPeakAllocated,     // torch.cuda.max_memory_allocated() over the call (vram_allocated)
  kPeakReserved,      // max_memory_reserved(): vram minus the CUDA context
  kResidentWeights,   // memory_allocated() after loading: weights on the GPU
  kDenoiserForward,   // one denoiser forward alone: its weights + activations + transient
  kSeconds,           // wall time of one pipeline call
  kForwardSeconds,    // wall time of one denoiser forward
  kDecodeActivation,  // VAE decode alone: the peak above the resident weights (a max_memory_allocated delta)
};

struct CalibrationCase {
  int row = 0;  // measurements.md row; 0 when `source` names another one
  // A published source outside measurements.md: a short name from
  // plan/time_classes.cc ("FP8API") or a data/calibration/field_rows.tsv
  // id ("F94"); "" for measurements.md rows.
  std::string_view source;
  std::string_view catalog;   // built-in catalog entry
  std::string_view strategy;  // candidate id
  int batch = 1;
  int steps = 28;
  int height = 0;  // 0: the pipeline's default (1024 for FLUX)
  int width = 0;
  std::string_view gpu;  // GPU catalog id
  CalibrationMetric metric = CalibrationMetric::kPeakAllocated;
  double measured = 0;      // GiB for memory, seconds for time
  double tolerance = 0.10;  // allowed |relative error|
  // True when a constant was solved from this case (in sample); false
  // when it is only predicted (out of sample).
  bool fitted = false;
  bool compile = false;            // measured with torch.compile
  bool attention_backend = false;  // measured with the class's attention backend
  std::string_view note;
  int frames = 0;  // 0: the pipeline's default
  // The load dtype the measurement used (fp16 rows keep T5's `wo` in fp32
  // and upcast SDXL's VAE for decode, internals §1.4, §9).
  LoadDType dtype = LoadDType::kBF16;
  // A checked row pipefit is known to miss by more than its tolerance: it
  // stays in the report with its error, and the test asserts it is still
  // outside (so a fix has to update it). `note` says why.
  bool known_miss = false;
};

struct CalibrationResult {
  CalibrationCase c;
  double predicted = 0;  // same unit as measured
  double error = 0;      // (predicted - measured) / measured
};

std::span<const CalibrationCase> CalibrationCases();

// A built-in catalog entry's pipeline, read from the embedded catalog.
Result<Pipeline> LoadCatalogPipeline(std::string_view name);

// Predicts every case from the embedded catalog.
Result<std::vector<CalibrationResult>> RunCalibration();

const char* CalibrationMetricName(CalibrationMetric metric);

// kSeconds or kForwardSeconds.
bool IsTimeMetric(CalibrationMetric metric);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_CALIBRATION_H_
