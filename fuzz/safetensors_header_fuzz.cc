// libFuzzer target: the safetensors header (length prefix + JSON) as read
// from a file of arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::SafetensorsHeader(data, size);
  return 0;
}
