// libFuzzer target: the Python script parser, `check` and `apply` on
// arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::PythonScript(data, size);
  return 0;
}
