// Prints pipefit's predictions next to the published measurements they are
// calibrated and checked on (shared/reference/measurements.md rows and
// data/calibration/field_rows.tsv ids), with the relative error of each,
// then a summary per family: rows a constant was fitted on, rows checked out
// of sample, and the worst error of each. Run: ./build/calibration_report
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "pipefit/catalog/catalog.h"
#include "pipefit/plan/calibration.h"

namespace {

struct FamilySummary {
  int fitted = 0, checked = 0, misses = 0;
  double worst_fitted = 0, worst_checked = 0;
};

std::string FamilyOf(std::string_view catalog) {
  auto entry = pipefit::FindCatalogEntry(catalog);
  if (!entry.ok() || !entry->has_value()) return std::string(catalog);
  return (*entry)->family;
}

}  // namespace

int main() {
  auto results = pipefit::RunCalibration();
  if (!results.ok()) {
    std::fprintf(stderr, "calibration_report: %s\n", results.error().message.c_str());
    return 1;
  }
  std::printf(
      "| row | model | strategy | batch | steps | metric | measured | predicted | error | tolerance | use |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  int outside = 0;
  double worst_memory = 0, worst_time = 0;
  std::map<std::string, FamilySummary> memory_families, time_families;
  for (const pipefit::CalibrationResult& r : *results) {
    const bool time = r.c.metric == pipefit::CalibrationMetric::kSeconds ||
                      r.c.metric == pipefit::CalibrationMetric::kForwardSeconds;
    const char* unit = time ? "s" : "GiB";
    const std::string row = r.c.field.empty() ? std::to_string(r.c.row) : std::string(r.c.field);
    std::printf("| %s | %.*s | %.*s | %d | %d | %s | %.3f %s | %.3f %s | %+.1f%% | %.0f%% | %s |\n",
                row.c_str(), static_cast<int>(r.c.catalog.size()), r.c.catalog.data(),
                static_cast<int>(r.c.strategy.size()), r.c.strategy.data(), r.c.batch, r.c.steps,
                pipefit::CalibrationMetricName(r.c.metric), r.c.measured, unit, r.predicted, unit,
                100 * r.error, 100 * r.c.tolerance,
                r.c.fitted ? "fit" : (r.c.known_miss ? "check (known miss)" : "check"));
    if (std::fabs(r.error) > r.c.tolerance && !r.c.known_miss) ++outside;
    double& worst = time ? worst_time : worst_memory;
    worst = std::fmax(worst, std::fabs(r.error));
    FamilySummary& f = (time ? time_families : memory_families)[FamilyOf(r.c.catalog)];
    if (r.c.fitted) {
      ++f.fitted;
      f.worst_fitted = std::fmax(f.worst_fitted, std::fabs(r.error));
    } else if (r.c.known_miss) {
      ++f.misses;
    } else {
      ++f.checked;
      f.worst_checked = std::fmax(f.worst_checked, std::fabs(r.error));
    }
  }
  for (const auto& [title, families] :
       {std::pair{"memory", &memory_families}, std::pair{"time", &time_families}}) {
    std::printf(
        "\n| family (%s) | rows fitted | worst fitted error | rows checked out of sample | worst checked error | "
        "known misses |\n",
        title);
    std::printf("|---|---|---|---|---|---|\n");
    for (const auto& [family, f] : *families) {
      std::printf("| %s | %d | %.1f%% | %d | %.1f%% |\n", family.c_str(), f.fitted, 100 * f.worst_fitted,
                  f.checked, 100 * f.worst_checked);
    }
  }
  std::printf("\nworst |error|: memory %.1f%%, time %.1f%%; %d case(s) outside tolerance\n",
              100 * worst_memory, 100 * worst_time, outside);
  return outside == 0 ? 0 : 2;
}
