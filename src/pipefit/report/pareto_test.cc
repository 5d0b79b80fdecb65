// The Pareto front of a plan and its two renderings.
#include "pipefit/report/pareto.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

PlannedCandidate Planned(WeightsKind weights, Placement placement, double vram_gib, double seconds,
                         bool fits = true) {
  PlannedCandidate p;
  p.candidate.weights = weights;
  p.candidate.placement = placement;
  if (weights != WeightsKind::kFull) p.candidate.quantized_components = {"transformer"};
  p.estimate.vram = static_cast<Bytes>(vram_gib * static_cast<double>(kGiB));
  p.estimate.seconds = seconds;
  p.fits = fits;
  return p;
}

PlanResult FourCandidates() {
  PlanResult plan;
  plan.model = "flux.1-dev";
  plan.hardware.gpu = "GeForce RTX 4090";
  plan.hardware.vram = 24 * kGiB;
  plan.candidates = {
      Planned(WeightsKind::kFull, Placement::kModelOffload, 23.0, 20.0),         // front: fastest
      Planned(WeightsKind::kFull, Placement::kSequentialOffload, 5.60, 160.0),   // dominated within 1%
      Planned(WeightsKind::kBnbNf4, Placement::kGroupLeafStream, 5.62, 27.0),    // front: least VRAM
      Planned(WeightsKind::kFull, Placement::kGroupBlock, 11.0, 300.0),          // dominated
      Planned(WeightsKind::kFull, Placement::kGpu, 31.0, 15.0, /*fits=*/false),  // does not fit: not shown
  };
  return plan;
}

std::vector<std::string> Ids(const std::vector<const PlannedCandidate*>& front) {
  std::vector<std::string> ids;
  for (const PlannedCandidate* p : front) ids.push_back(p->candidate.Id());
  return ids;
}

TEST(ParetoTest, FrontOfTheFittingCandidatesByVram) {
  EXPECT_THAT(Ids(ParetoFront(FourCandidates())),
              ElementsAre("bnb_nf4+group_leaf_stream", "full+model_offload"));
}

TEST(ParetoTest, WhenNothingFitsEveryCandidateCounts) {
  PlanResult plan = FourCandidates();
  for (PlannedCandidate& p : plan.candidates) p.fits = false;
  EXPECT_THAT(Ids(ParetoFront(plan)),
              ElementsAre("bnb_nf4+group_leaf_stream", "full+model_offload", "full+gpu"));
  EXPECT_THAT(RenderParetoChart(plan), HasSubstr("(none fits: all 5 candidates;"));
}

TEST(ParetoTest, ChartPlacesLettersDotsAndTheCard) {
  const std::string chart = RenderParetoChart(FourCandidates(), 40, 8);
  EXPECT_EQ(
      chart,
      "Pareto front: peak VRAM against seconds per call (4 fitting candidates; letters are on the front, | is "
      "the card's VRAM)\n"
      "   300 s+                 .                  |   \n"
      "        |                                    |   \n"
      "        |        .                           |   \n"
      "        |                                    |   \n"
      "        |                                    |   \n"
      "        |                                    |   \n"
      "        |        a                           |   \n"
      " 20.00 s+                                   b|   \n"
      "        +----------------------------------------\n"
      "         0 GiB                             26 GiB\n"
      "         seconds: log scale; x: peak VRAM\n"
      "\n"
      "On the front (less VRAM costs time):\n"
      "  a  bnb_nf4+group_leaf_stream    5.62 GiB    27.00 s\n"
      "  b  full+model_offload          23.00 GiB    20.00 s\n");
}

TEST(ParetoTest, SvgIsStandaloneWithOnePointPerShownCandidate) {
  const std::string svg = RenderParetoSvg(FourCandidates());
  EXPECT_THAT(svg, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  size_t circles = 0;
  for (size_t at = svg.find("<circle"); at != std::string::npos; at = svg.find("<circle", at + 1)) ++circles;
  EXPECT_EQ(circles, 4u);
  EXPECT_THAT(svg, HasSubstr("<title>bnb_nf4+group_leaf_stream: 5.62 GiB, 27.00 s</title>"));
  EXPECT_THAT(svg, Not(HasSubstr("full+gpu")));  // does not fit, and others do
  EXPECT_THAT(svg, HasSubstr("card 24.00 GiB"));
  EXPECT_THAT(svg, HasSubstr("<path d=\"M"));
  EXPECT_THAT(svg, Not(HasSubstr("<script")));
  EXPECT_THAT(svg, Not(HasSubstr("href")));
}

}  // namespace
}  // namespace pipefit
