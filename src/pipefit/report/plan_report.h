// Renders `pipefit plan`: JSON exactly per CONTRACT.md (schema
// "pipefit.plan/1", sizes as integer bytes, the contract's field names, plus
// extra fields the contract allows) and a readable report: header, candidates
// grouped as the seed calculator groups them ("Offloading / casting", then
// "Quantization") with a VRAM bar against the card's capacity, the
// recommendation per preference, and the chosen candidate's code.
#ifndef PIPEFIT_REPORT_PLAN_REPORT_H_
#define PIPEFIT_REPORT_PLAN_REPORT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/plan/plan_result.h"
#include "pipefit/report/json_util.h"

namespace pipefit {

struct PlanRenderOptions {
  bool all = false;    // include candidates that do not fit, with their reason
  bool color = false;  // ANSI colour (the CLI sets it for a terminal without NO_COLOR)
  int width = 100;     // terminal columns; text lines stay within it (code excepted)
  // The candidate whose code is shown: the --strategy id or the preference's
  // pick. Unset: the recommendation for `prefer`.
  std::optional<std::string> chosen;
  std::string prefer = "balanced";  // quality | speed | memory | balanced
};

// CONTRACT.md's `recommended` object (null for a preference nothing fits);
// the doctor's plan summary prints the same.
Json RecommendedJson(const Recommendations& recommended);

std::string RenderPlanJson(const PlanResult& plan, const PlanRenderOptions& options);

// Why a candidate does not fit, e.g. "needs 30.00 GiB VRAM, 6.00 GiB more
// than the 24.00 GiB available" (both limits, "; "-joined, when both are
// exceeded); "" when it fits.
std::string FitReason(const PlannedCandidate& candidate, const PlanHardware& hardware);
std::string RenderPlanText(const PlanResult& plan, const PlanRenderOptions& options);

// Building blocks of the text report, public for tests.

// The recommendation for a preference name, or nullopt (unknown name or none).
std::optional<std::string> RecommendationFor(const Recommendations& recommended, std::string_view prefer);

// A VRAM bar: `cells` cells stand for 0..capacity ('█' used, '░' free, '┆'
// at the 80% line the balanced preference uses while free), then '│' marks
// the capacity, then '▶' when vram exceeds it (the bar is drawn to the edge)
// or a space. Display width cells + 2; "" when capacity or cells is not
// positive.
std::string RenderVramBar(Bytes vram, Bytes capacity, int cells, bool color);

// Terminal columns `text` occupies: UTF-8 code points, ANSI escapes excluded.
int DisplayWidth(std::string_view text);

// Greedy word wrap into lines of at most `width` columns: the first line
// starts with `first_indent`, the following ones with `rest_indent`. A word
// longer than a line is kept whole on a line of its own; a number stays on
// the line of the word after it (its unit).
std::vector<std::string> WrapText(std::string_view text, int width, std::string_view first_indent,
                                  std::string_view rest_indent);

}  // namespace pipefit

#endif  // PIPEFIT_REPORT_PLAN_REPORT_H_
