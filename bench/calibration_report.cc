// Prints pipefit's predictions next to the published measurements they are
// calibrated and checked on (shared/reference/measurements.md rows,
// data/calibration/field_rows.tsv ids "F…" and the sources quoted in
// plan/time_classes.cc), with the relative error of each, whether each was
// fitted on (in sample), only predicted (out of sample) or is a documented
// known miss; then per model family (memory) and per GPU time class the
// rows fitted and checked with their worst errors.
// Run: ./build/calibration_report
#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "pipefit/catalog/catalog.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/plan/calibration.h"
#include "pipefit/plan/time_classes.h"

namespace {

std::string Ref(const pipefit::CalibrationCase& c) {
  if (!c.source.empty()) return std::string(c.source);
  return std::to_string(c.row);
}

std::string Knobs(const pipefit::CalibrationCase& c) {
  std::string s(c.strategy);
  if (c.compile) s += " +compile";
  if (c.attention_backend) s += " +attn";
  return s;
}

std::string Size(const pipefit::CalibrationCase& c) {
  if (c.height == 0 && c.width == 0) return "1024x1024";
  return std::to_string(c.width) + "x" + std::to_string(c.height);
}

struct ClassTally {
  int fitted = 0, checked = 0, misses = 0;
  double worst_fitted = 0, worst_checked = 0;
};

std::string FamilyOf(std::string_view catalog) {
  auto entry = pipefit::FindCatalogEntry(catalog);
  if (!entry.ok() || !entry->has_value()) return std::string(catalog);
  return (*entry)->family;
}

void Tally(ClassTally& t, const pipefit::CalibrationResult& r) {
  if (r.c.known_miss) {
    ++t.misses;
    return;
  }
  (r.c.fitted ? t.fitted : t.checked) += 1;
  double& w = r.c.fitted ? t.worst_fitted : t.worst_checked;
  w = std::fmax(w, std::fabs(r.error));
}

}  // namespace

int main() {
  auto results = pipefit::RunCalibration();
  if (!results.ok()) {
    std::fprintf(stderr, "calibration_report: %s\n", results.error().message.c_str());
    return 1;
  }
  std::printf(
      "| row | model | strategy | size | batch | steps | GPU | metric | measured | predicted | error | fit |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  int outside = 0;
  double worst_memory = 0, worst_time = 0, worst_memory_miss = 0;
  std::map<pipefit::TimeClass, ClassTally> tallies;
  std::map<std::string, ClassTally> families;
  for (const pipefit::CalibrationResult& r : *results) {
    const bool time = pipefit::IsTimeMetric(r.c.metric);
    const char* unit = time ? "s" : "GiB";
    std::printf("| %s | %.*s | %s | %s | %d | %d | %.*s | %s | %.3f %s | %.3f %s | %+.1f%% | %s |\n",
                Ref(r.c).c_str(), static_cast<int>(r.c.catalog.size()), r.c.catalog.data(),
                Knobs(r.c).c_str(), Size(r.c).c_str(), r.c.batch, r.c.steps, static_cast<int>(r.c.gpu.size()),
                r.c.gpu.data(), pipefit::CalibrationMetricName(r.c.metric), r.c.measured, unit, r.predicted,
                unit, 100 * r.error,
                r.c.fitted ? "fitted" : (r.c.known_miss ? "check (known miss)" : "check"));
    if (std::fabs(r.error) > r.c.tolerance && !r.c.known_miss) ++outside;
    double& worst = r.c.known_miss ? worst_memory_miss : (time ? worst_time : worst_memory);
    worst = std::fmax(worst, std::fabs(r.error));
    if (!time) {
      Tally(families[FamilyOf(r.c.catalog)], r);
      continue;
    }
    const pipefit::GpuSpec* gpu = pipefit::FindGpu(r.c.gpu);
    if (gpu == nullptr) continue;
    Tally(tallies[pipefit::ClassifyGpu(*gpu)], r);
  }
  std::printf(
      "\nMemory per model family (worst |error| in sample and out of sample; known misses apart):\n\n");
  std::printf("| family | rows fitted | worst fitted | rows checked | worst checked | known misses |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& [family, t] : families) {
    std::printf("| %s | %d | %.1f%% | %d | %.1f%% | %d |\n", family.c_str(), t.fitted, 100 * t.worst_fitted,
                t.checked, 100 * t.worst_checked, t.misses);
  }
  std::printf("\nTime per GPU class (worst |error| in sample and out of sample):\n\n");
  std::printf("| class | efficiency | basis | rows fitted | worst fitted | rows checked | worst checked |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const pipefit::TimeClassRow& row : pipefit::TimeClassRows()) {
    const auto it = tallies.find(row.id);
    const ClassTally t = it == tallies.end() ? ClassTally{} : it->second;
    std::printf("| %.*s | %.3f | %s | %d | %.1f%% | %d | %.1f%% |\n", static_cast<int>(row.name.size()),
                row.name.data(), row.efficiency, row.fitted ? "fitted" : "guessed", t.fitted,
                100 * t.worst_fitted, t.checked, 100 * t.worst_checked);
  }
  std::printf(
      "\nworst |error| (known misses apart): memory %.1f%%, time %.1f%%; worst known miss %.1f%%; %d case(s) "
      "outside tolerance\n",
      100 * worst_memory, 100 * worst_time, 100 * worst_memory_miss, outside);
  return outside == 0 ? 0 : 2;
}
