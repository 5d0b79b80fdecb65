#include "pipefit/plan/rules.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

using W = WeightsKind;
using P = Placement;

constexpr P kGroupPlacements[] = {P::kGroupBlock, P::kGroupBlockStream, P::kGroupLeaf, P::kGroupLeafStream,
                                  P::kGroupLeafStreamLowmem};

// Every rejected weights x placement pair and the rule that rejects it.
std::map<std::pair<W, P>, std::string> ExpectedRejections() {
  std::map<std::pair<W, P>, std::string> rejected;
  rejected[{W::kBnbInt8, P::kSequentialOffload}] = "bnb-sequential-offload";
  rejected[{W::kBnbNf4, P::kSequentialOffload}] = "bnb-sequential-offload";
  for (W w : {W::kTorchaoInt8wo, W::kTorchaoFp8wo, W::kTorchaoInt4wo}) {
    rejected[{w, P::kSequentialOffload}] = "torchao-sequential-offload";
  }
  for (P p : {P::kGroupBlockStream, P::kGroupLeafStream, P::kGroupLeafStreamLowmem, P::kSequentialOffload})
    rejected[{W::kGguf, p}] = "gguf-stream-or-sequential";
  rejected[{W::kFp8Layerwise, P::kSequentialOffload}] = "layerwise-casting-sequential";
  rejected[{W::kTorchaoInt4wo, P::kModelOffload}] = "torchao-int4-gpu-only";
  for (P p : kGroupPlacements) rejected[{W::kTorchaoInt4wo, p}] = "torchao-int4-gpu-only";
  // Partial residency: full and fp8 casting only.
  for (W w : {W::kBnbInt8, W::kBnbNf4, W::kTorchaoInt8wo, W::kTorchaoFp8wo})
    rejected[{w, P::kPartialResident}] = "partial-residency-quantized";
  rejected[{W::kTorchaoInt4wo, P::kPartialResident}] = "torchao-int4-gpu-only";
  rejected[{W::kGguf, P::kPartialResident}] = "gguf-stream-or-sequential";
  return rejected;
}

TEST(RulesTest, FindRejectionForEveryPair) {
  const auto expected = ExpectedRejections();
  int rejected = 0;
  for (W w : kAllWeights) {
    for (P p : kAllPlacements) {
      const std::string pair = std::string(WeightsId(w)) + "+" + PlacementId(p);
      const CompatibilityRule* rule = FindRejection(w, p);
      const auto it = expected.find({w, p});
      if (it == expected.end()) {
        EXPECT_EQ(rule, nullptr) << pair << " rejected by " << (rule ? rule->id : "");
      } else {
        ++rejected;
        ASSERT_NE(rule, nullptr) << pair;
        EXPECT_EQ(rule->id, it->second) << pair;
        EXPECT_EQ(rule->action, RuleAction::kReject) << pair;
      }
    }
  }
  EXPECT_EQ(rejected, 22);
}

TEST(RulesTest, AllowedPairs) {
  // Full weights combine with every placement.
  for (P p : kAllPlacements) EXPECT_EQ(FindRejection(W::kFull, p), nullptr) << PlacementId(p);
  // bnb 4-bit supports device moves: model offload works (memory-calculator.md).
  EXPECT_EQ(FindRejection(W::kBnbNf4, P::kModelOffload), nullptr);
  EXPECT_EQ(FindRejection(W::kBnbNf4, P::kGpu), nullptr);
  // bnb with group offload is allowed (with the quantized components excluded).
  EXPECT_EQ(FindRejection(W::kBnbInt8, P::kGroupLeafStream), nullptr);
  EXPECT_EQ(FindRejection(W::kBnbInt8, P::kGpu), nullptr);
  // torchao tensors move with swap_tensors under group offloading.
  EXPECT_EQ(FindRejection(W::kTorchaoInt8wo, P::kGroupLeaf), nullptr);
  EXPECT_EQ(FindRejection(W::kTorchaoInt4wo, P::kGpu), nullptr);
  EXPECT_EQ(FindRejection(W::kTorchaoFp8wo, P::kModelOffload), nullptr);
  // Layerwise casting combines with model and group offloading.
  EXPECT_EQ(FindRejection(W::kFp8Layerwise, P::kModelOffload), nullptr);
  EXPECT_EQ(FindRejection(W::kFp8Layerwise, P::kGroupLeafStream), nullptr);
  // GGUF: the documented placements.
  EXPECT_EQ(FindRejection(W::kGguf, P::kGpu), nullptr);
  EXPECT_EQ(FindRejection(W::kGguf, P::kModelOffload), nullptr);
}

TEST(RulesTest, MustExcludeQuantizedOnlyForBitsandbytesWithGroupOffload) {
  for (W w : kAllWeights) {
    for (P p : kAllPlacements) {
      const bool bnb = w == W::kBnbInt8 || w == W::kBnbNf4;
      // Partial residency rejects bitsandbytes outright.
      const bool expected = bnb && IsGroupOffload(p) && p != P::kPartialResident;
      EXPECT_EQ(MustExcludeQuantized(w, p), expected) << WeightsId(w) << "+" << PlacementId(p);
    }
  }
}

TEST(RulesTest, ExcludeRuleIsNotARejection) {
  // The exclude rule covers bnb x group; FindRejection must skip it.
  for (P p : kGroupPlacements) {
    EXPECT_EQ(FindRejection(W::kBnbNf4, p), nullptr) << PlacementId(p);
    EXPECT_EQ(FindRejection(W::kBnbInt8, p), nullptr) << PlacementId(p);
  }
}

TEST(RulesTest, EveryRuleIsDocumentedAndUnique) {
  std::set<std::string_view> ids;
  int excludes = 0;
  for (const CompatibilityRule& rule : CompatibilityRules()) {
    EXPECT_FALSE(rule.id.empty());
    EXPECT_FALSE(rule.message.empty()) << rule.id;
    EXPECT_FALSE(rule.source.empty()) << rule.id;
    EXPECT_FALSE(rule.weights.empty()) << rule.id;
    EXPECT_FALSE(rule.placements.empty()) << rule.id;
    EXPECT_TRUE(ids.insert(rule.id).second) << "duplicate rule id " << rule.id;
    if (rule.action == RuleAction::kExcludeQuantized) ++excludes;
  }
  EXPECT_EQ(ids.size(), 8u);
  EXPECT_EQ(excludes, 1);
  EXPECT_THAT(ids, Contains("bnb-group-offload-excluded"));
}

}  // namespace
// bnb 8-bit with model offload runs (the hook is skipped, the component
// stays on the GPU): a candidate with the rule as a note, loaded without a
// device_map so bitsandbytes maps it onto the GPU.
TEST(RulesTest, BnbInt8ModelOffloadIsOfferedWithTheComponentResident) {
  EXPECT_EQ(FindRejection(W::kBnbInt8, P::kModelOffload), nullptr);
  const CompatibilityRule* rule = QuantizedStaysResidentRule(W::kBnbInt8, P::kModelOffload);
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->id, "bnb-int8-model-offload");
  EXPECT_THAT(std::string(rule->message), HasSubstr("transformers < 4.58 or bitsandbytes < 0.48"));
  EXPECT_EQ(QuantizedStaysResidentRule(W::kBnbNf4, P::kModelOffload), nullptr);
  EXPECT_EQ(QuantizedStaysResidentRule(W::kBnbInt8, P::kGroupLeaf), nullptr);
  Candidate c;
  c.weights = W::kBnbInt8;
  c.placement = P::kModelOffload;
  EXPECT_EQ(LoadDeviceMapFor(c), LoadDeviceMap::kNone);
  c.placement = P::kGpu;
  EXPECT_EQ(LoadDeviceMapFor(c), LoadDeviceMap::kCpu);
  c.weights = W::kTorchaoInt4wo;
  EXPECT_EQ(LoadDeviceMapFor(c), LoadDeviceMap::kCuda);
  c.weights = W::kFull;
  EXPECT_EQ(LoadDeviceMapFor(c), LoadDeviceMap::kNone);
  EXPECT_STREQ(LoadDeviceMapValue(LoadDeviceMap::kCpu), "cpu");
  EXPECT_STREQ(LoadDeviceMapValue(LoadDeviceMap::kNone), "");
}

}  // namespace pipefit
