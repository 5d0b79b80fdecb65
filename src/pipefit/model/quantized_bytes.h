// Bytes one tensor occupies once a quantizer or an allocator has handled it.
// Each formula cites shared/reference/diffusers-internals.md; all are exact
// for the library versions named there.
#ifndef PIPEFIT_MODEL_QUANTIZED_BYTES_H_
#define PIPEFIT_MODEL_QUANTIZED_BYTES_H_

#include <cstdint>

#include "pipefit/formats/tensor_info.h"

namespace pipefit {

// bitsandbytes 8-bit Linear weight: CB int8 N*K + SCB fp32 4*N (§6.1).
int64_t BnbInt8WeightBytes(const TensorInfo& weight);
// bitsandbytes 4-bit nf4 weight, no double quant: packed ceil(n/2) + absmax
// fp32 4*ceil(n/64) + code fp32[16] (§6.1).
int64_t BnbNf4WeightBytes(const TensorInfo& weight);
// torchao Int8WeightOnlyConfig() PerRow: qdata N*K + scale fp32 4*N (§6.2).
int64_t TorchaoInt8WeightBytes(const TensorInfo& weight);
// torchao Float8WeightOnlyConfig() PerRow: qdata fp8 N*K + scale fp32 4*N (§6.2).
int64_t TorchaoFp8WeightBytes(const TensorInfo& weight);
// torchao Int4WeightOnlyConfig(group_size=128): N*K/2 + scale and zero
// point (K/128, N) each in the weight dtype; layers with K % 128 != 0 are
// left unquantized, so they keep `resident` bytes (§6.2).
int64_t TorchaoInt4WeightBytes(const TensorInfo& weight, int64_t resident, int64_t weight_itemsize);

// The CUDA caching allocator rounds every block up to 512 bytes ("a(x)",
// internals §3.7 and §12 step 2).
int64_t CudaAllocationBytes(int64_t bytes);
// Pinned host copies are rounded up to a power of two by the host caching
// allocator (internals §3.6).
int64_t PinnedHostBytes(int64_t bytes);

}  // namespace pipefit

#endif  // PIPEFIT_MODEL_QUANTIZED_BYTES_H_
