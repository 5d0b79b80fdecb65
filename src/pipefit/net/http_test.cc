#include "pipefit/net/http.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

TEST(UrlOriginTest, SchemeHostAndPortLowerCasedWithoutCredentials) {
  EXPECT_EQ(UrlOrigin("https://HuggingFace.co/api/models?x=1"), "https://huggingface.co");
  EXPECT_EQ(UrlOrigin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(UrlOrigin("http://user:pw@host:1/x"), "http://host:1");
  EXPECT_EQ(UrlOrigin("/relative/path"), "");
  EXPECT_EQ(UrlOrigin("host/x"), "");
}

TEST(ResolveRedirectTest, EveryLocationForm) {
  const std::string base = "https://hub.test/org/name/resolve/main/a/b.json?x=1";
  EXPECT_EQ(ResolveRedirect(base, "https://cdn.test/f?sig=1"), "https://cdn.test/f?sig=1");
  EXPECT_EQ(ResolveRedirect(base, "//cdn.test/f"), "https://cdn.test/f");
  EXPECT_EQ(ResolveRedirect(base, "/api/x"), "https://hub.test/api/x");
  EXPECT_EQ(ResolveRedirect(base, "c.json"), "https://hub.test/org/name/resolve/main/a/c.json");
  EXPECT_EQ(ResolveRedirect("http://h:1", "x"), "http://h:1/x");
}

TEST(PercentEncodeTest, KeepsUnreservedAndOptionallySlash) {
  EXPECT_EQ(PercentEncode("refs/pr/1", false), "refs%2Fpr%2F1");
  EXPECT_EQ(PercentEncode("a b/c~d.e_f-g", true), "a%20b/c~d.e_f-g");
  EXPECT_EQ(PercentEncode("\xff", true), "%FF");
}

TEST(NextLinkUrlTest, FindsRelNextAmongOthers) {
  EXPECT_EQ(NextLinkUrl("<https://h/api?cursor=abc>; rel=\"next\""), "https://h/api?cursor=abc");
  EXPECT_EQ(NextLinkUrl("<https://h/p1>; rel=\"prev\", <https://h/p3>; rel=\"next\""), "https://h/p3");
  EXPECT_EQ(NextLinkUrl("<https://h/p3>; title=\"x\"; REL=next"), "https://h/p3");
  EXPECT_EQ(NextLinkUrl("<https://h/p3>; rel=\"next last\""), "https://h/p3");
  EXPECT_EQ(NextLinkUrl("<https://h/p1>; rel=\"prev\""), std::nullopt);
  EXPECT_EQ(NextLinkUrl("<https://h/p1; rel=\"next\""), std::nullopt);  // unterminated
  EXPECT_EQ(NextLinkUrl(""), std::nullopt);
  EXPECT_EQ(NextLinkUrl("<https://h/nextpage>; rel=\"nextish\""), std::nullopt);
}

TEST(HttpResponseTest, HeaderLookupIsByLowerCaseName) {
  HttpResponse response;
  response.headers = {{"content-range", "bytes 0-1/2"}, {"link", "a"}, {"link", "b"}};
  EXPECT_EQ(response.Header("link"), "a");
  EXPECT_EQ(response.Header("etag"), std::nullopt);
}

}  // namespace
}  // namespace pipefit
