// What a checkpoint header says about one tensor. Shapes are in torch order
// (outermost first) for every format; the GGUF reader reverses ggml's order.
#ifndef PIPEFIT_FORMATS_TENSOR_INFO_H_
#define PIPEFIT_FORMATS_TENSOR_INFO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pipefit/formats/dtype.h"

namespace pipefit {

struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  int64_t numel = 0;
  int64_t bytes = 0;        // stored bytes, exact
  int64_t data_offset = 0;  // start of the tensor's bytes in its data section
};

// Hard limits applied by every reader (docs/formats.md).
inline constexpr int kMaxTensorDims = 16;
inline constexpr int64_t kMaxTensorsPerFile = 1'000'000;

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_TENSOR_INFO_H_
