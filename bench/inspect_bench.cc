// Inspect time for the FLUX.1-dev folder (sparse fixture with the real shard
// layout) against the time to merely read the same header bytes with
// pread(). The ratio inspect / read_headers is what the README quotes.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "pipefit/model/measure.h"
#include "pipefit/sources/pipeline_folder.h"
#include "pipefit/testing/pipeline_fixture.h"
#include "pipefit/testing/temp_dir.h"

namespace {

const std::string& FixtureRoot() {
  static pipefit::testkit::TempDir* dir = [] {
    auto* d = new pipefit::testkit::TempDir();
    pipefit::testkit::WriteFluxDevFixture(d->path() + "/flux", PIPEFIT_SOURCE_DIR);
    return d;
  }();
  static const std::string root = dir->path() + "/flux";
  return root;
}

std::vector<std::string> SafetensorsFiles() {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(FixtureRoot())) {
    if (entry.path().extension() == ".safetensors") files.push_back(entry.path().string());
  }
  return files;
}

// Baseline: open each weight file, read the 8-byte length and the header.
void BM_ReadHeaderBytesOnly(benchmark::State& state) {
  const std::vector<std::string> files = SafetensorsFiles();
  std::string buffer;
  for (auto _ : state) {
    int64_t total = 0;
    for (const std::string& file : files) {
      int fd = ::open(file.c_str(), O_RDONLY);
      uint64_t n = 0;
      if (::pread(fd, &n, 8, 0) == 8) {
        buffer.resize(n);
        total += ::pread(fd, buffer.data(), n, 8);
      }
      ::close(fd);
    }
    benchmark::DoNotOptimize(total);
  }
}
BENCHMARK(BM_ReadHeaderBytesOnly)->Unit(benchmark::kMillisecond);

// pipefit inspect minus printing: resolve, read and validate every header,
// index and config, and measure at bf16.
void BM_InspectFluxFolder(benchmark::State& state) {
  pipefit::RealFileSystem fs;
  for (auto _ : state) {
    auto pipeline = pipefit::LoadLocalModel(fs, FixtureRoot(), "");
    auto measurement = pipefit::MeasurePipeline(*pipeline, pipefit::LoadDType::kBF16);
    benchmark::DoNotOptimize(measurement.seed.s_total);
  }
}
BENCHMARK(BM_InspectFluxFolder)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
