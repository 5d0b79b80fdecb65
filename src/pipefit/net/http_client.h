// The HTTP policy every Hub request goes through, over any HttpTransport:
//  - redirects (301/302/303/307/308) are followed up to max_redirects; the
//    bearer token is sent only to the origin (scheme, host, port) of the
//    URL first requested, never to a host a redirect leads to (the Hub sends
//    file downloads to a CDN with a signed URL that needs no token);
//  - 429 and 5xx are retried up to max_retries times, waiting backoff,
//    2*backoff, ... (or the server's Retry-After seconds), capped at
//    max_backoff; transport errors (DNS, refused, timeout) are not retried;
//  - every exchange is counted: requests, redirects followed, retries and
//    body bytes received (stats() is what `pipefit` reports as fetched).
// Thread-safe: one client serves the bounded pool of concurrent fetches.
#ifndef PIPEFIT_NET_HTTP_CLIENT_H_
#define PIPEFIT_NET_HTTP_CLIENT_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "pipefit/base/result.h"
#include "pipefit/net/http.h"

namespace pipefit {

struct HttpClientOptions {
  int max_redirects = 5;
  int max_retries = 3;
  std::chrono::milliseconds backoff{500};
  std::chrono::milliseconds max_backoff{8000};
  std::chrono::milliseconds timeout{10000};  // per exchange: connecting, and the whole exchange
  std::string user_agent = "pipefit/0.1";
};

struct HttpRequest {
  std::string url;
  std::string bearer_token;  // "" for none; never logged
  std::optional<HttpByteRange> range;
  int64_t max_body_bytes = 0;
  bool head = false;
};

struct HttpStats {
  int64_t requests = 0;  // exchanges, redirects and retries included
  int64_t redirects = 0;
  int64_t retries = 0;
  int64_t body_bytes = 0;  // response body bytes received
};

class HttpClient {
 public:
  using Sleeper = std::function<void(std::chrono::milliseconds)>;
  HttpClient(HttpTransport& transport, HttpClientOptions options, Sleeper sleeper = {});

  // The final response after redirects and retries. HTTP error statuses are
  // returned as responses (the caller knows what a 404 means); errors are
  // the transport's, or kNetwork for too many redirects or a redirect
  // without a usable Location.
  Result<HttpResponse> Send(const HttpRequest& request);

  HttpStats stats() const;
  const HttpClientOptions& options() const { return options_; }

 private:
  Result<HttpResponse> ExchangeWithRetries(const TransportRequest& request);
  std::chrono::milliseconds RetryDelay(const HttpResponse& response, int attempt) const;

  HttpTransport& transport_;
  HttpClientOptions options_;
  Sleeper sleeper_;
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> redirects_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> body_bytes_{0};
};

}  // namespace pipefit

#endif  // PIPEFIT_NET_HTTP_CLIENT_H_
