// The real HttpTransport, on libcurl: HTTP/1.1, and HTTP/2 over TLS when the
// server offers it; TLS verified against the system CA store (or
// `ca_bundle`); proxies from http_proxy / https_proxy / no_proxy as libcurl
// reads them; connections, DNS and TLS sessions shared across threads so
// concurrent fetches from one host reuse connections. Redirects are NOT
// followed here (HttpClient decides, so it can drop credentials).
// This is the only file that includes <curl/curl.h>.
#ifndef PIPEFIT_NET_CURL_TRANSPORT_H_
#define PIPEFIT_NET_CURL_TRANSPORT_H_

#include <memory>
#include <string>

#include "pipefit/net/http.h"

namespace pipefit {

struct CurlTransportOptions {
  std::string ca_bundle;  // "" = libcurl's default (Debian: /etc/ssl/certs/ca-certificates.crt)
};

class CurlTransport : public HttpTransport {
 public:
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Result<HttpResponse> Exchange(const TransportRequest& request) override;

 private:
  struct Shared;
  CurlTransportOptions options_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace pipefit

#endif  // PIPEFIT_NET_CURL_TRANSPORT_H_
