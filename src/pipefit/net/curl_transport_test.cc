#include "pipefit/net/curl_transport.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "pipefit/testing/fake_hub.h"
#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

TransportRequest Get(const std::string& url) {
  TransportRequest request;
  request.url = url;
  request.max_body_bytes = 1 << 20;
  return request;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Nothing is sent: the discard port would refuse it anyway.
TEST(CurlTransportTest, MissingLibraryIsAClearErrorOnEveryExchange) {
  testkit::TempDir dir;
  const std::string library = dir.path() + "/libcurl.so.4";
  CurlTransport transport(CurlTransportOptions{.library = library});
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<HttpResponse> response = transport.Exchange(Get("http://127.0.0.1:9/x"));
    ASSERT_FALSE(response.ok());
    EXPECT_EQ(response.error().code, ErrorCode::kUnsupported);
    const std::string& message = response.error().message;
    EXPECT_EQ(message.rfind("cannot load " + library + " (", 0), 0u) << message;
    EXPECT_TRUE(
        Contains(message, "reading models from the Hub needs libcurl (Debian/Ubuntu: apt install libcurl4"))
        << message;
    EXPECT_TRUE(Contains(message, "--offline work without it")) << message;
  }
}

// A shared library that loads but is not libcurl (the fake NVML).
TEST(CurlTransportTest, LibraryWithoutCurlFunctionsIsRejected) {
  CurlTransport transport(CurlTransportOptions{.library = PIPEFIT_FAKE_NVML_PATH});
  Result<HttpResponse> response = transport.Exchange(Get("http://127.0.0.1:9/x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(
      response.error().message,
      std::string(PIPEFIT_FAKE_NVML_PATH) +
          ": not a usable libcurl (missing curl_global_init, curl_easy_init, curl_easy_cleanup, "
          "curl_easy_reset, curl_easy_setopt, curl_easy_perform, curl_easy_getinfo, curl_easy_strerror, "
          "curl_slist_append, curl_slist_free_all, curl_share_init, curl_share_setopt, curl_share_cleanup); "
          "reading models from the Hub needs libcurl (Debian/Ubuntu: apt install libcurl4)");
}

// The real library, loaded by whichever of several concurrent first
// exchanges comes first; all of them then use it.
TEST(CurlTransportTest, ConcurrentFirstExchangesLoadTheLibraryOnce) {
  testkit::TempDir dir;
  testkit::FakeHubOptions options;
  options.root = dir.path();
  auto hub = testkit::FakeHub::Start(options);
  ASSERT_TRUE(hub.ok()) << hub.error().message;
  CurlTransport transport;
  std::vector<Result<HttpResponse>> responses(4, Result<HttpResponse>(HttpResponse{}));
  std::vector<std::thread> threads;
  for (auto& response : responses) {
    threads.emplace_back(
        [&] { response = transport.Exchange(Get((*hub)->endpoint() + "/api/models/acme/none")); });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& response : responses) {
    ASSERT_TRUE(response.ok()) << response.error().message;
    EXPECT_EQ(response->status, 404);
  }
  EXPECT_EQ((*hub)->requests().size(), 4u);
}

}  // namespace
}  // namespace pipefit
