#include "pipefit/sources/hub_protocol.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pipefit {
namespace {

using ::testing::StartsWith;

TEST(HubProtocolTest, Urls) {
  EXPECT_EQ(RevisionInfoUrl("https://hf.test", "org/name", "refs/pr/1"),
            "https://hf.test/api/models/org/name/revision/refs%2Fpr%2F1");
  EXPECT_EQ(TreeUrl("https://hf.test", "org/name", "main"),
            "https://hf.test/api/models/org/name/tree/main?recursive=true&expand=false");
  EXPECT_EQ(ResolveUrl("https://hf.test", "org/name", "v1.0", "text encoder/model 1.safetensors"),
            "https://hf.test/org/name/resolve/v1.0/text%20encoder/model%201.safetensors");
}

TEST(HubProtocolTest, RevisionInfo) {
  auto plain = ParseRevisionInfo(
      R"({"id":"o/n","sha":"0123456789ABCDEF0123456789abcdef01234567","gated":false})", "o/n");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_EQ(plain->sha, "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(plain->gated, "");
  auto gated =
      ParseRevisionInfo(R"({"sha":"0123456789abcdef0123456789abcdef01234567","gated":"manual"})", "o/n");
  ASSERT_TRUE(gated.ok());
  EXPECT_EQ(gated->gated, "manual");
}

TEST(HubProtocolTest, RevisionInfoWithBlobsListsEveryFileWithItsSize) {
  auto info =
      ParseRevisionInfo(R"({"sha":"0123456789abcdef0123456789abcdef01234567","gated":false,"siblings":[
    {"rfilename":"model_index.json","blobId":"a","size":536},
    {"rfilename":"vae/diffusion_pytorch_model.safetensors","blobId":"b","size":167666902,
     "lfs":{"sha256":"c","size":167666902,"pointerSize":135}}]})",
                        "o/n");
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_TRUE(info->files.has_value());
  ASSERT_EQ(info->files->size(), 2u);
  EXPECT_EQ((*info->files)[0].path, "model_index.json");
  EXPECT_EQ((*info->files)[0].size, 536);
  EXPECT_EQ((*info->files)[1].path, "vae/diffusion_pytorch_model.safetensors");
  EXPECT_EQ((*info->files)[1].size, 167666902);
  // Without ?blobs=true the Hub lists names only: no listing, the tree gives it.
  auto names = ParseRevisionInfo(
      R"({"sha":"0123456789abcdef0123456789abcdef01234567","siblings":[{"rfilename":"a.json"}]})", "o/n");
  ASSERT_TRUE(names.ok());
  EXPECT_FALSE(names->files.has_value());
  // 1000 siblings or more may be a truncated list: the tree is asked instead.
  std::string many = R"({"sha":"0123456789abcdef0123456789abcdef01234567","siblings":[)";
  for (int i = 0; i < 1000; ++i) many += (i ? "," : "") + fmt::format(R"({{"rfilename":"f{}","size":1}})", i);
  auto truncated = ParseRevisionInfo(many + "]}", "o/n");
  ASSERT_TRUE(truncated.ok());
  EXPECT_FALSE(truncated->files.has_value());
  // An empty repo lists no file.
  auto empty =
      ParseRevisionInfo(R"({"sha":"0123456789abcdef0123456789abcdef01234567","siblings":[]})", "o/n");
  ASSERT_TRUE(empty.ok());
  ASSERT_TRUE(empty->files.has_value());
  EXPECT_TRUE(empty->files->empty());
  auto unsafe = ParseRevisionInfo(
      R"({"sha":"0123456789abcdef0123456789abcdef01234567","siblings":[{"rfilename":"../x","size":1}]})",
      "o/n");
  ASSERT_FALSE(unsafe.ok());
  EXPECT_EQ(unsafe.error().code, ErrorCode::kMalformed);
  EXPECT_EQ(unsafe.error().message, "o/n: sibling 0: unsafe path '../x'");
  auto nameless = ParseRevisionInfo(
      R"({"sha":"0123456789abcdef0123456789abcdef01234567","siblings":[{"size":1}]})", "o/n");
  ASSERT_FALSE(nameless.ok());
  EXPECT_EQ(nameless.error().message, "o/n: sibling 0 has no string \"rfilename\"");
}

TEST(HubProtocolTest, RevisionInfoErrors) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"", "o/n: the revision info is not valid JSON: "},
      {"[]", "o/n: the revision info must be a JSON object"},
      {R"({"id":"o/n"})", "o/n: the revision info has no 40-digit \"sha\""},
      {R"({"sha":"abc"})", "o/n: the revision info has no 40-digit \"sha\""},
      {R"({"sha":"0123456789abcdef0123456789abcdef0123456g"})",
       "o/n: the revision info has no 40-digit \"sha\""},
  };
  for (const Case& c : cases) {
    auto result = ParseRevisionInfo(c.json, "o/n");
    ASSERT_FALSE(result.ok()) << c.json;
    EXPECT_EQ(result.error().code, ErrorCode::kMalformed);
    EXPECT_THAT(result.error().message, StartsWith(c.message));
  }
}

TEST(HubProtocolTest, TreePageKeepsFilesAndSkipsDirectories) {
  auto files = ParseTreePage(R"([
    {"type":"directory","oid":"1","size":0,"path":"vae"},
    {"type":"file","oid":"2","size":540,"path":"vae/config.json"},
    {"type":"file","oid":"3","size":167666902,"path":"vae/diffusion_pytorch_model.safetensors",
     "lfs":{"oid":"x","size":167666902,"pointerSize":135}}])",
                             "page 1");
  ASSERT_TRUE(files.ok()) << files.error().message;
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "vae/config.json");
  EXPECT_EQ((*files)[0].size, 540);
  EXPECT_EQ((*files)[1].size, 167666902);
}

TEST(HubProtocolTest, TreePageErrors) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {"{}", "p: the tree listing must be a JSON array"},
      {"[1]", "p: tree entry 0 has no string \"type\" and \"path\""},
      {R"([{"type":"file","path":"a","size":1},{"type":"file","size":2}])",
       "p: tree entry 1 has no string \"type\" and \"path\""},
      {R"([{"type":"file","path":"a"}])", "p: tree entry 0 (a) has no non-negative \"size\""},
      {R"([{"type":"file","path":"a","size":-1}])", "p: tree entry 0 (a) has no non-negative \"size\""},
      {R"([{"type":"file","path":"a","size":1.5}])", "p: tree entry 0 (a) has no non-negative \"size\""},
      {R"([{"type":"file","path":"../etc/passwd","size":1}])",
       "p: tree entry 0: unsafe path '../etc/passwd'"},
      {R"([{"type":"directory","path":"/abs","size":0}])", "p: tree entry 0: unsafe path '/abs'"},
      {"[", "p: the tree listing is not valid JSON: "},
  };
  for (const Case& c : cases) {
    auto result = ParseTreePage(c.json, "p");
    ASSERT_FALSE(result.ok()) << c.json;
    EXPECT_EQ(result.error().code, ErrorCode::kMalformed);
    EXPECT_THAT(result.error().message, StartsWith(c.message));
  }
}

TEST(HubProtocolTest, SafeRepoPaths) {
  for (const char* ok :
       {"a", "a/b.json", "text_encoder_2/model-00001-of-00002.safetensors", ".gitattributes"}) {
    EXPECT_TRUE(IsSafeRepoPath(ok)) << ok;
  }
  for (const char* bad : {"", "/a", "a//b", "a/", "./a", "a/../b", "..", "a\\b", "a\nb", "a\tb"}) {
    EXPECT_FALSE(IsSafeRepoPath(bad)) << bad;
  }
  EXPECT_FALSE(IsSafeRepoPath(std::string(kMaxRepoPathBytes + 1, 'a')));
}

HttpResponse ErrorResponse(int status, const std::string& code, const std::string& message) {
  HttpResponse response;
  response.status = status;
  if (!code.empty()) response.headers.emplace_back("x-error-code", code);
  if (!message.empty()) response.headers.emplace_back("x-error-message", message);
  return response;
}

TEST(HubProtocolTest, ResponseErrorsInTheUsersWords) {
  const std::string hub = "https://hf.test";
  struct Case {
    HttpResponse response;
    bool has_token;
    ErrorCode code;
    std::string message;
  } cases[] = {
      {ErrorResponse(401, "GatedRepo", "Access restricted"), false, ErrorCode::kNotFound,
       "w: o/n is a gated repo (HTTP 401: Access restricted). Accept its conditions at https://hf.test/o/n, then "
       "set HF_TOKEN to a token of that account"},
      {ErrorResponse(403, "GatedRepo", ""), true, ErrorCode::kNotFound,
       "w: o/n is a gated repo (HTTP 403). Accept its conditions at https://hf.test/o/n, then retry (your token has "
       "no access yet)"},
      {ErrorResponse(404, "RevisionNotFound", "Invalid rev id: nope"), false, ErrorCode::kNotFound,
       "w: no such revision in o/n (HTTP 404: Invalid rev id: nope)"},
      {ErrorResponse(404, "EntryNotFound", ""), false, ErrorCode::kNotFound,
       "w: no such file in o/n (HTTP 404)"},
      {ErrorResponse(401, "RepoNotFound", "Repository not found"), false, ErrorCode::kNotFound,
       "w: repository o/n not found on https://hf.test (HTTP 401: Repository not found); if it is private, set "
       "HF_TOKEN or log in with `hf auth login`"},
      {ErrorResponse(401, "", ""), true, ErrorCode::kNotFound,
       "w: repository o/n not found on https://hf.test (HTTP 401); check that your token (HF_TOKEN or "
       "HF_HOME/token) has read access"},
      {ErrorResponse(401, "", "Invalid credentials in Authorization header"), true, ErrorCode::kNetwork,
       "w: the Hub rejected the token (HTTP 401: Invalid credentials in Authorization header); check HF_TOKEN or "
       "HF_HOME/token"},
      {ErrorResponse(403, "", ""), false, ErrorCode::kNetwork,
       "w: access denied (HTTP 403); if it is private, set HF_TOKEN or log in with `hf auth login`"},
      {ErrorResponse(404, "", ""), false, ErrorCode::kNotFound, "w: not found (HTTP 404)"},
      {ErrorResponse(416, "", ""), false, ErrorCode::kNetwork,
       "w: the server refused the byte range (HTTP 416)"},
      {ErrorResponse(503, "", ""), false, ErrorCode::kNetwork, "w: unexpected HTTP 503 (HTTP 503)"},
  };
  for (const Case& c : cases) {
    Error error = HubResponseError(c.response, "w", "o/n", hub, c.has_token);
    EXPECT_EQ(error.code, c.code) << c.message;
    EXPECT_EQ(error.message, c.message);
  }
}

}  // namespace
}  // namespace pipefit
