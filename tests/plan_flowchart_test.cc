// The seed calculator's decision flowchart (shared/reference/memory-calculator.md)
// replayed through the planner on the built-in FLUX.1-dev catalog entry, with
// the seed's fixed activation A = 2 GiB (--activation) and CONTRACT.md's
// preferences (`plan` > Preferences, the `balanced` order and its 80% rule).
//
// Every VRAM/RAM point is computed from the plan's own seed quantities
// (S_total, S_max, S_total_lc, S_max_lc, S_leaf), A, the caching allocator's
// reserve (kReserveSlackFactor x A) and the CUDA context (kCudaContextBytes),
// and lands in the middle of its region, so a small change in rounding or
// transients cannot move it across an edge.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/model/measure.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/plan/estimator.h"
#include "pipefit/plan/plan_result.h"
#include "pipefit/plan/planner.h"
#include "pipefit/sources/resolve.h"
#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

constexpr double kGiBd = static_cast<double>(kGiB);
// The seed's fixed activation figure for a 1024^2 image (memory-calculator.md
// "Quantities": images ~2-4 GB at 1024^2); --activation pins every stage to it.
constexpr Bytes kA = 2 * kGiB;
// CONTRACT.md `balanced`: a candidate is taken when its vram is at most 80% of
// the card's VRAM (first pass); the same order at 100% only when none is.
constexpr double kBalancedShare = 0.8;
// FLUX.1-dev's transformer: 19 double-stream + 38 single-stream blocks.
constexpr int kFluxBlocks = 57;

Bytes GiB(double gib) { return static_cast<Bytes>(gib * kGiBd); }
double InGiB(Bytes bytes) { return static_cast<double>(bytes) / kGiBd; }

// What the planner adds to the seed's "S + A" to get the VRAM that must fit on
// the card (estimator.h): the peak stage's activation A, the caching
// allocator's reserve above the allocated peak (0.96 x that activation) and
// the CUDA context (0.5 GiB). With A = 2 GiB: 2 + 1.92 + 0.5 = 4.42 GiB.
double Overhead() {
  return static_cast<double>(kA) * (1.0 + kReserveSlackFactor) + static_cast<double>(kCudaContextBytes);
}
// The seed's VRAM formula for "weights S resident + the forward pass", as
// pipefit's `vram` counts it.
double Need(Bytes resident) { return static_cast<double>(resident) + Overhead(); }
// The smallest card on which `balanced` accepts that candidate in its 80% pass.
double Edge80(Bytes resident) { return Need(resident) / kBalancedShare; }
Bytes Mid(double low, double high) { return static_cast<Bytes>((low + high) / 2); }

class PlanFlowchartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // An empty Hugging Face cache and --offline: the catalog entry is used.
    env_.Set("HF_HUB_CACHE", dir_.path() + "/empty-cache");
    env_.Set("HOME", dir_.path() + "/home");
    auto pipeline = ResolveModel("flux.1-dev", {.offline = true}, fs_, env_);
    ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
    pipeline_ = *pipeline;
    // The seed quantities do not depend on the hardware: read them once.
    const PlanResult any = PlanAt(GiB(80), GiB(256));
    seed_ = any.seed;
    ASSERT_GT(seed_.s_total, seed_.s_max);
    ASSERT_GT(seed_.s_max, 0);
    ASSERT_GT(seed_.s_total_lc, seed_.s_max_lc);
    ASSERT_GT(seed_.s_leaf, 0);
  }

  PlanRequest Request(Bytes vram, Bytes ram) const {
    PlanRequest request;
    request.model = "flux.1-dev";
    request.dtype = LoadDType::kBF16;
    request.activation = kA;
    request.hardware.vram = vram;
    request.hardware.ram = ram;
    request.hardware.source = "flags";
    request.gpu = nullptr;  // times for the reference GPU; memory is what is tested here
    return request;
  }

  PlanResult PlanAt(Bytes vram, Bytes ram) const {
    const PlanRequest request = Request(vram, ram);
    auto context = BuildPlanContext(*pipeline_, request);
    EXPECT_TRUE(context.ok()) << context.error().message;
    if (!context.ok()) return {};
    return Plan(*pipeline_, request, *context);
  }

  testkit::TempDir dir_;
  RealFileSystem fs_;
  FakeEnvironment env_;
  std::optional<Pipeline> pipeline_;
  SeedQuantities seed_;
};

const PlannedCandidate* Find(const PlanResult& plan, const std::string& id) {
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.Id() == id) return &p;
  }
  return nullptr;
}

// CONTRACT.md `balanced`, written out independently of rank.cc.
std::optional<std::string> ContractBalanced(const PlanResult& plan) {
  const struct {
    WeightsKind weights;
    Placement placement;
  } order[] = {
      {WeightsKind::kFull, Placement::kGpu},
      {WeightsKind::kFp8Layerwise, Placement::kGpu},
      {WeightsKind::kFull, Placement::kModelOffload},
      {WeightsKind::kFp8Layerwise, Placement::kModelOffload},
      {WeightsKind::kFull, Placement::kGroupLeafStream},
      {WeightsKind::kFull, Placement::kGroupLeafStreamLowmem},
      {WeightsKind::kFull, Placement::kGroupBlock},
  };
  for (double share : {kBalancedShare, 1.0}) {
    auto ok = [&](const PlannedCandidate& p) {
      return p.fits &&
             static_cast<double>(p.estimate.vram) <= share * static_cast<double>(plan.hardware.vram) &&
             p.estimate.ram <= plan.hardware.ram;
    };
    for (const auto& step : order) {
      for (const PlannedCandidate& p : plan.candidates) {
        if (p.candidate.weights == step.weights && p.candidate.placement == step.placement && ok(p)) {
          return p.candidate.Id();
        }
      }
    }
    // Quantized candidates from the highest quality tier down, fastest first.
    const PlannedCandidate* best = nullptr;
    for (const PlannedCandidate& p : plan.candidates) {
      if (!IsQuantized(p.candidate.weights) || !ok(p)) continue;
      if (best == nullptr || QualityOf(p.candidate.weights) < QualityOf(best->candidate.weights) ||
          (QualityOf(p.candidate.weights) == QualityOf(best->candidate.weights) &&
           p.estimate.seconds < best->estimate.seconds)) {
        best = &p;
      }
    }
    if (best != nullptr) return best->candidate.Id();
  }
  return std::nullopt;
}

// CONTRACT.md `memory`: lowest vram that fits, then the lowest seconds.
const PlannedCandidate* ContractMemory(const PlanResult& plan) {
  const PlannedCandidate* best = nullptr;
  for (const PlannedCandidate& p : plan.candidates) {
    if (!p.fits) continue;
    if (best == nullptr || p.estimate.vram < best->estimate.vram ||
        (p.estimate.vram == best->estimate.vram && p.estimate.seconds < best->estimate.seconds)) {
      best = &p;
    }
  }
  return best;
}

// CONTRACT.md `quality`: highest quality tier that fits, then the lowest seconds.
const PlannedCandidate* ContractQuality(const PlanResult& plan) {
  const PlannedCandidate* best = nullptr;
  for (const PlannedCandidate& p : plan.candidates) {
    if (!p.fits) continue;
    const QualityTier q = QualityOf(p.candidate.weights);
    if (best == nullptr || q < QualityOf(best->candidate.weights) ||
        (q == QualityOf(best->candidate.weights) && p.estimate.seconds < best->estimate.seconds)) {
      best = &p;
    }
  }
  return best;
}

std::string Describe(const PlanResult& plan) {
  std::string out = "at " + std::to_string(InGiB(plan.hardware.vram)) + " GiB VRAM, " +
                    std::to_string(InGiB(plan.hardware.ram)) + " GiB RAM:\n";
  for (const PlannedCandidate& p : plan.candidates) {
    out += "  " + p.candidate.Id() + " vram " + std::to_string(InGiB(p.estimate.vram)) + " ram " +
           std::to_string(InGiB(p.estimate.ram)) + (p.fits ? " fits" : " -") + "\n";
  }
  return out;
}

// --- The estimator agrees with the seed's formulas where they are exact ----

// The region edges below use the seed's VRAM formulas; check first that the
// planner's `vram` for the four VRAM-driven steps is that formula (within
// allocator rounding and the one-layer upcast of fp8 casting), so every point
// really sits where the comments say.
TEST_F(PlanFlowchartTest, VramOfTheFlowchartStepsIsTheSeedFormulaPlusSlackAndContext) {
  const PlanResult plan = PlanAt(GiB(80), GiB(256));
  const struct {
    const char* id;
    Bytes resident;
  } steps[] = {
      {"full+gpu", seed_.s_total},                      // S_total + A
      {"fp8_layerwise+gpu", seed_.s_total_lc},          // S_total_lc + A
      {"full+model_offload", seed_.s_max},              // S_max + A
      {"fp8_layerwise+model_offload", seed_.s_max_lc},  // S_max_lc + A
  };
  for (const auto& step : steps) {
    const PlannedCandidate* p = Find(plan, step.id);
    ASSERT_NE(p, nullptr) << step.id;
    EXPECT_NEAR(InGiB(p->estimate.vram), InGiB(static_cast<Bytes>(Need(step.resident))), 0.25) << step.id;
    // vram - vram_allocated is the reserve slack plus the context.
    EXPECT_NEAR(InGiB(p->estimate.vram - p->estimate.vram_allocated),
                InGiB(static_cast<Bytes>(kReserveSlackFactor * static_cast<double>(kA)) + kCudaContextBytes),
                0.01)
        << step.id;
  }
  EXPECT_TRUE(plan.activation.overridden);
  EXPECT_EQ(plan.activation.text_encode, kA);
  EXPECT_EQ(plan.activation.denoise, kA);
  EXPECT_EQ(plan.activation.decode, kA);
}

// --- balanced, one region of the flowchart at a time -----------------------

// Flowchart step 1, VRAM >= S_total + A: no optimization. Under the 80% rule
// balanced takes full+gpu once 0.8 x VRAM >= S_total + A + slack + context,
// i.e. VRAM >= Edge80(S_total) (~44.8 GiB). Points: 8 GiB above that edge, and
// an 80 GiB card. RAM 64 GiB is twice S_total: never the limit here.
TEST_F(PlanFlowchartTest, BalancedFullOnGpuWhenEverythingFitsWithRoom) {
  for (Bytes vram : {static_cast<Bytes>(Edge80(seed_.s_total)) + 8 * kGiB, GiB(80)}) {
    const PlanResult plan = PlanAt(vram, GiB(64));
    EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("full+gpu")) << Describe(plan);
    EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
    // quality: the full tier fits, and full+gpu is its fastest candidate.
    EXPECT_EQ(plan.recommended.quality, std::optional<std::string>("full+gpu"));
  }
}

// Step 2, S_total_lc + A <= VRAM < S_total + A: layerwise casting, all on GPU.
// Balanced region: [Edge80(S_total_lc), Edge80(S_total)) ~ [34.7, 44.8) GiB.
// Point: its middle (~39.8 GiB), ~5 GiB from either edge.
TEST_F(PlanFlowchartTest, BalancedFp8LayerwiseOnGpu) {
  const Bytes vram = Mid(Edge80(seed_.s_total_lc), Edge80(seed_.s_total));
  const PlanResult plan = PlanAt(vram, GiB(64));
  EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("fp8_layerwise+gpu")) << Describe(plan);
  EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
}

// Between S_total + A (+ slack + context) and Edge80(S_total) full+gpu fits
// (the seed's step 1 would take it) but is above 80% of the card, so balanced
// keeps fp8_layerwise+gpu while quality and speed may take full+gpu.
TEST_F(PlanFlowchartTest, BalancedLeavesTwentyPercentHeadroomWhereTheSeedWouldNot) {
  const Bytes vram = Mid(Need(seed_.s_total), Edge80(seed_.s_total));  // ~40.3 GiB
  ASSERT_GT(static_cast<double>(vram) * kBalancedShare, Need(seed_.s_total_lc) + kGiBd);
  const PlanResult plan = PlanAt(vram, GiB(64));
  const PlannedCandidate* full = Find(plan, "full+gpu");
  ASSERT_NE(full, nullptr);
  EXPECT_TRUE(full->fits) << Describe(plan);
  EXPECT_EQ(plan.recommended.quality, std::optional<std::string>("full+gpu"));
  EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("fp8_layerwise+gpu")) << Describe(plan);
}

// Step 3, S_max + A <= VRAM < S_total_lc + A: model CPU offload (RAM S_total).
// Balanced region: [Edge80(S_max), Edge80(S_total_lc)) ~ [33.2, 34.7) GiB, a
// narrow band for FLUX (S_total_lc - S_max is ~1.2 GiB). Point: its middle,
// ~0.6 GiB of 0.8 x VRAM from either edge (the estimator is within rounding
// of the formula, checked above).
TEST_F(PlanFlowchartTest, BalancedFullModelOffload) {
  const Bytes vram = Mid(Edge80(seed_.s_max), Edge80(seed_.s_total_lc));
  const PlanResult plan = PlanAt(vram, GiB(64));
  EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("full+model_offload")) << Describe(plan);
  EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
}

// Step 4, S_max_lc + A <= VRAM < S_max + A: layerwise casting + model offload.
// Balanced region: [Edge80(S_max_lc), Edge80(S_max)) ~ [23.2, 33.2) GiB.
// Point: its middle (~28.2 GiB).
TEST_F(PlanFlowchartTest, BalancedFp8LayerwiseModelOffload) {
  const Bytes vram = Mid(Edge80(seed_.s_max_lc), Edge80(seed_.s_max));
  for (Bytes ram : {GiB(64), GiB(128)}) {
    const PlanResult plan = PlanAt(vram, ram);
    EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("fp8_layerwise+model_offload"))
        << Describe(plan);
    EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
  }
}

// Step 5: VRAM < S_max_lc + A: group offloading, chosen by RAM. The VRAM point
// for all of step 5 is the middle of [Edge80(2 x S_leaf), Edge80(S_max_lc)):
// ~14.5 GiB, far below fp8+model_offload's edge (~23.2 GiB) and far above what
// leaf-level streaming needs (2 x S_leaf + A: ~4.6 GiB, ~5.8 GiB at 80%).
class PlanFlowchartGroupTest : public PlanFlowchartTest {
 protected:
  Bytes SmallVram() const { return Mid(Edge80(2 * seed_.s_leaf), Edge80(seed_.s_max_lc)); }
  // The pinned host RAM of full+group_leaf_stream (pow2-rounded copies of every
  // offloaded tensor, internals §3.6); the seed says ~2.5-3 x S_total.
  Bytes StreamRam() {
    const PlanResult plan = PlanAt(SmallVram(), GiB(1024));
    const PlannedCandidate* p = Find(plan, "full+group_leaf_stream");
    EXPECT_NE(p, nullptr);
    return p == nullptr ? 0 : p->estimate.ram;
  }
};

// RAM >= 3 x S_total (and above the stream's pinned copies): leaf_level + stream.
// Point: 3 x S_total + 32 GiB (~126 GiB).
TEST_F(PlanFlowchartGroupTest, BalancedLeafStreamWithLargeRam) {
  const Bytes ram = 3 * seed_.s_total + 32 * kGiB;
  ASSERT_LT(StreamRam() + 16 * kGiB, ram);
  const PlanResult plan = PlanAt(SmallVram(), ram);
  EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("full+group_leaf_stream"))
      << Describe(plan);
  EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
  // quality: only full-tier offloading needs this little VRAM with this much RAM;
  // the full tier fits, so quality stays in it.
  ASSERT_TRUE(plan.recommended.quality.has_value());
  const PlannedCandidate* q = Find(plan, *plan.recommended.quality);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(QualityOf(q->candidate.weights), QualityTier::kFull) << *plan.recommended.quality;
}

// S_total <= RAM < 3 x S_total: leaf_level + stream + low_cpu_mem_usage. The
// planner's lowmem RAM is S_total plus a pinned pool of about two groups
// (~S_total + 2 GiB); full+group_leaf_stream needs its pinned copies. Point:
// the middle of [S_total + 2 GiB, StreamRam()) (~56 GiB).
TEST_F(PlanFlowchartGroupTest, BalancedLeafStreamLowmemWithModerateRam) {
  const double low = static_cast<double>(seed_.s_total + 2 * kGiB);
  const double high = static_cast<double>(StreamRam());
  ASSERT_GT(high - low, 16 * kGiBd) << "no room between lowmem and stream RAM";
  const Bytes ram = Mid(low, high);
  const PlanResult plan = PlanAt(SmallVram(), ram);
  EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("full+group_leaf_stream_lowmem"))
      << Describe(plan);
  EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
  const PlannedCandidate* lowmem = Find(plan, "full+group_leaf_stream_lowmem");
  ASSERT_NE(lowmem, nullptr);
  EXPECT_LT(static_cast<double>(lowmem->estimate.ram), static_cast<double>(ram) - 8 * kGiBd);
}

// RAM < S_total: no full-precision offloading fits in RAM; quantization is
// required (it needs RAM >= the largest bf16 component, S_max, while loading).
// Point: 24 GiB, between S_max (~22.2) and S_total (~31.4).
TEST_F(PlanFlowchartGroupTest, BalancedQuantizedWhenRamIsBelowSTotal) {
  const Bytes ram = GiB(24);
  ASSERT_LT(seed_.s_max, ram);
  ASSERT_LT(ram, seed_.s_total);
  const PlanResult plan = PlanAt(SmallVram(), ram);
  ASSERT_TRUE(plan.recommended.balanced.has_value()) << Describe(plan);
  const PlannedCandidate* b = Find(plan, *plan.recommended.balanced);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(IsQuantized(b->candidate.weights)) << *plan.recommended.balanced;
  EXPECT_STREQ(GroupOf(b->candidate.weights), "quantization");
  EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan)) << Describe(plan);
  // No full-precision candidate offloading to the CPU fits 24 GiB of RAM.
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.weights == WeightsKind::kFull && p.candidate.placement != Placement::kGpu) {
      EXPECT_FALSE(p.fits) << p.candidate.Id();
    }
  }
  // quality: the full tier does not fit; the best tier that does is fp8
  // (torchao fp8 weight-only or layerwise casting with group offload).
  ASSERT_TRUE(plan.recommended.quality.has_value());
  const PlannedCandidate* q = Find(plan, *plan.recommended.quality);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(QualityOf(q->candidate.weights), QualityTier::kFp8) << *plan.recommended.quality;
}

// Nothing under 80% of the card, something under 100%: the same order again
// at 100%. A card 10% larger than full+group_leaf_stream's own vram has no
// candidate under 80% (the smallest vram of all is within 10% of it) and
// full+group_leaf_stream, the first of the order that fits, is taken.
TEST_F(PlanFlowchartGroupTest, BalancedFallsBackToOneHundredPercent) {
  const Bytes ram = 3 * seed_.s_total + 32 * kGiB;
  const PlanResult reference = PlanAt(GiB(80), ram);
  const PlannedCandidate* stream = Find(reference, "full+group_leaf_stream");
  ASSERT_NE(stream, nullptr);
  const Bytes vram = stream->estimate.vram + stream->estimate.vram / 10;
  const PlanResult plan = PlanAt(vram, ram);
  for (const PlannedCandidate& p : plan.candidates) {
    ASSERT_GT(static_cast<double>(p.estimate.vram), kBalancedShare * static_cast<double>(vram))
        << p.candidate.Id();
  }
  EXPECT_EQ(plan.recommended.balanced, std::optional<std::string>("full+group_leaf_stream"))
      << Describe(plan);
  EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan));
}

// The seed's table: "fp8 layerwise casting + model offload | S_max_lc + A |
// S_total". from_pretrained loads the whole pipeline at the load dtype into
// host RAM before enable_layerwise_casting() runs, so the host peak is at
// least S_total, not S_total_lc.
TEST_F(PlanFlowchartTest, Fp8LayerwiseModelOffloadRamIsSTotalAsInTheSeed) {
  const PlanResult plan = PlanAt(Mid(Edge80(seed_.s_max_lc), Edge80(seed_.s_max)), GiB(64));
  const PlannedCandidate* p = Find(plan, "fp8_layerwise+model_offload");
  ASSERT_NE(p, nullptr);
  EXPECT_GE(p->estimate.ram, seed_.s_total);
}

// The seed's block_level row: "n_blocks_per_group x S_block + A (tune n =
// floor((VRAM - A) / S_block))": n is tuned so the candidate fills, and fits,
// the card. Points: 2 GiB above full+group_block_stream's vram (one group of
// one block plus one prefetched: more than n = 1 without a stream needs) and
// 2 GiB below full+model_offload's (the whole transformer resident, n = 57).
TEST_F(PlanFlowchartTest, GroupBlockTunesBlocksPerGroupToFitTheCard) {
  const PlanResult reference = PlanAt(GiB(80), GiB(64));
  const PlannedCandidate* stream = Find(reference, "full+group_block_stream");
  const PlannedCandidate* whole = Find(reference, "full+model_offload");
  ASSERT_NE(stream, nullptr);
  ASSERT_NE(whole, nullptr);
  const Bytes low = stream->estimate.vram + 2 * kGiB;
  const Bytes high = whole->estimate.vram - 2 * kGiB;
  ASSERT_LT(low, high);
  std::string bugs;
  for (Bytes vram : {low, Mid(static_cast<double>(low), static_cast<double>(high)), high}) {
    const PlanResult plan = PlanAt(vram, GiB(64));
    for (const char* id : {"full+group_block", "fp8_layerwise+group_block"}) {
      const PlannedCandidate* p = Find(plan, id);
      ASSERT_NE(p, nullptr) << id;
      const int n = p->candidate.num_blocks_per_group.value_or(0);
      // The seed's n for bf16 blocks is the most that fit next to A (an upper
      // bound: pipefit also counts the non-block weights, slack and context).
      // fp8 blocks are about half as large, so there only fitting is checked.
      const Bytes seed_n = (vram - kA) / seed_.s_block;
      const bool full = p->candidate.weights == WeightsKind::kFull;
      if (!p->fits || n < 1 || (full && (n >= kFluxBlocks || n > seed_n))) {
        bugs += std::string(id) + " at " + std::to_string(InGiB(vram)) + " GiB: n=" + std::to_string(n) +
                " (seed n <= " + std::to_string(seed_n) + "), vram " +
                std::to_string(InGiB(p->estimate.vram)) + " GiB, fits " + (p->fits ? "yes" : "no") + "; ";
      }
    }
  }
  EXPECT_TRUE(bugs.empty()) << "num_blocks_per_group is not tuned to the card: " << bugs;
}

// --- memory and quality at several points ---------------------------------

TEST_F(PlanFlowchartTest, MemoryAndQualityFollowTheContract) {
  const Bytes small = Mid(Edge80(2 * seed_.s_leaf), Edge80(seed_.s_max_lc));
  const struct {
    Bytes vram, ram;
  } points[] = {
      {GiB(80), GiB(64)},
      {Mid(Edge80(seed_.s_max_lc), Edge80(seed_.s_max)), GiB(64)},
      {small, 3 * seed_.s_total + 32 * kGiB},
      {small, GiB(24)},
      {GiB(16), GiB(32)},
  };
  for (const auto& point : points) {
    const PlanResult plan = PlanAt(point.vram, point.ram);
    SCOPED_TRACE(Describe(plan));
    const PlannedCandidate* memory = ContractMemory(plan);
    const PlannedCandidate* quality = ContractQuality(plan);
    ASSERT_NE(memory, nullptr);
    ASSERT_NE(quality, nullptr);
    ASSERT_TRUE(plan.recommended.memory.has_value());
    ASSERT_TRUE(plan.recommended.quality.has_value());
    const PlannedCandidate* got_memory = Find(plan, *plan.recommended.memory);
    const PlannedCandidate* got_quality = Find(plan, *plan.recommended.quality);
    ASSERT_NE(got_memory, nullptr);
    ASSERT_NE(got_quality, nullptr);
    // Equal keys (ties may legitimately name another candidate with the same key).
    EXPECT_TRUE(got_memory->fits);
    EXPECT_EQ(got_memory->estimate.vram, memory->estimate.vram)
        << *plan.recommended.memory << " vs " << memory->candidate.Id();
    EXPECT_EQ(got_memory->estimate.seconds, memory->estimate.seconds);
    EXPECT_TRUE(got_quality->fits);
    EXPECT_EQ(QualityOf(got_quality->candidate.weights), QualityOf(quality->candidate.weights))
        << *plan.recommended.quality << " vs " << quality->candidate.Id();
    EXPECT_EQ(got_quality->estimate.seconds, quality->estimate.seconds);
    for (const PlannedCandidate& p : plan.candidates) {
      if (p.fits) {
        EXPECT_LE(got_memory->estimate.vram, p.estimate.vram) << p.candidate.Id();
      }
    }
  }
  // With everything on an 80 GiB card, quality is the fastest full-tier
  // candidate: full+gpu.
  EXPECT_EQ(PlanAt(GiB(80), GiB(64)).recommended.quality, std::optional<std::string>("full+gpu"));
}

// --- nothing fits ------------------------------------------------------------

TEST_F(PlanFlowchartTest, NothingFitsGivesNullRecommendationsAndAShortfall) {
  const PlanResult plan = PlanAt(GiB(1), GiB(4));
  for (const PlannedCandidate& p : plan.candidates) EXPECT_FALSE(p.fits) << p.candidate.Id();
  EXPECT_FALSE(plan.recommended.quality.has_value());
  EXPECT_FALSE(plan.recommended.speed.has_value());
  EXPECT_FALSE(plan.recommended.memory.has_value());
  EXPECT_FALSE(plan.recommended.balanced.has_value());
  ASSERT_TRUE(plan.shortfall.has_value());
  ASSERT_FALSE(plan.candidates.empty());
  Bytes min_vram = plan.candidates.front().estimate.vram;
  Bytes min_ram = plan.candidates.front().estimate.ram;
  for (const PlannedCandidate& p : plan.candidates) {
    min_vram = std::min(min_vram, p.estimate.vram);
    min_ram = std::min(min_ram, p.estimate.ram);
  }
  EXPECT_EQ(plan.shortfall->min_vram, min_vram);
  EXPECT_EQ(plan.shortfall->min_ram, min_ram);
  const PlannedCandidate* at_min = Find(plan, plan.shortfall->min_vram_candidate);
  ASSERT_NE(at_min, nullptr) << plan.shortfall->min_vram_candidate;
  EXPECT_EQ(at_min->estimate.vram, min_vram);
  EXPECT_EQ(plan.shortfall->ram_at_min_vram, at_min->estimate.ram);
  // The least VRAM anything needs is at least the seed's leaf-level figure.
  EXPECT_GE(static_cast<double>(min_vram), Need(seed_.s_leaf) - 0.05 * kGiBd);
  // When something fits, there is no shortfall.
  EXPECT_FALSE(PlanAt(GiB(24), GiB(64)).shortfall.has_value());
}

// --- structural rules over every candidate ---------------------------------

TEST_F(PlanFlowchartTest, EveryCandidateFollowsTheCompatibilityRules) {
  const Bytes small = Mid(Edge80(2 * seed_.s_leaf), Edge80(seed_.s_max_lc));
  const struct {
    Bytes vram, ram;
  } points[] = {
      {GiB(1), GiB(4)},    {small, GiB(24)},   {small, 3 * seed_.s_total + 32 * kGiB},
      {GiB(16), GiB(32)},  {GiB(24), GiB(64)}, {Mid(Edge80(seed_.s_max), Edge80(seed_.s_total_lc)), GiB(64)},
      {GiB(80), GiB(256)},
  };
  for (const auto& point : points) {
    const PlanResult plan = PlanAt(point.vram, point.ram);
    SCOPED_TRACE("at " + std::to_string(InGiB(point.vram)) + " GiB VRAM, " +
                 std::to_string(InGiB(point.ram)) + " GiB RAM");
    ASSERT_FALSE(plan.candidates.empty());
    std::set<std::string> ids;
    for (const PlannedCandidate& p : plan.candidates) {
      const Candidate& c = p.candidate;
      const std::string id = c.Id();
      EXPECT_TRUE(ids.insert(id).second) << "duplicate id " << id;
      // bnb 8-bit under model offload is offered with the versions note.
      if (c.weights == WeightsKind::kBnbInt8 && c.placement == Placement::kModelOffload) {
        EXPECT_THAT(p.estimate.notes, Contains(HasSubstr("skips the hook of bitsandbytes 8-bit"))) << id;
      }
      if (c.placement == Placement::kSequentialOffload) {
        EXPECT_EQ(c.weights, WeightsKind::kFull) << id << ": sequential offload with bnb/torchao/fp8";
      }
      // block_level with a stream: one block per group.
      if (c.placement == Placement::kGroupBlockStream) {
        EXPECT_EQ(c.num_blocks_per_group, std::optional<int>(1)) << id;
      }
      if (c.placement == Placement::kGroupBlock) {
        ASSERT_TRUE(c.num_blocks_per_group.has_value()) << id;
        EXPECT_GE(*c.num_blocks_per_group, 1) << id;
        EXPECT_LE(*c.num_blocks_per_group, kFluxBlocks) << id;
      }
      if (c.placement != Placement::kGroupBlock && c.placement != Placement::kGroupBlockStream) {
        EXPECT_FALSE(c.num_blocks_per_group.has_value()) << id;
      }
      // bitsandbytes with group offloading keeps its quantized components on
      // the GPU (exclude_modules).
      if ((c.weights == WeightsKind::kBnbInt8 || c.weights == WeightsKind::kBnbNf4) &&
          IsGroupOffload(c.placement)) {
        EXPECT_FALSE(c.quantized_components.empty()) << id;
        for (const std::string& q : c.quantized_components) {
          EXPECT_THAT(c.group_offload_exclude, Contains(q)) << id;
        }
      }
      // group and quality follow the weights knob.
      EXPECT_STREQ(GroupOf(c.weights), IsQuantized(c.weights) ? "quantization" : "offload_casting") << id;
      EXPECT_EQ(c.weights == WeightsKind::kFull, c.quantized_components.empty()) << id;
      // Quantizing loads the largest bf16 component in RAM first.
      if (IsQuantized(c.weights)) {
        EXPECT_GE(p.estimate.ram, seed_.s_max) << id;
      }
      // fits is exactly vram <= VRAM && ram <= RAM; a misfit says which.
      const bool vram_ok = p.estimate.vram <= plan.hardware.vram;
      const bool ram_ok = p.estimate.ram <= plan.hardware.ram;
      EXPECT_EQ(p.fits, vram_ok && ram_ok) << id;
      EXPECT_LE(p.estimate.vram_allocated, p.estimate.vram) << id;
      EXPECT_EQ(p.vram_over, vram_ok ? 0 : p.estimate.vram - plan.hardware.vram) << id;
      EXPECT_EQ(p.ram_over, ram_ok ? 0 : p.estimate.ram - plan.hardware.ram) << id;
      EXPECT_GT(p.estimate.seconds, 0) << id;
    }
    // The knobs the flowchart names are all offered.
    for (const char* id :
         {"full+gpu", "fp8_layerwise+gpu", "full+model_offload", "fp8_layerwise+model_offload",
          "full+group_leaf_stream", "full+group_leaf_stream_lowmem", "full+group_block"}) {
      EXPECT_THAT(ids, Contains(id));
    }
    // Each recommendation names a fitting candidate.
    for (const auto& r : {plan.recommended.quality, plan.recommended.speed, plan.recommended.memory,
                          plan.recommended.balanced}) {
      if (!r) continue;
      const PlannedCandidate* p = Find(plan, *r);
      ASSERT_NE(p, nullptr) << *r;
      EXPECT_TRUE(p->fits) << *r;
    }
    EXPECT_EQ(plan.recommended.balanced, ContractBalanced(plan)) << Describe(plan);
  }
}

}  // namespace
}  // namespace pipefit
