#include "pipefit/plan/rank.h"

#include <algorithm>

namespace pipefit {
namespace {

// CONTRACT.md "balanced": the offloading/casting order, then quantized
// candidates from the highest quality tier down, fastest first.
constexpr struct {
  WeightsKind weights;
  Placement placement;
} kBalancedOrder[] = {
    {WeightsKind::kFull, Placement::kGpu},
    {WeightsKind::kFp8Layerwise, Placement::kGpu},
    {WeightsKind::kFull, Placement::kModelOffload},
    {WeightsKind::kFp8Layerwise, Placement::kModelOffload},
    {WeightsKind::kFull, Placement::kGroupLeafStream},
    {WeightsKind::kFull, Placement::kGroupLeafStreamLowmem},
    {WeightsKind::kFull, Placement::kGroupBlock},
};

int Modifiers(const Candidate& c) { return (c.vae_tiling ? 1 : 0) + (c.vae_slicing ? 1 : 0); }

// Among candidates with the same knobs, the one with fewer VAE modifiers
// comes first (a modifier is only added when it is needed).
bool LessModified(const PlannedCandidate* a, const PlannedCandidate* b) {
  if (Modifiers(a->candidate) != Modifiers(b->candidate))
    return Modifiers(a->candidate) < Modifiers(b->candidate);
  return a->estimate.seconds < b->estimate.seconds;
}

bool ByTierThenSpeed(const PlannedCandidate* a, const PlannedCandidate* b) {
  const auto qa = CandidateQuality(a->candidate), qb = CandidateQuality(b->candidate);
  if (qa != qb) return qa < qb;
  if (a->estimate.seconds != b->estimate.seconds) return a->estimate.seconds < b->estimate.seconds;
  return Modifiers(a->candidate) < Modifiers(b->candidate);
}

std::vector<const PlannedCandidate*> BalancedOrder(const std::vector<PlannedCandidate>& all) {
  std::vector<const PlannedCandidate*> order;
  for (const auto& step : kBalancedOrder) {
    std::vector<const PlannedCandidate*> same;
    for (const PlannedCandidate& p : all) {
      if (p.candidate.weights == step.weights && p.candidate.placement == step.placement) same.push_back(&p);
    }
    std::sort(same.begin(), same.end(), LessModified);
    order.insert(order.end(), same.begin(), same.end());
  }
  std::vector<const PlannedCandidate*> quantized;
  for (const PlannedCandidate& p : all) {
    if (IsQuantized(p.candidate.weights)) quantized.push_back(&p);
  }
  std::stable_sort(quantized.begin(), quantized.end(), ByTierThenSpeed);
  order.insert(order.end(), quantized.begin(), quantized.end());
  return order;
}

// pipefit's extension past CONTRACT.md's list, tried only after both of
// its passes found nothing, so that `balanced` is null only when nothing
// fits: the remaining candidates (group_leaf, group_block_stream, fp8 with
// group offload, sequential), by quality tier, then speed.
std::vector<const PlannedCandidate*> RestOrder(const std::vector<PlannedCandidate>& all,
                                               const std::vector<const PlannedCandidate*>& listed) {
  std::vector<const PlannedCandidate*> rest;
  for (const PlannedCandidate& p : all) {
    if (std::find(listed.begin(), listed.end(), &p) == listed.end()) rest.push_back(&p);
  }
  std::stable_sort(rest.begin(), rest.end(), ByTierThenSpeed);
  return rest;
}

template <typename Better>
std::optional<std::string> Best(const std::vector<PlannedCandidate>& all, Better better) {
  const PlannedCandidate* best = nullptr;
  for (const PlannedCandidate& p : all) {
    if (!p.fits) continue;
    if (best == nullptr || better(p, *best)) best = &p;
  }
  if (best == nullptr) return std::nullopt;
  return best->candidate.Id();
}

}  // namespace

const char* PreferenceName(Preference preference) {
  switch (preference) {
    case Preference::kQuality:
      return "quality";
    case Preference::kSpeed:
      return "speed";
    case Preference::kMemory:
      return "memory";
    case Preference::kBalanced:
      return "balanced";
  }
  return "balanced";
}

std::optional<Preference> ParsePreference(std::string_view text) {
  for (Preference p :
       {Preference::kQuality, Preference::kSpeed, Preference::kMemory, Preference::kBalanced}) {
    if (text == PreferenceName(p)) return p;
  }
  return std::nullopt;
}

Recommendations Recommend(const std::vector<PlannedCandidate>& all, Bytes vram, Bytes ram) {
  Recommendations r;
  r.quality = Best(all, [](const PlannedCandidate& a, const PlannedCandidate& b) {
    const auto qa = CandidateQuality(a.candidate), qb = CandidateQuality(b.candidate);
    if (qa != qb) return qa < qb;
    return a.estimate.seconds < b.estimate.seconds;
  });
  r.speed = Best(all, [](const PlannedCandidate& a, const PlannedCandidate& b) {
    return a.estimate.seconds < b.estimate.seconds;
  });
  r.memory = Best(all, [](const PlannedCandidate& a, const PlannedCandidate& b) {
    if (a.estimate.vram != b.estimate.vram) return a.estimate.vram < b.estimate.vram;
    return a.estimate.seconds < b.estimate.seconds;
  });
  const std::vector<const PlannedCandidate*> order = BalancedOrder(all);
  const std::vector<const PlannedCandidate*> rest = RestOrder(all, order);
  for (const auto& [list, share] : {std::pair{&order, 0.8}, std::pair{&order, 1.0}, std::pair{&rest, 1.0}}) {
    for (const PlannedCandidate* p : *list) {
      if (p->fits && static_cast<double>(p->estimate.vram) <= share * static_cast<double>(vram) &&
          p->estimate.ram <= ram) {
        r.balanced = p->candidate.Id();
        return r;
      }
    }
  }
  return r;
}

std::optional<std::string> RecommendationFor(const Recommendations& r, Preference preference) {
  switch (preference) {
    case Preference::kQuality:
      return r.quality;
    case Preference::kSpeed:
      return r.speed;
    case Preference::kMemory:
      return r.memory;
    case Preference::kBalanced:
      return r.balanced;
  }
  return std::nullopt;
}

Shortfall ComputeShortfall(const std::vector<PlannedCandidate>& all) {
  Shortfall s;
  bool first = true;
  for (const PlannedCandidate& p : all) {
    if (first || p.estimate.vram < s.min_vram) {
      s.min_vram = p.estimate.vram;
      s.ram_at_min_vram = p.estimate.ram;
      s.min_vram_candidate = p.candidate.Id();
    }
    if (first || p.estimate.ram < s.min_ram) {
      s.min_ram = p.estimate.ram;
      s.min_ram_candidate = p.candidate.Id();
    }
    first = false;
  }
  return s;
}

}  // namespace pipefit
