// The fuzz targets' bodies, shared by the libFuzzer mains (fuzz/*_fuzz.cc)
// and the regression test that replays every input the fuzzers ever found
// (tests/fuzz_regression_test.cc, tests/data/fuzz_regressions/<target>/).
#ifndef PIPEFIT_FUZZ_HARNESSES_H_
#define PIPEFIT_FUZZ_HARNESSES_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace pipefit::fuzz {

void SafetensorsHeader(const uint8_t* data, size_t size);
void ShardedIndex(const uint8_t* data, size_t size);
void GgufHeader(const uint8_t* data, size_t size);
void PipelineConfig(const uint8_t* data, size_t size);
void PythonScript(const uint8_t* data, size_t size);
void OomLog(const uint8_t* data, size_t size);
void SizeParse(const uint8_t* data, size_t size);
void HubListing(const uint8_t* data, size_t size);
void ApiRequest(const uint8_t* data, size_t size);
void NvidiaSmi(const uint8_t* data, size_t size);
void Measurement(const uint8_t* data, size_t size);

// The harness for a target name ("oom_log"), or nullptr.
using Harness = void (*)(const uint8_t*, size_t);
Harness FindHarness(std::string_view target);

}  // namespace pipefit::fuzz

#endif  // PIPEFIT_FUZZ_HARNESSES_H_
