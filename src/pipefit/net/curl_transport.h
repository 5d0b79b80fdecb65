// The real HttpTransport, on libcurl: HTTP/1.1, and HTTP/2 over TLS when the
// server offers it; TLS verified against the system CA store (or
// `ca_bundle`); proxies from http_proxy / https_proxy / no_proxy as libcurl
// reads them; connections, DNS and TLS sessions shared across threads so
// concurrent fetches from one host reuse connections. Redirects are NOT
// followed here (HttpClient decides, so it can drop credentials).
//
// libcurl is not linked: it is loaded with dlopen on the first exchange (as
// NVML is), so commands that never go online do not pay for resolving it and
// its ~30 dependent libraries at start-up. This is the only file that
// includes <curl/curl.h> (for types and constants only).
#ifndef PIPEFIT_NET_CURL_TRANSPORT_H_
#define PIPEFIT_NET_CURL_TRANSPORT_H_

#include <memory>
#include <string>

#include "pipefit/net/http.h"

namespace pipefit {

// The library loaded when CurlTransportOptions::library is left as it is
// (the soname Debian's libcurl4 and every other distribution install).
inline constexpr char kDefaultCurlLibrary[] = "libcurl.so.4";

struct CurlTransportOptions {
  std::string ca_bundle;  // "" = libcurl's default (Debian: /etc/ssl/certs/ca-certificates.crt)
  // A file name searched like dlopen does, or a path (PIPEFIT_CURL_LIBRARY;
  // tests point it at a missing file).
  std::string library = kDefaultCurlLibrary;
};

class CurlTransport : public HttpTransport {
 public:
  // Loads nothing: the library is loaded on the first Exchange.
  explicit CurlTransport(CurlTransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // As HttpTransport::Exchange, plus kUnsupported when the library cannot be
  // loaded or lacks a function pipefit calls; the message names the library
  // and what to install. A library is loaded once per process (never
  // unloaded), and every later exchange gets the same answer.
  Result<HttpResponse> Exchange(const TransportRequest& request) override;

 private:
  struct Shared;
  CurlTransportOptions options_;
  std::unique_ptr<Shared> shared_;
};

}  // namespace pipefit

#endif  // PIPEFIT_NET_CURL_TRANSPORT_H_
