#include "pipefit/net/http_client.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace pipefit {
namespace {

bool IsRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// RFC 9110 §15.5.20 / §15.6: rate limiting and server-side failures that a
// later attempt may not see. 501 (not implemented) and 505 are permanent.
bool IsRetryable(int status) {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

void RealSleep(std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); }

}  // namespace

HttpClient::HttpClient(HttpTransport& transport, HttpClientOptions options, Sleeper sleeper)
    : transport_(transport),
      options_(std::move(options)),
      sleeper_(sleeper ? std::move(sleeper) : RealSleep) {}

HttpStats HttpClient::stats() const {
  return HttpStats{requests_.load(), redirects_.load(), retries_.load(), body_bytes_.load()};
}

std::chrono::milliseconds HttpClient::RetryDelay(const HttpResponse& response, int attempt) const {
  auto delay = options_.backoff * (int64_t{1} << std::min(attempt, 20));
  // Retry-After in seconds (the HTTP-date form is not used by the Hub).
  if (auto retry_after = response.Header("retry-after")) {
    char* end = nullptr;
    long seconds = std::strtol(retry_after->c_str(), &end, 10);
    if (end != retry_after->c_str() && *end == '\0' && seconds >= 0 && seconds < 86400) {
      delay = std::chrono::milliseconds(seconds * 1000);
    }
  }
  return std::min(delay, options_.max_backoff);
}

Result<HttpResponse> HttpClient::ExchangeWithRetries(const TransportRequest& request) {
  for (int attempt = 0;; ++attempt) {
    requests_.fetch_add(1);
    Result<HttpResponse> response = transport_.Exchange(request);
    if (response.ok()) body_bytes_.fetch_add(response->wire_body_bytes);
    if (!response.ok() || !IsRetryable(response->status) || attempt >= options_.max_retries) {
      return response;
    }
    retries_.fetch_add(1);
    sleeper_(RetryDelay(*response, attempt));
  }
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  const std::string origin = UrlOrigin(request.url);
  if (origin.empty()) {
    return MakeErrorf(ErrorCode::kUsage, "{}: not an absolute http(s) URL", UrlForMessages(request.url));
  }
  TransportRequest exchange;
  exchange.method = request.head ? "HEAD" : "GET";
  exchange.url = request.url;
  exchange.range = request.range;
  exchange.max_body_bytes = request.max_body_bytes;
  exchange.timeout = options_.timeout;
  for (int hop = 0;; ++hop) {
    exchange.headers.clear();
    exchange.headers.emplace_back("User-Agent", options_.user_agent);
    if (!request.bearer_token.empty() && UrlOrigin(exchange.url) == origin) {
      exchange.headers.emplace_back("Authorization", "Bearer " + request.bearer_token);
    }
    PIPEFIT_ASSIGN_OR_RETURN(HttpResponse response, ExchangeWithRetries(exchange));
    response.url = exchange.url;
    if (!IsRedirect(response.status)) return response;
    auto location = response.Header("location");
    if (!location || location->empty()) {
      return MakeErrorf(ErrorCode::kNetwork, "{}: HTTP {} redirect without a Location header",
                        UrlForMessages(exchange.url), response.status);
    }
    if (hop >= options_.max_redirects) {
      return MakeErrorf(ErrorCode::kNetwork, "{}: more than {} redirects", UrlForMessages(request.url),
                        options_.max_redirects);
    }
    redirects_.fetch_add(1);
    std::string next = ResolveRedirect(exchange.url, *location);
    std::string scheme = next.substr(0, next.find("://"));
    if (scheme != "http" && scheme != "https") {
      return MakeErrorf(ErrorCode::kNetwork, "{}: redirect to an unsupported URL '{}'",
                        UrlForMessages(exchange.url), PrintableServerText(UrlForMessages(next)));
    }
    exchange.url = next;
  }
}

}  // namespace pipefit
