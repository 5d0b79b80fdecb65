#include "pipefit/model/quantized_bytes.h"

namespace pipefit {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t OutFeatures(const TensorInfo& weight) { return weight.shape.empty() ? 0 : weight.shape[0]; }
int64_t InFeatures(const TensorInfo& weight) {
  return weight.shape.size() < 2 ? 0 : weight.numel / (OutFeatures(weight) == 0 ? 1 : OutFeatures(weight));
}

}  // namespace

int64_t BnbInt8WeightBytes(const TensorInfo& weight) { return weight.numel + 4 * OutFeatures(weight); }

int64_t BnbNf4WeightBytes(const TensorInfo& weight) {
  return CeilDiv(weight.numel, 2) + 4 * CeilDiv(weight.numel, 64) + 64;
}

int64_t TorchaoInt8WeightBytes(const TensorInfo& weight) { return weight.numel + 4 * OutFeatures(weight); }

int64_t TorchaoFp8WeightBytes(const TensorInfo& weight) { return weight.numel + 4 * OutFeatures(weight); }

int64_t TorchaoInt4WeightBytes(const TensorInfo& weight, int64_t resident, int64_t weight_itemsize) {
  constexpr int64_t kGroupSize = 128;
  const int64_t in_features = InFeatures(weight);
  if (in_features == 0 || in_features % kGroupSize != 0) return resident;
  const int64_t groups = weight.numel / kGroupSize;  // (K/128) * N
  return weight.numel / 2 + 2 * groups * weight_itemsize;
}

int64_t CudaAllocationBytes(int64_t bytes) {
  constexpr int64_t kRound = 512;
  return bytes <= 0 ? 0 : CeilDiv(bytes, kRound) * kRound;
}

int64_t PinnedHostBytes(int64_t bytes) {
  if (bytes <= 0) return 0;
  int64_t size = 1;
  while (size < bytes && size < (int64_t{1} << 62)) size <<= 1;
  return size;
}

}  // namespace pipefit
