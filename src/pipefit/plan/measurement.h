// A pipefit.measure/1 document (docs/measure.md), as the probe that
// `pipefit measure` writes records it: what was planned and predicted, the
// machine and library versions, and every stage's measured peaks and time.
// Parsing validates every field pipefit uses; a document from another tool,
// a truncated file or a hostile one is a kMalformed error naming the field,
// never a wrong number. Pure: no I/O.
#ifndef PIPEFIT_PLAN_MEASUREMENT_H_
#define PIPEFIT_PLAN_MEASUREMENT_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/base/units.h"
#include "pipefit/plan/plan_result.h"

namespace pipefit {

inline constexpr std::string_view kMeasureSchema = "pipefit.measure/1";

struct MeasuredStage {
  Stage stage = Stage::kDenoise;
  std::string component;  // "" for load
  int index = -1;         // denoising step, -1 otherwise
  int call = -1;          // pipeline call, -1 for load
  double seconds = 0;
  std::optional<Bytes> max_allocated, max_reserved, device_free, rss, rss_peak;
};

struct MeasuredCall {
  double seconds = 0;
  std::optional<Bytes> max_allocated, max_reserved, min_device_free, rss_peak;
};

struct PredictedStage {
  Stage stage = Stage::kDenoise;
  std::string component;
  Bytes weights = 0, activations = 0, transient = 0;
};

struct Measurement {
  std::string status;  // "ok", "oom" or "error"
  std::string error_type, error_message, error_stage;
  // What was planned (the probe's SPEC).
  std::string version, model, pipeline_class, family, strategy, dtype;
  // What from_pretrained loaded (the repo id of a catalog entry, a path);
  // `model` when the document has none.
  std::string model_id;
  bool random_weights = false;
  int height = 0, width = 0, frames = 0, batch = 0, steps = 0;
  Bytes predicted_vram = 0, predicted_vram_allocated = 0, predicted_ram = 0;
  double predicted_seconds = 0;
  std::vector<PredictedStage> predicted_stages;
  // Where it ran.
  std::string device;  // "cuda" or "cpu"
  std::string gpu_name, gpu_capability, gpu_driver;
  Bytes gpu_total_memory = 0;
  std::map<std::string, std::string> packages;  // name -> version; absent ones left out
  std::string rss_peak_scope;                   // "stage" or "process"
  std::vector<MeasuredStage> stages;
  std::vector<MeasuredCall> calls;
};

// kMalformed (naming `origin` and the field) for anything that is not a
// complete pipefit.measure/1 document.
Result<Measurement> ParseMeasurement(std::string_view json, const std::string& origin);

// Peaks over the whole run (load and every call): nullopt when the run had
// no GPU counters (--device cpu).
std::optional<Bytes> PeakAllocated(const Measurement& m);
std::optional<Bytes> PeakReserved(const Measurement& m);
std::optional<Bytes> PeakRss(const Measurement& m);
// The measurement's time per call: the last call (the earlier ones warm up).
double CallSeconds(const Measurement& m);
// The highest max_memory_allocated of `stage` in the last call (any
// component), nullopt when the run has none.
std::optional<Bytes> StagePeakAllocated(const Measurement& m, Stage stage);

// The predicted stage of `stage` with the highest allocation, or null.
const PredictedStage* PredictedStagePeak(const Measurement& m, Stage stage);

// A file of a calibration set: a .json result, not the environment.json
// bench/gpu_calibration.sh writes beside the results.
bool IsMeasurementFile(const std::string& path);

// The configuration a measurement is of (GPU, model, dtype, strategy,
// workload, weights kind): two measurements with the same key replace each
// other in the store. Printable, and stable across versions.
std::string MeasurementKey(const Measurement& m);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_MEASUREMENT_H_
