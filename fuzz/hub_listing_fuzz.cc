// libFuzzer target: what a Hub (or an impostor) answers: tree listing pages,
// revision info, Link / Location headers, and MODEL references.
#include <cstddef>
#include <cstdint>

#include "harnesses.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  pipefit::fuzz::HubListing(data, size);
  return 0;
}
