#include "pipefit/serve/web_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "pipefit/base/text.h"
#include "pipefit/serve/api_request.h"
#include "pipefit/serve/web_assets.h"

namespace pipefit {
namespace {

constexpr const char* kJson = "application/json; charset=utf-8";

// No inline script, no other origin, no framing.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void SetCommonHeaders(httplib::Response& response) {
  response.set_header("Content-Security-Policy", kContentSecurityPolicy);
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "no-store");
  response.set_header("Cross-Origin-Resource-Policy", "same-origin");
}

void Answer(httplib::Response& response, const ApiAnswer& answer) {
  response.status = answer.status;
  response.set_content(answer.body, kJson);
  if (answer.exit_code >= 0) response.set_header("X-Pipefit-Exit-Code", std::to_string(answer.exit_code));
}

// Counts the API commands running; a request over the limit is refused.
class RunningSlot {
 public:
  RunningSlot(std::atomic<int>& running, int limit) : running_(running) {
    acquired_ = running_.fetch_add(1) < limit;
    if (!acquired_) running_.fetch_sub(1);
  }
  ~RunningSlot() {
    if (acquired_) running_.fetch_sub(1);
  }
  bool acquired() const { return acquired_; }

 private:
  std::atomic<int>& running_;
  bool acquired_ = false;
};

class WebServer {
 public:
  explicit WebServer(const ServeOptions& options) : options_(options) {}

  Status Run(const std::function<void(const std::string&)>& on_listening) {
    Configure();
    const int port = options_.port == 0
                         ? server_.bind_to_any_port(options_.host)
                         : (server_.bind_to_port(options_.host, options_.port) ? options_.port : -1);
    if (port < 0) {
      return MakeErrorf(ErrorCode::kIo, "cannot listen on {}:{} (in use, or not an address of this machine)",
                        options_.host, options_.port);
    }
    port_ = port;
    cookie_name_ = fmt::format("pipefit_token_{}", port);  // cookies ignore ports: one name per server
    const std::string shown_host =
        options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
    on_listening(fmt::format("http://{}:{}/{}", shown_host, port,
                             options_.token.empty() ? "" : "?token=" + options_.token));
    // SIGINT / SIGTERM stop the server from a thread of their own; the
    // server's threads never see them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::atomic<bool> listening_ended{false};
    std::thread waiter([this, stop_signals, &listening_ended] {
      int signal_number = 0;
      sigwait(&stop_signals, &signal_number);
      // A signal that came before the server ran must still stop it.
      while (!listening_ended && !server_.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      server_.stop();
    });
    const bool ok = server_.listen_after_bind();
    listening_ended = true;
    // Wake the waiter if the server stopped on its own.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return ok ? OkStatus() : MakeErrorf(ErrorCode::kIo, "the server stopped with an error");
  }

 private:
  void Configure() {
    // cpp-httplib 0.11 sets SO_REUSEPORT too, which lets a second server
    // share the port silently.
    server_.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    const int threads = options_.max_running + 4;
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
    server_.set_payload_max_length(kMaxApiBodyBytes);
    server_.set_read_timeout(10, 0);
    server_.set_write_timeout(10, 0);
    server_.set_keep_alive_max_count(50);
    server_.set_keep_alive_timeout(5);
    server_.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
      SetCommonHeaders(response);
      if (auto refusal = Refusal(request)) {
        Answer(response, ApiErrorAnswer(refusal->status, refusal->message, -1));
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!Authorized(request, response)) {
        Answer(response, ApiErrorAnswer(401,
                                        "this server needs its token: open the URL `pipefit serve` printed "
                                        "(…/?token=…), or send `Authorization: Bearer TOKEN`",
                                        -1));
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server_.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
      if (options_.log_requests) {
        std::fprintf(stderr, "pipefit serve: %s %s %d\n", request.method.c_str(), request.path.c_str(),
                     response.status);
      }
    });
    server_.set_error_handler([](const httplib::Request&, httplib::Response& response) {
      if (!response.body.empty()) return;
      const std::string message = response.status == 413   ? "request body too large"
                                  : response.status == 404 ? "no such page"
                                                           : "bad request";
      SetCommonHeaders(response);
      Answer(response, ApiErrorAnswer(response.status, message, -1));
    });
    server_.Get(R"(/([A-Za-z0-9_.-]*))", [](const httplib::Request& request, httplib::Response& response) {
      ServeAsset(request.matches[1].str(), response);
    });
    server_.Get(R"(/api/(.*))", [this](const httplib::Request& request, httplib::Response& response) {
      HandleApi(request, response, ApiMethod::kGet);
    });
    server_.Post(R"(/api/(.*))", [this](const httplib::Request& request, httplib::Response& response) {
      HandleApi(request, response, ApiMethod::kPost);
    });
    server_.Options(R"(.*)", [](const httplib::Request&, httplib::Response& response) {
      Answer(response, ApiErrorAnswer(403, "cross-origin requests are refused (CORS is closed)", -1));
    });
  }

  static void ServeAsset(const std::string& name, httplib::Response& response) {
    if (name == "favicon.ico") {
      response.status = 204;
      return;
    }
    auto asset = FindWebAsset(name);
    if (!asset) {
      Answer(response, ApiErrorAnswer(404, "no such page: /" + name, -1));
      return;
    }
    response.set_content(std::string(asset->data), std::string(asset->content_type));
  }

  struct RefusalReason {
    int status;
    std::string message;
  };

  // Why a request is refused before its body is read, if it is.
  std::optional<RefusalReason> Refusal(const httplib::Request& request) const {
    const std::string& method = request.method;
    if (method != "GET" && method != "HEAD" && method != "POST" && method != "OPTIONS") {
      return RefusalReason{405, "method " + method.substr(0, 20) + " is not served (GET, POST)"};
    }
    const std::string host = request.get_header_value("Host");
    if (IsLoopbackHost(options_.host) && !IsOwnHost(host)) {
      return RefusalReason{403, fmt::format("Host '{}' is not this server (it answers to localhost:{})",
                                            host.substr(0, 100), port_)};
    }
    const std::string origin = request.get_header_value("Origin");
    if (!origin.empty() && origin != "http://" + host) {
      return RefusalReason{403, "cross-origin requests are refused (CORS is closed)"};
    }
    if (request.get_header_value("Sec-Fetch-Site") == "cross-site") {
      return RefusalReason{403, "cross-site requests are refused"};
    }
    if (method == "POST") {
      const std::string type = request.get_header_value("Content-Type");
      if (!AsciiLower(type).starts_with("application/json")) {
        return RefusalReason{403, "API requests must be sent with Content-Type: application/json"};
      }
      // cpp-httplib bounds a declared length only: no chunks, no compression.
      if (request.has_header("Transfer-Encoding") || !request.has_header("Content-Length")) {
        return RefusalReason{411, "send the request body with a Content-Length (no chunked encoding)"};
      }
      if (request.has_header("Content-Encoding")) {
        return RefusalReason{415, "compressed request bodies are refused"};
      }
    }
    return std::nullopt;
  }

  // The token, from the cookie, an Authorization header, or ?token= on the
  // page (which sets the cookie). The page's script and style need none.
  bool Authorized(const httplib::Request& request, httplib::Response& response) const {
    if (options_.token.empty()) return true;
    if (request.path == "/pipefit.js" || request.path == "/style.css" || request.path == "/favicon.ico")
      return true;
    if (SameToken(request.get_header_value("Authorization"), "Bearer " + options_.token)) return true;
    if (SameToken(CookieValue(request.get_header_value("Cookie"), cookie_name_), options_.token)) return true;
    if (request.path == "/" && SameToken(request.get_param_value("token"), options_.token)) {
      response.set_header("Set-Cookie",
                          cookie_name_ + "=" + options_.token + "; Path=/; HttpOnly; SameSite=Strict");
      return true;
    }
    return false;
  }

  // Compares in time independent of where the strings differ.
  static bool SameToken(const std::string& given, const std::string& expected) {
    if (given.size() != expected.size()) return false;
    unsigned char difference = 0;
    for (size_t i = 0; i < given.size(); ++i) {
      difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
    }
    return difference == 0;
  }

  static std::string CookieValue(const std::string& header, const std::string& name) {
    size_t start = 0;
    while (start < header.size()) {
      size_t end = header.find(';', start);
      if (end == std::string::npos) end = header.size();
      const std::string_view pair = TrimWhitespace(std::string_view(header).substr(start, end - start));
      if (pair.starts_with(name + "=")) return std::string(pair.substr(name.size() + 1));
      start = end + 1;
    }
    return "";
  }

  bool IsOwnHost(const std::string& host) const {
    const std::string port = ":" + std::to_string(port_);
    for (const char* name : {"localhost", "127.0.0.1", "[::1]"}) {
      if (host == name + port) return true;
    }
    return host == options_.host + port;
  }

  void HandleApi(const httplib::Request& request, httplib::Response& response, ApiMethod method) {
    const ApiEndpoint* endpoint = FindApiEndpoint(request.path);
    if (endpoint == nullptr) {
      std::string known;
      for (const ApiEndpoint& e : ApiEndpoints()) known += (known.empty() ? "" : ", ") + std::string(e.path);
      Answer(response,
             ApiErrorAnswer(404, fmt::format("no API endpoint {} (endpoints: {})", request.path, known), -1));
      return;
    }
    if (endpoint->method != method) {
      response.set_header("Allow", endpoint->method == ApiMethod::kGet ? "GET" : "POST");
      Answer(response, ApiErrorAnswer(405,
                                      fmt::format("{} takes {}", endpoint->path,
                                                  endpoint->method == ApiMethod::kGet ? "GET" : "POST"),
                                      -1));
      return;
    }
    auto command = TranslateApiRequest(*endpoint, request.body);
    if (!command.ok()) {
      Answer(response, ApiErrorAnswer(400, command.error().message, 2));
      return;
    }
    RunningSlot slot(running_, options_.max_running);
    if (!slot.acquired()) {
      response.set_header("Retry-After", "1");
      Answer(response,
             ApiErrorAnswer(
                 503, fmt::format("busy: {} requests are running; try again shortly", options_.max_running),
                 -1));
      return;
    }
    Answer(response, RunApiCommand(*command, options_.runner));
  }

  ServeOptions options_;
  httplib::Server server_;
  std::atomic<int> running_{0};
  int port_ = 0;
  std::string cookie_name_;
};

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string NewServeToken() {
  unsigned char bytes[16];
  size_t filled = 0;
  while (filled < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + filled, sizeof(bytes) - filled, 0);
    if (n <= 0) return "";
    filled += static_cast<size_t>(n);
  }
  std::string token;
  for (unsigned char b : bytes) token += fmt::format("{:02x}", b);
  return token;
}

Status RunWebServer(const ServeOptions& options,
                    const std::function<void(const std::string& url)>& on_listening) {
  // A child that exits before reading its stdin must not end the server.
  signal(SIGPIPE, SIG_IGN);
  WebServer server(options);
  return server.Run(on_listening);
}

}  // namespace pipefit
