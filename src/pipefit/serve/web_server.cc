#include "pipefit/serve/web_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <pthread.h>
#include <signal.h>

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
    const std::string shown_host =
        options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
    on_listening(fmt::format("http://{}:{}/", shown_host, port));
    // SIGINT / SIGTERM stop the server from a thread of their own; the
    // server's threads never see them.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::thread waiter([this, stop_signals] {
      int signal_number = 0;
      sigwait(&stop_signals, &signal_number);
      if (signal_number != 0) server_.stop();
    });
    const bool ok = server_.listen_after_bind();
    // Wake the waiter if the server stopped on its own.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return ok ? OkStatus() : MakeErrorf(ErrorCode::kIo, "the server stopped with an error");
  }

 private:
  void Configure() {
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
        Answer(response, ApiErrorAnswer(403, *refusal, -1));
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

  // Why a request is refused before routing, if it is.
  std::optional<std::string> Refusal(const httplib::Request& request) const {
    const std::string host = request.get_header_value("Host");
    if (IsLoopbackHost(options_.host) && !IsOwnHost(host)) {
      return fmt::format("Host '{}' is not this server (it answers to localhost:{})", host.substr(0, 100),
                         port_);
    }
    const std::string origin = request.get_header_value("Origin");
    if (!origin.empty() && origin != "http://" + host) {
      return "cross-origin requests are refused (CORS is closed)";
    }
    if (request.get_header_value("Sec-Fetch-Site") == "cross-site") {
      return "cross-site requests are refused";
    }
    if (request.method == "POST") {
      const std::string type = request.get_header_value("Content-Type");
      if (!AsciiLower(type).starts_with("application/json")) {
        return "API requests must be sent with Content-Type: application/json";
      }
    }
    return std::nullopt;
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
};

}  // namespace

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

Status RunWebServer(const ServeOptions& options,
                    const std::function<void(const std::string& url)>& on_listening) {
  // A child that exits before reading its stdin must not end the server.
  signal(SIGPIPE, SIG_IGN);
  WebServer server(options);
  return server.Run(on_listening);
}

}  // namespace pipefit
