// pipefit's store of measurements (`pipefit calibrate`, docs/measure.md):
// one pipefit.measure/1 document per configuration, as the probe wrote it,
// in <cache>/calibration/ (PIPEFIT_CALIBRATION_DIR overrides the folder;
// <cache> is PIPEFIT_CACHE, else $XDG_CACHE_HOME/pipefit, else
// ~/.cache/pipefit). Files are named by the configuration's key, so a new
// measurement of the same configuration replaces the old one.
#ifndef PIPEFIT_CLI_CALIBRATION_STORE_H_
#define PIPEFIT_CLI_CALIBRATION_STORE_H_

#include <string>
#include <utility>
#include <vector>

#include "pipefit/base/environment.h"
#include "pipefit/base/result.h"
#include "pipefit/plan/measurement.h"

namespace pipefit::cli {

// The store's folder; "" when the environment names no cache at all.
std::string CalibrationDir(const Environment& env);

struct StoredMeasurement {
  std::string file;  // path in the store
  Measurement measurement;
};

struct StoreContents {
  std::vector<StoredMeasurement> measurements;              // file name order
  std::vector<std::pair<std::string, std::string>> broken;  // (file, why) for files that do not parse
};

// Every *.json in `dir` (a missing folder is an empty store); a file that
// does not parse is listed in `broken`, never fatal. kIo when the folder
// cannot be listed.
Result<StoreContents> ReadCalibrationStore(const std::string& dir);

struct IngestResult {
  std::string file;       // where it was stored
  bool replaced = false;  // an earlier measurement of the same configuration was there
  Measurement measurement;
};

// What --ingest reads from `path`: a file, or every *.json under a folder
// (bench/gpu_calibration.sh's output; its environment.json left out), in
// name order. kNotFound when a folder holds none.
Result<std::vector<std::string>> IngestPaths(const std::string& path);

// The checks IngestMeasurement makes, without storing: kMalformed for what
// does not parse, kUsage for what calibrates nothing (below).
Result<Measurement> CheckIngestible(const std::string& path);

// Validates `path` (ParseMeasurement) and copies it into the store.
// kUsage for what cannot calibrate anything: a --device cpu smoke test, a
// run whose status is "error" (its error is in the message).
Result<IngestResult> IngestMeasurement(const std::string& dir, const std::string& path);

// Removes every *.json of the store; returns how many.
Result<int> ClearCalibrationStore(const std::string& dir);

}  // namespace pipefit::cli

#endif  // PIPEFIT_CLI_CALIBRATION_STORE_H_
