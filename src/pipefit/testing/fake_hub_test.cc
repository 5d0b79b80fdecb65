// The fake Hub, driven through raw sockets (not libcurl) so that a bug in
// the hub client can never hide a bug in the fake it is tested against.
#include "pipefit/testing/fake_hub.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "pipefit/testing/temp_dir.h"

namespace pipefit::testkit {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kBigSize = 10LL * 1024 * 1024 * 1024;  // sparse: only the prefix is on disk
constexpr const char* kBigPrefix = "SAFETENSORS-HEAD";   // 16 bytes
constexpr const char* kBigPath = "transformer/diffusion_pytorch_model.safetensors";
constexpr const char* kCommit = "4f2b1a0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f40";
constexpr const char* kGatedMessage =
    "Access to model org/gated is restricted. You must have access to it and be authenticated to access "
    "it. Please log in.";

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "<absent>" : it->second;
  }
};

// One client connection; requests on it share the connection (keep-alive).
class Client {
 public:
  explicit Client(const std::string& endpoint) {
    const size_t host_start = endpoint.find("//") + 2, colon = endpoint.rfind(':');
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(std::stoi(endpoint.substr(colon + 1))));
    inet_pton(AF_INET, endpoint.substr(host_start, colon - host_start).c_str(), &address.sin_addr);
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval timeout{5, 0};  // a broken server fails the test instead of hanging it
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ADD_FAILURE() << "cannot connect to " << endpoint;
    }
  }
  ~Client() { close(fd_); }

  void SendRaw(const std::string& bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }

  // Reads one response: the head, then min(Content-Length, max_body) body bytes.
  Response Read(bool head_only = false, int64_t max_body = std::numeric_limits<int64_t>::max()) {
    Response response;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return response;
    }
    std::string head = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    response.status = std::stoi(head.substr(9, 3));
    for (size_t line = head.find("\r\n"); line != std::string::npos;) {
      size_t next = head.find("\r\n", line + 2);
      std::string text = head.substr(line + 2, next == std::string::npos ? next : next - line - 2);
      size_t colon = text.find(':');
      std::string name = text.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers[name] = text.substr(colon + 2);
      line = next;
    }
    int64_t length = head_only ? 0 : std::stoll(response.header("content-length"));
    length = std::min(length, max_body);
    while (static_cast<int64_t>(buffer_.size()) < length && Fill()) {
    }
    response.body = buffer_.substr(0, static_cast<size_t>(length));
    buffer_.erase(0, response.body.size());
    return response;
  }

  Response Request(const std::string& method, const std::string& target,
                   const std::vector<std::string>& headers = {},
                   int64_t max_body = std::numeric_limits<int64_t>::max()) {
    std::string text = method + " " + target + " HTTP/1.1\r\nHost: test\r\n";
    for (const std::string& header : headers) text += header + "\r\n";
    SendRaw(text + "\r\n");
    return Read(method == "HEAD", max_body);
  }

 private:
  bool Fill() {
    char chunk[64 * 1024];
    ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

Response Get(const std::string& endpoint, const std::string& target,
             const std::vector<std::string>& headers = {}) {
  return Client(endpoint).Request("GET", target, headers);
}

class FakeHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteTextFile(dir_.Make("org/model/config.json"), R"({"_class_name":"FluxPipeline"})");
    WriteTextFile(dir_.Make("org/model/README.md"), "# model\n");
    WriteTextFile(dir_.Make("org/model/transformer/config.json"), "0123456789");
    const std::string big = dir_.Make(std::string("org/model/") + kBigPath);
    int fd = open(big.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, kBigPrefix, 16), 16);
    ASSERT_EQ(ftruncate(fd, kBigSize), 0);
    close(fd);
    WriteTextFile(dir_.Make("org/gated/model_index.json"), "{}");
    options_.root = dir_.path();
    options_.gated["org/gated"] = "hf_right";
  }

  FakeHub& Start() {
    Result<std::unique_ptr<FakeHub>> started = FakeHub::Start(options_);
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    hub_ = std::move(started).value();
    return *hub_;
  }

  std::string Hub() const { return hub_->endpoint(); }
  std::string Cdn() const { return hub_->cdn_endpoint(); }

  TempDir dir_;
  FakeHubOptions options_;
  std::unique_ptr<FakeHub> hub_;
};

TEST_F(FakeHubTest, RevisionAnswersTheCommitAndTheRealErrors) {
  options_.extra_revisions = {"refs/pr/1"};
  Start();
  Response main = Get(Hub(), "/api/models/org/model/revision/main");
  EXPECT_EQ(main.status, 200);
  EXPECT_EQ(main.body, std::string(R"({"id":"org/model","sha":")") + kCommit +
                           R"(","private":false,"gated":false,"siblings":[{"rfilename":"README.md"},)"
                           R"({"rfilename":"config.json"},{"rfilename":"transformer/config.json"},)"
                           R"({"rfilename":"transformer/diffusion_pytorch_model.safetensors"}]})");
  // ?blobs=true adds each file's size, blob id and, for LFS files, the LFS entry.
  Response blobs = Get(Hub(), "/api/models/org/model/revision/main?blobs=true");
  EXPECT_EQ(blobs.status, 200);
  EXPECT_THAT(blobs.body, HasSubstr(R"({"rfilename":"transformer/config.json","blobId":")"));
  EXPECT_THAT(blobs.body, HasSubstr(R"(","size":10},)"));
  EXPECT_THAT(blobs.body, HasSubstr(R"(,"size":10737418240,"lfs":{"sha256":")"));
  EXPECT_THAT(blobs.body, HasSubstr(R"(","size":10737418240,"pointerSize":134}}]})"));
  EXPECT_EQ(main.header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(Get(Hub(), std::string("/api/models/org/model/revision/") + kCommit).status, 200);
  EXPECT_EQ(Get(Hub(), "/api/models/org/model/revision/refs%2Fpr%2F1").status, 200);
  EXPECT_THAT(Get(Hub(), "/api/models/org/gated/revision/main").body, HasSubstr(R"("gated":"manual")"));

  Response bad_rev = Get(Hub(), "/api/models/org/model/revision/v9");
  EXPECT_EQ(bad_rev.status, 404);
  EXPECT_EQ(bad_rev.header("x-error-code"), "RevisionNotFound");
  EXPECT_EQ(bad_rev.header("x-error-message"), "Invalid rev id: v9");

  Response anonymous = Get(Hub(), "/api/models/org/missing/revision/main");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("x-error-code"), "RepoNotFound");
  EXPECT_EQ(anonymous.header("x-error-message"), "Repository not found");
  Response authenticated = Get(Hub(), "/api/models/org/missing/revision/main", {"Authorization: Bearer t"});
  EXPECT_EQ(authenticated.status, 404);
  EXPECT_EQ(authenticated.header("x-error-code"), "RepoNotFound");
}

TEST_F(FakeHubTest, TreeListsFilesAndFoldersInPagesLinkedByCursor) {
  options_.page_size = 2;
  Start();
  std::vector<std::string> links;
  nlohmann::json all = nlohmann::json::array();
  std::string target = "/api/models/org/model/tree/main?recursive=1&expand=false";
  for (int page = 0; page < 3; ++page) {
    Response response = Get(Hub(), target);
    ASSERT_EQ(response.status, 200);
    nlohmann::json entries = nlohmann::json::parse(response.body);
    EXPECT_EQ(entries.size(), page < 2 ? 2u : 1u);
    for (auto& entry : entries) all.push_back(entry);
    links.push_back(response.header("link"));
    if (page < 2) target = links.back().substr(Hub().size() + 1, links.back().find('>') - Hub().size() - 1);
  }
  EXPECT_EQ(links[0], "<" + Hub() + "/api/models/org/model/tree/main?recursive=true&cursor=2>; rel=\"next\"");
  EXPECT_EQ(links[1], "<" + Hub() + "/api/models/org/model/tree/main?recursive=true&cursor=4>; rel=\"next\"");
  EXPECT_EQ(links[2], "<absent>");

  std::vector<std::string> paths;
  for (const auto& entry : all) paths.push_back(entry["path"]);
  EXPECT_EQ(paths, (std::vector<std::string>{"README.md", "config.json", "transformer",
                                             "transformer/config.json", kBigPath}));
  EXPECT_EQ(all[1]["type"], "file");
  EXPECT_EQ(all[1]["size"], 30);
  EXPECT_EQ(all[1]["oid"].get<std::string>().size(), 40u);
  EXPECT_FALSE(all[1].contains("lfs"));
  EXPECT_EQ(all[2]["type"], "directory");
  EXPECT_EQ(all[2]["size"], 0);
  EXPECT_EQ(all[4]["size"], kBigSize);
  EXPECT_EQ(all[4]["lfs"]["size"], kBigSize);
  EXPECT_EQ(all[4]["lfs"]["pointerSize"], 134);
  EXPECT_EQ(all[4]["lfs"]["oid"].get<std::string>().size(), 64u);

  EXPECT_EQ(Get(Hub(), "/api/models/org/model/tree/v9?recursive=true").header("x-error-code"),
            "RevisionNotFound");
  EXPECT_EQ(Get(Hub(), "/api/models/org/missing/tree/main?recursive=true").status, 401);
}

TEST_F(FakeHubTest, ResolveServesRangesWithCommitAndEtag) {
  Start();
  const std::string file = "/org/model/resolve/main/transformer/config.json";
  Response whole = Get(Hub(), file);
  EXPECT_EQ(whole.status, 200);
  EXPECT_EQ(whole.body, "0123456789");
  EXPECT_EQ(whole.header("x-repo-commit"), kCommit);
  EXPECT_EQ(whole.header("etag").size(), 42u);  // a quoted 40-hex oid
  EXPECT_EQ(whole.header("accept-ranges"), "bytes");

  Response middle = Get(Hub(), file, {"Range: bytes=2-4"});
  EXPECT_EQ(middle.status, 206);
  EXPECT_EQ(middle.body, "234");
  EXPECT_EQ(middle.header("content-range"), "bytes 2-4/10");
  Response tail = Get(Hub(), file, {"range: bytes=7-"});
  EXPECT_EQ(tail.body, "789");
  EXPECT_EQ(tail.header("content-range"), "bytes 7-9/10");
  EXPECT_EQ(Get(Hub(), file, {"Range: bytes=5-100"}).header("content-range"), "bytes 5-9/10");
  Response beyond = Get(Hub(), file, {"Range: bytes=10-"});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("content-range"), "bytes */10");

  Response head = Client(Hub()).Request("HEAD", file);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "10");
  EXPECT_EQ(Get(Hub(), "/org/model/resolve/main/transformer%2Fconfig.json").body, "0123456789");

  Response missing = Get(Hub(), "/org/model/resolve/main/nope.json");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.header("x-error-code"), "EntryNotFound");
  EXPECT_EQ(missing.header("x-error-message"), "Entry not found");
  EXPECT_EQ(Get(Hub(), "/org/model/resolve/main/..%2F..%2Fgated%2Fmodel_index.json").status, 404);
  EXPECT_EQ(Get(Hub(), "/org/model/resolve/v9/config.json").header("x-error-code"), "RevisionNotFound");
}

TEST_F(FakeHubTest, LfsResolveRedirectsToTheCdnWhichLogsNoAuthorization) {
  Start();
  Response redirect =
      Get(Hub(), std::string("/org/model/resolve/main/") + kBigPath, {"Authorization: Bearer t"});
  EXPECT_EQ(redirect.status, 302);
  EXPECT_EQ(redirect.header("location"), Cdn() + "/cdn/org/model/" + kBigPath + "?sig=abc");
  EXPECT_EQ(redirect.header("x-linked-size"), std::to_string(kBigSize));
  EXPECT_EQ(redirect.header("x-repo-commit"), kCommit);
  const std::string location_body =
      "Found. Redirecting to " + Cdn() + "/cdn/org/model/" + kBigPath + "?sig=abc";
  EXPECT_EQ(redirect.body, location_body);
  EXPECT_EQ(redirect.header("content-length"), std::to_string(location_body.size()));

  const std::string cdn_target = std::string("/cdn/org/model/") + kBigPath + "?sig=abc";
  Response prefix = Get(Cdn(), cdn_target, {"Range: bytes=0-15"});
  EXPECT_EQ(prefix.status, 206);
  EXPECT_EQ(prefix.body, kBigPrefix);
  EXPECT_EQ(prefix.header("content-range"), "bytes 0-15/" + std::to_string(kBigSize));
  Response hole = Get(Cdn(), cdn_target, {"Range: bytes=" + std::to_string(kBigSize - 4) + "-"});
  EXPECT_EQ(hole.body, std::string(4, '\0'));
  EXPECT_EQ(Get(Cdn(), "/org/model/resolve/main/config.json").status, 404);  // not a CDN route

  std::vector<FakeHubRequest> log = hub_->requests();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[0].host, "hub");
  EXPECT_EQ(log[0].authorization, "Bearer t");
  EXPECT_EQ(log[0].status, 302);
  EXPECT_EQ(log[0].body_bytes, static_cast<int64_t>(location_body.size()));
  EXPECT_EQ(log[1].host, "cdn");
  EXPECT_EQ(log[1].method, "GET");
  EXPECT_EQ(log[1].target, cdn_target);
  EXPECT_EQ(log[1].range, "bytes=0-15");
  EXPECT_EQ(log[1].authorization, "");
  EXPECT_EQ(log[1].status, 206);
  EXPECT_EQ(log[1].body_bytes, 16);
}

TEST_F(FakeHubTest, LfsFilesComeFromTheHubWithoutRedirect) {
  options_.redirect_lfs = false;
  Start();
  Response prefix = Get(Hub(), std::string("/org/model/resolve/main/") + kBigPath, {"Range: bytes=0-3"});
  EXPECT_EQ(prefix.status, 206);
  EXPECT_EQ(prefix.body, "SAFE");
  EXPECT_EQ(prefix.header("etag").size(), 66u);  // a quoted sha256
}

TEST_F(FakeHubTest, GatedRepoWantsTheRightToken) {
  Start();
  const std::string file = "/org/gated/resolve/main/model_index.json";
  Response anonymous = Get(Hub(), file);
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.header("x-error-code"), "GatedRepo");
  EXPECT_EQ(anonymous.header("x-error-message"), kGatedMessage);
  Response wrong = Get(Hub(), file, {"Authorization: Bearer hf_wrong"});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(wrong.header("x-error-code"), "GatedRepo");
  Response right = Get(Hub(), file, {"Authorization: Bearer hf_right"});
  EXPECT_EQ(right.status, 200);
  EXPECT_EQ(right.body, "{}");
}

TEST_F(FakeHubTest, IgnoreRangeSendsTheWholeFileAndSurvivesAHangUp) {
  options_.ignore_range = true;
  Start();
  {
    Client client(Cdn());
    Response response =
        client.Request("GET", std::string("/cdn/org/model/") + kBigPath, {"Range: bytes=0-15"}, 64 * 1024);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.header("content-length"), std::to_string(kBigSize));
    EXPECT_EQ(response.header("content-range"), "<absent>");
    EXPECT_EQ(response.body.substr(0, 16), kBigPrefix);
  }  // hangs up mid-body
  std::vector<FakeHubRequest> log = hub_->requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].status, 200);
  EXPECT_GE(log[0].body_bytes, 64 * 1024);
  EXPECT_LT(log[0].body_bytes, kBigSize);
  EXPECT_EQ(Get(Hub(), "/org/model/resolve/main/transformer/config.json", {"Range: bytes=0-0"}).body,
            "0123456789");
}

TEST_F(FakeHubTest, FailFirstAnswersTheInjectedStatusOnBothHosts) {
  options_.fail_first = 2;
  options_.fail_status = 429;
  FakeHub& hub = Start();
  Response first = Get(Cdn(), std::string("/cdn/org/model/") + kBigPath);
  EXPECT_EQ(first.status, 429);
  EXPECT_EQ(first.header("retry-after"), "0");
  EXPECT_EQ(Get(Hub(), "/api/models/org/model/revision/main").status, 429);
  EXPECT_EQ(Get(Hub(), "/api/models/org/model/revision/main").status, 200);

  hub.options().fail_first = 1;
  hub.options().fail_status = 503;
  hub.ClearRequests();  // restarts the count
  Response again = Get(Hub(), "/api/models/org/model/revision/main");
  EXPECT_EQ(again.status, 503);
  EXPECT_EQ(again.header("retry-after"), "<absent>");
  EXPECT_EQ(hub.requests().size(), 1u);
}

TEST_F(FakeHubTest, KeepAliveAndPipelinedRequestsShareOneConnection) {
  Start();
  Client client(Hub());
  EXPECT_EQ(client.Request("GET", "/org/model/resolve/main/config.json").status, 200);
  EXPECT_EQ(client.Request("GET", "/no/such/route").status, 404);
  client.SendRaw(
      "GET /org/model/resolve/main/transformer/config.json HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n"
      "HEAD /org/model/resolve/main/README.md HTTP/1.1\r\n\r\n");
  EXPECT_EQ(client.Read().body, "01");
  Response head = client.Read(/*head_only=*/true);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "8");
  EXPECT_EQ(client.Request("POST", "/org/model/resolve/main/config.json").status, 404);
}

TEST_F(FakeHubTest, StatsCountLoggedRequestsAndResetClearsThem) {
  FakeHub& hub = Start();
  Get(Hub(), "/org/model/resolve/main/transformer/config.json");
  Get(Cdn(), std::string("/cdn/org/model/") + kBigPath, {"Range: bytes=0-3"});
  Client client(Hub());
  EXPECT_EQ(client.Request("GET", "/__stats").body, R"({"requests":2,"body_bytes":14})");
  client.SendRaw("POST /__reset HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");  // a body to skip
  Response reset = client.Read();
  EXPECT_EQ(reset.status, 200);
  EXPECT_EQ(reset.body, "");
  EXPECT_EQ(client.Request("GET", "/__stats").body, R"({"requests":0,"body_bytes":0})");
  EXPECT_TRUE(hub.requests().empty());
  EXPECT_EQ(Get(Cdn(), "/__stats").status, 404);  // the CDN host has no control routes
}

TEST_F(FakeHubTest, OversizedRequestHeadIsRefused) {
  Start();
  Client client(Hub());
  client.SendRaw("GET / HTTP/1.1\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n");
  EXPECT_EQ(client.Read().status, 431);
}

TEST_F(FakeHubTest, DestructorIsPromptWithIdleAndDelayedClients) {
  options_.delay_ms = 10000;
  Start();
  Client idle(Hub());
  Client delayed(Hub());
  delayed.SendRaw("GET /api/models/org/model/revision/main HTTP/1.1\r\n\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto start = std::chrono::steady_clock::now();
  hub_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(FakeHubTest, DestructorIsPromptWithAStalledDownload) {
  Start();
  Client stalled(Cdn());  // asks for 10 GB and stops reading after the head
  stalled.SendRaw(std::string("GET /cdn/org/model/") + kBigPath + " HTTP/1.1\r\n\r\n");
  EXPECT_EQ(stalled.Read(/*head_only=*/true).status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto start = std::chrono::steady_clock::now();
  hub_.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

TEST_F(FakeHubTest, StartFailsWithoutRootFolder) {
  options_.root = dir_.path() + "/absent";
  Result<std::unique_ptr<FakeHub>> started = FakeHub::Start(options_);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pipefit::testkit
