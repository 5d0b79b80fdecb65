// plan --html's page: the embedded page's parts, inlined safely.
#include "pipefit/serve/html_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipefit/base/text.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(HtmlReportTest, JsonInAScriptElementCannotCloseIt) {
  EXPECT_EQ(JsonForScriptElement(R"({"model": "</script><script>alert(1)</script>"})"),
            R"({"model": "\u003c/script>\u003cscript>alert(1)\u003c/script>"})");
}

TEST(HtmlReportTest, TitleIsEscaped) { EXPECT_EQ(EscapeHtml(R"(a<b>&"c")"), "a&lt;b&gt;&amp;&quot;c&quot;"); }

TEST(HtmlReportTest, ReportInlinesThePageAndTheDocument) {
  auto page = PlanHtmlReport(R"({"schema": "pipefit.plan/1", "model": "<x>"})", "pipefit plan: <x> on GPU");
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_THAT(*page, HasSubstr("<title>pipefit plan: &lt;x&gt; on GPU</title>"));
  EXPECT_THAT(*page, HasSubstr(R"(<script type="application/json" id="pipefit-report-data">{"schema": )"
                               R"("pipefit.plan/1", "model": "\u003cx>"}</script>)"));
  EXPECT_THAT(*page, HasSubstr("<!-- pipefit:body -->"));
  EXPECT_THAT(*page, HasSubstr("<script type=\"module\">"));
  // Self-contained: nothing is loaded from anywhere.
  EXPECT_THAT(*page, Not(HasSubstr("src=\"")));
  EXPECT_THAT(*page, Not(HasSubstr("<link")));
  EXPECT_THAT(*page, Not(HasSubstr("url(")));
  EXPECT_THAT(*page, Not(HasSubstr("https://")));
  // The only http:// is the SVG namespace, which is a name, not a request.
  std::string rest = *page;
  for (size_t at = rest.find("http://"); at != std::string::npos; at = rest.find("http://", at + 1)) {
    EXPECT_EQ(rest.substr(at, 26), "http://www.w3.org/2000/svg");
  }
}

}  // namespace
}  // namespace pipefit
