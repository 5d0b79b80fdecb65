// libFuzzer target: model_index.json and config.json handling. The input is
// split at the first NUL into a model_index.json and a transformer
// config.json; the pipeline is loaded (with a tiny valid weight file),
// measured and planned, so config values reach the planner's arithmetic.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::PipelineConfig(data, size);
  return 0;
}
