#include "pipefit/model/quantized_bytes.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pipefit/formats/tensor_info.h"

namespace pipefit {
namespace {

// A Linear weight of shape (out, in) as a checkpoint header describes it.
TensorInfo Weight(std::vector<int64_t> shape, DType dtype = DType::kBF16, int64_t itemsize = 2) {
  TensorInfo t;
  t.name = "layer.weight";
  t.dtype = dtype;
  t.shape = shape;
  t.numel = 1;
  for (int64_t d : shape) t.numel *= d;
  t.bytes = t.numel * itemsize;
  return t;
}

// FLUX attention projection: 3072 x 3072, n = 9,437,184.
const TensorInfo kSquare = Weight({3072, 3072});

TEST(QuantizedBytesTest, BnbInt8IsInt8DataPlusFp32RowScale) {
  // CB int8 N*K + SCB fp32 4*N (internals §6.1).
  EXPECT_EQ(BnbInt8WeightBytes(kSquare), 9'437'184 + 4 * 3072);
  EXPECT_EQ(BnbInt8WeightBytes(kSquare), 9'449'472);
  // Rectangular: out 18432, in 3072 -> N = 18432.
  EXPECT_EQ(BnbInt8WeightBytes(Weight({18432, 3072})), 56'623'104 + 73'728);
  EXPECT_EQ(BnbInt8WeightBytes(Weight({18432, 3072})), 56'696'832);
}

TEST(QuantizedBytesTest, BnbNf4IsPackedPlusAbsmaxPlusCode) {
  // ceil(n/2) + 4*ceil(n/64) + 64 (fp32[16] code), internals §6.1.
  EXPECT_EQ(BnbNf4WeightBytes(kSquare), 4'718'592 + 589'824 + 64);
  EXPECT_EQ(BnbNf4WeightBytes(kSquare), 5'308'480);
  // Odd element count: ceil(15/2) = 8, ceil(15/64) = 1 block of absmax.
  EXPECT_EQ(BnbNf4WeightBytes(Weight({3, 5})), 8 + 4 + 64);
  // 65 elements: two absmax blocks.
  EXPECT_EQ(BnbNf4WeightBytes(Weight({5, 13})), 33 + 8 + 64);
}

TEST(QuantizedBytesTest, TorchaoInt8IsQdataPlusFp32RowScale) {
  EXPECT_EQ(TorchaoInt8WeightBytes(kSquare), 9'449'472);
  EXPECT_EQ(TorchaoInt8WeightBytes(Weight({10, 7})), 70 + 40);
}

TEST(QuantizedBytesTest, TorchaoFp8IsQdataPlusFp32RowScale) {
  EXPECT_EQ(TorchaoFp8WeightBytes(kSquare), 9'449'472);
  EXPECT_EQ(TorchaoFp8WeightBytes(Weight({18432, 3072})), 56'696'832);
}

TEST(QuantizedBytesTest, TorchaoInt4IsHalfBytePlusScaleAndZeroPerGroup) {
  // N*K/2 + 2 * (K/128 * N) * itemsize: 4,718,592 + 2 * 73,728 * 2.
  EXPECT_EQ(TorchaoInt4WeightBytes(kSquare, kSquare.bytes, 2), 4'718'592 + 294'912);
  EXPECT_EQ(TorchaoInt4WeightBytes(kSquare, kSquare.bytes, 2), 5'013'504);
  // fp32 weights: scale and zero point are fp32 too. 256x256: 32,768 +
  // 2 * 512 * 4.
  const TensorInfo small = Weight({256, 256}, DType::kF32, 4);
  EXPECT_EQ(TorchaoInt4WeightBytes(small, small.bytes, 4), 32'768 + 4'096);
}

TEST(QuantizedBytesTest, TorchaoInt4LeavesKNotMultipleOf128Unquantized) {
  // K = 3000, 3000 % 128 = 56: left in the weight dtype (internals §6.2).
  const TensorInfo odd = Weight({64, 3000});
  EXPECT_EQ(odd.bytes, 384'000);
  EXPECT_EQ(TorchaoInt4WeightBytes(odd, odd.bytes, 2), 384'000);
  // K = 64 < 128 as well.
  const TensorInfo narrow = Weight({128, 64});
  EXPECT_EQ(TorchaoInt4WeightBytes(narrow, 12'345, 2), 12'345);
  // A 1-D tensor has no input dimension: resident bytes.
  const TensorInfo bias = Weight({3072});
  EXPECT_EQ(TorchaoInt4WeightBytes(bias, bias.bytes, 2), 6'144);
}

TEST(QuantizedBytesTest, CudaAllocationRoundsUpTo512) {
  EXPECT_EQ(CudaAllocationBytes(0), 0);
  EXPECT_EQ(CudaAllocationBytes(1), 512);
  EXPECT_EQ(CudaAllocationBytes(512), 512);
  EXPECT_EQ(CudaAllocationBytes(513), 1024);
  EXPECT_EQ(CudaAllocationBytes(-5), 0);
}

TEST(QuantizedBytesTest, PinnedHostRoundsUpToPowerOfTwo) {
  EXPECT_EQ(PinnedHostBytes(0), 0);
  EXPECT_EQ(PinnedHostBytes(1), 1);
  EXPECT_EQ(PinnedHostBytes(3), 4);
  EXPECT_EQ(PinnedHostBytes(4096), 4096);
  EXPECT_EQ(PinnedHostBytes(4097), 8192);
  // A FLUX ff.net.0.proj weight, 12288 x 3072 bf16 = 72 MiB, pins 128 MiB.
  EXPECT_EQ(PinnedHostBytes(75'497'472), 134'217'728);
}

}  // namespace
}  // namespace pipefit
