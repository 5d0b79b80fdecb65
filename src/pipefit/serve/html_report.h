// `pipefit plan --html FILE`: one self-contained HTML file that shows a plan
// with the same page code as `pipefit serve` (serve/web_assets.h): the CSS
// and the page's ES module inlined, the plan's pipefit.plan/1 document
// embedded as data, no network needed to view it.
#ifndef PIPEFIT_SERVE_HTML_REPORT_H_
#define PIPEFIT_SERVE_HTML_REPORT_H_

#include <string>
#include <string_view>

#include "pipefit/base/result.h"

namespace pipefit {

// The report for PLAN_JSON (a pipefit.plan/1 document), titled TITLE.
// kMalformed when the embedded page lacks its body markers or its script
// could not be inlined safely (a bug in data/web, caught by the tests).
Result<std::string> PlanHtmlReport(std::string_view plan_json, std::string_view title);

// JSON text made safe inside a <script> element: every '<' becomes \u003c
// (in JSON, '<' can only occur inside strings, where the escape is equal).
std::string JsonForScriptElement(std::string_view json);

}  // namespace pipefit

#endif  // PIPEFIT_SERVE_HTML_REPORT_H_
