// libFuzzer target: the OOM log parser and the advice rules.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::OomLog(data, size);
  return 0;
}
