#include "pipefit/plan/candidate.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace pipefit {
namespace {

Candidate Make(WeightsKind weights, Placement placement, std::vector<std::string> quantized = {},
               bool tiling = false, bool slicing = false) {
  Candidate c;
  c.weights = weights;
  c.placement = placement;
  c.quantized_components = std::move(quantized);
  c.vae_tiling = tiling;
  c.vae_slicing = slicing;
  if (placement == Placement::kPartialResident) c.resident_blocks = 12;
  return c;
}

TEST(CandidateTest, IdNamesWeightsThenPlacement) {
  EXPECT_EQ(Candidate{}.Id(), "full+gpu");
  EXPECT_EQ(Make(WeightsKind::kFull, Placement::kModelOffload).Id(), "full+model_offload");
  EXPECT_EQ(Make(WeightsKind::kFp8Layerwise, Placement::kGroupLeafStreamLowmem, {"transformer"}).Id(),
            "fp8_layerwise+group_leaf_stream_lowmem");
  EXPECT_EQ(Make(WeightsKind::kTorchaoInt4wo, Placement::kGroupBlockStream, {"transformer"}).Id(),
            "torchao_int4wo+group_block_stream");
  EXPECT_EQ(Make(WeightsKind::kFull, Placement::kSequentialOffload).Id(), "full+sequential_offload");
}

TEST(CandidateTest, IdAppendsVaeModifiersTilingBeforeSlicing) {
  EXPECT_EQ(Make(WeightsKind::kFull, Placement::kGpu, {}, true, false).Id(), "full+gpu+vae_tiling");
  EXPECT_EQ(Make(WeightsKind::kFull, Placement::kGpu, {}, false, true).Id(), "full+gpu+vae_slicing");
  EXPECT_EQ(Make(WeightsKind::kFp8Layerwise, Placement::kModelOffload, {"transformer"}, true, true).Id(),
            "fp8_layerwise+model_offload+vae_tiling+vae_slicing");
}

TEST(CandidateTest, IdMarksQuantizedTextEncodersWithTe) {
  // One quantized component (the denoiser): no "+te".
  EXPECT_EQ(Make(WeightsKind::kBnbNf4, Placement::kGpu, {"transformer"}).Id(), "bnb_nf4+gpu");
  // The denoiser and a text encoder: "+te".
  EXPECT_EQ(Make(WeightsKind::kBnbNf4, Placement::kGpu, {"transformer", "text_encoder_2"}).Id(),
            "bnb_nf4+gpu+te");
  EXPECT_EQ(
      Make(WeightsKind::kTorchaoInt8wo, Placement::kModelOffload, {"transformer", "text_encoder_2"}).Id(),
      "torchao_int8wo+model_offload+te");
  EXPECT_EQ(
      Make(WeightsKind::kBnbInt8, Placement::kGroupLeaf, {"transformer", "text_encoder", "text_encoder_2"})
          .Id(),
      "bnb_int8+group_leaf+te");
  // "+te" comes before the VAE modifiers.
  EXPECT_EQ(
      Make(WeightsKind::kBnbNf4, Placement::kModelOffload, {"transformer", "text_encoder_2"}, true, true)
          .Id(),
      "bnb_nf4+model_offload+te+vae_tiling+vae_slicing");
  EXPECT_EQ(
      Make(WeightsKind::kTorchaoFp8wo, Placement::kGpu, {"transformer", "text_encoder_2"}, false, true).Id(),
      "torchao_fp8wo+gpu+te+vae_slicing");
}

TEST(CandidateTest, IdHasNoTeForUnquantizedWeights) {
  // fp8 layerwise casting and full weights are not quantization, whatever the list says.
  EXPECT_EQ(Make(WeightsKind::kFp8Layerwise, Placement::kGpu, {"transformer", "text_encoder_2"}).Id(),
            "fp8_layerwise+gpu");
  EXPECT_EQ(Make(WeightsKind::kFull, Placement::kGpu, {"transformer", "text_encoder_2"}).Id(), "full+gpu");
  // GGUF changes only the denoiser checkpoint: never "+te".
  EXPECT_EQ(Make(WeightsKind::kGguf, Placement::kGpu, {"transformer", "text_encoder_2"}).Id(), "gguf+gpu");
  // A quantized candidate with an empty list has no "+te" either.
  EXPECT_EQ(Make(WeightsKind::kBnbNf4, Placement::kGpu).Id(), "bnb_nf4+gpu");
}

TEST(CandidateTest, WeightsAndPlacementIds) {
  const std::vector<std::string> weights = {"full",           "fp8_layerwise", "bnb_int8",       "bnb_nf4",
                                            "torchao_int8wo", "torchao_fp8wo", "torchao_int4wo", "gguf"};
  const std::vector<std::string> placements = {"gpu",
                                               "model_offload",
                                               "group_block",
                                               "group_block_stream",
                                               "group_leaf",
                                               "group_leaf_stream",
                                               "group_leaf_stream_lowmem",
                                               "sequential_offload",
                                               "resident"};
  for (size_t i = 0; i < weights.size(); ++i) {
    EXPECT_EQ(WeightsId(kAllWeights[i]), weights[i]);
    EXPECT_EQ(ParseWeightsId(weights[i]), kAllWeights[i]);
  }
  for (size_t i = 0; i < placements.size(); ++i) {
    EXPECT_EQ(PlacementId(kAllPlacements[i]), placements[i]);
    EXPECT_EQ(ParsePlacementId(placements[i]), kAllPlacements[i]);
  }
  EXPECT_EQ(ParseWeightsId("FULL"), std::nullopt);
  EXPECT_EQ(ParseWeightsId(""), std::nullopt);
  EXPECT_EQ(ParsePlacementId("cuda"), std::nullopt);
}

TEST(CandidateTest, ParseStrategyIdRoundTripsEveryId) {
  std::set<std::string> ids;
  for (WeightsKind w : kAllWeights) {
    for (Placement p : kAllPlacements) {
      for (bool te : {false, true}) {
        for (bool tiling : {false, true}) {
          for (bool slicing : {false, true}) {
            std::vector<std::string> q;
            if (w != WeightsKind::kFull) q.push_back("transformer");
            if (te) q.push_back("text_encoder_2");
            const Candidate c = Make(w, p, q, tiling, slicing);
            const std::string id = c.Id();
            ids.insert(id);
            std::string error = "untouched";
            const std::optional<ParsedStrategyId> parsed = ParseStrategyId(id, &error);
            ASSERT_TRUE(parsed.has_value()) << id << ": " << error;
            EXPECT_EQ(error, "untouched") << id;
            EXPECT_EQ(parsed->weights, w) << id;
            EXPECT_EQ(parsed->placement, p) << id;
            EXPECT_EQ(parsed->vae_tiling, tiling) << id;
            EXPECT_EQ(parsed->vae_slicing, slicing) << id;
            const bool marks_te = te && IsQuantized(w) && w != WeightsKind::kGguf;
            EXPECT_EQ(parsed->text_encoders, marks_te) << id;
            EXPECT_EQ(parsed->resident_blocks, p == Placement::kPartialResident ? 12 : 0) << id;
          }
        }
      }
    }
  }
  // 9 placements x 4 VAE modifier sets x (3 unquantized-like weights + 5
  // quantizers with and without "+te").
  EXPECT_EQ(ids.size(), 9u * 4u * (3u + 5u * 2u));
  EXPECT_EQ(ids.count("fp8_layerwise+resident12+vae_tiling"), 1u);
}

TEST(CandidateTest, ParseStrategyIdExamples) {
  std::string error;
  auto parsed = ParseStrategyId("fp8_layerwise+model_offload+vae_tiling", &error);
  ASSERT_TRUE(parsed.has_value()) << error;
  EXPECT_EQ(parsed->weights, WeightsKind::kFp8Layerwise);
  EXPECT_EQ(parsed->placement, Placement::kModelOffload);
  EXPECT_TRUE(parsed->vae_tiling);
  EXPECT_FALSE(parsed->vae_slicing);
  EXPECT_FALSE(parsed->text_encoders);

  parsed = ParseStrategyId("bnb_nf4+gpu+te", &error);
  ASSERT_TRUE(parsed.has_value()) << error;
  EXPECT_EQ(parsed->weights, WeightsKind::kBnbNf4);
  EXPECT_EQ(parsed->placement, Placement::kGpu);
  EXPECT_TRUE(parsed->text_encoders);

  // Modifiers in any order are accepted.
  parsed = ParseStrategyId("full+gpu+vae_slicing+vae_tiling", &error);
  ASSERT_TRUE(parsed.has_value()) << error;
  EXPECT_TRUE(parsed->vae_tiling);
  EXPECT_TRUE(parsed->vae_slicing);

  // A null error pointer is allowed.
  EXPECT_TRUE(ParseStrategyId("full+gpu", nullptr).has_value());
  EXPECT_FALSE(ParseStrategyId("full", nullptr).has_value());
}

struct BadId {
  const char* id;
  std::string error;
};

TEST(CandidateTest, ParallelLayoutsAreIdSuffixesAndParse) {
  Candidate c;
  c.weights = WeightsKind::kFp8Layerwise;
  c.placement = Placement::kModelOffload;
  c.vae_tiling = true;
  c.parallel = {ParallelKind::kUlysses, 4};
  EXPECT_EQ(c.Id(), "fp8_layerwise+model_offload+vae_tiling+ulysses4");
  c.parallel = {ParallelKind::kRing, 16};
  EXPECT_EQ(c.Id(), "fp8_layerwise+model_offload+vae_tiling+ring16");
  c.parallel = {ParallelKind::kBalanced, 2};
  EXPECT_EQ(c.Id(), "fp8_layerwise+model_offload+vae_tiling+balanced2");
  std::string error;
  auto parsed = ParseStrategyId("full+gpu+ring64", &error);
  ASSERT_TRUE(parsed.has_value()) << error;
  EXPECT_EQ(parsed->parallel, (ParallelLayout{ParallelKind::kRing, 64}));
  parsed = ParseStrategyId("full+gpu+vae_tiling+balanced3", &error);
  ASSERT_TRUE(parsed.has_value()) << error;
  EXPECT_EQ(parsed->parallel, (ParallelLayout{ParallelKind::kBalanced, 3}));
  EXPECT_TRUE(parsed->vae_tiling);
  EXPECT_EQ(ParseStrategyId("full+gpu", &error)->parallel, ParallelLayout{});
  EXPECT_EQ(ParseStrategyId("full+gpu+tp4", &error)->parallel, (ParallelLayout{ParallelKind::kTensor, 4}));
}

TEST(CandidateTest, ParseStrategyIdErrors) {
  const std::string kExpected =
      " (expected vae_tiling, vae_slicing, te, or a multi-GPU layout: ulyssesN, ringN, balancedN, tpN)";
  const BadId cases[] = {
      {"", "strategy id '' is not WEIGHTS+PLACEMENT"},
      {"full", "strategy id 'full' is not WEIGHTS+PLACEMENT"},
      {"int8+gpu", "unknown WEIGHTS 'int8' in strategy id 'int8+gpu'"},
      {"+gpu", "unknown WEIGHTS '' in strategy id '+gpu'"},
      {"Full+gpu", "unknown WEIGHTS 'Full' in strategy id 'Full+gpu'"},
      {"full+cpu", "unknown PLACEMENT 'cpu' in strategy id 'full+cpu'"},
      {"bnb_nf4+", "unknown PLACEMENT '' in strategy id 'bnb_nf4+'"},
      {"full+gpu+tiling", "unknown modifier 'tiling' in strategy id 'full+gpu+tiling'" + kExpected},
      {"full+gpu+vae_tiling+", "unknown modifier '' in strategy id 'full+gpu+vae_tiling+'" + kExpected},
      {"full+model_offload+gpu",
       "unknown modifier 'gpu' in strategy id 'full+model_offload+gpu'" + kExpected},
      {"full+gpu+ulysses1", "unknown modifier 'ulysses1' in strategy id 'full+gpu+ulysses1'" + kExpected},
      {"full+gpu+ring", "unknown modifier 'ring' in strategy id 'full+gpu+ring'" + kExpected},
      {"full+gpu+ring02", "unknown modifier 'ring02' in strategy id 'full+gpu+ring02'" + kExpected},
      {"full+gpu+balanced65",
       "unknown modifier 'balanced65' in strategy id 'full+gpu+balanced65'" + kExpected},
      {"full+gpu+ring2+ulysses2", "strategy id 'full+gpu+ring2+ulysses2' names two multi-GPU layouts"},
      {"full+resident",
       "PLACEMENT 'resident' in strategy id 'full+resident' needs the number of resident "
       "blocks (resident1 to resident9999)"},
      {"full+resident0",
       "PLACEMENT 'resident0' in strategy id 'full+resident0' needs the number of resident "
       "blocks (resident1 to resident9999)"},
      {"full+resident07",
       "PLACEMENT 'resident07' in strategy id 'full+resident07' needs the number of "
       "resident blocks (resident1 to resident9999)"},
      {"full+resident10000",
       "PLACEMENT 'resident10000' in strategy id 'full+resident10000' needs the number "
       "of resident blocks (resident1 to resident9999)"},
      {"full+resident2x",
       "PLACEMENT 'resident2x' in strategy id 'full+resident2x' needs the number of "
       "resident blocks (resident1 to resident9999)"},
  };
  for (const BadId& bad : cases) {
    std::string error;
    EXPECT_FALSE(ParseStrategyId(bad.id, &error).has_value()) << bad.id;
    EXPECT_EQ(error, bad.error) << bad.id;
  }
}

TEST(CandidateTest, QualityOfPerContract) {
  EXPECT_EQ(QualityOf(WeightsKind::kFull), QualityTier::kFull);
  EXPECT_EQ(QualityOf(WeightsKind::kFp8Layerwise), QualityTier::kFp8);
  EXPECT_EQ(QualityOf(WeightsKind::kBnbInt8), QualityTier::kInt8);
  EXPECT_EQ(QualityOf(WeightsKind::kBnbNf4), QualityTier::kInt4);
  EXPECT_EQ(QualityOf(WeightsKind::kTorchaoInt8wo), QualityTier::kInt8);
  EXPECT_EQ(QualityOf(WeightsKind::kTorchaoFp8wo), QualityTier::kFp8);
  EXPECT_EQ(QualityOf(WeightsKind::kTorchaoInt4wo), QualityTier::kInt4);
  // GGUF defaults to int8-class; the planner refines it by quant type.
  EXPECT_EQ(QualityOf(WeightsKind::kGguf), QualityTier::kInt8);

  EXPECT_STREQ(QualityName(QualityTier::kFull), "full");
  EXPECT_STREQ(QualityName(QualityTier::kFp8), "fp8");
  EXPECT_STREQ(QualityName(QualityTier::kInt8), "int8");
  EXPECT_STREQ(QualityName(QualityTier::kInt4), "int4");
  // Highest quality first.
  EXPECT_LT(QualityTier::kFull, QualityTier::kFp8);
  EXPECT_LT(QualityTier::kFp8, QualityTier::kInt8);
  EXPECT_LT(QualityTier::kInt8, QualityTier::kInt4);
}

TEST(CandidateTest, QualityNamesParse) {
  for (QualityTier tier : {QualityTier::kFull, QualityTier::kFp8, QualityTier::kInt8, QualityTier::kInt4})
    EXPECT_EQ(ParseQualityName(QualityName(tier)), tier);
  EXPECT_EQ(ParseQualityName("Full"), std::nullopt);
  EXPECT_EQ(ParseQualityName("bf16"), std::nullopt);
  EXPECT_EQ(ParseQualityName(""), std::nullopt);
}

TEST(CandidateTest, GroupOfPerContract) {
  EXPECT_STREQ(GroupOf(WeightsKind::kFull), "offload_casting");
  EXPECT_STREQ(GroupOf(WeightsKind::kFp8Layerwise), "offload_casting");
  for (WeightsKind w : {WeightsKind::kBnbInt8, WeightsKind::kBnbNf4, WeightsKind::kTorchaoInt8wo,
                        WeightsKind::kTorchaoFp8wo, WeightsKind::kTorchaoInt4wo, WeightsKind::kGguf}) {
    EXPECT_STREQ(GroupOf(w), "quantization") << WeightsId(w);
    EXPECT_TRUE(IsQuantized(w)) << WeightsId(w);
  }
  EXPECT_FALSE(IsQuantized(WeightsKind::kFull));
  EXPECT_FALSE(IsQuantized(WeightsKind::kFp8Layerwise));
}

TEST(CandidateTest, PlacementPredicates) {
  // Partial residency streams its blocks and the other components with
  // leaf_level group offloading and streams.
  const std::set<Placement> group = {
      Placement::kGroupBlock,      Placement::kGroupBlockStream,      Placement::kGroupLeaf,
      Placement::kGroupLeafStream, Placement::kGroupLeafStreamLowmem, Placement::kPartialResident};
  const std::set<Placement> stream = {Placement::kGroupBlockStream, Placement::kGroupLeafStream,
                                      Placement::kGroupLeafStreamLowmem, Placement::kPartialResident};
  const std::set<Placement> leaf = {Placement::kGroupLeaf, Placement::kGroupLeafStream,
                                    Placement::kGroupLeafStreamLowmem, Placement::kPartialResident};
  for (Placement p : kAllPlacements) {
    EXPECT_EQ(IsGroupOffload(p), group.count(p) == 1) << PlacementId(p);
    EXPECT_EQ(UsesStream(p), stream.count(p) == 1) << PlacementId(p);
    EXPECT_EQ(IsLeafLevel(p), leaf.count(p) == 1) << PlacementId(p);
  }
}

}  // namespace
}  // namespace pipefit
