// `pipefit serve` end to end over HTTP (the browser test is
// tests/browser/serve_e2e.py): the API's answers are the CLI's documents,
// and every safety rule of serve/web_server.h holds.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "pipefit/serve/api_runner.h"
#include "pipefit/serve/web_server.h"
#include "pipefit/testing/safetensors_builder.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

extern char** environ;

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// A pipefit-serve child on a free port, stopped with SIGTERM at the end.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> flags, std::vector<std::string> environment = {}) {
    std::vector<std::string> argv = {PIPEFIT_SERVE_BINARY, "--port", "0", "--quiet"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    std::vector<std::string> env = {
        "HF_ENDPOINT=http://127.0.0.1:9",  "HOME=" + home_.path(),
        "XDG_CACHE_HOME=" + home_.path(),  "PIPEFIT_CACHE=" + home_.path() + "/pf",
        "HF_HOME=" + home_.path() + "/hf", "PATH=/usr/bin:/bin"};
    for (const std::string& extra : environment) {  // an extra NAME= replaces the default
      const std::string name = extra.substr(0, extra.find('=') + 1);
      std::erase_if(env, [&](const std::string& e) { return e.starts_with(name); });
      env.push_back(extra);
    }
    int fds[2];
    if (pipe(fds) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<char*> args, envp;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    stderr_fd_ = fds[0];
    // The "listening on" line names the port (warnings may come first).
    std::string line;
    char c;
    while (read(stderr_fd_, &c, 1) == 1) {
      line += c;
      if (c != '\n') continue;
      if (line.find("listening on") != std::string::npos) break;
      line.clear();
    }
    first_line_ = line;
    const size_t at = line.find("127.0.0.1:");
    if (at != std::string::npos) port_ = std::atoi(line.c_str() + at + 10);
    const size_t token = line.find("?token=");
    if (token != std::string::npos)
      token_ = line.substr(token + 7, line.find_first_of(" \n", token) - token - 7);
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (stderr_fd_ >= 0) close(stderr_fd_);
  }
  int port() const { return port_; }
  const std::string& token() const { return token_; }
  const std::string& first_line() const { return first_line_; }
  // A client that sends the token (Authorization: Bearer), as scripts do.
  httplib::Client Client() const {
    httplib::Client client = Anonymous();
    if (!token_.empty()) client.set_bearer_token_auth(token_.c_str());
    return client;
  }
  httplib::Client Anonymous() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    return client;
  }
  httplib::Result Post(const std::string& path, const std::string& body,
                       httplib::Headers headers = {}) const {
    return Client().Post(path.c_str(), headers, body, "application/json");
  }
  // Reaps the server after SIGTERM; returns its exit status.
  int Stop() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  testkit::TempDir home_;
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  int port_ = 0;
  std::string token_;
  std::string first_line_;
};

// The CLI in FOLDER with the same hermetic environment as the server's children.
RunResult Cli(const std::string& folder, const std::string& args, const std::string& stdin_path = "") {
  testkit::TempDir home;
  return RunPipefitIn(folder, args + (stdin_path.empty() ? "" : " < " + stdin_path),
                      "HOME=" + home.path() + " XDG_CACHE_HOME=" + home.path() + " PIPEFIT_CACHE=" +
                          home.path() + "/pf HF_HOME=" + home.path() + "/hf PIPEFIT_LOCAL_ROOT=-");
}

std::string ErrorOf(const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object() || j.value("schema", "") != "pipefit.error/1") return "not an error document: " + body;
  return j.value("error", "");
}

TEST(ServeTest, ServesThePageWithAStrictPolicy) {
  ServeProcess server({});
  ASSERT_GT(server.port(), 0) << server.first_line();
  EXPECT_THAT(server.first_line(), HasSubstr("listening on http://127.0.0.1:"));
  auto page = server.Client().Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_THAT(page->get_header_value("Content-Security-Policy"),
              HasSubstr("default-src 'none'; script-src 'self'"));
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Access-Control-Allow-Origin"), "");
  EXPECT_THAT(page->body, HasSubstr("<!-- pipefit:body -->"));
  auto script = server.Client().Get("/pipefit.js");
  ASSERT_TRUE(script);
  EXPECT_EQ(script->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  auto missing = server.Client().Get("/secret.txt");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(ErrorOf(missing->body), "no such page: /secret.txt");
  auto escape = server.Client().Get("/../../etc/passwd");
  ASSERT_TRUE(escape);
  EXPECT_EQ(escape->status, 404);
  EXPECT_EQ(server.Stop(), 0);  // SIGTERM stops it cleanly
}

TEST(ServeTest, AnswersAreTheCliDocuments) {
  ServeProcess server({});
  testkit::TempDir dir;
  auto plan = server.Post("/api/plan", R"({"model": "flux.1-dev", "gpu": "RTX 4090", "ram": "64GiB"})");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->status, 200);
  EXPECT_EQ(plan->get_header_value("X-Pipefit-Exit-Code"), "0");
  EXPECT_EQ(plan->body, Cli(dir.path(), "plan flux.1-dev --gpu 'RTX 4090' --ram 64GiB --json").out);
  for (const char* command : {"gpus", "catalog"}) {
    auto answer = server.Client().Get((std::string("/api/") + command).c_str());
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body, Cli(dir.path(), std::string(command) + " --json").out) << command;
  }
}

TEST(ServeTest, DoctorCheckAndApplyAnswerAsTheCliDoes) {
  ServeProcess server({});
  testkit::TempDir dir;
  const std::string log_path =
      std::string(PIPEFIT_SOURCE_DIR) + "/tests/data/doctor/cuda_flux_vae_decode.log";
  const std::string script_path =
      std::string(PIPEFIT_SOURCE_DIR) + "/tests/data/scripts/bnb8_transformer_model_offload.py";
  std::filesystem::copy_file(script_path, dir.path() + "/script.py");
  const std::string script = ReadFile(script_path);

  auto doctor =
      server.Post("/api/doctor", nlohmann::json{{"log", ReadFile(log_path)}, {"vram", "24GiB"}}.dump());
  ASSERT_TRUE(doctor);
  EXPECT_EQ(doctor->status, 200);
  EXPECT_EQ(doctor->body, Cli(dir.path(), "doctor --json --vram 24GiB -", log_path).out);

  auto check = server.Post("/api/check", nlohmann::json{{"script", script}}.dump());
  ASSERT_TRUE(check);
  const RunResult cli_check = Cli(dir.path(), "check script.py --json");
  EXPECT_EQ(check->status, 200);  // a document, whatever check's exit code
  EXPECT_EQ(check->get_header_value("X-Pipefit-Exit-Code"), std::to_string(cli_check.exit_code));
  EXPECT_EQ(check->body, cli_check.out);

  auto apply = server.Post("/api/apply",
                           nlohmann::json{{"script", script}, {"gpu", "rtx-3060"}, {"ram", "64GiB"}}.dump());
  ASSERT_TRUE(apply);
  EXPECT_EQ(apply->status, 200);
  EXPECT_EQ(apply->body, Cli(dir.path(), "apply script.py --json --gpu rtx-3060 --ram 64GiB").out);
  EXPECT_THAT(apply->body, HasSubstr(R"("script": "script.py")"));
}

TEST(ServeTest, RequestErrorsAreErrorDocuments) {
  ServeProcess server({});
  auto unknown_field = server.Post("/api/plan", R"({"emit": "/tmp/x.py"})");
  ASSERT_TRUE(unknown_field);
  EXPECT_EQ(unknown_field->status, 400);
  EXPECT_THAT(ErrorOf(unknown_field->body), HasSubstr("unknown field 'emit' for /api/plan"));
  auto unknown_model = server.Post("/api/plan", R"({"model": "no-such-model-anywhere", "offline": true})");
  ASSERT_TRUE(unknown_model);
  EXPECT_EQ(unknown_model->status, 422);
  EXPECT_THAT(ErrorOf(unknown_model->body), HasSubstr("no-such-model-anywhere: not a local path"));
  auto flag_like = server.Post("/api/plan", R"({"model": "--emit=/tmp/pipefit-serve-test.py"})");
  ASSERT_TRUE(flag_like);
  EXPECT_EQ(flag_like->status, 422);  // a model id like any other, not found
  EXPECT_THAT(ErrorOf(flag_like->body), HasSubstr("--emit=/tmp/pipefit-serve-test.py: not a local path"));
  EXPECT_FALSE(std::filesystem::exists("/tmp/pipefit-serve-test.py"));
  auto wrong_method = server.Client().Get("/api/plan");
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
  auto no_endpoint = server.Post("/api/emit", "{}");
  ASSERT_TRUE(no_endpoint);
  EXPECT_EQ(no_endpoint->status, 404);
  EXPECT_THAT(ErrorOf(no_endpoint->body), HasSubstr("no API endpoint /api/emit (endpoints: /api/plan"));
  auto too_big = server.Post("/api/check", std::string(kMaxApiBodyBytes + 1, ' '));
  ASSERT_TRUE(too_big);
  EXPECT_EQ(too_big->status, 413);
}

TEST(ServeTest, LocalPathsOnlyUnderRoot) {
  testkit::TempDir root;
  std::filesystem::create_directory(root.path() + "/flux");
  std::ofstream(root.path() + "/flux/config.json") << R"({"_class_name": "FluxTransformer2DModel"})";
  std::ofstream(root.path() + "/flux/diffusion_pytorch_model.safetensors", std::ios::binary)
      << testkit::SafetensorsBytes({{"a.weight", "BF16", {2, 2}}});
  {
    ServeProcess closed({});
    auto refused = closed.Post("/api/inspect", nlohmann::json{{"model", root.path() + "/flux"}}.dump());
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400);
    EXPECT_THAT(ErrorOf(refused->body), HasSubstr("local paths are not served"));
  }
  ServeProcess server({"--root", root.path()});
  for (const std::string& model : {root.path() + "/flux", std::string("flux"), std::string("./flux")}) {
    auto inside = server.Post("/api/inspect", nlohmann::json{{"model", model}}.dump());
    ASSERT_TRUE(inside);
    EXPECT_EQ(inside->status, 200) << model << ": " << inside->body;
  }
  std::filesystem::create_symlink("/etc", root.path() + "/etc-link");
  for (const std::string& model :
       {std::string("/etc"), root.path() + "/../", std::string("../"), root.path() + "/etc-link"}) {
    auto outside = server.Post("/api/inspect", nlohmann::json{{"model", model}}.dump());
    ASSERT_TRUE(outside);
    EXPECT_EQ(outside->status, 400) << model;
    EXPECT_THAT(ErrorOf(outside->body), HasSubstr("outside the folder this server may read (--root)"))
        << model;
  }
}

TEST(ServeTest, CrossOriginAndForeignHostsAreRefused) {
  ServeProcess server({});
  const std::string own = "127.0.0.1:" + std::to_string(server.port());
  struct Case {
    httplib::Headers headers;
    std::string content_type;
    std::string message;
  };
  const Case cases[] = {
      {{{"Origin", "http://evil.example"}},
       "application/json",
       "cross-origin requests are refused (CORS is closed)"},
      {{{"Host", "evil.example:" + std::to_string(server.port())}}, "application/json", "is not this server"},
      {{{"Sec-Fetch-Site", "cross-site"}}, "application/json", "cross-site requests are refused"},
      {{}, "text/plain", "API requests must be sent with Content-Type: application/json"},
  };
  for (const Case& c : cases) {
    auto answer = server.Client().Post("/api/plan", c.headers, "{}", c.content_type.c_str());
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 403) << c.message;
    EXPECT_THAT(ErrorOf(answer->body), HasSubstr(c.message));
    EXPECT_EQ(answer->get_header_value("Access-Control-Allow-Origin"), "");
  }
  auto same_origin = server.Client().Get("/api/gpus", {{"Origin", "http://" + own}});
  ASSERT_TRUE(same_origin);
  EXPECT_EQ(same_origin->status, 200);
  auto preflight = server.Client().Options("/api/plan", {{"Origin", "http://" + own}});
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 403);
}

TEST(ServeTest, TheHubTokenNeverReachesThePage) {
  const std::string token = "hf_pipefitServeTestSecret0123456789";
  ServeProcess server({}, {"HF_TOKEN=" + token});
  const std::string bodies[] = {
      R"({"model": "acme/not-cached"})", R"({"model": "flux.1-dev", "gpu": "RTX 4090"})",
      R"({"model": ")" + token + R"("})",  // even when a request names it
  };
  for (const std::string& body : bodies) {
    auto answer = server.Post("/api/plan", body);
    ASSERT_TRUE(answer);
    EXPECT_THAT(answer->body, Not(HasSubstr(token))) << body;
  }
  for (const char* path : {"/api/hw", "/api/gpus", "/api/catalog", "/"}) {
    auto answer = server.Client().Get(path);
    ASSERT_TRUE(answer);
    EXPECT_THAT(answer->body, Not(HasSubstr(token))) << path;
  }
  EXPECT_EQ(WithoutSecrets("a " + token + " b", {token}), "a [hidden] b");
  EXPECT_EQ(WithoutSecrets("short abc", {"abc"}), "short abc");  // too short to be a token
}

// A TCP port that accepts connections (the kernel's backlog) and never answers.
class SilentPort {
 public:
  SilentPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 16);
    socklen_t length = sizeof(address);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(ServeTest, SlowRequestsAreStoppedAndExtraOnesRefused) {
  SilentPort hub;
  ServeProcess server({"--request-timeout", "2", "--max-running", "1"},
                      {"HF_ENDPOINT=http://127.0.0.1:" + std::to_string(hub.port())});
  int first_status = 0;
  std::string first_body;
  const auto started = std::chrono::steady_clock::now();
  std::thread first([&] {
    auto answer = server.Post("/api/plan", R"({"model": "acme/slow-hub"})");
    if (answer) {
      first_status = answer->status;
      first_body = answer->body;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto second = server.Post("/api/plan", R"({"model": "acme/slow-hub"})");
  first.join();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(second->get_header_value("Retry-After"), "1");
  EXPECT_THAT(ErrorOf(second->body), HasSubstr("busy: 1 requests are running"));
  EXPECT_EQ(first_status, 504);
  EXPECT_EQ(ErrorOf(first_body), "pipefit plan took longer than 2 s and was stopped");
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST(ServeTest, EverythingButThePagesCodeNeedsTheToken) {
  ServeProcess server({});
  ASSERT_EQ(server.token().size(), 32u) << server.first_line();
  for (const char* path : {"/", "/api/gpus", "/api/hw"}) {
    auto anonymous = server.Anonymous().Get(path);
    ASSERT_TRUE(anonymous);
    EXPECT_EQ(anonymous->status, 401) << path;
    EXPECT_THAT(ErrorOf(anonymous->body), HasSubstr("this server needs its token")) << path;
  }
  auto plan = server.Anonymous().Post("/api/plan", "{}", "application/json");
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->status, 401);
  for (const char* asset : {"/pipefit.js", "/style.css"}) {
    auto code = server.Anonymous().Get(asset);
    ASSERT_TRUE(code);
    EXPECT_EQ(code->status, 200) << asset;
  }
  // The printed URL sets the cookie, which then stands for the token.
  auto page = server.Anonymous().Get(("/?token=" + server.token()).c_str());
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  const std::string cookie = page->get_header_value("Set-Cookie");
  const std::string name = "pipefit_token_" + std::to_string(server.port());
  EXPECT_EQ(cookie, name + "=" + server.token() + "; Path=/; HttpOnly; SameSite=Strict");
  auto with_cookie =
      server.Anonymous().Get("/api/gpus", {{"Cookie", "other=1; " + name + "=" + server.token()}});
  ASSERT_TRUE(with_cookie);
  EXPECT_EQ(with_cookie->status, 200);
  std::string wrong = server.token();
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';
  auto wrong_cookie = server.Anonymous().Get("/api/gpus", {{"Cookie", name + "=" + wrong}});
  ASSERT_TRUE(wrong_cookie);
  EXPECT_EQ(wrong_cookie->status, 401);
  auto wrong_query = server.Anonymous().Get(("/api/gpus?token=" + server.token()).c_str());
  ASSERT_TRUE(wrong_query);
  EXPECT_EQ(wrong_query->status, 401);  // ?token= opens the page only, never the API

  ServeProcess open({"--no-token"});
  EXPECT_THAT(open.first_line(), Not(HasSubstr("?token=")));
  auto anyone = open.Anonymous().Get("/api/gpus");
  ASSERT_TRUE(anyone);
  EXPECT_EQ(anyone->status, 200);
  const RunResult short_token = RunPipefit("serve --token abc --port 0");
  EXPECT_EQ(short_token.exit_code, 2);
  EXPECT_THAT(short_token.err, HasSubstr("--token must be at least 16 letters"));
}

TEST(ServeTest, BodiesMustDeclareTheirLengthAndOnlyGetAndPostAreServed) {
  ServeProcess server({});
  // A raw request: cpp-httplib's client would add a Content-Length.
  auto raw = [&](const std::string& request) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(server.port()));
    std::string answer;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
        write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      ssize_t n;
      while ((n = read(fd, buffer, sizeof(buffer))) > 0) answer.append(buffer, static_cast<size_t>(n));
    }
    close(fd);
    return answer.substr(0, answer.find("\r\n"));
  };
  const std::string host = "Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n";
  const std::string auth = "Authorization: Bearer " + server.token() + "\r\nConnection: close\r\n";
  EXPECT_EQ(raw("POST /api/plan HTTP/1.1\r\n" + host + auth +
                "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
            "HTTP/1.1 411 Length Required");
  EXPECT_EQ(raw("POST /api/plan HTTP/1.1\r\n" + host + auth + "Content-Type: application/json\r\n\r\n"),
            "HTTP/1.1 411 Length Required");
  EXPECT_EQ(raw("POST /api/plan HTTP/1.1\r\n" + host + auth +
                "Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}"),
            "HTTP/1.1 415 Unsupported Media Type");
  EXPECT_EQ(raw("PUT /api/plan HTTP/1.1\r\n" + host + auth + "Content-Length: 2\r\n\r\n{}"),
            "HTTP/1.1 405 Method Not Allowed");
}

TEST(ServeTest, ASecondServerOnTheSamePortFails) {
  ServeProcess first({});
  ASSERT_GT(first.port(), 0);
  const RunResult second = RunPipefit("serve --port " + std::to_string(first.port()));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
}

TEST(ServeTest, ExposingTheServerWarnsAndABadRootIsAnError) {
  // 192.0.2.1 (TEST-NET-1) is no address of this machine: the warning comes
  // first, then the bind fails, and nothing is ever sent anywhere.
  const RunResult exposed = RunPipefit("serve --host 192.0.2.1 --port 0");
  EXPECT_EQ(exposed.exit_code, 1);
  EXPECT_THAT(exposed.err, HasSubstr("warning: listening on 192.0.2.1: anyone who can reach this machine"));
  EXPECT_THAT(exposed.err, HasSubstr("cannot listen on 192.0.2.1:0"));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.2"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  const RunResult bad_root = RunPipefit("serve --root /no/such/folder --port 0");
  EXPECT_EQ(bad_root.exit_code, 1);
  EXPECT_THAT(bad_root.err, HasSubstr("--root /no/such/folder: not a folder"));
  const RunResult help = RunPipefit("serve --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--request-timeout"));
}

}  // namespace
}  // namespace pipefit
