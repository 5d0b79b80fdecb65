// Prints pipefit's predictions next to the published measurements they are
// calibrated and checked on (shared/reference/measurements.md rows), with
// the relative error of each. Run: ./build/calibration_report
#include <cmath>
#include <cstdio>

#include "pipefit/plan/calibration.h"

int main() {
  auto results = pipefit::RunCalibration();
  if (!results.ok()) {
    std::fprintf(stderr, "calibration_report: %s\n", results.error().message.c_str());
    return 1;
  }
  std::printf(
      "| row | model | strategy | batch | steps | metric | measured | predicted | error | tolerance |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  int outside = 0;
  double worst_memory = 0, worst_time = 0;
  for (const pipefit::CalibrationResult& r : *results) {
    const bool time = r.c.metric == pipefit::CalibrationMetric::kSeconds ||
                      r.c.metric == pipefit::CalibrationMetric::kForwardSeconds;
    const char* unit = time ? "s" : "GiB";
    std::printf("| %d | %.*s | %.*s | %d | %d | %s | %.3f %s | %.3f %s | %+.1f%% | %.0f%% |\n", r.c.row,
                static_cast<int>(r.c.catalog.size()), r.c.catalog.data(),
                static_cast<int>(r.c.strategy.size()), r.c.strategy.data(), r.c.batch, r.c.steps,
                pipefit::CalibrationMetricName(r.c.metric), r.c.measured, unit, r.predicted, unit,
                100 * r.error, 100 * r.c.tolerance);
    if (std::fabs(r.error) > r.c.tolerance) ++outside;
    double& worst = time ? worst_time : worst_memory;
    worst = std::fmax(worst, std::fabs(r.error));
  }
  std::printf("\nworst |error|: memory %.1f%%, time %.1f%%; %d case(s) outside tolerance\n",
              100 * worst_memory, 100 * worst_time, outside);
  return outside == 0 ? 0 : 2;
}
