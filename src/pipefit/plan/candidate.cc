#include "pipefit/plan/candidate.h"

#include <array>
#include <utility>

namespace pipefit {
namespace {

// CONTRACT.md "Strategy ids"; quality tiers per the same section.
struct WeightsRow {
  WeightsKind kind;
  const char* id;
  QualityTier quality;
};
constexpr WeightsRow kWeights[] = {
    {WeightsKind::kFull, "full", QualityTier::kFull},
    {WeightsKind::kFp8Layerwise, "fp8_layerwise", QualityTier::kFp8},
    {WeightsKind::kBnbInt8, "bnb_int8", QualityTier::kInt8},
    {WeightsKind::kBnbNf4, "bnb_nf4", QualityTier::kInt4},
    {WeightsKind::kTorchaoInt8wo, "torchao_int8wo", QualityTier::kInt8},
    {WeightsKind::kTorchaoFp8wo, "torchao_fp8wo", QualityTier::kFp8},
    {WeightsKind::kTorchaoInt4wo, "torchao_int4wo", QualityTier::kInt4},
    // GGUF quality depends on the quant type; the planner refines it
    // (gguf Q8_0 is int8-class, Q4/Q5/K-quants int4-class).
    {WeightsKind::kGguf, "gguf", QualityTier::kInt8},
};
static_assert(RowsFollowEnum(kWeights, &WeightsRow::kind, std::size(kAllWeights)));

struct PlacementRow {
  Placement placement;
  const char* id;
};
constexpr PlacementRow kPlacements[] = {
    {Placement::kGpu, "gpu"},
    {Placement::kModelOffload, "model_offload"},
    {Placement::kGroupBlock, "group_block"},
    {Placement::kGroupBlockStream, "group_block_stream"},
    {Placement::kGroupLeaf, "group_leaf"},
    {Placement::kGroupLeafStream, "group_leaf_stream"},
    {Placement::kGroupLeafStreamLowmem, "group_leaf_stream_lowmem"},
    {Placement::kSequentialOffload, "sequential_offload"},
    {Placement::kPartialResident, "resident"},
};
static_assert(RowsFollowEnum(kPlacements, &PlacementRow::placement, std::size(kAllPlacements)));

const WeightsRow& RowOf(WeightsKind kind) { return RowFor(kWeights, kind); }

// Splits "a+b+c" into its parts.
std::vector<std::string_view> SplitPlus(std::string_view id) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t plus = id.find('+', start);
    parts.push_back(id.substr(start, plus == std::string_view::npos ? std::string_view::npos : plus - start));
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  return parts;
}

// "30" -> 30: one to four digits, no leading zero; nullopt otherwise.
std::optional<int> ParseSmallCount(std::string_view digits) {
  if (digits.empty() || digits.size() > 4 || digits[0] == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "ulysses4" -> {kUlysses, 4}; N from 2 to 64.
std::optional<ParallelLayout> ParseParallelPart(std::string_view part) {
  for (ParallelKind kind :
       {ParallelKind::kUlysses, ParallelKind::kRing, ParallelKind::kBalanced, ParallelKind::kTensor}) {
    const std::string_view name = ParallelKindId(kind);
    if (part.size() <= name.size() || part.substr(0, name.size()) != name) continue;
    const std::optional<int> degree = ParseSmallCount(part.substr(name.size()));
    if (!degree || *degree < 2 || *degree > 64) return std::nullopt;
    return ParallelLayout{kind, *degree};
  }
  return std::nullopt;
}

}  // namespace

const char* ParallelKindId(ParallelKind kind) {
  switch (kind) {
    case ParallelKind::kNone:
      return "";
    case ParallelKind::kUlysses:
      return "ulysses";
    case ParallelKind::kRing:
      return "ring";
    case ParallelKind::kBalanced:
      return "balanced";
    case ParallelKind::kTensor:
      return "tp";
  }
  return "";  // unreachable: the switch covers every kind (-Wswitch)
}

bool IsContextParallel(ParallelKind kind) {
  return kind == ParallelKind::kUlysses || kind == ParallelKind::kRing;
}

bool RunsUnderTorchrun(ParallelKind kind) { return IsContextParallel(kind) || kind == ParallelKind::kTensor; }

const char* ParallelConfigClass(ParallelKind kind) {
  if (IsContextParallel(kind)) return "ContextParallelConfig";
  return kind == ParallelKind::kTensor ? "TensorParallelConfig" : "";
}

const char* WeightsId(WeightsKind weights) { return RowOf(weights).id; }

const char* PlacementId(Placement placement) { return RowFor(kPlacements, placement).id; }

const char* QualityName(QualityTier quality) {
  switch (quality) {
    case QualityTier::kFull:
      return "full";
    case QualityTier::kFp8:
      return "fp8";
    case QualityTier::kInt8:
      return "int8";
    case QualityTier::kInt4:
      return "int4";
  }
  return "?";  // unreachable: the switch covers every tier (-Wswitch)
}

std::optional<QualityTier> ParseQualityName(std::string_view name) {
  for (QualityTier tier : {QualityTier::kFull, QualityTier::kFp8, QualityTier::kInt8, QualityTier::kInt4}) {
    if (name == QualityName(tier)) return tier;
  }
  return std::nullopt;
}

QualityTier QualityOf(WeightsKind weights) { return RowOf(weights).quality; }

QualityTier CandidateQuality(const Candidate& candidate) {
  return candidate.quality.value_or(QualityOf(candidate.weights));
}

const char* GroupOf(WeightsKind weights) { return IsQuantized(weights) ? "quantization" : "offload_casting"; }

bool IsQuantized(WeightsKind weights) {
  return weights != WeightsKind::kFull && weights != WeightsKind::kFp8Layerwise;
}

bool IsGroupOffload(Placement p) {
  return p == Placement::kGroupBlock || p == Placement::kGroupBlockStream || p == Placement::kGroupLeaf ||
         p == Placement::kGroupLeafStream || p == Placement::kGroupLeafStreamLowmem ||
         p == Placement::kPartialResident;
}

bool UsesStream(Placement p) {
  return p == Placement::kGroupBlockStream || p == Placement::kGroupLeafStream ||
         p == Placement::kGroupLeafStreamLowmem || p == Placement::kPartialResident;
}

bool IsLeafLevel(Placement p) {
  return p == Placement::kGroupLeaf || p == Placement::kGroupLeafStream ||
         p == Placement::kGroupLeafStreamLowmem || p == Placement::kPartialResident;
}

std::optional<WeightsKind> ParseWeightsId(std::string_view id) {
  for (const WeightsRow& row : kWeights) {
    if (id == row.id) return row.kind;
  }
  return std::nullopt;
}

std::optional<Placement> ParsePlacementId(std::string_view id) {
  for (const PlacementRow& row : kPlacements) {
    if (id == row.id) return row.placement;
  }
  return std::nullopt;
}

std::string Candidate::Id() const {
  std::string id = std::string(WeightsId(weights)) + "+" + PlacementId(placement);
  if (placement == Placement::kPartialResident && resident_blocks > 0) id += std::to_string(resident_blocks);
  if (IsQuantized(weights) && weights != WeightsKind::kGguf && quantized_components.size() > 1) id += "+te";
  if (vae_tiling) id += "+vae_tiling";
  if (vae_slicing) id += "+vae_slicing";
  if (parallel.kind != ParallelKind::kNone)
    id += "+" + std::string(ParallelKindId(parallel.kind)) + std::to_string(parallel.degree);
  return id;
}

std::optional<ParsedStrategyId> ParseStrategyId(std::string_view id, std::string* error) {
  const std::vector<std::string_view> parts = SplitPlus(id);
  ParsedStrategyId parsed;
  auto fail = [&](std::string message) -> std::optional<ParsedStrategyId> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  if (parts.size() < 2) return fail("strategy id '" + std::string(id) + "' is not WEIGHTS+PLACEMENT");
  const std::optional<WeightsKind> weights = ParseWeightsId(parts[0]);
  if (!weights)
    return fail("unknown WEIGHTS '" + std::string(parts[0]) + "' in strategy id '" + std::string(id) + "'");
  std::optional<Placement> placement = ParsePlacementId(parts[1]);
  const std::string_view resident = PlacementId(Placement::kPartialResident);
  if (parts[1].substr(0, resident.size()) == resident) {
    const std::optional<int> blocks = ParseSmallCount(parts[1].substr(resident.size()));
    if (!blocks) {
      return fail("PLACEMENT '" + std::string(parts[1]) + "' in strategy id '" + std::string(id) +
                  "' needs the number of resident blocks (resident1 to resident9999)");
    }
    placement = Placement::kPartialResident;
    parsed.resident_blocks = *blocks;
  }
  if (!placement) {
    return fail("unknown PLACEMENT '" + std::string(parts[1]) + "' in strategy id '" + std::string(id) + "'");
  }
  parsed.weights = *weights;
  parsed.placement = *placement;
  for (size_t i = 2; i < parts.size(); ++i) {
    if (parts[i] == "vae_tiling") {
      parsed.vae_tiling = true;
    } else if (parts[i] == "vae_slicing") {
      parsed.vae_slicing = true;
    } else if (parts[i] == "te") {
      parsed.text_encoders = true;
    } else if (std::optional<ParallelLayout> layout = ParseParallelPart(parts[i])) {
      if (parsed.parallel.kind != ParallelKind::kNone)
        return fail("strategy id '" + std::string(id) + "' names two multi-GPU layouts");
      parsed.parallel = *layout;
    } else {
      return fail(
          "unknown modifier '" + std::string(parts[i]) + "' in strategy id '" + std::string(id) +
          "' (expected vae_tiling, vae_slicing, te, or a multi-GPU layout: ulyssesN, ringN, balancedN, tpN)");
    }
  }
  return parsed;
}

}  // namespace pipefit
