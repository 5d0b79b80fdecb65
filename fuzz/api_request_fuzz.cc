// libFuzzer target: request bodies of `pipefit serve`'s JSON API.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::ApiRequest(data, size);
  return 0;
}
