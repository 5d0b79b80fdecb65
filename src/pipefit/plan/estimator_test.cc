#include "pipefit/plan/estimator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipefit/model/quantized_bytes.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// A FLUX-like pipeline measured by hand. Every component's allocated bytes
// equal its bytes, so allocator rounding adds nothing and each expected
// value below is a plain sum.
constexpr Bytes kTe = 1 * kGiB;                  // text_encoder
constexpr Bytes kTe2 = 8 * kGiB;                 // text_encoder_2
constexpr Bytes kTr = 20 * kGiB;                 // transformer
constexpr Bytes kVae = kGiB / 4;                 // vae
constexpr Bytes kAll = kTe + kTe2 + kTr + kVae;  // 29.25 GiB

constexpr Bytes kTeLeaf = 16 * kMiB;
constexpr Bytes kTe2Leaf = 64 * kMiB;
constexpr Bytes kTrLeaf = 100 * kMiB;
constexpr Bytes kVaeLeaf = 32 * kMiB;

constexpr Bytes kTrBlock = 1 * kGiB;    // 10 blocks of 1 GiB
constexpr Bytes kTrBlocks = 10 * kGiB;  // so the unmatched group is 10 GiB
constexpr Bytes kTrFp8 = 12 * kGiB;     // after layerwise casting
constexpr Bytes kTrFp8Block = kGiB / 2;
constexpr Bytes kTrFp8Blocks = 5 * kGiB;  // fp8 unmatched group: 7 GiB
constexpr Bytes kTrFp8Leaf = 50 * kMiB;
constexpr int64_t kTrLargestLayer = 56'623'104;   // 18432 x 3072
constexpr int64_t kTe2LargestLayer = 41'943'040;  // 10240 x 4096

// Pinned copies (pow2 per tensor) are 1.5x the bytes for every component.
constexpr Bytes Pinned(Bytes b) { return b + b / 2; }

// --activation pins every stage at 1 GiB (a multiple of 512: no rounding).
constexpr Bytes kAct = 1 * kGiB;
// floor(0.96 x 1,073,741,824 = 1,030,792,151.04).
constexpr Bytes kSlack = 1'030'792'151;
constexpr Bytes kContext = kGiB / 2;

ComponentMeasurement Component(const std::string& name, ModelRole role, Bytes bytes, Bytes leaf) {
  ComponentMeasurement m;
  m.name = name;
  m.class_name = name == "vae" ? "SyntheticVae" : "SyntheticModel";
  m.format = WeightFormat::kSafetensors;
  m.role = role;
  m.bytes = bytes;
  m.stored_bytes = bytes;
  m.allocated_bytes = bytes;
  m.pinned_bytes = Pinned(bytes);
  m.leaf_bytes = leaf;
  m.layerwise_fp8_bytes = bytes;  // only the denoiser is cast
  m.int8_bytes = bytes;
  m.nf4_bytes = bytes;
  m.torchao_int8_bytes = bytes;
  m.torchao_fp8_bytes = bytes;
  m.torchao_int4_bytes = bytes;
  return m;
}

PlanContext FluxLikeContext() {
  PlanContext ctx;
  ctx.measurement.load_dtype = LoadDType::kBF16;
  ComponentMeasurement te = Component("text_encoder", ModelRole::kTextEncoder, kTe, kTeLeaf);
  te.largest_layer_params = 16'777'216;
  ComponentMeasurement te2 = Component("text_encoder_2", ModelRole::kTextEncoder, kTe2, kTe2Leaf);
  te2.largest_layer_params = kTe2LargestLayer;
  te2.int8_bytes = 4 * kGiB;
  te2.nf4_bytes = 2 * kGiB + kGiB / 4;
  te2.torchao_int8_bytes = 4 * kGiB;
  ComponentMeasurement tr = Component("transformer", ModelRole::kDenoiser, kTr, kTrLeaf);
  tr.blocks = 10;
  tr.block_bytes = kTrBlock;
  tr.block_total_bytes = kTrBlocks;
  tr.layerwise_fp8_bytes = kTrFp8;
  tr.block_fp8_bytes = kTrFp8Block;
  tr.block_total_fp8_bytes = kTrFp8Blocks;
  tr.leaf_fp8_bytes = kTrFp8Leaf;
  tr.largest_layer_params = kTrLargestLayer;
  for (int i = 0; i < 10; ++i) {
    tr.block_list.push_back({.name = "transformer_blocks." + std::to_string(i),
                             .bytes = kTrBlock,
                             .fp8_bytes = kTrFp8Block,
                             .allocated_bytes = kTrBlock,
                             .pinned_bytes = Pinned(kTrBlock)});
  }
  tr.block_lists = {"transformer_blocks"};
  tr.int8_bytes = 10 * kGiB;
  tr.nf4_bytes = 6 * kGiB;
  tr.torchao_int8_bytes = 10 * kGiB;
  tr.torchao_fp8_bytes = 10 * kGiB;
  tr.torchao_int4_bytes = 5 * kGiB + kGiB / 2;
  ComponentMeasurement vae = Component("vae", ModelRole::kVae, kVae, kVaeLeaf);
  ctx.measurement.components = {te, te2, tr, vae};
  ctx.denoiser = 2;
  ctx.vae = 3;
  ctx.calls = {{Stage::kTextEncode, 0}, {Stage::kTextEncode, 1}, {Stage::kDenoise, 2}, {Stage::kDecode, 3}};
  ctx.offload_chain = {"text_encoder", "text_encoder_2", "transformer", "vae"};
  ctx.activation_override = kAct;
  return ctx;
}

Candidate Make(WeightsKind weights, Placement placement, std::vector<std::string> quantized = {}) {
  Candidate c;
  c.weights = weights;
  c.placement = placement;
  c.quantized_components = std::move(quantized);
  if (placement == Placement::kGroupBlock) c.num_blocks_per_group = 2;
  if (placement == Placement::kGroupBlockStream) c.num_blocks_per_group = 1;
  return c;
}

// The model calls' stages (after the load stage, which is always first).
std::vector<Bytes> Weights(const Estimate& e) {
  std::vector<Bytes> out;
  for (const StagePeak& s : e.stages)
    if (s.stage != Stage::kLoad) out.push_back(s.weights);
  return out;
}
std::vector<Bytes> Transients(const Estimate& e) {
  std::vector<Bytes> out;
  for (const StagePeak& s : e.stages)
    if (s.stage != Stage::kLoad) out.push_back(s.transient);
  return out;
}

// vram = allocated peak + reserve slack over the peak stage's activations + CUDA context.
void ExpectVram(const Estimate& e, Bytes allocated) {
  EXPECT_EQ(e.vram_allocated, allocated);
  EXPECT_EQ(e.vram, allocated + kSlack + kContext);
}

TEST(EstimatorTest, StagesFollowTheCalls) {
  const Estimate e = EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGpu));
  ASSERT_EQ(e.stages.size(), 5u);
  EXPECT_EQ(e.stages[1].stage, Stage::kTextEncode);
  EXPECT_EQ(e.stages[1].component, "text_encoder");
  EXPECT_EQ(e.stages[2].stage, Stage::kTextEncode);
  EXPECT_EQ(e.stages[2].component, "text_encoder_2");
  EXPECT_EQ(e.stages[3].stage, Stage::kDenoise);
  EXPECT_EQ(e.stages[3].component, "transformer");
  EXPECT_EQ(e.stages[4].stage, Stage::kDecode);
  EXPECT_EQ(e.stages[4].component, "vae");
  EXPECT_EQ(e.stages[0].activations, 0);  // loading runs no model
  for (const StagePeak& s : e.stages) {
    if (s.stage == Stage::kLoad) continue;
    EXPECT_EQ(s.activations, kAct) << StageName(s.stage);
    EXPECT_EQ(s.transient, 0) << StageName(s.stage);
  }
}

TEST(EstimatorTest, AllOnGpuHoldsEveryComponent) {
  const Estimate e = EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kAll, kAll, kAll, kAll}));
  ExpectVram(e, kAll + kAct);
  EXPECT_EQ(e.vram_allocated, 31'406'948'352 + 1'073'741'824);
  EXPECT_EQ(e.peak_stage, Stage::kTextEncode);  // every stage ties; the first is kept
  // Load peak: the largest component, loaded at the load dtype.
  EXPECT_EQ(e.ram, kTr);
}

TEST(EstimatorTest, ModelOffloadEvictsThePredecessor) {
  // internals §2: text_encoder_2 evicts text_encoder, the transformer
  // evicts text_encoder_2, the VAE evicts the transformer.
  const Estimate e = EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kModelOffload));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, kTr, kVae}));
  ExpectVram(e, kTr + kAct);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
  EXPECT_EQ(e.ram, kAll);  // every component pageable on the host
}

TEST(EstimatorTest, ModelOffloadKeepsAModelWhosePredecessorIsNotItsEvictor) {
  // Chain text_encoder -> text_encoder_2 -> transformer -> vae, but the
  // pipeline calls text_encoder_2 before text_encoder (like SD3's second
  // CLIP call): text_encoder does not evict text_encoder_2.
  PlanContext ctx = FluxLikeContext();
  ctx.calls = {{Stage::kTextEncode, 1}, {Stage::kTextEncode, 0}, {Stage::kDenoise, 2}, {Stage::kDecode, 3}};
  const Estimate e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kModelOffload));
  // R = {te2} -> {te2, te} (te's predecessor is absent from R) -> the
  // transformer evicts te2 only -> the VAE evicts the transformer.
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe2, kTe2 + kTe, kTe + kTr, kTe + kVae}));
  ExpectVram(e, kTe + kTr + kAct);
}

TEST(EstimatorTest, GroupBlockHoldsUnmatchedPlusTheGroup) {
  // Text encoders and the VAE have no blocks: whole while they run.
  // Transformer: 10 GiB unmatched + 2 blocks of 1 GiB.
  const Estimate e = EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupBlock));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, 12 * kGiB, kVae}));
  ExpectVram(e, 12 * kGiB + kAct);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
  EXPECT_EQ(e.ram, kAll);

  Candidate three = Make(WeightsKind::kFull, Placement::kGroupBlock);
  three.num_blocks_per_group = 3;
  EXPECT_EQ(EstimateMemory(FluxLikeContext(), three).stages[3].weights, 13 * kGiB);
  // A group larger than the model is the model.
  three.num_blocks_per_group = 50;
  EXPECT_EQ(EstimateMemory(FluxLikeContext(), three).stages[3].weights, kTr);
}

TEST(EstimatorTest, GroupBlockStreamHoldsUnmatchedPlusTwoBlocks) {
  // internals §3.7: unmatched + current + next block (n forced to 1).
  const Estimate e =
      EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupBlockStream));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, 12 * kGiB, kVae}));
  ExpectVram(e, 12 * kGiB + kAct);
}

TEST(EstimatorTest, GroupBlockStreamRamPinsOnlyStreamGroups) {
  // internals §3.3/§3.6: the unmatched group has stream=None and is not
  // pinned; only the stream groups (here the transformer's 10 blocks) get
  // pinned copies. Pageable host bytes (all components) plus the pinned
  // copies of the blocks at apply time. The measurement has no per-block
  // pinned figure, so the blocks' share of the transformer's pinned bytes
  // is taken pro rata: 1.5 x 10 GiB.
  const Estimate e =
      EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupBlockStream));
  EXPECT_EQ(e.ram, kAll + Pinned(kTrBlocks));
}

TEST(EstimatorTest, GroupLeafHoldsTheLargestLeaf) {
  const Estimate e = EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupLeaf));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTeLeaf, kTe2Leaf, kTrLeaf, kVaeLeaf}));
  ExpectVram(e, kTrLeaf + kAct);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
  EXPECT_EQ(e.ram, kAll);
}

TEST(EstimatorTest, GroupLeafStreamHoldsTwoLeavesAndPinsEverything) {
  const Estimate e = EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupLeafStream));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{2 * kTeLeaf, 2 * kTe2Leaf, 2 * kTrLeaf, 2 * kVaeLeaf}));
  ExpectVram(e, 2 * kTrLeaf + kAct);
  // Pageable plus pinned copies at apply time (internals §3.6).
  EXPECT_EQ(e.ram, kAll + Pinned(kAll));
  EXPECT_EQ(e.ram, 29 * kGiB + kGiB / 4 + 43 * kGiB + 7 * kGiB / 8);
}

TEST(EstimatorTest, GroupLeafStreamLowmemPinsAboutTwoGroups) {
  const Estimate e =
      EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupLeafStreamLowmem));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{2 * kTeLeaf, 2 * kTe2Leaf, 2 * kTrLeaf, 2 * kVaeLeaf}));
  ExpectVram(e, 2 * kTrLeaf + kAct);
  // internals §3.6: pinned on the fly, pool high-water about two groups'
  // pow2-rounded bytes. leaf_level groups are leaves: 2 x pow2ceil(100 MiB).
  const Bytes per_reference = kAll + 2 * PinnedHostBytes(kTrLeaf);
  EXPECT_EQ(per_reference, kAll + 256 * kMiB);
  EXPECT_EQ(e.ram, per_reference);
}

TEST(EstimatorTest, SequentialOffloadHoldsOneLeaf) {
  const Estimate e =
      EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kSequentialOffload));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTeLeaf, kTe2Leaf, kTrLeaf, kVaeLeaf}));
  ExpectVram(e, kTrLeaf + kAct);
  EXPECT_EQ(e.ram, kAll);
}

TEST(EstimatorTest, OffloadExcludedComponentStaysResident) {
  // _exclude_from_cpu_offload (e.g. SD's safety_checker): never called in
  // this list, resident in every stage, never on the host.
  PlanContext ctx = FluxLikeContext();
  constexpr Bytes kChecker = kGiB / 2;
  ctx.measurement.components.push_back(Component("safety_checker", ModelRole::kOther, kChecker, 8 * kMiB));
  ctx.offload_excluded = {"safety_checker"};

  Estimate e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>(4, kAll + kChecker)));
  EXPECT_EQ(e.ram, kTr);

  e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kModelOffload));
  EXPECT_EQ(Weights(e),
            (std::vector<Bytes>{kChecker + kTe, kChecker + kTe2, kChecker + kTr, kChecker + kVae}));
  ExpectVram(e, kChecker + kTr + kAct);
  EXPECT_EQ(e.ram, kAll);

  e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kGroupBlock));
  EXPECT_EQ(Weights(e),
            (std::vector<Bytes>{kChecker + kTe, kChecker + kTe2, kChecker + 12 * kGiB, kChecker + kVae}));

  e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kGroupLeafStream));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kChecker + 2 * kTeLeaf, kChecker + 2 * kTe2Leaf,
                                            kChecker + 2 * kTrLeaf, kChecker + 2 * kVaeLeaf}));
  EXPECT_EQ(e.ram, kAll + Pinned(kAll));

  e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kSequentialOffload));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kChecker + kTeLeaf, kChecker + kTe2Leaf, kChecker + kTrLeaf,
                                            kChecker + kVaeLeaf}));
  EXPECT_EQ(e.ram, kAll);
}

TEST(EstimatorTest, GroupOffloadExcludedComponentStaysResident) {
  // A VAE kept on the GPU outside group offloading (internals §3.3
  // generator rule).
  Candidate c = Make(WeightsKind::kFull, Placement::kGroupLeaf);
  c.group_offload_exclude = {"vae"};
  const Estimate e = EstimateMemory(FluxLikeContext(), c);
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kVae + kTeLeaf, kVae + kTe2Leaf, kVae + kTrLeaf, kVae}));
  ExpectVram(e, kVae + kTrLeaf + kAct);
  EXPECT_EQ(e.ram, kAll - kVae);  // the VAE is not on the host
}

TEST(EstimatorTest, Fp8LayerwiseUsesCastBytesAndOneLayerTransient) {
  const Bytes transient = kTrLargestLayer * 2;  // one layer in bf16 (internals §5)
  EXPECT_EQ(transient, 113'246'208);
  const Bytes all_fp8 = kTe + kTe2 + kTrFp8 + kVae;

  Estimate e =
      EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFp8Layerwise, Placement::kGpu, {"transformer"}));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>(4, all_fp8)));
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, 0, transient, 0}));
  ExpectVram(e, all_fp8 + kAct + transient);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
  EXPECT_EQ(e.ram, kTr);

  e = EstimateMemory(FluxLikeContext(),
                     Make(WeightsKind::kFp8Layerwise, Placement::kModelOffload, {"transformer"}));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, kTrFp8, kVae}));
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, 0, transient, 0}));
  ExpectVram(e, kTrFp8 + kAct + transient);
  // from_pretrained loads every component at the load dtype before casting
  // is applied, so the RAM peak is the full pipeline (the seed's S_total).
  EXPECT_EQ(e.ram, kAll);

  // Measured fp8 blocks: 7 GiB unmatched + 2 x 0.5 GiB.
  e = EstimateMemory(FluxLikeContext(),
                     Make(WeightsKind::kFp8Layerwise, Placement::kGroupBlock, {"transformer"}));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, 8 * kGiB, kVae}));
  // The transient puts the denoise stage above text_encoder_2's 8 GiB.
  ExpectVram(e, 8 * kGiB + kAct + transient);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
}

TEST(EstimatorTest, Fp8LayerwiseGroupOffload) {
  const Bytes transient = kTrLargestLayer * 2;
  Estimate e = EstimateMemory(
      FluxLikeContext(), Make(WeightsKind::kFp8Layerwise, Placement::kGroupBlockStream, {"transformer"}));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, 7 * kGiB + 2 * kTrFp8Block, kVae}));
  ExpectVram(e, 8 * kGiB + kAct + transient);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);

  e = EstimateMemory(FluxLikeContext(),
                     Make(WeightsKind::kFp8Layerwise, Placement::kGroupLeaf, {"transformer"}));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTeLeaf, kTe2Leaf, kTrFp8Leaf, kVaeLeaf}));
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, 0, transient, 0}));
  ExpectVram(e, kTrFp8Leaf + transient + kAct);

  e = EstimateMemory(FluxLikeContext(),
                     Make(WeightsKind::kFp8Layerwise, Placement::kGroupLeafStream, {"transformer"}));
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{2 * kTeLeaf, 2 * kTe2Leaf, 2 * kTrFp8Leaf, 2 * kVaeLeaf}));
  ExpectVram(e, 2 * kTrFp8Leaf + transient + kAct);
  // Pinned copies scale with the cast bytes: 1.5 x 12 GiB for the transformer.
  const Bytes host = kTe + kTe2 + kTrFp8 + kVae;
  EXPECT_EQ(e.ram, host + Pinned(host));
}

Candidate Partial(WeightsKind weights, int resident_blocks) {
  Candidate c = Make(
      weights, Placement::kPartialResident,
      weights == WeightsKind::kFull ? std::vector<std::string>{} : std::vector<std::string>{"transformer"});
  c.resident_blocks = resident_blocks;
  return c;
}

TEST(EstimatorTest, PartialResidencySplitsTheDenoiserAfterTheFirstKBlocks) {
  // 6 of 10 one-GiB blocks resident: 4 streamed, and the 10 GiB outside
  // the blocks stay too.
  PartialSplit split = SplitForPartialResidency(FluxLikeContext(), Partial(WeightsKind::kFull, 6));
  EXPECT_EQ(split.resident, 16 * kGiB);
  EXPECT_EQ(split.streamed, 4 * kGiB);
  EXPECT_EQ(split.streamed_pinned, Pinned(4 * kGiB));
  EXPECT_EQ(split.streamed_blocks, 4);
  EXPECT_DOUBLE_EQ(split.streamed_share, 0.2);
  // fp8 storage: half-size blocks, pinned copies scaled the same way.
  split = SplitForPartialResidency(FluxLikeContext(), Partial(WeightsKind::kFp8Layerwise, 6));
  EXPECT_EQ(split.resident, kTrFp8 - 2 * kGiB);
  EXPECT_EQ(split.streamed, 2 * kGiB);
  EXPECT_EQ(split.streamed_pinned, Pinned(2 * kGiB));
  EXPECT_DOUBLE_EQ(split.streamed_share, 0.2);
  // Every block resident: nothing streamed; more than there are: the same.
  for (int k : {10, 25}) {
    split = SplitForPartialResidency(FluxLikeContext(), Partial(WeightsKind::kFull, k));
    EXPECT_EQ(split.resident, kTr) << k;
    EXPECT_EQ(split.streamed_blocks, 0) << k;
  }
  // Other placements split nothing.
  split = SplitForPartialResidency(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupLeafStream));
  EXPECT_EQ(split.resident, 0);
  EXPECT_EQ(split.streamed, 0);
}

TEST(EstimatorTest, PartialResidencyHoldsTheResidentPartInEveryStage) {
  const Estimate e = EstimateMemory(FluxLikeContext(), Partial(WeightsKind::kFull, 6));
  const Bytes resident = 16 * kGiB;
  // The other models stream two leaves each, beside the resident part; the
  // transformer adds two of its streamed leaves.
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{resident + 2 * kTeLeaf, resident + 2 * kTe2Leaf,
                                            resident + 2 * kTrLeaf, resident + 2 * kVaeLeaf}));
  ExpectVram(e, resident + 2 * kTrLeaf + kAct);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
  EXPECT_EQ(e.stages[0].weights, resident);  // after the setup lines
  // Host: the other models and the four streamed blocks, pageable plus
  // pinned (as leaf_level with streams, internals §3.6).
  const Bytes host = kTe + kTe2 + kVae + 4 * kGiB;
  EXPECT_EQ(e.ram, host + Pinned(host));
  EXPECT_EQ(e.ram, 33 * kGiB + kGiB / 8);

  // Every block resident: the whole transformer, nothing of it streamed.
  const Estimate all = EstimateMemory(FluxLikeContext(), Partial(WeightsKind::kFull, 10));
  EXPECT_EQ(Weights(all)[2], kTr);
}

TEST(EstimatorTest, PartialResidencyWithFp8Casting) {
  const Estimate e = EstimateMemory(FluxLikeContext(), Partial(WeightsKind::kFp8Layerwise, 6));
  const Bytes resident = kTrFp8 - 2 * kGiB;  // 10 GiB
  const Bytes transient = kTrLargestLayer * 2;
  EXPECT_EQ(Weights(e)[2], resident + 2 * kTrFp8Leaf);
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, 0, transient, 0}));
  ExpectVram(e, resident + 2 * kTrFp8Leaf + transient + kAct);
  // Casting happens after every component was loaded at full size: that
  // load peak (29.25 GiB) exceeds the host copies (9.25 + 2 GiB, plus 1.5x
  // pinned = 28.125 GiB).
  EXPECT_EQ(e.ram, kAll);
}

TEST(EstimatorTest, QuantizedWeightsWithModelOffload) {
  // bnb nf4 on the transformer and text_encoder_2; each quantized model
  // dequantizes one layer in bf16 while it runs (internals §6.1).
  const Candidate c = Make(WeightsKind::kBnbNf4, Placement::kModelOffload, {"transformer", "text_encoder_2"});
  const Estimate e = EstimateMemory(FluxLikeContext(), c);
  const Bytes te2_nf4 = 2 * kGiB + kGiB / 4;
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, te2_nf4, 6 * kGiB, kVae}));
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, kTe2LargestLayer * 2, kTrLargestLayer * 2, 0}));
  ExpectVram(e, 6 * kGiB + kTrLargestLayer * 2 + kAct);
  // Loading quantizes from a bf16 copy: the largest bf16 component.
  EXPECT_EQ(e.ram, kTr);
}

TEST(EstimatorTest, BnbInt8ExcludedFromGroupOffloadHasNoWeightTransient) {
  Candidate c = Make(WeightsKind::kBnbInt8, Placement::kGroupLeaf, {"transformer", "text_encoder_2"});
  c.group_offload_exclude = {"transformer", "text_encoder_2"};
  const Estimate e = EstimateMemory(FluxLikeContext(), c);
  const Bytes excluded = 10 * kGiB + 4 * kGiB;
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{excluded + kTeLeaf, excluded, excluded, excluded + kVaeLeaf}));
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, 0, 0, 0}));
  ExpectVram(e, excluded + kVaeLeaf + kAct);
  EXPECT_EQ(e.peak_stage, Stage::kDecode);
  EXPECT_EQ(e.ram, kTr);  // host holds 1.25 GiB; the bf16 load peak is larger
}

TEST(EstimatorTest, TorchaoGroupBlockScalesBlocksByTheQuantizedRatio) {
  // 10 GiB int8 out of 20 GiB: blocks 0.5 GiB, unmatched 5 GiB.
  const Candidate c = Make(WeightsKind::kTorchaoInt8wo, Placement::kGroupBlock, {"transformer"});
  const Estimate e = EstimateMemory(FluxLikeContext(), c);
  EXPECT_EQ(Weights(e), (std::vector<Bytes>{kTe, kTe2, 6 * kGiB, kVae}));
  EXPECT_EQ(Transients(e), (std::vector<Bytes>{0, 0, kTrLargestLayer * 2, 0}));
  ExpectVram(e, kTe2 + kAct);  // text_encoder_2's 8 GiB beats 6 GiB + 108 MiB
  EXPECT_EQ(e.peak_stage, Stage::kTextEncode);
}

TEST(EstimatorTest, SlackFollowsThePeakStageActivations) {
  // Without --activation: per-stage activations; the decode falls back to
  // the generic estimate (no VAE facts): 3 GiB at 1024^2, batch 1.
  PlanContext ctx = FluxLikeContext();
  ctx.facts.vae.name = "vae";  // a VAE whose architecture is unknown: generic decode
  ctx.activation_override.reset();
  ctx.activations.text_encode = kGiB / 2;
  ctx.activations.denoise = 2 * kGiB;
  ctx.activations.decode = 123;  // not read: decode is recomputed with the VAE modifiers
  const Bytes decode = 3 * kGiB;

  Estimate e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kModelOffload));
  ASSERT_EQ(e.stages.size(), 5u);
  EXPECT_EQ(e.stages[1].activations, kGiB / 2);
  EXPECT_EQ(e.stages[3].activations, 2 * kGiB);
  EXPECT_EQ(e.stages[4].activations, decode);
  EXPECT_EQ(e.vram_allocated, kTr + 2 * kGiB);
  EXPECT_EQ(e.peak_stage, Stage::kDenoise);
  // floor(0.96 x 2 GiB = 2,061,584,302.08).
  EXPECT_EQ(e.vram, kTr + 2 * kGiB + 2'061'584'302 + kContext);

  e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kGpu));
  EXPECT_EQ(e.vram_allocated, kAll + decode);
  EXPECT_EQ(e.peak_stage, Stage::kDecode);
  // floor(0.96 x 3 GiB = 3,092,376,453.12).
  EXPECT_EQ(e.vram, kAll + decode + 3'092'376'453 + kContext);
}

TEST(EstimatorTest, ActivationsAreAllocatorRounded) {
  PlanContext ctx = FluxLikeContext();
  ctx.activation_override = 1000;
  const Estimate e = EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kModelOffload));
  EXPECT_EQ(e.stages[3].activations, 1024);
  EXPECT_EQ(e.vram_allocated, kTr + 1024);
  EXPECT_EQ(e.vram, kTr + 1024 + 983 + kContext);  // floor(0.96 x 1024 = 983.04)
}

TEST(EstimatorTest, ComponentWeightsCarriesRoundingProRata) {
  PlanContext ctx = FluxLikeContext();
  ctx.measurement.components[2].allocated_bytes = kTr + kMiB;
  EXPECT_EQ(ComponentWeights(ctx, Make(WeightsKind::kFull, Placement::kGpu), 2), kTr + kMiB);
  // 1 MiB x 12/20 = 629,145.6.
  EXPECT_EQ(ComponentWeights(ctx, Make(WeightsKind::kFp8Layerwise, Placement::kGpu, {"transformer"}), 2),
            kTrFp8 + 629'145);
  // 1 MiB x 6/20 = 314,572.8.
  EXPECT_EQ(ComponentWeights(ctx, Make(WeightsKind::kBnbNf4, Placement::kGpu, {"transformer"}), 2),
            6 * kGiB + 314'572);
  // Components outside quantized_components keep their load-dtype bytes.
  EXPECT_EQ(ComponentWeights(ctx, Make(WeightsKind::kBnbNf4, Placement::kGpu, {"transformer"}), 1), kTe2);
  // Full weights ignore the list.
  EXPECT_EQ(ComponentWeights(ctx, Make(WeightsKind::kFull, Placement::kGpu, {"transformer"}), 2), kTr + kMiB);
}

// --- The load stage: from_pretrained plus the setup lines -----------------

StagePeak LoadOf(const Estimate& e) {
  EXPECT_FALSE(e.stages.empty());
  EXPECT_EQ(e.stages.front().stage, Stage::kLoad);
  return e.stages.front();
}

// .to("cuda") after loading on the CPU: every component at once, nothing else.
TEST(EstimatorTest, LoadAllOnGpuHoldsEveryComponentAfterSetup) {
  const StagePeak load = LoadOf(EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGpu)));
  EXPECT_EQ(load.component, "pipeline");
  EXPECT_EQ(load.weights, kAll);
  EXPECT_EQ(load.activations, 0);
  EXPECT_EQ(load.transient, 0);
}

// Offloading loads on the CPU and leaves only the excluded components on the GPU.
TEST(EstimatorTest, LoadWithOffloadingHoldsOnlyTheExcludedComponents) {
  EXPECT_EQ(
      LoadOf(EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kModelOffload))).weights,
      0);
  EXPECT_EQ(
      LoadOf(EstimateMemory(FluxLikeContext(), Make(WeightsKind::kFull, Placement::kGroupLeaf))).weights, 0);
  PlanContext ctx = FluxLikeContext();
  ctx.offload_excluded = {"text_encoder"};
  EXPECT_EQ(LoadOf(EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kModelOffload))).weights, kTe);
  EXPECT_EQ(LoadOf(EstimateMemory(ctx, Make(WeightsKind::kFull, Placement::kSequentialOffload))).weights,
            kTe);
  Candidate group = Make(WeightsKind::kFull, Placement::kGroupLeaf);
  group.group_offload_exclude = {"vae"};
  EXPECT_EQ(LoadOf(EstimateMemory(ctx, group)).weights, kTe + kVae);
  // bitsandbytes 4-bit is loaded with device_map="cpu": nothing on the GPU.
  EXPECT_EQ(LoadOf(EstimateMemory(FluxLikeContext(),
                                  Make(WeightsKind::kBnbNf4, Placement::kModelOffload, {"transformer"})))
                .weights,
            0);
}

// bnb 8-bit under model offload: no device_map, so bitsandbytes loads the
// transformer onto the GPU (10 GiB int8) quantizing one layer at a time
// from its bf16 copy (18432 x 3072 x 2 = 113,246,208 B); the warmup,
// 12e9 / 4 x 2 = 6e9 B, is smaller. It then stays resident, and because
// the transformer leaves the chain, text_encoder_2 is only evicted by the
// VAE.
TEST(EstimatorTest, LoadBnbInt8ModelOffloadPutsTheTransformerOnTheGpu) {
  PlanContext ctx = FluxLikeContext();
  ctx.measurement.components[2].params = 12'000'000'000;
  const Estimate e =
      EstimateMemory(ctx, Make(WeightsKind::kBnbInt8, Placement::kModelOffload, {"transformer"}));
  const StagePeak load = LoadOf(e);
  EXPECT_EQ(load.component, "transformer");
  EXPECT_EQ(load.weights, 10 * kGiB);
  EXPECT_EQ(load.transient, 113'246'208);
  EXPECT_EQ(Weights(e),
            (std::vector<Bytes>{10 * kGiB + kTe, 10 * kGiB + kTe2, 10 * kGiB + kTe2, 10 * kGiB + kVae}));
  EXPECT_THAT(e.notes, Contains(HasSubstr("transformers < 4.58 or bitsandbytes < 0.48")));
}

// The warmup sets the load peak when it exceeds the component plus its
// transient: 24 Gi elements / 4 x 2 bytes = 12 GiB > 10 GiB + 113,246,208.
TEST(EstimatorTest, LoadWarmupCountsWhenLargerThanTheWeights) {
  PlanContext ctx = FluxLikeContext();
  ctx.measurement.components[2].params = 24 * kGiB;
  const StagePeak load =
      LoadOf(EstimateMemory(ctx, Make(WeightsKind::kBnbInt8, Placement::kModelOffload, {"transformer"})));
  EXPECT_EQ(load.component, "transformer");
  EXPECT_EQ(load.weights, 0);
  EXPECT_EQ(load.transient, 12 * kGiB);
}

// torchao int4 loads the whole pipeline with device_map="cuda": components
// arrive one after another and stay; the transformer (5.5 GiB int4) adds
// one bf16 layer while it is quantized: 1 + 8 + 5.5 GiB + 113,246,208 B is
// below the 14.75 GiB all four hold once the VAE has arrived.
TEST(EstimatorTest, LoadTorchaoInt4ArrivesComponentByComponentOnTheGpu) {
  const Estimate e =
      EstimateMemory(FluxLikeContext(), Make(WeightsKind::kTorchaoInt4wo, Placement::kGpu, {"transformer"}));
  const StagePeak load = LoadOf(e);
  EXPECT_EQ(load.component, "vae");
  EXPECT_EQ(load.weights, kTe + kTe2 + 5 * kGiB + kGiB / 2 + kVae);
  EXPECT_EQ(load.transient, 0);
}

// Loading sets the peak when it holds more than any call: model offload with
// the 8-bit transformer resident and tiny activations.
TEST(EstimatorTest, PeakStageIsLoadWhenLoadingHoldsMost) {
  PlanContext ctx = FluxLikeContext();
  ctx.activation_override = 0;
  ctx.measurement.components[0].bytes = ctx.measurement.components[0].allocated_bytes = 0;
  ctx.measurement.components[1].bytes = ctx.measurement.components[1].allocated_bytes = 0;
  ctx.measurement.components[3].bytes = ctx.measurement.components[3].allocated_bytes = 0;
  const Estimate e =
      EstimateMemory(ctx, Make(WeightsKind::kBnbInt8, Placement::kModelOffload, {"transformer"}));
  ASSERT_TRUE(e.peak_stage.has_value());
  EXPECT_EQ(*e.peak_stage, Stage::kLoad);
  EXPECT_EQ(e.vram_allocated, 10 * kGiB + 113'246'208);
}

}  // namespace
}  // namespace pipefit
