#include "pipefit/net/http_client.h"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>

namespace pipefit {
namespace {

// Answers from a script, records what it was sent.
class ScriptedTransport : public HttpTransport {
 public:
  std::deque<Result<HttpResponse>> answers;
  std::vector<TransportRequest> sent;

  Result<HttpResponse> Exchange(const TransportRequest& request) override {
    sent.push_back(request);
    if (answers.empty()) return MakeErrorf(ErrorCode::kNetwork, "script exhausted");
    Result<HttpResponse> answer = answers.front();
    answers.pop_front();
    return answer;
  }
};

HttpResponse Answer(int status, HttpHeaders headers = {}, std::string body = "") {
  HttpResponse response;
  response.status = status;
  response.headers = std::move(headers);
  response.wire_body_bytes = static_cast<int64_t>(body.size());
  response.body = std::move(body);
  return response;
}

std::string AuthorizationOf(const TransportRequest& request) {
  for (const auto& [name, value] : request.headers) {
    if (name == "Authorization") return value;
  }
  return "";
}

struct Fixture {
  ScriptedTransport transport;
  std::vector<std::chrono::milliseconds> sleeps;
  HttpClient client{transport, HttpClientOptions{},
                    [this](std::chrono::milliseconds delay) { sleeps.push_back(delay); }};
};

HttpRequest Get(const std::string& url, const std::string& token = "") {
  HttpRequest request;
  request.url = url;
  request.bearer_token = token;
  request.max_body_bytes = 1 << 20;
  return request;
}

TEST(HttpClientTest, TokenGoesToTheFirstOriginOnlyAcrossRedirects) {
  Fixture f;
  f.transport.answers.push_back(Answer(302, {{"location", "/org/x/resolve/abc/f"}}));
  f.transport.answers.push_back(Answer(302, {{"location", "https://cdn.test/blob?sig=1"}}));
  f.transport.answers.push_back(Answer(307, {{"location", "https://hub.test/back"}}));
  f.transport.answers.push_back(Answer(206, {}, "data"));
  auto response = f.client.Send(Get("https://hub.test/org/x/resolve/main/f", "hf_secret"));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 206);
  EXPECT_EQ(response->url, "https://hub.test/back");
  ASSERT_EQ(f.transport.sent.size(), 4u);
  EXPECT_EQ(AuthorizationOf(f.transport.sent[0]), "Bearer hf_secret");
  EXPECT_EQ(f.transport.sent[1].url, "https://hub.test/org/x/resolve/abc/f");
  EXPECT_EQ(AuthorizationOf(f.transport.sent[1]), "Bearer hf_secret");
  EXPECT_EQ(f.transport.sent[2].url, "https://cdn.test/blob?sig=1");
  EXPECT_EQ(AuthorizationOf(f.transport.sent[2]), "");
  EXPECT_EQ(AuthorizationOf(f.transport.sent[3]), "Bearer hf_secret");
  EXPECT_EQ(f.client.stats().requests, 4);
  EXPECT_EQ(f.client.stats().redirects, 3);
  EXPECT_EQ(f.client.stats().body_bytes, 4);
}

TEST(HttpClientTest, NoTokenOnADowngradeToHttpOrAnotherPort) {
  Fixture f;
  f.transport.answers.push_back(Answer(302, {{"location", "http://hub.test/x"}}));
  f.transport.answers.push_back(Answer(302, {{"location", "https://hub.test:8443/x"}}));
  f.transport.answers.push_back(Answer(200));
  ASSERT_TRUE(f.client.Send(Get("https://hub.test/x", "tok")).ok());
  EXPECT_EQ(AuthorizationOf(f.transport.sent[0]), "Bearer tok");
  EXPECT_EQ(AuthorizationOf(f.transport.sent[1]), "");
  EXPECT_EQ(AuthorizationOf(f.transport.sent[2]), "");
}

TEST(HttpClientTest, RangeAndLimitTravelWithEveryHop) {
  Fixture f;
  f.transport.answers.push_back(Answer(302, {{"location", "https://cdn.test/b"}}));
  f.transport.answers.push_back(Answer(206));
  HttpRequest request = Get("https://hub.test/f");
  request.range = HttpByteRange{100, 50};
  request.max_body_bytes = 50;
  ASSERT_TRUE(f.client.Send(request).ok());
  for (const TransportRequest& sent : f.transport.sent) {
    ASSERT_TRUE(sent.range.has_value());
    EXPECT_EQ(sent.range->offset, 100);
    EXPECT_EQ(sent.range->length, 50);
    EXPECT_EQ(sent.max_body_bytes, 50);
  }
}

TEST(HttpClientTest, RetriesServerErrorsWithDoublingBackoffAndRetryAfter) {
  Fixture f;
  f.transport.answers.push_back(Answer(503));
  f.transport.answers.push_back(Answer(429, {{"retry-after", "3"}}));
  f.transport.answers.push_back(Answer(502));
  f.transport.answers.push_back(Answer(200, {}, "ok"));
  auto response = f.client.Send(Get("https://hub.test/x"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(f.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(500),
                                                              std::chrono::milliseconds(3000),
                                                              std::chrono::milliseconds(2000)}));
  EXPECT_EQ(f.client.stats().retries, 3);
  EXPECT_EQ(f.client.stats().requests, 4);
}

TEST(HttpClientTest, GivesUpAfterMaxRetriesAndReturnsTheLastAnswer) {
  Fixture f;
  for (int i = 0; i < 5; ++i) f.transport.answers.push_back(Answer(500));
  auto response = f.client.Send(Get("https://hub.test/x"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(f.transport.sent.size(), 4u);  // 1 + max_retries
  EXPECT_EQ(f.sleeps.back(), std::chrono::milliseconds(2000));
}

TEST(HttpClientTest, RetryAfterIsCappedAndClientErrorsAreNotRetried) {
  Fixture f;
  f.transport.answers.push_back(Answer(429, {{"retry-after", "3600"}}));
  f.transport.answers.push_back(Answer(404));
  auto response = f.client.Send(Get("https://hub.test/x"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(f.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::milliseconds(8000)}));
}

TEST(HttpClientTest, TransportErrorsAreNotRetried) {
  Fixture f;
  f.transport.answers.push_back(MakeErrorf(ErrorCode::kNetwork, "https://hub.test/x: timed out"));
  auto response = f.client.Send(Get("https://hub.test/x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().message, "https://hub.test/x: timed out");
  EXPECT_EQ(f.transport.sent.size(), 1u);
}

TEST(HttpClientTest, RedirectLoopsAndBrokenRedirectsAreErrors) {
  Fixture f;
  for (int i = 0; i < 10; ++i) f.transport.answers.push_back(Answer(302, {{"location", "/again"}}));
  auto loop = f.client.Send(Get("https://hub.test/x"));
  ASSERT_FALSE(loop.ok());
  EXPECT_EQ(loop.error().message, "https://hub.test/x: more than 5 redirects");
  EXPECT_EQ(f.transport.sent.size(), 6u);

  Fixture g;
  g.transport.answers.push_back(Answer(301));
  auto missing = g.client.Send(Get("https://hub.test/x"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message, "https://hub.test/x: HTTP 301 redirect without a Location header");

  Fixture h;
  h.transport.answers.push_back(Answer(302, {{"location", "file:///etc/passwd"}}));
  auto file = h.client.Send(Get("https://hub.test/x"));
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.error().message, "https://hub.test/x: redirect to an unsupported URL 'file:///etc/passwd'");
}

TEST(HttpClientTest, RelativeUrlIsAUsageError) {
  Fixture f;
  auto response = f.client.Send(Get("hub.test/x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUsage);
}

}  // namespace
}  // namespace pipefit
