// libFuzzer target: a GGUF file of arbitrary bytes (header, KVs, tensor infos).
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::GgufHeader(data, size);
  return 0;
}
