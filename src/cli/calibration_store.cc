#include "cli/calibration_store.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pipefit/base/file_system.h"
#include "pipefit/sources/hub_client.h"

namespace pipefit::cli {
namespace {

// A measurement is a few hundred stages of numbers: far below this.
constexpr int64_t kMaxMeasurementBytes = 16 * 1024 * 1024;

bool IsJsonFile(const std::string& name) { return name.size() > 5 && name.ends_with(".json"); }

// File names stay short and portable whatever the model id is.
std::string FileNameFor(const Measurement& m) {
  std::string key = MeasurementKey(m);
  if (key.size() > 180) {
    uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : key) hash = (hash ^ c) * 1099511628211ull;
    key = key.substr(0, 160) + "-" + fmt::format("{:016x}", hash);
  }
  return key + ".json";
}

// A document that can calibrate: parsed, a GPU run, not a failed probe.
Result<Measurement> CheckedMeasurement(const std::string& text, const std::string& path) {
  PIPEFIT_ASSIGN_OR_RETURN(Measurement m, ParseMeasurement(text, path));
  if (m.status == "error") {
    return MakeErrorf(ErrorCode::kUsage, "{}: the probe failed ({}: {}); nothing to calibrate with", path,
                      m.error_type.empty() ? "error" : m.error_type, m.error_message);
  }
  if (!m.device.starts_with("cuda")) {
    return MakeErrorf(ErrorCode::kUsage,
                      "{}: a --device {} run (a smoke test) has no GPU memory counters; nothing to calibrate "
                      "with",
                      path, m.device);
  }
  return m;
}

}  // namespace

std::string CalibrationDir(const Environment& env) {
  if (auto dir = env.GetNonEmpty("PIPEFIT_CALIBRATION_DIR")) return *dir;
  const std::string cache = PipefitCacheDir(env);
  return cache.empty() ? "" : JoinPath(cache, "calibration");
}

Result<StoreContents> ReadCalibrationStore(const std::string& dir) {
  StoreContents contents;
  RealFileSystem fs;
  if (dir.empty() || !fs.IsDirectory(dir)) return contents;
  PIPEFIT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDirectory(dir));
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (!IsJsonFile(name)) continue;
    const std::string path = JoinPath(dir, name);
    auto text = fs.ReadFile(path, kMaxMeasurementBytes);
    if (!text.ok()) {
      contents.broken.emplace_back(path, text.error().message);
      continue;
    }
    auto m = ParseMeasurement(*text, path);
    if (!m.ok()) {
      contents.broken.emplace_back(path, m.error().message);
      continue;
    }
    contents.measurements.push_back({path, std::move(*m)});
  }
  return contents;
}

Result<std::vector<std::string>> IngestPaths(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) return std::vector<std::string>{path};
  PIPEFIT_ASSIGN_OR_RETURN(std::vector<std::string> found, FindFilesUnder(path, ".json"));
  std::vector<std::string> files;
  for (std::string& file : found) {
    if (IsMeasurementFile(file)) files.push_back(std::move(file));
  }
  if (files.empty())
    return MakeErrorf(ErrorCode::kNotFound, "{}: no .json measurement files in this folder", path);
  return files;
}

Result<Measurement> CheckIngestible(const std::string& path) {
  RealFileSystem fs;
  PIPEFIT_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxMeasurementBytes));
  return CheckedMeasurement(text, path);
}

Result<IngestResult> IngestMeasurement(const std::string& dir, const std::string& path) {
  if (dir.empty()) {
    return MakeErrorf(ErrorCode::kUsage,
                      "calibrate: no cache folder (set PIPEFIT_CACHE or PIPEFIT_CALIBRATION_DIR, or HOME)");
  }
  RealFileSystem fs;
  PIPEFIT_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxMeasurementBytes));
  PIPEFIT_ASSIGN_OR_RETURN(Measurement m, CheckedMeasurement(text, path));
  std::error_code made;
  std::filesystem::create_directories(dir, made);
  if (made)
    return MakeErrorf(ErrorCode::kIo, "{}: cannot create the calibration folder: {}", dir, made.message());
  IngestResult result;
  result.file = JoinPath(dir, FileNameFor(m));
  result.replaced = fs.Exists(result.file);
  PIPEFIT_RETURN_IF_ERROR(WriteFileAtomically(result.file, text, {.replace_existing = true}));
  result.measurement = std::move(m);
  return result;
}

Result<int> ClearCalibrationStore(const std::string& dir) {
  RealFileSystem fs;
  if (dir.empty() || !fs.IsDirectory(dir)) return 0;
  PIPEFIT_ASSIGN_OR_RETURN(std::vector<std::string> names, fs.ListDirectory(dir));
  int removed = 0;
  for (const std::string& name : names) {
    if (!IsJsonFile(name)) continue;
    const std::string path = JoinPath(dir, name);
    if (::unlink(path.c_str()) != 0) {
      return MakeErrorf(ErrorCode::kIo, "{}: cannot remove: {}", path, std::strerror(errno));
    }
    ++removed;
  }
  return removed;
}

}  // namespace pipefit::cli
