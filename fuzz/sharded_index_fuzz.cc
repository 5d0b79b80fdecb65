// libFuzzer target: *.safetensors.index.json.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::ShardedIndex(data, size);
  return 0;
}
