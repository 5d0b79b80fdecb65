// A strategy is a combination of knobs, not a class with its own code
// (DESIGN.md): how the weights are stored (WEIGHTS), where they live while
// the pipeline runs (PLACEMENT), and the VAE modifiers. One estimator reads
// the knobs (estimator.h); one code writer maps each knob to its diffusers
// call (codegen/script_writer.h). Ids and names are CONTRACT.md's.
#ifndef PIPEFIT_PLAN_CANDIDATE_H_
#define PIPEFIT_PLAN_CANDIDATE_H_

#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/base/enum_table.h"

namespace pipefit {

enum class WeightsKind {
  kFull,           // the load dtype
  kFp8Layerwise,   // enable_layerwise_casting(storage=float8_e4m3fn) on the denoiser
  kBnbInt8,        // bitsandbytes LLM.int8
  kBnbNf4,         // bitsandbytes 4-bit nf4
  kTorchaoInt8wo,  // torchao Int8WeightOnlyConfig
  kTorchaoFp8wo,   // torchao Float8WeightOnlyConfig
  kTorchaoInt4wo,  // torchao Int4WeightOnlyConfig
  kGguf,           // the checkpoint is already GGUF (from_single_file)
};

enum class Placement {
  kGpu,                    // pipe.to("cuda")
  kModelOffload,           // enable_model_cpu_offload()
  kGroupBlock,             // enable_group_offload(block_level, num_blocks_per_group=n)
  kGroupBlockStream,       // block_level, use_stream=True (n forced to 1)
  kGroupLeaf,              // leaf_level
  kGroupLeafStream,        // leaf_level, use_stream=True
  kGroupLeafStreamLowmem,  // leaf_level, use_stream=True, low_cpu_mem_usage=True
  kSequentialOffload,      // enable_sequential_cpu_offload() (legacy)
  // The denoiser's first k blocks (Candidate::resident_blocks) and its
  // other modules stay on the GPU; each later block is streamed with its own
  // leaf_level + use_stream group offloading, and the other components as in
  // kGroupLeafStream (docs/partial-residency.md). Id "residentK".
  kPartialResident,
};

// Every WeightsKind and every Placement, in enum order: the one list code and
// tests loop over. Keep each next to its enum; the tables keyed by these
// enums (ids here, diffusers calls in codegen/) are checked against them at
// compile time, so a new knob without its rows does not build.
inline constexpr WeightsKind kAllWeights[] = {
    WeightsKind::kFull,          WeightsKind::kFp8Layerwise,  WeightsKind::kBnbInt8,
    WeightsKind::kBnbNf4,        WeightsKind::kTorchaoInt8wo, WeightsKind::kTorchaoFp8wo,
    WeightsKind::kTorchaoInt4wo, WeightsKind::kGguf,
};
inline constexpr Placement kAllPlacements[] = {
    Placement::kGpu,
    Placement::kModelOffload,
    Placement::kGroupBlock,
    Placement::kGroupBlockStream,
    Placement::kGroupLeaf,
    Placement::kGroupLeafStream,
    Placement::kGroupLeafStreamLowmem,
    Placement::kSequentialOffload,
    Placement::kPartialResident,
};
static_assert(IsEnumSequence(kAllWeights) &&
              std::size(kAllWeights) == static_cast<size_t>(WeightsKind::kGguf) + 1);
static_assert(IsEnumSequence(kAllPlacements) &&
              std::size(kAllPlacements) == static_cast<size_t>(Placement::kPartialResident) + 1);

// How a candidate spreads over several GPUs (docs/multi-gpu/
// diffusers-parallelism.md). kNone is one GPU. The context-parallel kinds run
// one process per GPU (torchrun), each holding every weight, with the
// denoiser's sequence split `degree` ways: Ulysses by all-to-all of the heads
// (§1.7), Ring by one all-gather of K and V per attention (§1, §7). kBalanced
// is the pipeline's device_map="balanced": whole components on different
// GPUs of one process (§5), no speed-up.
// kTensor is tensor parallelism (`_tp_plan` classes, diffusers main after
// 0.39): the denoiser's attention and MLP weights split over the ranks.
enum class ParallelKind { kNone, kUlysses, kRing, kBalanced, kTensor };
struct ParallelLayout {
  ParallelKind kind = ParallelKind::kNone;
  int degree = 1;  // GPUs used; 1 for kNone
  bool operator==(const ParallelLayout&) const = default;
};
const char* ParallelKindId(ParallelKind kind);  // "", "ulysses", "ring", "balanced", "tp"
bool IsContextParallel(ParallelKind kind);      // Ulysses or Ring
// One process per GPU under torchrun: context or tensor parallel.
bool RunsUnderTorchrun(ParallelKind kind);
// The diffusers config class the layout's code constructs
// ("ContextParallelConfig", "TensorParallelConfig"); "" for others.
const char* ParallelConfigClass(ParallelKind kind);

// Highest first: a lower enum value is better quality.
enum class QualityTier { kFull, kFp8, kInt8, kInt4 };

const char* WeightsId(WeightsKind weights);  // "full", "fp8_layerwise", "bnb_int8", ...
// "gpu", "model_offload", ...; "resident" for kPartialResident, whose ids
// carry the block count ("resident30", Candidate::Id).
const char* PlacementId(Placement placement);
const char* QualityName(QualityTier quality);  // "full", "fp8", "int8", "int4"
std::optional<QualityTier> ParseQualityName(std::string_view name);
QualityTier QualityOf(WeightsKind weights);
struct Candidate;
QualityTier CandidateQuality(const Candidate& candidate);  // quality, else QualityOf(weights)
// CONTRACT.md `group`: "offload_casting" for full / fp8_layerwise, else "quantization".
const char* GroupOf(WeightsKind weights);
bool IsQuantized(WeightsKind weights);  // not full, not fp8_layerwise
// Group offloading of every component but the ones it excludes; partial
// residency counts (leaf level with streams) for the components it streams.
bool IsGroupOffload(Placement placement);
bool UsesStream(Placement placement);
bool IsLeafLevel(Placement placement);

std::optional<WeightsKind> ParseWeightsId(std::string_view id);
std::optional<Placement> ParsePlacementId(std::string_view id);

struct Candidate {
  WeightsKind weights = WeightsKind::kFull;
  Placement placement = Placement::kGpu;
  // Components whose weights the WEIGHTS knob changes: the denoiser for
  // fp8 casting and GGUF; the denoiser, optionally with the large text
  // encoders, for quantization; empty for `full`.
  std::vector<std::string> quantized_components;
  bool vae_tiling = false;
  bool vae_slicing = false;
  // block_level only: blocks per group (1 with streams).
  std::optional<int> num_blocks_per_group;
  // kPartialResident only: the denoiser's blocks kept on the GPU, counted
  // in call order (ComponentMeasurement::block_list); 0 elsewhere.
  int resident_blocks = 0;
  // Components kept fully on the GPU outside group offloading (a VAE whose
  // class cannot be block-level offloaded, a bitsandbytes int8 component).
  std::vector<std::string> group_offload_exclude;
  // Set when the weights kind alone does not decide the quality tier (GGUF:
  // Q8_0 is int8-class, 4/5/6-bit types int4-class).
  std::optional<QualityTier> quality;
  ParallelLayout parallel;

  // CONTRACT.md id: WEIGHTS+PLACEMENT[+te][+vae_tiling][+vae_slicing]
  // (PLACEMENT "residentK" for partial residency, K = resident_blocks), then
  // pipefit's additions: "+te" marks a quantized candidate whose large text
  // encoders are quantized too, so ids stay unique; "+ulysses4", "+ring2",
  // "+balanced2", "+tp2" name a multi-GPU layout and its GPU count.
  std::string Id() const;
};

// A strategy id as a user types it ("fp8_layerwise+model_offload+vae_tiling",
// "bnb_nf4+gpu+te"): the knobs it names, or a kUsage-style message in `error`.
struct ParsedStrategyId {
  WeightsKind weights = WeightsKind::kFull;
  Placement placement = Placement::kGpu;
  bool vae_tiling = false;
  bool vae_slicing = false;
  bool text_encoders = false;
  int resident_blocks = 0;  // "residentK": K (at least 1)
  ParallelLayout parallel;
};
std::optional<ParsedStrategyId> ParseStrategyId(std::string_view id, std::string* error);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_CANDIDATE_H_
