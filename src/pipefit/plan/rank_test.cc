#include "pipefit/plan/rank.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace pipefit {
namespace {

using W = WeightsKind;
using P = Placement;

// The machine every test plans for unless it says otherwise.
constexpr Bytes kVram = 24 * kGiB;
constexpr Bytes kRam = 64 * kGiB;

struct Spec {
  W weights;
  P placement;
  Bytes vram;
  double seconds;
  Bytes ram = 16 * kGiB;
  bool tiling = false;
  bool slicing = false;
  bool te = false;
};

// A planned candidate whose `fits` follows CONTRACT.md: vram <= VRAM and
// ram <= RAM of the machine.
PlannedCandidate Planned(const Spec& s, Bytes vram = kVram, Bytes ram = kRam) {
  PlannedCandidate p;
  p.candidate.weights = s.weights;
  p.candidate.placement = s.placement;
  if (s.weights != W::kFull) p.candidate.quantized_components.push_back("transformer");
  if (s.te) p.candidate.quantized_components.push_back("text_encoder_2");
  p.candidate.vae_tiling = s.tiling;
  p.candidate.vae_slicing = s.slicing;
  p.estimate.vram = s.vram;
  p.estimate.vram_allocated = s.vram - kGiB;
  p.estimate.ram = s.ram;
  p.estimate.seconds = s.seconds;
  p.fits = s.vram <= vram && s.ram <= ram;
  return p;
}

std::vector<PlannedCandidate> Plan(const std::vector<Spec>& specs, Bytes vram = kVram, Bytes ram = kRam) {
  std::vector<PlannedCandidate> out;
  for (const Spec& s : specs) out.push_back(Planned(s, vram, ram));
  return out;
}

TEST(RankTest, PreferenceNames) {
  EXPECT_STREQ(PreferenceName(Preference::kQuality), "quality");
  EXPECT_STREQ(PreferenceName(Preference::kSpeed), "speed");
  EXPECT_STREQ(PreferenceName(Preference::kMemory), "memory");
  EXPECT_STREQ(PreferenceName(Preference::kBalanced), "balanced");
  EXPECT_EQ(ParsePreference("quality"), Preference::kQuality);
  EXPECT_EQ(ParsePreference("speed"), Preference::kSpeed);
  EXPECT_EQ(ParsePreference("memory"), Preference::kMemory);
  EXPECT_EQ(ParsePreference("balanced"), Preference::kBalanced);
  EXPECT_EQ(ParsePreference("fast"), std::nullopt);
  EXPECT_EQ(ParsePreference(""), std::nullopt);
}

TEST(RankTest, QualityPicksHighestTierThenFastest) {
  const auto all = Plan({
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},  // does not fit
      {W::kFull, P::kGroupLeaf, 6 * kGiB, 50.0},
      {W::kFull, P::kModelOffload, 22 * kGiB, 20.0},  // full, fastest fitting
      {W::kFp8Layerwise, P::kGpu, 20 * kGiB, 12.0},
      {W::kBnbNf4, P::kGpu, 10 * kGiB, 8.0},
  });
  const Recommendations r = Recommend(all, kVram, kRam);
  EXPECT_EQ(r.quality, "full+model_offload");
}

TEST(RankTest, QualityFallsToLowerTierWhenNoFullFits) {
  const auto all = Plan({
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},
      {W::kFull, P::kModelOffload, 26 * kGiB, 20.0},
      {W::kBnbNf4, P::kGpu, 10 * kGiB, 8.0},          // int4
      {W::kTorchaoInt8wo, P::kGpu, 16 * kGiB, 11.0},  // int8, slower
      {W::kBnbInt8, P::kGpu, 15 * kGiB, 9.0},         // int8, faster
  });
  EXPECT_EQ(Recommend(all, kVram, kRam).quality, "bnb_int8+gpu");
}

TEST(RankTest, SpeedPicksLowestSecondsThatFits) {
  const auto all = Plan({
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},  // fastest but does not fit
      {W::kFull, P::kModelOffload, 22 * kGiB, 20.0},
      {W::kFp8Layerwise, P::kGpu, 20 * kGiB, 12.0},
      {W::kBnbNf4, P::kGpu, 10 * kGiB, 11.0},
  });
  EXPECT_EQ(Recommend(all, kVram, kRam).speed, "bnb_nf4+gpu");
}

TEST(RankTest, MemoryPicksLowestVramThenSeconds) {
  const auto all = Plan({
      {W::kFull, P::kSequentialOffload, 4 * kGiB, 200.0},
      {W::kFull, P::kGroupLeaf, 3 * kGiB, 90.0},
      {W::kFull, P::kGroupLeafStream, 3 * kGiB, 40.0},          // same vram, faster
      {W::kBnbNf4, P::kGroupLeaf, 2 * kGiB, 100.0, 80 * kGiB},  // least vram, RAM does not fit
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},
  });
  EXPECT_EQ(Recommend(all, kVram, kRam).memory, "full+group_leaf_stream");
}

TEST(RankTest, BalancedTakesFirstInOrderUnderEightyPercent) {
  // 80% of 24 GiB = 19.2 GiB.
  const auto all = Plan({
      {W::kBnbNf4, P::kGpu, 10 * kGiB, 8.0},
      {W::kFull, P::kGroupBlock, 8 * kGiB, 40.0},
      {W::kFull, P::kModelOffload, 19 * kGiB, 20.0},  // first in order under 80%
      {W::kFp8Layerwise, P::kGpu, 22 * kGiB, 12.0},   // fits, but above 80%
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},           // does not fit
  });
  const Recommendations r = Recommend(all, kVram, kRam);
  EXPECT_EQ(r.balanced, "full+model_offload");
  EXPECT_EQ(r.speed, "bnb_nf4+gpu");
  EXPECT_EQ(r.memory, "full+group_block");
  EXPECT_EQ(r.quality, "full+model_offload");
}

TEST(RankTest, BalancedEightyPercentBoundaryIsInclusive) {
  // Exactly 80% of 10 GiB (8 GiB) passes the first round.
  const Bytes vram = 10 * kGiB;
  const auto all =
      Plan({{W::kFull, P::kGpu, 8 * kGiB + 1, 5.0}, {W::kFp8Layerwise, P::kGpu, 8 * kGiB, 6.0}}, vram);
  EXPECT_EQ(Recommend(all, vram, kRam).balanced, "fp8_layerwise+gpu");
}

TEST(RankTest, BalancedFollowsContractOrder) {
  // Every candidate is under 80%: each step of the order wins over all later ones.
  std::vector<Spec> order = {
      {W::kFull, P::kGpu, 10 * kGiB, 10.0},
      {W::kFp8Layerwise, P::kGpu, 9 * kGiB, 11.0},
      {W::kFull, P::kModelOffload, 8 * kGiB, 12.0},
      {W::kFp8Layerwise, P::kModelOffload, 7 * kGiB, 13.0},
      {W::kFull, P::kGroupLeafStream, 6 * kGiB, 14.0},
      {W::kFull, P::kGroupLeafStreamLowmem, 5 * kGiB, 15.0},
      {W::kFull, P::kGroupBlock, 4 * kGiB, 16.0},
      {W::kTorchaoFp8wo, P::kGpu, 10 * kGiB, 5.0},  // quantized: after every offload/casting step
  };
  const std::vector<std::string> ids = {"full+gpu",
                                        "fp8_layerwise+gpu",
                                        "full+model_offload",
                                        "fp8_layerwise+model_offload",
                                        "full+group_leaf_stream",
                                        "full+group_leaf_stream_lowmem",
                                        "full+group_block",
                                        "torchao_fp8wo+gpu"};
  // Listed in reverse so input order cannot be what decides.
  for (size_t first = 0; first < order.size(); ++first) {
    std::vector<Spec> specs(order.begin() + static_cast<std::ptrdiff_t>(first), order.end());
    std::vector<Spec> reversed(specs.rbegin(), specs.rend());
    EXPECT_EQ(Recommend(Plan(reversed), kVram, kRam).balanced, ids[first]) << "from step " << first;
  }
}

TEST(RankTest, BalancedFallsBackToOneHundredPercent) {
  // Nothing under 19.2 GiB: the same order at 100%.
  const auto all = Plan({
      {W::kBnbNf4, P::kGpu, 20 * kGiB, 8.0},
      {W::kFull, P::kModelOffload, 23 * kGiB, 20.0},
      {W::kFp8Layerwise, P::kGpu, 24 * kGiB, 12.0},  // exactly the card: fits
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},
  });
  EXPECT_EQ(Recommend(all, kVram, kRam).balanced, "fp8_layerwise+gpu");
}

TEST(RankTest, BalancedRequiresRamToFit) {
  // full+model_offload is light on VRAM but needs more RAM than the machine has.
  const auto all = Plan({
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},
      {W::kFull, P::kModelOffload, 10 * kGiB, 20.0, 70 * kGiB},
      {W::kFull, P::kGroupLeafStreamLowmem, 6 * kGiB, 40.0, 60 * kGiB},
  });
  const Recommendations r = Recommend(all, kVram, kRam);
  EXPECT_EQ(r.balanced, "full+group_leaf_stream_lowmem");
}

TEST(RankTest, BalancedChecksRamEvenWhenMarkedFitting) {
  // The RAM limit handed to Recommend is checked on its own.
  auto all = Plan({{W::kFull, P::kModelOffload, 10 * kGiB, 20.0, 40 * kGiB},
                   {W::kFull, P::kGroupBlock, 8 * kGiB, 40.0, 20 * kGiB}});
  for (auto& p : all) p.fits = true;
  EXPECT_EQ(Recommend(all, kVram, 32 * kGiB).balanced, "full+group_block");
}

TEST(RankTest, BalancedPrefersUnmodifiedVaeVariant) {
  // Same knobs with and without VAE modifiers, all under 80%: the plain one,
  // even when listed last and with a modifier variant being faster.
  const auto all = Plan({
      {W::kFull, P::kGpu, 15 * kGiB, 9.0, 16 * kGiB, true, true},
      {W::kFull, P::kGpu, 16 * kGiB, 9.5, 16 * kGiB, true, false},
      {W::kFull, P::kGpu, 17 * kGiB, 10.0},
  });
  EXPECT_EQ(Recommend(all, kVram, kRam).balanced, "full+gpu");
}

TEST(RankTest, BalancedTakesModifiedVariantBeforeNextStep) {
  // full+gpu is above 80% but its tiled variant is not: the tiled variant
  // comes right after full+gpu, before fp8_layerwise+gpu. One modifier comes
  // before two.
  const auto all = Plan({
      {W::kFp8Layerwise, P::kGpu, 12 * kGiB, 11.0},
      {W::kFull, P::kGpu, 18 * kGiB, 10.0, 16 * kGiB, true, true},
      {W::kFull, P::kGpu, 19 * kGiB, 10.0, 16 * kGiB, true, false},
      {W::kFull, P::kGpu, 22 * kGiB, 10.0},
  });
  EXPECT_EQ(Recommend(all, kVram, kRam).balanced, "full+gpu+vae_tiling");
}

TEST(RankTest, BalancedOrdersQuantizedByTierThenSpeed) {
  // 16 GiB card: 80% = 12.8 GiB. No offload/casting candidate fits at all.
  const Bytes vram = 16 * kGiB;
  std::vector<Spec> specs = {
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},
      {W::kFull, P::kModelOffload, 23 * kGiB, 20.0},
      {W::kBnbNf4, P::kGpu, 8 * kGiB, 5.0},                   // int4, fastest overall
      {W::kTorchaoInt8wo, P::kModelOffload, 12 * kGiB, 9.0},  // int8, under 80%
      {W::kBnbInt8, P::kGpu, 14 * kGiB, 7.0},                 // int8, faster, above 80%
      {W::kTorchaoFp8wo, P::kModelOffload, 12 * kGiB, 14.0},  // fp8: highest quantized tier
  };
  EXPECT_EQ(Recommend(Plan(specs, vram), vram, kRam).balanced, "torchao_fp8wo+model_offload");
  specs.pop_back();
  EXPECT_EQ(Recommend(Plan(specs, vram), vram, kRam).balanced, "torchao_int8wo+model_offload");
  // Within a tier the fastest under 80% wins.
  specs.push_back({W::kBnbInt8, P::kGroupLeaf, 6 * kGiB, 8.0});
  EXPECT_EQ(Recommend(Plan(specs, vram), vram, kRam).balanced, "bnb_int8+group_leaf");
  // At 100%: bnb_int8+gpu (14 GiB) is the fastest int8.
  const std::vector<Spec> big = {
      {W::kBnbNf4, P::kGpu, 13 * kGiB, 5.0},
      {W::kTorchaoInt8wo, P::kModelOffload, 15 * kGiB, 9.0},
      {W::kBnbInt8, P::kGpu, 14 * kGiB, 7.0},
  };
  EXPECT_EQ(Recommend(Plan(big, vram), vram, kRam).balanced, "bnb_int8+gpu");
}

TEST(RankTest, BalancedQuantizedTeVariantsRankBySpeed) {
  const Bytes vram = 16 * kGiB;
  const auto all = Plan(
      {
          {W::kBnbNf4, P::kGpu, 12 * kGiB, 6.0},
          {W::kBnbNf4, P::kGpu, 8 * kGiB, 5.5, 16 * kGiB, false, false, true},
      },
      vram);
  EXPECT_EQ(Recommend(all, vram, kRam).balanced, "bnb_nf4+gpu+te");
}

TEST(RankTest, BalancedPrefersUnmodifiedQuantizedVariant) {
  // The time model gives VAE variants the same seconds; the unmodified one
  // must still come first, whatever the input order.
  const Bytes vram = 16 * kGiB;
  const auto all = Plan(
      {
          {W::kBnbNf4, P::kGpu, 7 * kGiB, 6.0, 16 * kGiB, true, false},
          {W::kBnbNf4, P::kGpu, 8 * kGiB, 6.0},
      },
      vram);
  const std::optional<std::string> balanced = Recommend(all, vram, kRam).balanced;
  EXPECT_EQ(balanced, "bnb_nf4+gpu");
}

TEST(RankTest, NothingFitsGivesNoRecommendation) {
  const auto all = Plan({
      {W::kFull, P::kGpu, 30 * kGiB, 10.0},
      {W::kFull, P::kGroupLeaf, 6 * kGiB, 50.0, 100 * kGiB},  // RAM too small
      {W::kBnbNf4, P::kGpu, 25 * kGiB, 8.0},
  });
  const Recommendations r = Recommend(all, kVram, kRam);
  EXPECT_EQ(r.quality, std::nullopt);
  EXPECT_EQ(r.speed, std::nullopt);
  EXPECT_EQ(r.memory, std::nullopt);
  EXPECT_EQ(r.balanced, std::nullopt);
  for (Preference p :
       {Preference::kQuality, Preference::kSpeed, Preference::kMemory, Preference::kBalanced}) {
    EXPECT_EQ(RecommendationFor(r, p), std::nullopt);
  }
  const Recommendations empty = Recommend({}, kVram, kRam);
  EXPECT_EQ(empty.quality, std::nullopt);
  EXPECT_EQ(empty.balanced, std::nullopt);
}

TEST(RankTest, RecommendationForReturnsEachField) {
  Recommendations r;
  r.quality = "a";
  r.speed = "b";
  r.memory = "c";
  r.balanced = "d";
  EXPECT_EQ(RecommendationFor(r, Preference::kQuality), "a");
  EXPECT_EQ(RecommendationFor(r, Preference::kSpeed), "b");
  EXPECT_EQ(RecommendationFor(r, Preference::kMemory), "c");
  EXPECT_EQ(RecommendationFor(r, Preference::kBalanced), "d");
}

TEST(RankTest, ComputeShortfall) {
  const auto all = Plan({
      {W::kFull, P::kGpu, 30 * kGiB, 10.0, 20 * kGiB},
      {W::kFull, P::kGroupLeaf, 6 * kGiB, 50.0, 100 * kGiB},
      {W::kBnbNf4, P::kGpu, 25 * kGiB, 8.0, 18 * kGiB},
      {W::kFull, P::kSequentialOffload, 6 * kGiB, 500.0, 90 * kGiB},  // ties the least VRAM: first one kept
  });
  const Shortfall s = ComputeShortfall(all);
  EXPECT_EQ(s.min_vram, 6 * kGiB);
  EXPECT_EQ(s.ram_at_min_vram, 100 * kGiB);
  EXPECT_EQ(s.min_vram_candidate, "full+group_leaf");
  EXPECT_EQ(s.min_ram, 18 * kGiB);
  EXPECT_EQ(s.min_ram_candidate, "bnb_nf4+gpu");
  const Shortfall none = ComputeShortfall({});
  EXPECT_EQ(none.min_vram, 0);
  EXPECT_EQ(none.min_ram, 0);
  EXPECT_EQ(none.min_vram_candidate, "");
}

}  // namespace
}  // namespace pipefit
