// libFuzzer target: a pipefit.measure/1 document (what `pipefit calibrate
// --ingest` reads from a probe, or from anyone) and the calibration arithmetic
// plans run on it.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::Measurement(data, size);
  return 0;
}
