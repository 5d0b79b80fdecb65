// The fake Hub's HTTP/1.1 framing (fake_hub_http.cc), shared with the
// connection threads in fake_hub.cc; test-only, not for tests to call.
#ifndef PIPEFIT_TESTING_FAKE_HUB_HTTP_H_
#define PIPEFIT_TESTING_FAKE_HUB_HTTP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pipefit/testing/fake_hub.h"

namespace pipefit::testkit::fake_hub_internal {

// One parsed request head.
struct Head {
  FakeHubRequest request;  // method, target, range, authorization
  int64_t content_length = 0;
  bool keep_alive = true;
};

enum class HeadRead { kOk, kClosed, kTooLarge };

// Reads one request head (up to the blank line, at most 64 KiB) from
// `buffer` + the socket; bytes after it stay in `buffer` for the next request.
HeadRead ReadHead(int fd, std::string& buffer, std::string* head);
// Request line and headers; names compare case-insensitively (RFC 9110 5.1).
bool ParseHead(std::string_view text, Head* head);
// Drops a request body so the next request head starts where it should.
bool DiscardBody(int fd, std::string& buffer, int64_t length);
// A reply with a plain body.
Reply SimpleReply(int status, std::string body);
// Writes `reply` (a file body streamed in 64 KiB preads); returns whether the
// whole response went out (else the connection must close); `*body_bytes`
// gets the body bytes sent.
bool WriteReply(int fd, Reply reply, bool head_only, bool keep_alive, int64_t* body_bytes);

}  // namespace pipefit::testkit::fake_hub_internal

#endif  // PIPEFIT_TESTING_FAKE_HUB_HTTP_H_
