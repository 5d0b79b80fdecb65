// The speed–memory trade-off of a plan: the Pareto front of peak VRAM
// against seconds per call, as a terminal chart (`plan --pareto`) and as an
// SVG file (`plan --svg FILE`). A candidate is on the front when no other
// candidate needs at most as much VRAM (within 1%: the estimates are not
// more exact than that) and is at most as slow, and is better in one of the
// two. Only fitting candidates count (all of them when none
// fits, so the chart still shows what the card lacks).
#ifndef PIPEFIT_REPORT_PARETO_H_
#define PIPEFIT_REPORT_PARETO_H_

#include <string>
#include <vector>

#include "pipefit/plan/plan_result.h"

namespace pipefit {

// The front, by VRAM ascending (so by seconds descending). Candidates equal
// in both VRAM and seconds are all kept.
std::vector<const PlannedCandidate*> ParetoFront(const PlanResult& plan);

// A WIDTH × HEIGHT character plot (axes and labels around it): front points
// as letters a, b, c … (listed under the chart with their id, VRAM and
// time), other candidates as '.', the card's VRAM as a column of '|'.
// Seconds use a log scale when they spread over more than 8×.
std::string RenderParetoChart(const PlanResult& plan, int width = 64, int height = 16);

// The same chart as a standalone SVG document (no script, no external
// reference), with a <title> per point.
std::string RenderParetoSvg(const PlanResult& plan);

}  // namespace pipefit

#endif  // PIPEFIT_REPORT_PARETO_H_
