#include "pipefit/serve/html_report.h"

#include <fmt/format.h>

#include "pipefit/base/text.h"
#include "pipefit/serve/web_assets.h"

namespace pipefit {
namespace {

constexpr std::string_view kBodyStart = "<!-- pipefit:body -->";
constexpr std::string_view kBodyEnd = "<!-- /pipefit:body -->";

}  // namespace

std::string JsonForScriptElement(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

Result<std::string> PlanHtmlReport(std::string_view plan_json, std::string_view title) {
  auto page = FindWebAsset("index.html");
  auto script = FindWebAsset("pipefit.js");
  auto style = FindWebAsset("style.css");
  if (!page || !script || !style)
    return MakeErrorf(ErrorCode::kMalformed, "the embedded web page is incomplete");
  const size_t start = page->data.find(kBodyStart);
  const size_t end = page->data.find(kBodyEnd);
  if (start == std::string_view::npos || end == std::string_view::npos || end < start) {
    return MakeErrorf(ErrorCode::kMalformed, "web/index.html lacks the {} … {} markers", kBodyStart,
                      kBodyEnd);
  }
  // Inlined text must not close its element early.
  if (AsciiLower(script->data).find("</script") != std::string::npos ||
      AsciiLower(style->data).find("</style") != std::string::npos) {
    return MakeErrorf(ErrorCode::kMalformed,
                      "web/pipefit.js or web/style.css cannot be inlined (it closes its element)");
  }
  const std::string_view body = page->data.substr(start, end + kBodyEnd.size() - start);
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; "
      "style-src 'unsafe-inline'; img-src data:\">\n"
      "<title>{}</title>\n<style>\n{}</style>\n</head>\n<body class=\"report\">\n{}\n"
      "<script type=\"application/json\" id=\"pipefit-report-data\">{}</script>\n"
      "<script type=\"module\">\n{}</script>\n</body>\n</html>\n",
      EscapeHtml(title), style->data, body, JsonForScriptElement(TrimWhitespace(plan_json)), script->data);
}

}  // namespace pipefit
