// libFuzzer target: human sizes on flags (--vram 12GiB) and strategy ids.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::SizeParse(data, size);
  return 0;
}
