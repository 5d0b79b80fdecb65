#include "pipefit/sources/hub_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace pipefit {
namespace {

using ::testing::StartsWith;

// A transport answering from a function of the request; enforces
// max_body_bytes like the real one.
class FunctionTransport : public HttpTransport {
 public:
  std::function<HttpResponse(const TransportRequest&)> answer;
  std::vector<TransportRequest> sent;

  Result<HttpResponse> Exchange(const TransportRequest& request) override {
    sent.push_back(request);
    HttpResponse response = answer(request);
    response.wire_body_bytes = static_cast<int64_t>(response.body.size());
    if (response.wire_body_bytes > request.max_body_bytes) {
      return MakeErrorf(ErrorCode::kLimit, "{}: HTTP {} response body exceeds {} bytes; transfer aborted",
                        request.url, response.status, request.max_body_bytes);
    }
    return response;
  }
};

struct Fixture {
  FunctionTransport transport;
  HttpClient http{transport, HttpClientOptions{}, [](std::chrono::milliseconds) {}};
  HubSettings settings;
  HubRepoClient client{http, Settings(), "org/name"};
  static HubSettings Settings() {
    HubSettings s;
    s.endpoint = "https://hub.test";
    return s;
  }
};

HttpResponse Json200(std::string body, HttpHeaders headers = {}) {
  HttpResponse response;
  response.status = 200;
  response.body = std::move(body);
  response.headers = std::move(headers);
  return response;
}

TEST(HubClientTest, SettingsFromTheEnvironment) {
  MemoryFileSystem fs;
  fs.AddFile("/hf/token", "  hf_file_token\n");
  FakeEnvironment env({{"HF_HOME", "/hf"}, {"HOME", "/home/u"}});
  auto settings = HubSettingsFromEnvironment(env, fs);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->endpoint, "https://huggingface.co");
  EXPECT_EQ(settings->token, "hf_file_token");
  EXPECT_EQ(settings->timeout, std::chrono::milliseconds(10000));
  EXPECT_EQ(settings->cache_dir, "/home/u/.cache/pipefit");

  env.Set("HF_TOKEN", "hf_env");
  env.Set("HF_ENDPOINT", "http://mirror.test/hf/");
  env.Set("HF_HUB_DOWNLOAD_TIMEOUT", "2.5");
  env.Set("XDG_CACHE_HOME", "/xdg");
  settings = HubSettingsFromEnvironment(env, fs);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->endpoint, "http://mirror.test/hf");
  EXPECT_EQ(settings->token, "hf_env");
  EXPECT_EQ(settings->timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(settings->cache_dir, "/xdg/pipefit");
  env.Set("PIPEFIT_CACHE", "/pc");
  EXPECT_EQ(HubSettingsFromEnvironment(env, fs)->cache_dir, "/pc");

  env.Set("HF_ENDPOINT", "ftp://x");
  EXPECT_EQ(HubSettingsFromEnvironment(env, fs).error().message,
            "HF_ENDPOINT must be an http:// or https:// URL, not 'ftp://x'");
  env.Set("HF_ENDPOINT", "https://x");
  env.Set("HF_HUB_DOWNLOAD_TIMEOUT", "soon");
  EXPECT_EQ(HubSettingsFromEnvironment(env, fs).error().message,
            "HF_HUB_DOWNLOAD_TIMEOUT must be a number of seconds (0.001 to 3600), not 'soon'");
}

TEST(HubClientTest, ListingFollowsRelativeAndAbsoluteNextLinks) {
  Fixture f;
  f.transport.answer = [](const TransportRequest& request) {
    if (request.url.find("cursor=2") != std::string::npos)
      return Json200(R"([{"type":"file","path":"c","size":3}])");
    if (request.url.find("cursor=1") != std::string::npos) {
      return Json200(R"([{"type":"file","path":"b","size":2}])",
                     {{"link", "<https://hub.test/api/models/org/name/tree/abc?cursor=2>; rel=\"next\""}});
    }
    return Json200(R"([{"type":"directory","path":"d","size":0},{"type":"file","path":"a","size":1}])",
                   {{"link", "</api/models/org/name/tree/abc?cursor=1>; rel=\"next\""}});
  };
  auto files = f.client.ListFiles("abc");
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[2].path, "c");
  ASSERT_EQ(f.transport.sent.size(), 3u);
  EXPECT_EQ(f.transport.sent[0].url,
            "https://hub.test/api/models/org/name/tree/abc?recursive=true&expand=false");
  EXPECT_EQ(f.transport.sent[1].url, "https://hub.test/api/models/org/name/tree/abc?cursor=1");
}

TEST(HubClientTest, AMirrorPassingTheHubsLinkThroughIsAskedItself) {
  Fixture f;  // endpoint https://hub.test, a mirror here
  f.transport.answer = [](const TransportRequest& request) {
    if (request.url.find("cursor=2") != std::string::npos)
      return Json200(R"([{"type":"file","path":"b","size":2}])");
    return Json200(
        R"([{"type":"file","path":"a","size":1}])",
        {{"link", "<https://huggingface.co/api/models/org/name/tree/abc?cursor=2>; rel=\"next\""}});
  };
  auto files = f.client.ListFiles("abc");
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files->size(), 2u);
  ASSERT_EQ(f.transport.sent.size(), 2u);
  EXPECT_EQ(f.transport.sent[1].url, "https://hub.test/api/models/org/name/tree/abc?cursor=2");

  FunctionTransport transport;  // a mirror under a path prefix keeps it
  transport.answer = f.transport.answer;
  HttpClient http(transport, HttpClientOptions{});
  HubSettings mirror;
  mirror.endpoint = "https://mirror.test/hf";
  HubRepoClient client(http, mirror, "org/name");
  ASSERT_TRUE(client.ListFiles("abc").ok());
  ASSERT_EQ(transport.sent.size(), 2u);
  EXPECT_EQ(transport.sent[1].url, "https://mirror.test/hf/api/models/org/name/tree/abc?cursor=2");
}

TEST(HubClientTest, ListingLimits) {
  Fixture endless;
  endless.transport.answer = [](const TransportRequest&) {
    return Json200("[]", {{"link", "<https://hub.test/next>; rel=\"next\""}});
  };
  auto pages = endless.client.ListFiles("abc");
  ASSERT_FALSE(pages.ok());
  EXPECT_EQ(pages.error().code, ErrorCode::kLimit);
  EXPECT_EQ(pages.error().message, "org/name: the file listing has more than 200 pages");
  EXPECT_EQ(endless.transport.sent.size(), 200u);

  Fixture elsewhere;
  elsewhere.transport.answer = [](const TransportRequest&) {
    return Json200("[]", {{"link", "<https://evil.test/next?sig=1>; rel=\"next\""}});
  };
  auto moved = elsewhere.client.ListFiles("abc");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().message,
            "org/name: file listing page 1: the next page is not an API URL (https://evil.test/next)");
  EXPECT_EQ(elsewhere.transport.sent.size(), 1u);

  Fixture huge;
  huge.transport.answer = [](const TransportRequest&) {
    return Json200(std::string(kMaxHubJsonBytes + 1, ' '));
  };
  auto big = huge.client.ResolveRevision("main");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, ErrorCode::kLimit);
  EXPECT_THAT(big.error().message, StartsWith("org/name@main: the Hub's answer exceeds 16777216 bytes"));
}

TEST(HubClientTest, RangeResponsesAreChecked) {
  Fixture f;
  f.client.set_commit("abc");
  auto reply = [&](int status, std::string content_range, std::string body) {
    f.transport.answer = [=](const TransportRequest&) {
      HttpResponse response = Json200(body);
      response.status = status;
      if (!content_range.empty()) response.headers.emplace_back("content-range", content_range);
      return response;
    };
  };
  reply(206, "bytes 10-13/100", "abcd");
  EXPECT_EQ(*f.client.FetchRange("w.safetensors", 10, 4, 100), "abcd");
  EXPECT_EQ(f.transport.sent.back().url, "https://hub.test/org/name/resolve/abc/w.safetensors");
  ASSERT_TRUE(f.transport.sent.back().range.has_value());

  reply(206, "bytes 0-3/100", "abcd");
  EXPECT_EQ(f.client.FetchRange("w.safetensors", 10, 4, 100).error().message,
            "org/name/w.safetensors: asked for bytes 10-13, got Content-Range 'bytes 0-3/100' and 4 bytes");
  reply(206, "bytes 10-13/100", "ab");
  EXPECT_FALSE(f.client.FetchRange("w.safetensors", 10, 4, 100).ok());
  reply(200, "", "whole");
  EXPECT_EQ(*f.client.FetchRange("c.json", 0, 5, 5), "whole");  // a small file sent whole is fine
  reply(200, "", "abcd");
  EXPECT_EQ(f.client.FetchRange("w.safetensors", 10, 4, 100).error().message,
            "org/name/w.safetensors: the server ignored the Range request (HTTP 200 instead of 206)");
  reply(200, "", std::string(100, 'x'));
  EXPECT_EQ(
      f.client.FetchRange("w.safetensors", 0, 8, 100).error().message,
      "org/name/w.safetensors: the server ignored the Range request and sent more than the 8 bytes asked "
      "for; aborted instead of downloading the file (100 bytes)");
}

TEST(HubClientTest, BytesPerModelAreBounded) {
  FunctionTransport transport;
  transport.answer = [](const TransportRequest& request) {
    HttpResponse response = Json200(std::string(static_cast<size_t>(request.range->length), 'x'));
    response.status = 206;
    response.headers.emplace_back(
        "content-range", "bytes " + std::to_string(request.range->offset) + "-" +
                             std::to_string(request.range->offset + request.range->length - 1) + "/1000");
    return response;
  };
  HttpClient http(transport, HttpClientOptions{});
  HubSettings settings;
  settings.max_fetch_bytes = 100;
  HubRepoClient client(http, settings, "org/name");
  client.set_commit("abc");
  EXPECT_TRUE(client.FetchRange("a.safetensors", 0, 60, 1000).ok());
  EXPECT_TRUE(client.FetchRange("a.safetensors", 60, 40, 1000).ok());
  auto over = client.FetchRange("a.safetensors", 100, 1, 1000);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::kLimit);
  EXPECT_EQ(over.error().message,
            "org/name/a.safetensors: reading this model would receive more than 100 bytes of "
            "listings, configs and headers; stopped before fetching 1 more");
  EXPECT_EQ(transport.sent.size(), 2u);
}

TEST(HubClientTest, ListingPagesCountAgainstTheBudget) {
  FunctionTransport transport;
  const std::string page = R"([{"type":"directory","path":"d","size":0}])";  // 42 bytes
  transport.answer = [&](const TransportRequest&) {
    return Json200(page, {{"link", "<https://hub.test/api/next>; rel=\"next\""}});
  };
  HttpClient http(transport, HttpClientOptions{});
  HubSettings settings;
  settings.endpoint = "https://hub.test";
  settings.max_fetch_bytes = 100;
  HubRepoClient client(http, settings, "org/name");
  auto files = client.ListFiles("abc");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, ErrorCode::kLimit);
  EXPECT_EQ(files.error().message,
            "org/name: file listing page 4: this model has already received its limit of 100 "
            "bytes of listings, configs and headers");
  EXPECT_EQ(transport.sent.size(), 3u);
}

TEST(HubClientTest, EntriesPerRepoAreBounded) {
  Fixture f;
  std::string page = "[";
  for (int64_t i = 0; i <= kMaxTreeEntries; ++i) {
    page +=
        std::string(i ? "," : "") + "{\"type\":\"file\",\"path\":\"f" + std::to_string(i) + "\",\"size\":1}";
  }
  page += "]";
  f.transport.answer = [&](const TransportRequest&) { return Json200(page); };
  auto files = f.client.ListFiles("abc");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().code, ErrorCode::kLimit);
  EXPECT_EQ(files.error().message, "org/name: the repo has more than 200000 files");
}

}  // namespace
}  // namespace pipefit
