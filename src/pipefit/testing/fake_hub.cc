// The fake Hub's sockets, threads and HTTP/1.1 framing; what each route
// answers is in fake_hub_routes.cc.
//
// Threads: one acceptor polls both listening sockets and a wake-up pipe; each
// accepted connection gets its own thread, which owns the socket until it
// ends. The socket is closed only after its thread is joined, so shutdown()
// from the destructor never hits a reused descriptor.
#include "pipefit/testing/fake_hub.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <list>
#include <mutex>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "pipefit/testing/fake_hub_http.h"

namespace pipefit::testkit {

using namespace fake_hub_internal;

namespace {

// How long requests() waits for responses still being written.
constexpr auto kLogWait = std::chrono::seconds(2);

Error IoError(const std::string& what) {
  return MakeErrorf(ErrorCode::kIo, "fake hub: {}: {}", what, std::strerror(errno));
}

// Binds a listening socket on ip:<ephemeral>; non-blocking so that a client
// giving up between poll and accept cannot stall the acceptor.
Result<int> Listen(const char* ip, int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return IoError("socket");
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &address.sin_addr);
  socklen_t length = sizeof address;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Error error = IoError(std::string("listen on ") + ip);
    close(fd);
    return error;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

}  // namespace

struct FakeHub::Server {
  struct Connection {
    int fd = -1;
    bool cdn = false;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  FakeHubOptions options;
  int hub_fd = -1, cdn_fd = -1;
  int wake[2] = {-1, -1};
  std::string hub_endpoint, cdn_endpoint;
  std::thread acceptor;

  std::mutex stop_mu;  // with stop_cv: delay_ms sleeps end early on shutdown
  std::condition_variable stop_cv;
  std::atomic<bool> stopping{false};

  std::mutex connections_mu;
  std::list<std::unique_ptr<Connection>> connections;

  mutable std::mutex log_mu;
  mutable std::condition_variable log_cv;
  std::vector<FakeHubRequest> log;
  int writing = 0;              // responses being written; guarded by log_mu
  uint64_t log_generation = 0;  // bumped by Clear; guarded by log_mu
  std::atomic<int> counted{0};  // logged requests since Start or the last clear (fail_first)

  ~Server() {
    for (int fd : {hub_fd, cdn_fd, wake[0], wake[1]}) {
      if (fd >= 0) close(fd);
    }
  }

  void Stop();
  void AcceptLoop();
  void Accept(int listen_fd, bool cdn);
  void Serve(Connection* connection);
  bool Answer(int fd, const Head& head, bool cdn);
  bool AnswerControl(int fd, const Head& head);

  // Locks the log once no response is being written (or after kLogWait), so
  // a client that has read a whole response finds it logged.
  std::unique_lock<std::mutex> LockWhenWritten() const {
    std::unique_lock lock(log_mu);
    log_cv.wait_for(lock, kLogWait, [this] { return writing == 0 || stopping; });
    return lock;
  }
  std::vector<FakeHubRequest> Snapshot() const {
    auto lock = LockWhenWritten();
    return log;
  }
  void Clear() {
    auto lock = LockWhenWritten();
    log.clear();
    ++log_generation;
    counted = 0;
  }
};

void FakeHub::Server::Stop() {
  {
    std::lock_guard lock(stop_mu);
    stopping = true;
  }
  stop_cv.notify_all();
  {
    std::lock_guard lock(log_mu);  // a /__stats waiting on a stalled download
  }
  log_cv.notify_all();
  if (wake[1] >= 0) (void)!write(wake[1], "x", 1);
  if (acceptor.joinable()) acceptor.join();
  std::lock_guard lock(connections_mu);
  // Wakes threads blocked in recv (idle keep-alive) or send (a client that
  // stopped reading).
  for (auto& connection : connections) shutdown(connection->fd, SHUT_RDWR);
  for (auto& connection : connections) {
    connection->thread.join();
    close(connection->fd);
  }
  connections.clear();
}

void FakeHub::Server::AcceptLoop() {
  pollfd fds[3] = {{hub_fd, POLLIN, 0}, {cdn_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
  while (!stopping) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[2].revents != 0) return;
    if (fds[0].revents & POLLIN) Accept(hub_fd, false);
    if (fds[1].revents & POLLIN) Accept(cdn_fd, true);
  }
}

void FakeHub::Server::Accept(int listen_fd, bool cdn) {
  int fd = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;  // the client gave up between poll and accept
  // Heads and small bodies go out at once; without this, Nagle plus delayed
  // ACKs stall keep-alive exchanges by 40 ms.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::lock_guard lock(connections_mu);
  for (auto it = connections.begin(); it != connections.end();) {  // reap finished threads
    if ((*it)->done) {
      (*it)->thread.join();
      close((*it)->fd);
      it = connections.erase(it);
    } else {
      ++it;
    }
  }
  auto connection = std::make_unique<Connection>();
  connection->fd = fd;
  connection->cdn = cdn;
  try {
    connection->thread = std::thread([this, raw = connection.get()] { Serve(raw); });
  } catch (const std::system_error&) {  // out of threads: drop this client
    close(fd);
    return;
  }
  connections.push_back(std::move(connection));
}

void FakeHub::Server::Serve(Connection* connection) {
  const int fd = connection->fd;
  std::string buffer;
  while (!stopping) {
    std::string text;
    HeadRead read = ReadHead(fd, buffer, &text);
    if (read == HeadRead::kClosed) break;
    Head head;
    if (read == HeadRead::kTooLarge || !ParseHead(text, &head)) {
      int64_t ignored = 0;
      WriteReply(fd, SimpleReply(read == HeadRead::kTooLarge ? 431 : 400, ""), false, false, &ignored);
      break;
    }
    if (!DiscardBody(fd, buffer, head.content_length)) break;
    if (!Answer(fd, head, connection->cdn)) break;
  }
  // FIN, not RST: a client still reading the last response gets all of it.
  shutdown(fd, SHUT_WR);
  connection->done = true;
}

bool FakeHub::Server::AnswerControl(int fd, const Head& head) {
  Reply reply;
  if (head.request.method == "GET") {
    int64_t requests = 0, body_bytes = 0;
    for (const FakeHubRequest& logged : Snapshot()) {
      ++requests;
      body_bytes += logged.body_bytes;
    }
    reply = SimpleReply(200, "{\"requests\":" + std::to_string(requests) +
                                 ",\"body_bytes\":" + std::to_string(body_bytes) + "}");
  } else {
    Clear();
    reply = SimpleReply(200, "");
  }
  int64_t ignored = 0;
  return WriteReply(fd, std::move(reply), false, head.keep_alive, &ignored) && head.keep_alive;
}

// Answers one request; returns whether the connection stays open.
bool FakeHub::Server::Answer(int fd, const Head& head, bool cdn) {
  FakeHubRequest request = head.request;
  request.host = cdn ? "cdn" : "hub";
  if (!cdn && ((request.method == "GET" && request.target == "/__stats") ||
               (request.method == "POST" && request.target == "/__reset"))) {
    return AnswerControl(fd, head);
  }
  if (options.delay_ms > 0) {
    std::unique_lock lock(stop_mu);
    stop_cv.wait_for(lock, std::chrono::milliseconds(options.delay_ms), [this] { return stopping.load(); });
    if (stopping) return false;
  }
  Reply reply;
  if (counted.fetch_add(1) < options.fail_first) {
    reply = SimpleReply(options.fail_status, "{\"error\":\"injected failure\"}");
    if (options.fail_status == 429) reply.headers.emplace_back("Retry-After", "0");
  } else {
    reply = fake_hub_internal::RouteRequest(request, options, hub_endpoint, cdn_endpoint);
  }
  // The entry takes its place in the log before the first byte is written:
  // a client that reads this response and sends its next request (to the
  // other host, on another thread) must find this one logged first.
  size_t slot = 0;
  uint64_t slot_generation = 0;
  {
    std::lock_guard lock(log_mu);
    ++writing;
    slot = log.size();
    slot_generation = log_generation;
    log.push_back(request);
    log.back().status = reply.status;
  }
  int64_t body_bytes = 0;
  bool complete = WriteReply(fd, std::move(reply), request.method == "HEAD", head.keep_alive, &body_bytes);
  {
    std::lock_guard lock(log_mu);
    --writing;
    if (log_generation == slot_generation && slot < log.size()) log[slot].body_bytes = body_bytes;
  }
  log_cv.notify_all();
  return complete && head.keep_alive;
}

Result<std::unique_ptr<FakeHub>> FakeHub::Start(FakeHubOptions options) {
  std::error_code error;
  if (!std::filesystem::is_directory(options.root, error)) {
    return MakeErrorf(ErrorCode::kNotFound, "fake hub: root is not a folder: {}", options.root);
  }
  auto server = std::make_unique<Server>();
  server->options = std::move(options);
  int hub_port = 0, cdn_port = 0;
  PIPEFIT_ASSIGN_OR_RETURN(server->hub_fd, Listen("127.0.0.1", &hub_port));
  PIPEFIT_ASSIGN_OR_RETURN(server->cdn_fd, Listen("127.0.0.2", &cdn_port));
  if (pipe2(server->wake, O_CLOEXEC) != 0) return IoError("pipe");
  server->hub_endpoint = "http://127.0.0.1:" + std::to_string(hub_port);
  server->cdn_endpoint = "http://127.0.0.2:" + std::to_string(cdn_port);
  try {
    server->acceptor = std::thread([raw = server.get()] { raw->AcceptLoop(); });
  } catch (const std::system_error& thread_error) {
    return MakeErrorf(ErrorCode::kIo, "fake hub: cannot start a thread: {}", thread_error.what());
  }
  return std::unique_ptr<FakeHub>(new FakeHub(std::move(server)));
}

FakeHub::FakeHub(std::unique_ptr<Server> server) : server_(std::move(server)) {}

FakeHub::~FakeHub() { server_->Stop(); }

std::string FakeHub::endpoint() const { return server_->hub_endpoint; }
std::string FakeHub::cdn_endpoint() const { return server_->cdn_endpoint; }
std::vector<FakeHubRequest> FakeHub::requests() const { return server_->Snapshot(); }
void FakeHub::ClearRequests() { server_->Clear(); }
FakeHubOptions& FakeHub::options() { return server_->options; }

}  // namespace pipefit::testkit
