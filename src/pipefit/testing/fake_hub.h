// An in-process fake of the Hugging Face Hub's HTTP/1.1 API, for hermetic
// tests of the hub source and for end-to-end benchmarks. It serves the files
// of a folder on disk (root/<org>/<name>/...) through the routes the real Hub
// (https://huggingface.co) offers, with the real Hub's status codes and
// X-Error-Code headers:
//   hub  GET       /api/models/{org}/{name}/revision/{rev}
//   hub  GET       /api/models/{org}/{name}/tree/{rev}[/{path}]?recursive=true&cursor=K
//   hub  GET|HEAD  /{org}/{name}/resolve/{rev}/{path}
//   cdn  GET|HEAD  /cdn/{org}/{name}/{path}    (where LFS files redirect to)
//   hub  GET       /__stats    -> {"requests":N,"body_bytes":B}   (not logged)
//   hub  POST      /__reset    clears the log                     (not logged)
// Every other route answers 404. The hub and the CDN listen on different
// hosts (127.0.0.1 and 127.0.0.2) so clients can be checked to drop the
// Authorization header on the cross-host redirect.
//
// Files are streamed with pread in 64 KiB chunks and never held in memory, so
// sparse multi-GB checkpoints cost nothing; a client may hang up mid-body.
// One thread per connection; connections are kept alive until the client
// closes or sends "Connection: close".
#ifndef PIPEFIT_TESTING_FAKE_HUB_H_
#define PIPEFIT_TESTING_FAKE_HUB_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pipefit/base/result.h"

namespace pipefit::testkit {

struct FakeHubOptions {
  std::string root;  // folder on disk; root/<org>/<name>/... holds each repo's files
  std::string commit = "4f2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f40";  // sha of every repo's "main"
  std::vector<std::string> extra_revisions;  // other names resolving to `commit`, e.g. "v1.0"
  int page_size = 1000;                      // tree entries per page (values < 1 count as 1)
  std::map<std::string, std::string> gated;  // repo id -> the one token that has access
  // Resolve of an LFS file (.safetensors .gguf .bin .pt .ckpt) answers 302 to the CDN host.
  bool redirect_lfs = true;
  bool ignore_range = false;  // answer 200 with the whole file whatever Range says
  // The first N logged requests (any route, either host) since Start, the last
  // ClearRequests or POST /__reset answer fail_status; 429 adds "Retry-After: 0".
  int fail_first = 0;
  int fail_status = 503;
  int delay_ms = 0;  // sleep before answering every logged request; cut short by shutdown
  // The revision info lists "siblings" (every file's "rfilename"); with
  // ?blobs=true each also has "size", "blobId" and, for LFS files, "lfs", as
  // the Hub answers. false: no sizes even with ?blobs=true (a server or
  // mirror without them), so clients must fall back to the tree listing.
  bool sibling_sizes = true;
};

// One logged request, recorded when its response is complete.
struct FakeHubRequest {
  std::string host;           // "hub" or "cdn"
  std::string method;         // "GET", "HEAD", ...
  std::string target;         // path + query as received
  std::string range;          // Range header value or ""
  std::string authorization;  // Authorization header value or ""
  int status = 0;
  int64_t body_bytes = 0;  // body bytes the kernel accepted for this response
};

class FakeHub {
 public:
  // Listens on 127.0.0.1:<ephemeral> (the hub) and 127.0.0.2:<ephemeral> (the
  // CDN). Fails if `options.root` is not a folder or a socket cannot be bound.
  static Result<std::unique_ptr<FakeHub>> Start(FakeHubOptions options);

  // Stops both listeners, shuts every open connection down (even one a client
  // keeps open or one waiting in delay_ms) and joins every thread. Prompt.
  ~FakeHub();
  FakeHub(const FakeHub&) = delete;
  FakeHub& operator=(const FakeHub&) = delete;

  std::string endpoint() const;      // "http://127.0.0.1:PORT"
  std::string cdn_endpoint() const;  // "http://127.0.0.2:PORT"

  // Snapshot of the log, in completion order. Waits (at most 2 s) for
  // responses being written to finish, so a client that has read a whole
  // response always finds it here.
  std::vector<FakeHubRequest> requests() const;
  // Empties the log (after the same wait) and restarts the fail_first count.
  void ClearRequests();

  // Not synchronised: change options only while no request is in flight
  // (between a client's complete responses). Each request reads them once.
  FakeHubOptions& options();

  struct Server;  // the listeners, connection threads and log (fake_hub.cc)

 private:
  explicit FakeHub(std::unique_ptr<Server> server);
  std::unique_ptr<Server> server_;
};

// Shared by fake_hub.cc (connections, HTTP framing) and fake_hub_routes.cc
// (what each route answers); not for tests.
namespace fake_hub_internal {

// What a route answers. The connection adds Content-Length and Connection,
// and leaves the body out for HEAD.
struct Reply {
  int status = 404;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Non-empty: the body is bytes [file_offset, file_offset + file_length) of
  // this file instead of `body`.
  std::string file_path;
  int64_t file_offset = 0;
  int64_t file_length = 0;
};

// Answers one request; `request.status` and `body_bytes` are ignored.
Reply RouteRequest(const FakeHubRequest& request, const FakeHubOptions& options,
                   const std::string& hub_endpoint, const std::string& cdn_endpoint);

const char* StatusReason(int status);

}  // namespace fake_hub_internal

}  // namespace pipefit::testkit

#endif  // PIPEFIT_TESTING_FAKE_HUB_H_
