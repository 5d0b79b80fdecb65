// The four preferences exactly as CONTRACT.md "Preferences" defines them,
// and the shortfall when nothing fits.
#ifndef PIPEFIT_PLAN_RANK_H_
#define PIPEFIT_PLAN_RANK_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/plan/plan_result.h"

namespace pipefit {

enum class Preference { kQuality, kSpeed, kMemory, kBalanced };
const char* PreferenceName(Preference preference);
std::optional<Preference> ParsePreference(std::string_view text);

// The candidate id each preference picks among the fitting candidates.
Recommendations Recommend(const std::vector<PlannedCandidate>& candidates, Bytes vram, Bytes ram);
std::optional<std::string> RecommendationFor(const Recommendations& r, Preference preference);

// When no candidate fits: the least VRAM (and the RAM that candidate needs)
// and the least RAM over all candidates.
Shortfall ComputeShortfall(const std::vector<PlannedCandidate>& candidates);

}  // namespace pipefit

#endif  // PIPEFIT_PLAN_RANK_H_
