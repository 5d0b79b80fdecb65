// `pipefit serve`: the page (serve/web_assets.h) and the JSON API
// (serve/api_request.h, serve/api_runner.h) over HTTP, with cpp-httplib.
// This is the only file that includes httplib.h (scripts/check_layers.py).
//
// Safe by default (docs/serve.md):
//   - binds 127.0.0.1 unless told otherwise;
//   - every API call and the page need the server's token (as Jupyter does):
//     the URL printed at start carries it as ?token=…, which sets an
//     HttpOnly, SameSite=Strict cookie; scripts send `Authorization: Bearer
//     TOKEN`. Other users of the machine, and pages that reach 127.0.0.1
//     through DNS rebinding, do not have it;
//   - refuses methods other than GET, HEAD, POST and OPTIONS, and POST bodies
//     that are chunked, compressed or without Content-Length (cpp-httplib
//     bounds only a declared length);
//   - listens with SO_REUSEADDR only, so a second server on the same port
//     fails instead of sharing it;
//   - refuses a Host header that is not this server's (DNS rebinding) when
//     bound to loopback, any cross-site Origin / Sec-Fetch-Site, OPTIONS,
//     and API POSTs that are not application/json (so browsers must preflight
//     a cross-origin call, and preflights are refused): CORS stays closed;
//   - bounds the body (413), the running commands (503), each command's time
//     (504) and socket reads and writes;
//   - answers with a strict Content-Security-Policy and no-store caching.
#ifndef PIPEFIT_SERVE_WEB_SERVER_H_
#define PIPEFIT_SERVE_WEB_SERVER_H_

#include <functional>
#include <string>

#include "pipefit/base/result.h"
#include "pipefit/serve/api_runner.h"

namespace pipefit {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8765;  // 0: any free port
  ApiRunnerOptions runner;
  int max_running = 4;       // API commands at once; more get 503
  std::string token;         // "" = no token asked (--no-token)
  bool log_requests = true;  // one line per request on stderr
};

// Serves until SIGINT or SIGTERM. ON_LISTENING gets the page's URL (with
// ?token=… when there is one) once the socket is bound. kIo when the
// address cannot be bound.
Status RunWebServer(const ServeOptions& options,
                    const std::function<void(const std::string& url)>& on_listening);

// True when HOST is a loopback address or "localhost".
bool IsLoopbackHost(const std::string& host);

// 32 hex digits from the kernel's random source; "" if it cannot be read.
std::string NewServeToken();

}  // namespace pipefit

#endif  // PIPEFIT_SERVE_WEB_SERVER_H_
