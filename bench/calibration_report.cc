// Prints pipefit's predictions next to the published measurements they are
// calibrated and checked on (shared/reference/measurements.md rows,
// data/calibration/field_rows.tsv ids "F…" and the sources quoted in
// plan/time_classes.cc), with the relative error of each, whether each was
// fitted on (in sample), only predicted (out of sample) or is a documented
// known miss; then per model family (memory) and per GPU time class the
// rows fitted and checked with their worst errors.
// Last, the GPU measurements bench/gpu_calibration.sh wrote (argument 1,
// default bench/gpu-results), predicted against measured per stage.
// Run: ./build/calibration_report [GPU_RESULTS_DIR]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pipefit/base/file_system.h"
#include "pipefit/catalog/catalog.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/plan/calibration.h"
#include "pipefit/plan/measurement.h"
#include "pipefit/plan/parallel_calibration.h"
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

// The multi-GPU rows (docs/multi-gpu/calibration.md): in-sample and checked
// rows first, then the held-out rows, scored apart. Returns the number of
// non-held rows outside their tolerance.
int ReportParallel() {
  auto results = pipefit::RunParallelCalibration();
  if (!results.ok()) {
    std::fprintf(stderr, "calibration_report: %s\n", results.error().message.c_str());
    return 1;
  }
  std::printf("\nMulti-GPU (context parallel; docs/multi-gpu/published-measurements.md rows):\n\n");
  std::printf(
      "| row | model | GPU x n | layout | size | steps | metric | measured | predicted | error | role | source |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  int outside = 0;
  double worst_in = 0, worst_checked = 0, worst_held = 0;
  for (bool held : {false, true}) {
    for (const pipefit::ParallelCalibrationResult& r : *results) {
      if (r.c.held_out != held) continue;
      const char* unit = r.c.memory ? "GiB" : "s";
      const std::string size =
          r.c.height == 0 ? "default" : std::to_string(r.c.width) + "x" + std::to_string(r.c.height);
      const char* role = held ? "held out" : (r.c.fitted ? "fitted" : "check");
      std::printf(
          "| %.*s | %.*s | %.*s x %d | %s%d | %s | %d | %s | %.2f %s | %.2f %s | %+.1f%% | %s | %.*s%s%.*s |\n",
          static_cast<int>(r.c.row.size()), r.c.row.data(), static_cast<int>(r.c.catalog.size()),
          r.c.catalog.data(), static_cast<int>(r.c.gpu.size()), r.c.gpu.data(), r.c.degree,
          pipefit::ParallelKindId(r.c.kind), r.c.degree, size.c_str(), r.c.steps,
          r.c.memory ? "per-GPU peak allocated"
                     : (r.c.baseline > 0 ? "seconds (x their 1-GPU time)" : "seconds"),
          r.c.measured, unit, r.predicted, unit, 100 * r.error, role, static_cast<int>(r.c.source.size()),
          r.c.source.data(), r.c.note.empty() ? "" : "; ", static_cast<int>(r.c.note.size()),
          r.c.note.data());
      const double e = std::fabs(r.error);
      if (held) {
        worst_held = std::fmax(worst_held, e);
      } else {
        (r.c.fitted ? worst_in : worst_checked) = std::fmax(r.c.fitted ? worst_in : worst_checked, e);
        if (e > r.c.tolerance) ++outside;
      }
    }
  }
  std::printf(
      "\nmulti-GPU worst |error|: fitted %.1f%%, checked %.1f%%, held out %.1f%%; %d checked case(s) outside "
      "tolerance\n",
      100 * worst_in, 100 * worst_checked, 100 * worst_held, outside);
  return outside;
}

}  // namespace

// Results of bench/gpu_calibration.sh (pipefit.measure/1 files under
// `dir`, one folder per GPU): per stage, the prediction the probe carried
// against what the GPU measured. Nothing is fitted on them here; they are
// what `pipefit calibrate --ingest` feeds back. Returns the files that do
// not parse.
int ReportGpuResults(const std::string& dir) {
  std::printf("\nGPU measurements (pipefit measure probes, %s):\n\n", dir.c_str());
  std::vector<std::string> files;
  auto found = pipefit::FindFilesUnder(dir, ".json");
  if (!found.ok()) {
    std::printf("| %s | unreadable: %s |||||\n", dir.c_str(), found.error().message.c_str());
    return 1;
  }
  for (const std::string& path : *found) {
    if (pipefit::IsMeasurementFile(path)) files.push_back(path);
  }
  if (files.empty()) {
    std::printf("none yet: no GPU has run bench/gpu_calibration.sh for this repository\n");
    return 0;
  }
  std::printf("| GPU | model | strategy | stage | measured allocated | predicted allocated | error |\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  int broken = 0;
  for (const std::string& path : files) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    auto m = pipefit::ParseMeasurement(text.str(), path);
    if (!m.ok()) {
      std::printf("| %s | unreadable: %s |||||\n", path.c_str(), m.error().message.c_str());
      ++broken;
      continue;
    }
    if (!m->device.starts_with("cuda")) continue;  // a --device cpu smoke test
    if (m->status != "ok") {
      std::printf("| %s | %s | %s | %s | %s ||| \n", m->gpu_name.c_str(), m->model.c_str(),
                  m->strategy.c_str(), m->error_stage.c_str(), m->status.c_str());
      continue;
    }
    for (pipefit::Stage stage :
         {pipefit::Stage::kTextEncode, pipefit::Stage::kDenoise, pipefit::Stage::kDecode}) {
      const auto measured = pipefit::StagePeakAllocated(*m, stage);
      const pipefit::PredictedStage* peak = pipefit::PredictedStagePeak(*m, stage);
      const int64_t predicted = peak == nullptr ? 0 : peak->weights + peak->activations + peak->transient;
      if (!measured || predicted == 0) continue;
      std::printf("| %s | %s | %s | %s | %.2f GiB | %.2f GiB | %+.1f%% |\n", m->gpu_name.c_str(),
                  m->model.c_str(), m->strategy.c_str(), pipefit::StageName(stage),
                  static_cast<double>(*measured) / (1 << 30), static_cast<double>(predicted) / (1 << 30),
                  100.0 * static_cast<double>(predicted - *measured) / static_cast<double>(*measured));
    }
    std::printf("| %s | %s | %s | call | %.2f s | %.2f s | %+.1f%% |\n", m->gpu_name.c_str(),
                m->model.c_str(), m->strategy.c_str(), pipefit::CallSeconds(*m), m->predicted_seconds,
                100.0 * (m->predicted_seconds - pipefit::CallSeconds(*m)) / pipefit::CallSeconds(*m));
  }
  return broken;
}

int main(int argc, char** argv) {
  const std::string gpu_results = argc > 1 ? argv[1] : "bench/gpu-results";
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
  outside += ReportParallel();
  outside += ReportGpuResults(gpu_results);
  return outside == 0 ? 0 : 2;
}
