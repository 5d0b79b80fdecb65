// The multi-GPU pieces that need no pipeline: diffusers' balanced
// placement, the context-parallel time formula and the class table.
#include "pipefit/plan/parallel.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

using Map = std::vector<std::pair<std::string, int>>;

TEST(BalancedDeviceMapTest, LargestFirstOverAZigZagOfTheGpus) {
  // FLUX.1-dev at bf16 on 2 x 24 GiB: the transformer on 0, T5 and CLIP on 1
  // (the cycle is 0, 1, 1, 0), the VAE back on 0 beside the transformer.
  const Map map = BalancedDeviceMap({{"text_encoder", 246 * kMiB},
                                     {"text_encoder_2", 9083 * kMiB},
                                     {"transformer", 22700 * kMiB},
                                     {"vae", 160 * kMiB}},
                                    {24 * kGiB, 24 * kGiB});
  EXPECT_EQ(map, (Map{{"transformer", 0}, {"text_encoder_2", 1}, {"text_encoder", 1}, {"vae", 0}}));
}

TEST(BalancedDeviceMapTest, AComponentThatDoesNotFitStaysOnTheCpuAndTheCycleWaits) {
  // 30 GiB does not fit GPU 0's 24: "cpu", and the next component still
  // takes GPU 0 (the index does not advance, pipeline_loading_utils.py).
  const Map map = BalancedDeviceMap({{"a", 30 * kGiB}, {"b", 20 * kGiB}, {"c", 10 * kGiB}, {"d", 5 * kGiB}},
                                    {24 * kGiB, 12 * kGiB});
  EXPECT_EQ(map, (Map{{"a", -1}, {"b", 0}, {"c", 1}, {"d", -1}}));
  // d (5 GiB) meets GPU 1 again (cycle 0, 1, 1, 0) with 2 GiB left: cpu.
}

TEST(BalancedDeviceMapTest, TheLargestGpuComesFirstWhateverItsPosition) {
  // Budgets 12, 40, 24 GiB: the order is positions 1, 2, 0, then back 0, 2, 1.
  const Map map = BalancedDeviceMap(
      {{"a", 30 * kGiB}, {"b", 20 * kGiB}, {"c", 10 * kGiB}, {"d", 9 * kGiB}, {"e", 8 * kGiB}},
      {12 * kGiB, 40 * kGiB, 24 * kGiB});
  // a -> 1 (10 left); b -> 2 (4 left); c -> 0 (2 left); d -> 0: does not
  // fit, cpu, the cycle waits; e -> 0: cpu again.
  EXPECT_EQ(map, (Map{{"a", 1}, {"b", 2}, {"c", 0}, {"d", -1}, {"e", -1}}));
}

TEST(BalancedDeviceMapTest, EqualSizesKeepTheirOrderAndNoGpuMeansCpu) {
  EXPECT_EQ(BalancedDeviceMap({{"x", kGiB}, {"y", kGiB}, {"z", kGiB}}, {8 * kGiB, 8 * kGiB, 8 * kGiB}),
            (Map{{"x", 0}, {"y", 1}, {"z", 2}}));
  EXPECT_EQ(BalancedDeviceMap({{"x", kGiB}}, {}), (Map{{"x", -1}}));
}

TEST(ContextParallelTimeTest, DividesOnlyTheDenoiserComputeAndAddsTheLink) {
  const LinkSpeed link{.bytes_per_second = 10e9, .latency_seconds = 1e-5};
  // 20 s single: 16 s denoise compute, 4 s of text encoders, VAE, transfers.
  const ParallelTime t = ContextParallelTime({.single_seconds = 20,
                                              .compute_seconds = 16,
                                              .degree = 4,
                                              .efficiency = 0.8,
                                              .bytes_per_step = 1e9,
                                              .collectives_per_step = 100,
                                              .steps = 10},
                                             link);
  // 10 steps x (1e9 / 10e9 + 100 x 1e-5) = 10 x 0.101 = 1.01 s.
  EXPECT_DOUBLE_EQ(t.communication_seconds, 1.01);
  // 4 + 16 / (4 x 0.8) + 1.01 = 4 + 5 + 1.01.
  EXPECT_DOUBLE_EQ(t.seconds, 10.01);
}

TEST(ContextParallelClassTest, TheNineClassesWithACpPlan) {
  for (const char* name :
       {"FluxTransformer2DModel", "Flux2Transformer2DModel", "QwenImageTransformer2DModel",
        "WanTransformer3DModel", "LTXVideoTransformer3DModel", "LTX2VideoTransformer3DModel",
        "ChronoEditTransformer3DModel", "HeliosTransformer3DModel", "MiniMaxH3Transformer3DModel"}) {
    EXPECT_NE(FindContextParallelClass(name), nullptr) << name;
  }
  EXPECT_TRUE(FindContextParallelClass("FluxTransformer2DModel")->splits_text);
  EXPECT_FALSE(
      FindContextParallelClass("WanTransformer3DModel")->splits_text);  // cross-attention text kept whole
  EXPECT_EQ(FindContextParallelClass("SD3Transformer2DModel"), nullptr);
  EXPECT_EQ(FindContextParallelClass("HunyuanVideoTransformer3DModel"), nullptr);
}

TEST(ContextParallelTest, EfficiencyIsFittedPerKind) {
  EXPECT_DOUBLE_EQ(ContextParallelComputeEfficiency(ParallelKind::kUlysses), 1.0);
  EXPECT_DOUBLE_EQ(ContextParallelComputeEfficiency(ParallelKind::kRing), 0.88);
}

}  // namespace
}  // namespace pipefit
