#include "pipefit/plan/time_model.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/plan/time_classes.h"

namespace pipefit {
namespace {

using ::testing::DoubleNear;

// Every expected value below is recomputed by hand from the formula in
// time_model.h and the constants time_model.cc documents with their
// measurements.md rows:
// A test GPU row has no architecture, so it is in the "other" class, whose
// guessed efficiency is the Hopper class's 0.516 (rows 23, 25).
constexpr double kEfficiency = 0.516;    // share of dense TFLOPS reached
constexpr double kOverheadH100 = 0.144;  // s per 1024x1024 image on an H100 SXM
constexpr double kH100Tflops = 989.4;
constexpr double kUnetFlopsPerParamPixel = 0.109;
constexpr double kPageableModel = 0.094;     // model offload's share of PCIe
constexpr double kPageableModule = 0.148;    // sequential / group offload without streams
constexpr double kPinnedStream = 0.406;      // group offload with streams
constexpr double kLowMemStream = 0.406 / 2;  // ... with low_cpu_mem_usage

// Exact formulas carry only floating-point rounding.
auto Near(double expected) { return DoubleNear(expected, std::abs(expected) * 1e-9 + 1e-12); }

// A synthetic pipeline measured in decimal bytes (allocated = bytes, so
// allocator rounding adds nothing): a 10 GB transformer of 1e9 parameters,
// width 1000, 10 blocks, 2x2 patches; a 3.5 GB text encoder; a 0.5 GB VAE
// with 8x spatial scale; a scheduler without weights.
constexpr double kTransformer = 10e9;
constexpr double kTextEncoder = 3.5e9;
constexpr double kVae = 0.5e9;
constexpr double kOthers = kTextEncoder + kVae;  // 4 GB moved once per call

// 1024x1024 / (8 x 2) = 64 x 64 = 4096 image tokens + 512 text tokens = 4608.
// linear 2 x 1e9 x 4608 = 9.216e12; attention 4 x 4608^2 x 1000 x 10 =
// 8.4934656e11; one image, no guidance batch.
constexpr double kStepFlops = 9.216e12 + 8.4934656e11;

// The test GPU: 100 dense TFLOPS, PCIe 4.0 x16 (16 x 1.969 GB/s).
constexpr double kTflops = 100;
constexpr double kBandwidth = 16 * 1.969e9;
constexpr double kStep = kStepFlops / (kTflops * 1e12 * kEfficiency);          // 0.19506 s
constexpr double kOverhead = kOverheadH100 * 1.0 * 1 * kH100Tflops / kTflops;  // 1 MP, batch 1: 1.4247 s
constexpr int kSteps = 28;

ComponentMeasurement Measured(const std::string& name, ModelRole role, double bytes) {
  ComponentMeasurement m;
  m.name = name;
  m.role = role;
  m.format = WeightFormat::kSafetensors;
  m.bytes = static_cast<int64_t>(bytes);
  m.stored_bytes = m.bytes;
  m.allocated_bytes = m.bytes;
  m.layerwise_fp8_bytes = m.bytes;
  m.int8_bytes = m.bytes;
  m.nf4_bytes = m.bytes;
  m.torchao_int8_bytes = m.bytes;
  m.torchao_fp8_bytes = m.bytes;
  m.torchao_int4_bytes = m.bytes;
  return m;
}

GpuSpec TestGpu(double tflops = kTflops) {
  GpuSpec gpu;
  gpu.id = "test-gpu";
  gpu.dense_tflops = tflops;
  gpu.pcie_generation = 4;
  gpu.pcie_width = 16;
  return gpu;
}

PlanContext Context(const GpuSpec* gpu) {
  PlanContext ctx;
  ComponentMeasurement transformer = Measured("transformer", ModelRole::kDenoiser, kTransformer);
  transformer.int8_bytes = 5'500'000'000;
  transformer.nf4_bytes = 3'000'000'000;
  ComponentMeasurement text_encoder = Measured("text_encoder", ModelRole::kTextEncoder, kTextEncoder);
  text_encoder.int8_bytes = 2'000'000'000;
  ComponentMeasurement scheduler;
  scheduler.name = "scheduler";  // WeightFormat::kNone: nothing to move
  ctx.measurement.components = {transformer, text_encoder, Measured("vae", ModelRole::kVae, kVae), scheduler};
  ctx.denoiser = 0;
  ctx.vae = 2;
  ctx.facts.denoiser.name = "transformer";
  ctx.facts.denoiser.params = 1'000'000'000;
  ctx.facts.denoiser.hidden = 1000;
  ctx.facts.denoiser.heads = 10;
  ctx.facts.denoiser.layers = 10;
  ctx.facts.denoiser.patch = 2;
  ctx.facts.vae.name = "vae";
  ctx.facts.vae.spatial_scale = 8;
  ctx.workload.height = 1024;
  ctx.workload.width = 1024;
  ctx.workload.steps = kSteps;
  ctx.workload.text_tokens = 512;
  ctx.gpu = gpu;
  return ctx;
}

Candidate Make(WeightsKind weights, Placement placement, std::vector<std::string> quantized = {}) {
  Candidate c;
  c.weights = weights;
  c.placement = placement;
  c.quantized_components = std::move(quantized);
  return c;
}

// --- PcieBytesPerSecond -----------------------------------------------------

TEST(PcieBytesPerSecondTest, PciSigPerLaneRatesTimesWidth) {
  EXPECT_THAT(PcieBytesPerSecond(3, 16), Near(16 * 0.985e9));  // 15.76 GB/s
  EXPECT_THAT(PcieBytesPerSecond(4, 16), Near(31.504e9));
  EXPECT_THAT(PcieBytesPerSecond(5, 16), Near(63.008e9));
  EXPECT_THAT(PcieBytesPerSecond(5, 8), Near(31.504e9));  // RTX 5060 Ti: gen 5 x8 = gen 4 x16
  EXPECT_THAT(PcieBytesPerSecond(4, 4), Near(4 * 1.969e9));
}

// --- DenoiserStepFlops ------------------------------------------------------

TEST(DenoiserStepFlopsTest, TransformerLinearPlusAttention) {
  GpuSpec gpu = TestGpu();
  PlanContext ctx = Context(&gpu);
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(kStepFlops));
  // Every image of the batch, the CFG batch and each CFG pass costs a step.
  ctx.workload.batch = 2;
  ctx.workload.guidance_batch = 2;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(4 * kStepFlops));
  ctx.workload.guidance_passes = 2;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(8 * kStepFlops));
}

TEST(DenoiserStepFlopsTest, FluxDevStepIsTheOneTheEfficiencyIsFittedOn) {
  // FLUX.1-dev: 23,802,816,640 bf16 bytes = 11,901,408,320 parameters,
  // 24 heads x 128 = 3072 wide, 19 + 38 = 57 blocks, 2x2 patches, 4608 tokens.
  PlanContext ctx = Context(nullptr);
  ctx.facts.denoiser.params = 11'901'408'320;
  ctx.facts.denoiser.hidden = 3072;
  ctx.facts.denoiser.layers = 57;
  // linear 2 x 11,901,408,320 x 4608 = 109,683,379,077,120; attention
  // 4 x 4608^2 x 3072 x 57 = 14,872,398,004,224; time_model.cc quotes the
  // sum as 1.2456e14.
  const double flux_step = 109'683'379'077'120.0 + 14'872'398'004'224.0;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(flux_step));
  EXPECT_THAT(DenoiserStepFlops(ctx), DoubleNear(1.2456e14, 0.00005e14));
}

TEST(DenoiserStepFlopsTest, UnetFlopsPerParameterAndLatentPixel) {
  // SDXL (row 60): 2.567e9 UNet parameters, 1024 / 8 = 128 x 128 latent
  // pixels, batch 4 with CFG = 8 images per step.
  PlanContext ctx = Context(nullptr);
  ctx.facts.denoiser.unet = true;
  ctx.facts.denoiser.params = 2'567'000'000;
  ctx.workload.batch = 4;
  ctx.workload.guidance_batch = 2;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(kUnetFlopsPerParamPixel * 2.567e9 * 16384 * 8));
  // Latent pixels follow the VAE's scale: 16x gives 64 x 64.
  ctx.facts.vae.spatial_scale = 16;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(kUnetFlopsPerParamPixel * 2.567e9 * 4096 * 8));
}

TEST(DenoiserStepFlopsTest, UnknownArchitectureCountsAFluxLikePatchGrid) {
  // No width read from the config: 16-pixel tokens, linear term only.
  PlanContext ctx = Context(nullptr);
  ctx.facts.denoiser.hidden = 0;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(2 * 1e9 * (64 * 64)));
  // Video: frames / 4 + 1 latent frames (9 frames: 3).
  ctx.workload.frames = 9;
  EXPECT_THAT(DenoiserStepFlops(ctx), Near(2 * 1e9 * (64 * 64 * 3)));
}

// --- EstimateTime -----------------------------------------------------------

TEST(EstimateTimeTest, FullWeightsOnTheGpuIsComputePlusOverhead) {
  GpuSpec gpu = TestGpu();
  const TimeEstimate t = EstimateTime(Context(&gpu), Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_FALSE(t.reference_gpu);
  EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep));  // 5.4618 s
  EXPECT_EQ(t.transfer_seconds, 0.0);
  EXPECT_THAT(t.seconds, Near(kSteps * kStep + kOverhead));  // 6.8866 s
}

TEST(EstimateTimeTest, OverheadScalesWithPixelsFramesAndBatch) {
  GpuSpec gpu = TestGpu();
  PlanContext ctx = Context(&gpu);
  ctx.workload.height = 512;
  ctx.workload.width = 512;
  ctx.workload.batch = 3;
  const TimeEstimate image = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  // 0.25 megapixels x 3 images.
  EXPECT_THAT(image.seconds - image.compute_seconds, Near(kOverheadH100 * 0.25 * 3 * kH100Tflops / kTflops));
  ctx.workload.frames = 5;
  const TimeEstimate video = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_THAT(video.seconds - video.compute_seconds,
              Near(kOverheadH100 * 0.25 * 5 * 3 * kH100Tflops / kTflops));
}

TEST(EstimateTimeTest, FluxDevOnH100MatchesThePublishedTimes) {
  // Rows 23 and 25: FLUX.1-dev 50 steps 12.339 s, FLUX.1-schnell 4 steps
  // 1.120 s on an H100 SXM (989.4 TFLOPS), 1024x1024.
  GpuSpec h100 = TestGpu(kH100Tflops);
  PlanContext ctx = Context(&h100);
  ctx.facts.denoiser.params = 11'901'408'320;
  ctx.facts.denoiser.hidden = 3072;
  ctx.facts.denoiser.layers = 57;
  const double step = (109'683'379'077'120.0 + 14'872'398'004'224.0) / (kH100Tflops * 1e12 * kEfficiency);
  ctx.workload.steps = 50;
  const TimeEstimate dev = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_THAT(dev.seconds, Near(50 * step + kOverheadH100));
  EXPECT_THAT(dev.seconds, DoubleNear(12.339, 12.339 * 0.001));
  ctx.workload.steps = 4;
  const TimeEstimate schnell = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_THAT(schnell.seconds, Near(4 * step + kOverheadH100));
  EXPECT_THAT(schnell.seconds, DoubleNear(1.120, 1.120 * 0.005));
}

TEST(EstimateTimeTest, SdxlUnetStepOnA100MatchesTheFittedConstant) {
  // Row 60: SDXL on an A100 40GB (312 TFLOPS), batch 4 with CFG, 50 steps:
  // 0.228 s per step is what kUnetFlopsPerParamPixel is fitted to.
  GpuSpec a100 = TestGpu(312);
  PlanContext ctx = Context(&a100);
  ctx.facts.denoiser.unet = true;
  ctx.facts.denoiser.params = 2'567'000'000;
  ctx.workload.batch = 4;
  ctx.workload.guidance_batch = 2;
  ctx.workload.steps = 50;
  const TimeEstimate t = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_THAT(t.compute_seconds,
              Near(50 * kUnetFlopsPerParamPixel * 2.567e9 * 16384 * 8 / (312e12 * kEfficiency)));
  EXPECT_THAT(t.compute_seconds, DoubleNear(50 * 0.228, 50 * 0.228 * 0.002));
}

TEST(EstimateTimeTest, ModelOffloadMovesEveryModelThereAndBackOncePerCall) {
  GpuSpec gpu = TestGpu();
  const TimeEstimate t = EstimateTime(Context(&gpu), Make(WeightsKind::kFull, Placement::kModelOffload));
  // 2 x 14 GB at 0.094 of 31.504 GB/s = 9.455 s.
  const double transfer = 2 * (kTransformer + kOthers) / (kBandwidth * kPageableModel);
  EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep));
  EXPECT_THAT(t.transfer_seconds, Near(transfer));
  EXPECT_THAT(t.seconds, Near(kSteps * kStep + transfer + kOverhead));
}

TEST(EstimateTimeTest, SequentialOffloadMovesTheDenoiserEveryStep) {
  GpuSpec gpu = TestGpu();
  const TimeEstimate t = EstimateTime(Context(&gpu), Make(WeightsKind::kFull, Placement::kSequentialOffload));
  const double rate = kBandwidth * kPageableModule;
  EXPECT_THAT(t.transfer_seconds, Near(kSteps * kTransformer / rate + kOthers / rate));
  EXPECT_THAT(t.seconds, Near(kSteps * kStep + kSteps * kTransformer / rate + kOthers / rate + kOverhead));
}

TEST(EstimateTimeTest, GroupOffloadWithoutStreamsCopiesBothWays) {
  GpuSpec gpu = TestGpu();
  const double rate = kBandwidth * kPageableModule;
  for (Placement p : {Placement::kGroupBlock, Placement::kGroupLeaf}) {
    const TimeEstimate t = EstimateTime(Context(&gpu), Make(WeightsKind::kFull, p));
    EXPECT_THAT(t.transfer_seconds, Near(kSteps * 2 * kTransformer / rate + 2 * kOthers / rate))
        << PlacementId(p);
    EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep)) << PlacementId(p);
  }
}

TEST(EstimateTimeTest, StreamsHideTransfersBehindComputeUpToTheSlowerOfTheTwo) {
  const double rate = kBandwidth * kPinnedStream;  // 12.79 GB/s
  // Transfer-bound: 10 GB / 12.79 GB/s = 0.782 s per step > 0.195 s compute.
  GpuSpec fast = TestGpu();
  for (Placement p : {Placement::kGroupBlockStream, Placement::kGroupLeafStream}) {
    const TimeEstimate t = EstimateTime(Context(&fast), Make(WeightsKind::kFull, p));
    EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep)) << PlacementId(p);
    EXPECT_THAT(t.transfer_seconds, Near(kSteps * (kTransformer / rate - kStep) + kOthers / rate))
        << PlacementId(p);
    EXPECT_THAT(t.seconds, Near(kSteps * kTransformer / rate + kOthers / rate + kOverhead)) << PlacementId(p);
  }
  // Compute-bound: at 10 TFLOPS a step takes 1.951 s > 0.782 s, so only
  // the once-per-call models' traffic shows.
  GpuSpec slow = TestGpu(10);
  const double slow_step = kStepFlops / (10e12 * kEfficiency);
  const TimeEstimate t = EstimateTime(Context(&slow), Make(WeightsKind::kFull, Placement::kGroupLeafStream));
  EXPECT_THAT(t.transfer_seconds, Near(kOthers / rate));
  EXPECT_THAT(t.seconds, Near(kSteps * slow_step + kOthers / rate + kOverheadH100 * kH100Tflops / 10));
}

TEST(EstimateTimeTest, PartialResidencyHidesEachStreamedBlockBehindItsOwnCompute) {
  // Eight 1 GB blocks (the other 2 GB outside them), six resident: 2 GB
  // streamed per step, and those blocks are 20% of the step's compute.
  GpuSpec fast = TestGpu();
  PlanContext ctx = Context(&fast);
  for (int i = 0; i < 8; ++i) {
    ctx.measurement.components[0].block_list.push_back({.name = "transformer_blocks." + std::to_string(i),
                                                        .bytes = 1'000'000'000,
                                                        .fp8_bytes = 500'000'000,
                                                        .allocated_bytes = 1'000'000'000,
                                                        .pinned_bytes = 1'073'741'824});
  }
  Candidate c = Make(WeightsKind::kFull, Placement::kPartialResident);
  c.resident_blocks = 6;
  const double rate = kBandwidth * kPinnedStream;
  // Transfer-bound: 2 GB / 12.79 GB/s = 0.156 s per step against the
  // streamed blocks' 0.039 s; the resident blocks' 0.156 s hides nothing.
  TimeEstimate t = EstimateTime(ctx, c);
  EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep));
  EXPECT_THAT(t.transfer_seconds, Near(kSteps * (2e9 / rate - 0.2 * kStep) + kOthers / rate));
  // More blocks resident, less traffic; all resident, only the other models move.
  c.resident_blocks = 8;
  t = EstimateTime(ctx, c);
  EXPECT_THAT(t.transfer_seconds, Near(kOthers / rate));
  // Compute-bound (10 TFLOPS): the streamed blocks' 0.39 s covers their copy.
  GpuSpec slow = TestGpu(10);
  ctx.gpu = &slow;
  c.resident_blocks = 6;
  t = EstimateTime(ctx, c);
  EXPECT_THAT(t.transfer_seconds, Near(kOthers / rate));
}

TEST(EstimateTimeTest, LowMemStreamsMoveAtHalfThePinnedRate) {
  GpuSpec gpu = TestGpu();
  const double rate = kBandwidth * kLowMemStream;  // 6.395 GB/s: 1.564 s per step
  const TimeEstimate t =
      EstimateTime(Context(&gpu), Make(WeightsKind::kFull, Placement::kGroupLeafStreamLowmem));
  EXPECT_THAT(t.transfer_seconds, Near(kSteps * (kTransformer / rate - kStep) + kOthers / rate));
}

TEST(EstimateTimeTest, ComponentsKeptOnTheGpuAreNotMoved) {
  GpuSpec gpu = TestGpu();
  Candidate c = Make(WeightsKind::kFull, Placement::kGroupLeafStream);
  c.group_offload_exclude = {"text_encoder"};
  const double rate = kBandwidth * kPinnedStream;
  const TimeEstimate t = EstimateTime(Context(&gpu), c);
  EXPECT_THAT(t.transfer_seconds, Near(kSteps * (kTransformer / rate - kStep) + kVae / rate));
}

TEST(EstimateTimeTest, QuantizationKernelsSlowTheDenoisingLoop) {
  // 50-step FLUX.1-dev on an H100 against bf16's 12 s (rows 1-6, 13).
  const std::pair<WeightsKind, double> slowdowns[] = {
      {WeightsKind::kFp8Layerwise, 13.0 / 12}, {WeightsKind::kBnbNf4, 12.0 / 12},
      {WeightsKind::kBnbInt8, 27.0 / 12},      {WeightsKind::kTorchaoInt8wo, 15.0 / 12},
      {WeightsKind::kTorchaoFp8wo, 15.0 / 12}, {WeightsKind::kTorchaoInt4wo, 109.0 / 12},
  };
  GpuSpec gpu = TestGpu();
  for (const auto& [weights, factor] : slowdowns) {
    const TimeEstimate t = EstimateTime(Context(&gpu), Make(weights, Placement::kGpu, {"transformer"}));
    EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep * factor)) << WeightsId(weights);
    EXPECT_EQ(t.transfer_seconds, 0.0) << WeightsId(weights);
    EXPECT_THAT(t.seconds, Near(kSteps * kStep * factor + kOverhead)) << WeightsId(weights);
  }
}

TEST(EstimateTimeTest, GgufKernelsByQuantType) {
  // Q8_0 15 s (row 11), Q4_1 23 s (row 10), Q2_K 26 s (row 12); others by
  // nearest bits per weight.
  const std::pair<DType, double> slowdowns[] = {
      {DType::kQ8_0, 15.0 / 12}, {DType::kBF16, 15.0 / 12}, {DType::kQ4_1, 23.0 / 12},
      {DType::kQ4_K, 23.0 / 12}, {DType::kQ5_K, 23.0 / 12}, {DType::kQ2_K, 26.0 / 12},
      {DType::kQ3_K, 26.0 / 12},
  };
  GpuSpec gpu = TestGpu();
  for (const auto& [type, factor] : slowdowns) {
    PlanContext ctx = Context(&gpu);
    ctx.gguf_type = type;
    ctx.denoiser_gguf = true;
    const TimeEstimate t = EstimateTime(ctx, Make(WeightsKind::kGguf, Placement::kGpu, {"transformer"}));
    EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep * factor)) << static_cast<int>(type);
  }
}

TEST(EstimateTimeTest, QuantizedComponentsMoveTheirQuantizedBytes) {
  GpuSpec gpu = TestGpu();
  const double rate = kBandwidth * kPageableModel;
  // bnb int8 transformer (5.5 GB) with model offload; the 27/12 kernel slowdown stays.
  TimeEstimate t =
      EstimateTime(Context(&gpu), Make(WeightsKind::kBnbInt8, Placement::kModelOffload, {"transformer"}));
  EXPECT_THAT(t.transfer_seconds, Near(2 * (5.5e9 + kOthers) / rate));
  EXPECT_THAT(t.compute_seconds, Near(kSteps * kStep * 27 / 12));
  // ... and the text encoder quantized too (2 GB).
  t = EstimateTime(Context(&gpu),
                   Make(WeightsKind::kBnbInt8, Placement::kModelOffload, {"transformer", "text_encoder"}));
  EXPECT_THAT(t.transfer_seconds, Near(2 * (5.5e9 + 2e9 + kVae) / rate));
}

TEST(EstimateTimeTest, TrafficIncludesAllocatorRoundingProRata) {
  GpuSpec gpu = TestGpu();
  PlanContext ctx = Context(&gpu);
  ctx.measurement.components[0].allocated_bytes = 10'100'000'000;  // 0.1 GB of rounding at bf16
  const double rate = kBandwidth * kPageableModel;
  TimeEstimate t = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kModelOffload));
  EXPECT_THAT(t.transfer_seconds, Near(2 * (10.1e9 + kOthers) / rate));
  // nf4 (3 GB) keeps 3/10 of it.
  t = EstimateTime(ctx, Make(WeightsKind::kBnbNf4, Placement::kModelOffload, {"transformer"}));
  EXPECT_THAT(t.transfer_seconds, Near(2 * (3.03e9 + kOthers) / rate));
}

TEST(EstimateTimeTest, UnknownGpuIsTimedAsTheReferenceRtx4090) {
  // The catalog's RTX 4090 row: 165.2 dense TFLOPS, PCIe 4.0 x16, Ada
  // consumer class (efficiency 1.389, time_classes.cc).
  const GpuSpec* rtx4090 = FindGpu("rtx-4090");
  ASSERT_NE(rtx4090, nullptr);
  ASSERT_EQ(rtx4090->dense_tflops, 165.2);
  ASSERT_EQ(rtx4090->pcie_generation, 4);
  ASSERT_EQ(rtx4090->pcie_width, 16);
  const double expected = kSteps * kStepFlops / (165.2e12 * 1.389) +
                          2 * (kTransformer + kOthers) / (kBandwidth * kPageableModel) +
                          kOverheadH100 * kH100Tflops * 0.516 / (165.2 * 1.389);
  const Candidate c = Make(WeightsKind::kFull, Placement::kModelOffload);
  const TimeEstimate unknown = EstimateTime(Context(nullptr), c);
  EXPECT_TRUE(unknown.reference_gpu);
  EXPECT_EQ(unknown.gpu_class, TimeClass::kAdaConsumer);
  EXPECT_THAT(unknown.seconds, Near(expected));
  // A catalog row without a throughput figure is timed the same way.
  GpuSpec no_tflops = TestGpu(0);
  no_tflops.pcie_generation = 3;
  const TimeEstimate zero = EstimateTime(Context(&no_tflops), c);
  EXPECT_TRUE(zero.reference_gpu);
  EXPECT_THAT(zero.seconds, Near(expected));
}

// --- GPU classes --------------------------------------------------------------

TEST(TimeClassTest, CatalogGpusFallInTheirArchitectureAndMarketClass) {
  const std::pair<const char*, TimeClass> expected[] = {
      {"h100-sxm", TimeClass::kHopperDataCenter},
      {"h200", TimeClass::kHopperDataCenter},
      {"b200", TimeClass::kBlackwellDataCenter},
      {"a100-40gb", TimeClass::kAmpereDataCenter},
      {"a100-80gb-pcie", TimeClass::kAmpereDataCenter},
      {"rtx-4090", TimeClass::kAdaConsumer},
      {"rtx-4060", TimeClass::kAdaConsumer},
      {"rtx-6000-ada", TimeClass::kAdaPro},
      {"l40s", TimeClass::kAdaPro},
      {"l4", TimeClass::kAdaPro},
      {"rtx-3090", TimeClass::kAmpereConsumer},
      {"rtx-3060-12gb", TimeClass::kAmpereConsumer},
      {"rtx-a6000", TimeClass::kAmperePro},
      {"a10", TimeClass::kAmperePro},
      {"a10g", TimeClass::kAmperePro},
      {"rtx-5090", TimeClass::kBlackwellConsumer},
      {"rtx-pro-6000-blackwell", TimeClass::kBlackwellPro},
      {"t4", TimeClass::kTuringDataCenter},
      {"rtx-2080-ti", TimeClass::kTuringConsumer},
      {"mi300x", TimeClass::kOther},
      {"rx-7900-xtx", TimeClass::kOther},
  };
  for (const auto& [id, cls] : expected) {
    const GpuSpec* gpu = FindGpu(id);
    ASSERT_NE(gpu, nullptr) << id;
    EXPECT_EQ(ClassifyGpu(*gpu), cls) << id;
  }
}

TEST(TimeClassTest, FittedClassesAreTheOnesWithPublishedTimings) {
  for (const TimeClassRow& row : TimeClassRows()) {
    EXPECT_GT(row.efficiency, 0) << row.name;
    EXPECT_FALSE(row.fitted_on.empty()) << row.name;
    const bool published = row.id == TimeClass::kHopperDataCenter || row.id == TimeClass::kAmpereDataCenter ||
                           row.id == TimeClass::kAdaConsumer || row.id == TimeClass::kAdaPro;
    EXPECT_EQ(row.fitted, published) << row.name;
    if (!row.fitted) {
      EXPECT_TRUE(row.fitted_on.starts_with("guessed")) << row.name;
    }
  }
}

// FLUX.1-dev at 1024x1024 (1.24556e14 FLOPs per step) on one GPU of each
// class, 28 steps: step = FLOPs / (TFLOPS x efficiency), overhead = 0.144 s x
// (989.4 x 0.516) / (TFLOPS x efficiency). Values computed by hand from the
// efficiencies in time_classes.cc (0.516 Hopper, 0.729 A100, 1.389 GeForce
// classes, 0.595 workstation / T4 classes).
TEST(TimeClassTest, FluxDevStepAndCallPerClass) {
  struct Expected {
    const char* gpu;
    double step;
    double call;  // 28 steps + overhead
  };
  const Expected expected[] = {
      {"h100-sxm", 0.243973, 6.975252},
      {"a100-80gb", 0.547623, 15.656669},
      {"rtx-4090", 0.542815, 15.519196},
      {"rtx-6000-ada", 0.574787, 16.433293},
      {"rtx-3090", 1.263000, 36.109453},
      {"rtx-a6000", 1.352309, 38.662825},
      {"b200", 0.107283, 3.067251},
      {"rtx-5090", 0.428033, 12.237571},
      {"rtx-pro-6000-blackwell", 0.418675, 11.970011},
      {"t4", 3.220576, 92.077004},
      {"rtx-2080-ti", 1.666784, 47.653739},
      {"mi300x", 0.184631, 5.278656},
  };
  for (const Expected& e : expected) {
    const GpuSpec* gpu = FindGpu(e.gpu);
    ASSERT_NE(gpu, nullptr) << e.gpu;
    PlanContext ctx = Context(gpu);
    ctx.facts.denoiser.params = 11'901'408'320;
    ctx.facts.denoiser.hidden = 3072;
    ctx.facts.denoiser.layers = 57;
    const TimeEstimate t = EstimateTime(ctx, Make(WeightsKind::kFull, Placement::kGpu));
    EXPECT_FALSE(t.reference_gpu) << e.gpu;
    EXPECT_THAT(t.compute_seconds / kSteps, DoubleNear(e.step, 1e-6)) << e.gpu;
    EXPECT_THAT(t.seconds, DoubleNear(e.call, 1e-5)) << e.gpu;
  }
}

TEST(TimeClassTest, CompileAndAttentionBackendScaleTheStepOnly) {
  const GpuSpec* h100 = FindGpu("h100-sxm");
  const GpuSpec* a100 = FindGpu("a100-80gb");
  ASSERT_NE(h100, nullptr);
  ASSERT_NE(a100, nullptr);
  // H100: compile x0.662 (ORT rows 23-26), _flash_3_hub guessed x1.
  PlanContext ctx = Context(h100);
  const Candidate c = Make(WeightsKind::kFull, Placement::kGpu);
  const double h100_step = kStepFlops / (989.4e12 * 0.516);
  TimeEstimate t = EstimateTime(ctx, c, {.compile = true});
  EXPECT_THAT(t.compute_seconds, Near(kSteps * h100_step * 0.662));
  EXPECT_THAT(t.seconds - t.compute_seconds, Near(kOverheadH100));
  t = EstimateTime(ctx, c, {.compile = true, .attention_backend = true});
  EXPECT_THAT(t.compute_seconds, Near(kSteps * h100_step * 0.662));
  // A100: FA2 x0.911 (BENCHFLUX), compile x0.871 (rows 93-94); the
  // overhead is 0.144 x 989.4 x 0.516 / (312 x 0.729) = 0.32322 s either way.
  ctx = Context(a100);
  const double a100_step = kStepFlops / (312e12 * 0.729);
  t = EstimateTime(ctx, c, {.attention_backend = true});
  EXPECT_THAT(t.compute_seconds, Near(kSteps * a100_step * 0.911));
  EXPECT_THAT(t.seconds - t.compute_seconds, DoubleNear(0.32322, 0.00001));
  t = EstimateTime(ctx, c, {.compile = true, .attention_backend = true});
  EXPECT_THAT(t.compute_seconds, Near(kSteps * a100_step * 0.871 * 0.911));
}

TEST(TimeClassTest, TimeBasisNamesTheRowTimed) {
  TimeBasis basis = TimeBasisFor(FindGpu("t4"));
  EXPECT_FALSE(basis.reference_gpu);
  EXPECT_EQ(basis.gpu_class, TimeClass::kTuringDataCenter);
  EXPECT_FALSE(TimeClassFor(basis.gpu_class).fitted);
  basis = TimeBasisFor(nullptr);
  EXPECT_TRUE(basis.reference_gpu);
  ASSERT_NE(basis.gpu, nullptr);
  EXPECT_EQ(basis.gpu->id, "rtx-4090");
  EXPECT_EQ(basis.gpu_class, TimeClass::kAdaConsumer);
}

}  // namespace
}  // namespace pipefit
