// `pipefit calibrate --ingest FILE... | --list | --clear [--json]`
// (docs/measure.md): manages the store of measurements that later plans on
// the same GPU use (cli/calibration_store.h, plan/machine_calibration.h).
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "cli/calibration_store.h"
#include "cli/commands.h"
#include "pipefit/base/environment.h"
#include "pipefit/base/units.h"
#include "pipefit/plan/estimator.h"
#include "pipefit/report/json_util.h"

namespace pipefit::cli {
namespace {

constexpr const char* kCalibrationSchema = "pipefit.calibration/1";

struct CalibrateFlags {
  std::vector<std::string> ingest;
  bool list = false;
  bool clear = false;
  bool json = false;
};

Json BytesOrNull(const std::optional<Bytes>& bytes) { return bytes ? Json(*bytes) : Json(nullptr); }

Json MeasurementJson(const std::string& file, const Measurement& m) {
  const std::optional<Bytes> reserved = PeakReserved(m);
  return {{"file", file},
          {"key", MeasurementKey(m)},
          {"status", m.status},
          {"gpu", {{"name", m.gpu_name}, {"total_memory", m.gpu_total_memory}}},
          {"model", m.model},
          {"family", m.family},
          {"strategy", m.strategy},
          {"dtype", m.dtype},
          {"random_weights", m.random_weights},
          {"workload",
           {{"height", m.height},
            {"width", m.width},
            {"frames", m.frames},
            {"batch", m.batch},
            {"steps", m.steps}}},
          {"measured",
           {{"vram", reserved ? Json(*reserved + kCudaContextBytes) : Json(nullptr)},
            {"max_memory_reserved", BytesOrNull(reserved)},
            {"max_memory_allocated", BytesOrNull(PeakAllocated(m))},
            {"ram", BytesOrNull(PeakRss(m))},
            {"seconds", m.calls.empty() ? Json(nullptr) : Json(CallSeconds(m))}}},
          {"predicted",
           {{"vram", m.predicted_vram},
            {"vram_allocated", m.predicted_vram_allocated},
            {"ram", m.predicted_ram},
            {"seconds", m.predicted_seconds}}},
          {"versions", m.packages},
          {"pipefit_version", m.version}};
}

std::string Percent(double measured, double predicted) {
  if (predicted <= 0) return "";
  return fmt::format("{:+.0f}%", 100.0 * (predicted - measured) / measured);
}

// One line per measurement: what, where, measured vs predicted.
std::string MeasurementLine(const Measurement& m) {
  std::string line =
      fmt::format("{} | {} | {} {} {}x{}", m.gpu_name, m.model, m.strategy, m.dtype, m.width, m.height);
  if (m.frames > 1) line += fmt::format("x{}f", m.frames);
  line += fmt::format(" {} steps{}", m.steps, m.random_weights ? " (random weights)" : "");
  if (m.status == "oom") {
    line += fmt::format("\n    ran out of memory{}; predicted {}",
                        m.error_stage.empty() ? "" : " in " + m.error_stage, FormatGiB(m.predicted_vram));
    return line;
  }
  const std::optional<Bytes> reserved = PeakReserved(m);
  if (reserved) {
    const Bytes vram = *reserved + kCudaContextBytes;
    line += fmt::format("\n    VRAM {} measured, {} predicted (prediction {})", FormatGiB(vram),
                        FormatGiB(m.predicted_vram),
                        Percent(static_cast<double>(vram), static_cast<double>(m.predicted_vram)));
  }
  if (!m.calls.empty()) {
    line += fmt::format("; {:.2f} s/call measured, {:.2f} s predicted (prediction {})", CallSeconds(m),
                        m.predicted_seconds, Percent(CallSeconds(m), m.predicted_seconds));
  }
  return line;
}

int RunIngest(const std::string& dir, const CalibrateFlags& flags) {
  Json ingested = Json::array();
  std::string text;
  // Every file is checked before any is stored: a bad one leaves the
  // store as it was. In a folder, runs that calibrate nothing (a CPU smoke
  // test, a failed probe) are skipped with a line; named files are refused.
  std::vector<std::string> files;
  for (const std::string& path : flags.ingest) {
    auto expanded = IngestPaths(path);
    if (!expanded.ok()) return ReportError(expanded.error());
    const bool folder = expanded->size() != 1 || expanded->front() != path;
    for (const std::string& file : *expanded) {
      auto checked = CheckIngestible(file);
      if (checked.ok()) {
        files.push_back(file);
      } else if (folder && checked.error().code == ErrorCode::kUsage) {
        std::fprintf(stderr, "pipefit: skipped %s\n", checked.error().message.c_str());
      } else {
        return ReportError(checked.error());
      }
    }
  }
  for (const std::string& path : files) {
    auto result = IngestMeasurement(dir, path);
    if (!result.ok()) return ReportError(result.error());
    ingested.push_back(MeasurementJson(result->file, result->measurement));
    ingested.back()["replaced"] = result->replaced;
    text += fmt::format("stored {}{}\n  {}\n", result->file,
                        result->replaced ? " (replaced the earlier one)" : "",
                        MeasurementLine(result->measurement));
  }
  const std::string out =
      flags.json ? DumpJson({{"schema", kCalibrationSchema}, {"dir", dir}, {"ingested", ingested}})
                 : text +
                       "Plans on this GPU now use it (pipefit plan marks measured and "
                       "corrected numbers; --uncalibrated ignores the store).\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunList(const std::string& dir, const CalibrateFlags& flags) {
  auto store = ReadCalibrationStore(dir);
  if (!store.ok()) return ReportError(store.error());
  if (flags.json) {
    Json list = Json::array();
    for (const StoredMeasurement& s : store->measurements)
      list.push_back(MeasurementJson(s.file, s.measurement));
    Json broken = Json::array();
    for (const auto& [file, why] : store->broken) broken.push_back({{"file", file}, {"error", why}});
    const std::string out =
        DumpJson({{"schema", kCalibrationSchema}, {"dir", dir}, {"measurements", list}, {"broken", broken}});
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
  }
  std::string out = fmt::format("Calibration store: {}\n", dir.empty() ? "(none: no cache folder)" : dir);
  if (store->measurements.empty() && store->broken.empty()) {
    out +=
        "No measurements. Write a probe with `pipefit measure MODEL --strategy ID --emit probe.py`, run it "
        "on the GPU, then `pipefit calibrate --ingest result.json`.\n";
  }
  for (const StoredMeasurement& s : store->measurements) out += "- " + MeasurementLine(s.measurement) + "\n";
  for (const auto& [file, why] : store->broken) out += "- unreadable, ignored by plans: " + why + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int RunCalibrate(const CalibrateFlags& flags) {
  const int actions = (flags.ingest.empty() ? 0 : 1) + (flags.list ? 1 : 0) + (flags.clear ? 1 : 0);
  if (actions != 1) {
    return ReportError(
        MakeErrorf(ErrorCode::kUsage, "calibrate: give exactly one of --ingest FILE..., --list, --clear"));
  }
  ProcessEnvironment env;
  const std::string dir = CalibrationDir(env);
  if (!flags.ingest.empty()) return RunIngest(dir, flags);
  if (flags.list) return RunList(dir, flags);
  auto removed = ClearCalibrationStore(dir);
  if (!removed.ok()) return ReportError(removed.error());
  const std::string out =
      flags.json ? DumpJson({{"schema", kCalibrationSchema}, {"dir", dir}, {"removed", *removed}})
                 : fmt::format("removed {} measurement(s) from {}\n", *removed, dir);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterCalibrateCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<CalibrateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate",
      "Manage this machine's measurements (from `pipefit measure` probes). Plans on the same GPU (name\n"
      "and capacity) use them: a measurement of the exact configuration replaces the prediction, and\n"
      "the family's time and activation factors are refitted from all of them. The store is\n"
      "<cache>/calibration (PIPEFIT_CALIBRATION_DIR overrides it).");
  cmd->add_option("--ingest", f->ingest,
                  "store these pipefit.measure/1 result files (a folder: every .json under it)")
      ->expected(1, -1);
  cmd->add_flag("--list", f->list, "list the stored measurements, measured against predicted");
  cmd->add_flag("--clear", f->clear, "remove every stored measurement");
  cmd->add_flag("--json", f->json, "print one JSON document (schema pipefit.calibration/1)");
  cmd->callback([f, &run] { run = [f] { return RunCalibrate(*f); }; });
}

}  // namespace pipefit::cli
