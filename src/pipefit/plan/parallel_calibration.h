// The published multi-GPU measurements the context-parallel model is fitted
// and checked on (docs/multi-gpu/published-measurements.md, rows m01…; the
// rows whose number is a multiple of 4 are held out and scored apart), and
// pipefit's prediction of each. Time rows with a 1-GPU baseline from the
// same source are predicted as that baseline x pipefit's multi/single ratio,
// so the single-GPU time model's own error (calibrated elsewhere) does not
// count twice. Reserved for independent validation and never used: the
// tables of diffusers' distributed-inference page and cache-dit's
// HYBRID_PARALLEL.md.
#ifndef PIPEFIT_PLAN_PARALLEL_CALIBRATION_H_
#define PIPEFIT_PLAN_PARALLEL_CALIBRATION_H_

#include <span>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/plan/candidate.h"

namespace pipefit {

struct ParallelCalibrationCase {
  std::string_view row;      // "m02"
  std::string_view source;   // who published it
  std::string_view catalog;  // built-in catalog entry
  std::string_view gpu;      // GPU catalog id
  ParallelKind kind = ParallelKind::kUlysses;
  int degree = 2;
  int steps = 28;
  int height = 0;  // 0: the pipeline's default
  int width = 0;
  bool memory = false;  // per-GPU peak allocated (GiB), else seconds per call
  double measured = 0;  // GiB or seconds
  double baseline = 0;  // the same source's 1-GPU seconds; 0 when it gives none
  double tolerance = 0.25;
  bool fitted = false;    // a constant was solved from this row
  bool held_out = false;  // row number a multiple of 4: scored apart, never fitted
  std::string_view note;
};

struct ParallelCalibrationResult {
  ParallelCalibrationCase c;
  double predicted = 0;
  double error = 0;  // (predicted - measured) / measured
};

std::span<const ParallelCalibrationCase> ParallelCalibrationCases();
Result<std::vector<ParallelCalibrationResult>> RunParallelCalibration();

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_PARALLEL_CALIBRATION_H_
