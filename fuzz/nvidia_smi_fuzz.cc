// libFuzzer target: nvidia-smi's GPU query CSV and `topo -m` matrix.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::NvidiaSmi(data, size);
  return 0;
}
