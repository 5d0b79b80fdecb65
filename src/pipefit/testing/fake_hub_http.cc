// The fake Hub's HTTP/1.1 framing: reading request heads, writing replies
// (file bodies streamed with pread), on blocking sockets.
#include "pipefit/testing/fake_hub_http.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <string_view>

#include "pipefit/base/text.h"

namespace pipefit::testkit::fake_hub_internal {

// Far above any real client's request head (curl sends < 1 KiB); bounds the
// memory a broken client can make a connection thread hold.
constexpr size_t kMaxHeadBytes = 64 * 1024;
// pread/send unit for file bodies: large enough that syscalls do not
// dominate a loopback transfer, small enough that little is read in vain
// when a client hangs up.
constexpr size_t kChunkBytes = 64 * 1024;

// Sends all of `data` unless the peer goes away; returns the bytes sent.
// MSG_NOSIGNAL: a client hanging up must not kill the test with SIGPIPE.
static int64_t SendAll(int fd, const char* data, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  return static_cast<int64_t>(sent);
}

// Reads one request head (up to the blank line) from `buffer` + the socket;
// bytes after it stay in `buffer` for the next request.
HeadRead ReadHead(int fd, std::string& buffer, std::string* head) {
  size_t scanned = 0;
  while (true) {
    size_t end = buffer.find("\r\n\r\n", scanned >= 3 ? scanned - 3 : 0);
    if (end != std::string::npos) {
      if (end + 4 > kMaxHeadBytes) return HeadRead::kTooLarge;
      *head = buffer.substr(0, end);
      buffer.erase(0, end + 4);
      return HeadRead::kOk;
    }
    if (buffer.size() >= kMaxHeadBytes) return HeadRead::kTooLarge;
    scanned = buffer.size();
    char chunk[16 * 1024];
    ssize_t n = recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return HeadRead::kClosed;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

// Request line and headers; names compare case-insensitively (RFC 9110 5.1).
bool ParseHead(std::string_view text, Head* head) {
  size_t line_end = text.find('\n');
  std::string_view line = TrimWhitespace(text.substr(0, line_end));
  size_t first_space = line.find(' ');
  size_t last_space = line.rfind(' ');
  if (first_space == line.npos || last_space == first_space) return false;
  head->request.method = std::string(line.substr(0, first_space));
  head->request.target = std::string(line.substr(first_space + 1, last_space - first_space - 1));
  std::string_view version = line.substr(last_space + 1);
  if (version.substr(0, 7) != "HTTP/1.") return false;
  std::string connection;
  while (line_end != text.npos) {
    size_t start = line_end + 1;
    line_end = text.find('\n', start);
    line = text.substr(start, line_end == text.npos ? line_end : line_end - start);
    size_t colon = line.find(':');
    if (colon == line.npos) continue;
    std::string name = AsciiLower(TrimWhitespace(line.substr(0, colon)));
    std::string value(TrimWhitespace(line.substr(colon + 1)));
    if (name == "range") head->request.range = value;
    if (name == "authorization") head->request.authorization = value;
    if (name == "connection") connection = AsciiLower(value);
    if (name == "transfer-encoding") return false;  // no client of ours sends chunked requests
    if (name == "content-length") {
      char* end = nullptr;
      head->content_length = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || head->content_length < 0) return false;
    }
  }
  // HTTP/1.1 keeps connections open unless told otherwise; 1.0 closes them.
  head->keep_alive = version == "HTTP/1.0" ? connection.find("keep-alive") != std::string::npos
                                           : connection.find("close") == std::string::npos;
  return true;
}

// Drops a request body (POST /__reset may carry one) so the next request
// head starts where it should.
bool DiscardBody(int fd, std::string& buffer, int64_t length) {
  int64_t from_buffer = std::min<int64_t>(length, static_cast<int64_t>(buffer.size()));
  buffer.erase(0, static_cast<size_t>(from_buffer));
  length -= from_buffer;
  char chunk[16 * 1024];
  while (length > 0) {
    ssize_t n = recv(fd, chunk, static_cast<size_t>(std::min<int64_t>(length, sizeof chunk)), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    length -= n;
  }
  return true;
}

Reply SimpleReply(int status, std::string body) {
  Reply reply;
  reply.status = status;
  if (!body.empty()) reply.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
  reply.body = std::move(body);
  return reply;
}

static std::string StatusHead(const Reply& reply, int64_t content_length, bool keep_alive) {
  std::string head = "HTTP/1.1 " + std::to_string(reply.status) + " " +
                     fake_hub_internal::StatusReason(reply.status) + "\r\n";
  for (const auto& [name, value] : reply.headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(content_length) + "\r\n";
  head += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  return head;
}

// Writes `reply`; returns whether the whole response went out (else the
// connection must close). `*body_bytes` gets the body bytes sent.
bool WriteReply(int fd, Reply reply, bool head_only, bool keep_alive, int64_t* body_bytes) {
  *body_bytes = 0;
  int file = -1;
  if (!reply.file_path.empty()) {
    file = open(reply.file_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file < 0) reply = SimpleReply(500, "{\"error\":\"cannot open file\"}");
  }
  const bool streamed = file >= 0;
  const int64_t length = streamed ? reply.file_length : static_cast<int64_t>(reply.body.size());
  std::string out = StatusHead(reply, length, keep_alive);
  const size_t head_size = out.size();
  if (!head_only && !streamed) out += reply.body;  // one send: no Nagle stall on small answers
  const int64_t sent = SendAll(fd, out.data(), out.size());
  *body_bytes = std::max<int64_t>(0, sent - static_cast<int64_t>(head_size));
  bool complete = sent == static_cast<int64_t>(out.size());
  if (streamed) {
    if (complete && !head_only) {
      // Never the whole file in memory: checkpoints are multi-GB sparse files.
      std::vector<char> chunk(kChunkBytes);
      int64_t offset = reply.file_offset, remaining = reply.file_length;
      while (remaining > 0) {
        ssize_t n =
            pread(file, chunk.data(), static_cast<size_t>(std::min<int64_t>(remaining, kChunkBytes)), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;  // the file shrank: close so the client sees a short body
        int64_t written = SendAll(fd, chunk.data(), static_cast<size_t>(n));
        *body_bytes += written;
        if (written < n) break;  // the client hung up
        offset += n;
        remaining -= n;
      }
      complete = remaining == 0;
    }
    close(file);
  }
  return complete;
}

}  // namespace pipefit::testkit::fake_hub_internal
