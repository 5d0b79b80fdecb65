// HTTP behind an interface. Two layers:
//   HttpTransport  one exchange with one server (no redirects, no retries);
//                  the real one is libcurl (curl_transport.h), tests use fakes.
//   HttpClient     the policy every caller shares (http_client.h): redirects
//                  without leaking credentials, bounded retries with backoff,
//                  request and byte accounting.
// Header names in responses are lower-cased. Bodies are capped by the caller:
// a transport stops reading (and the server's connection is dropped) as soon
// as a body would exceed `max_body_bytes`, so a server that ignores Range
// costs at most that many bytes, never the whole file.
#ifndef PIPEFIT_NET_HTTP_H_
#define PIPEFIT_NET_HTTP_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Bytes [offset, offset + length) of the resource: "Range: bytes=A-B".
struct HttpByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

// What a transport sends. `headers` go out verbatim (Authorization included,
// when the client decided the host may see it).
struct TransportRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;
  std::optional<HttpByteRange> range;
  int64_t max_body_bytes = 0;
  std::chrono::milliseconds timeout{10000};  // for connecting, and for the whole exchange
};

struct HttpResponse {
  int status = 0;
  HttpHeaders headers;  // names lower-cased, in arrival order
  std::string body;
  std::string url;              // the URL that produced this response (after redirects)
  int64_t wire_body_bytes = 0;  // body bytes received, including any cut off

  // The first header named `name` (lower-case), if any.
  std::optional<std::string> Header(const std::string& name) const;
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // One request/response. Errors: kNetwork for DNS, connection, TLS and
  // timeouts (message names the URL and says which); kLimit when the body
  // exceeds max_body_bytes (the transfer is aborted there). Any HTTP status
  // is a successful exchange. Must be safe to call from several threads.
  virtual Result<HttpResponse> Exchange(const TransportRequest& request) = 0;
};

// The scheme://host[:port] part of an absolute URL ("" when not absolute),
// lower-cased: what decides whether credentials may follow a redirect.
std::string UrlOrigin(const std::string& url);
// Resolves a Location header against the URL that sent it (absolute,
// scheme-relative "//host/x", absolute-path "/x", or relative "x").
std::string ResolveRedirect(const std::string& base, const std::string& location);
// Percent-encodes everything but unreserved characters; `keep_slash` keeps '/'.
std::string PercentEncode(const std::string& text, bool keep_slash);
// Decodes %XX escapes; anything else (a lone '%') is kept as it is.
std::string PercentDecode(std::string_view text);
// The URL without its query and fragment, for messages: a CDN's signed URL
// ("?X-Amz-Signature=...") is a credential.
std::string UrlForMessages(const std::string& url);
// Text a server chose (X-Error-Message, Content-Range, Location) made safe
// to print: control bytes become '?', and it is cut at `max_bytes`.
std::string PrintableServerText(std::string_view text, size_t max_bytes = 300);
// The URL of `rel="next"` in a Link header, if any:
//   <https://host/api/x?cursor=abc>; rel="next", <...>; rel="prev"
std::optional<std::string> NextLinkUrl(const std::string& link_header);

}  // namespace pipefit

#endif  // PIPEFIT_NET_HTTP_H_
