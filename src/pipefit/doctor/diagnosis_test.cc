#include "pipefit/doctor/diagnosis.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipefit/base/units.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

TEST(DiagnosisTest, CardClassFromTheReportedCapacity) {
  // 11.76 GiB is what a 12 GB card reports (the driver keeps the rest).
  auto card = CardClassFromCapacity(12'627'000'000);
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->nominal_gb, 12);
  EXPECT_THAT(card->examples, Contains("GeForce RTX 3060 12GB"));
  card = CardClassFromCapacity(15'826'681'856);  // T4 / 16 GB: 14.74 GiB
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->nominal_gb, 16);
  card = CardClassFromCapacity(84'987'740'160);  // 79.15 GiB
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->nominal_gb, 80);
  // Sizes the GPU catalog has no card for: named by size, no examples.
  card = CardClassFromCapacity(4'090'888'192);  // 3.81 GiB: a 4 GB GTX 1650 / RTX 3050 laptop
  ASSERT_TRUE(card.has_value());
  EXPECT_EQ(card->nominal_gb, 4);
  EXPECT_TRUE(card->examples.empty());
  EXPECT_EQ(CardClassFromCapacity(2 * kGiB)->nominal_gb, 2);
  EXPECT_FALSE(CardClassFromCapacity(kGiB).has_value());
  EXPECT_FALSE(CardClassFromCapacity(0).has_value());
}

PlannedCandidate Planned(Placement placement, Stage stage, Bytes weights, Bytes activations) {
  PlannedCandidate p;
  p.candidate.placement = placement;
  StagePeak peak;
  peak.stage = stage;
  peak.component = "transformer";
  peak.weights = weights;
  peak.activations = activations;
  p.estimate.stages.push_back(peak);
  return p;
}

// A plan whose decode holds 31 GiB of weights with everything on the GPU
// and 0.2 GiB (the VAE) under model offload, plus 3 GiB of activations;
// its denoise stage names the transformer.
PlanResult DecodePlan() {
  PlanResult plan;
  plan.model = "org/model";
  PlannedCandidate all = Planned(Placement::kGpu, Stage::kDecode, 31 * kGiB, 3 * kGiB);
  all.estimate.stages.push_back({.stage = Stage::kDenoise, .component = "transformer", .weights = 31 * kGiB});
  plan.candidates.push_back(all);
  plan.candidates.push_back(Planned(Placement::kModelOffload, Stage::kDecode, kGiB / 5, 3 * kGiB));
  return plan;
}

OomReport VaeOom(Bytes allocated) {
  OomReport r;
  r.kind = OomKind::kCuda;
  r.stage = OomStage::kVaeDecode;
  r.vae_call = "decode";
  r.allocated_by_pytorch = allocated;
  return r;
}

TEST(DiagnosisTest, MoreThanTheStageNeedsMeansOtherModelsAreResident) {
  const auto advice = ReasonWithPlan(VaeOom(29 * kGiB), DecodePlan());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].rule, "resident-weights");
  EXPECT_THAT(advice[0].text, HasSubstr("29.00 GiB allocated when it failed while the VAE decodes"));
  EXPECT_THAT(advice[0].text,
              HasSubstr("every model's weights (31.00 GiB): the transformer is still resident"));
  // Part of them: still resident weights, but not every model.
  const auto part = ReasonWithPlan(VaeOom(9 * kGiB), DecodePlan());
  ASSERT_EQ(part.size(), 1u);
  EXPECT_EQ(part[0].rule, "resident-weights");
  EXPECT_THAT(part[0].text, HasSubstr("some (the transformer most likely)"));
}

TEST(DiagnosisTest, WhatTheStageNeedsByItselfMeansTheStageMustShrink) {
  const auto advice = ReasonWithPlan(VaeOom(3 * kGiB), DecodePlan());
  ASSERT_EQ(advice.size(), 1u);
  EXPECT_EQ(advice[0].rule, "stage-own-needs");
  EXPECT_THAT(advice[0].text, HasSubstr("pipe.vae.enable_tiling()"));
}

TEST(DiagnosisTest, NothingWithoutAllocatedFigureStageOrCandidates) {
  EXPECT_TRUE(ReasonWithPlan(VaeOom(0), PlanResult{}).empty());
  OomReport no_number = VaeOom(0);
  no_number.allocated_by_pytorch = std::nullopt;
  EXPECT_TRUE(ReasonWithPlan(no_number, DecodePlan()).empty());
  OomReport unknown = VaeOom(29 * kGiB);
  unknown.stage = OomStage::kUnknown;
  EXPECT_TRUE(ReasonWithPlan(unknown, DecodePlan()).empty());
  // Between what the stage needs and far more: a quantized pipeline that
  // pipefit's full-precision stage peaks do not describe says nothing.
  EXPECT_TRUE(ReasonWithPlan(VaeOom(kGiB / 20), DecodePlan()).empty());
}

}  // namespace
}  // namespace pipefit
