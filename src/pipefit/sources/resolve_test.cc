// MODEL resolution: the same FLUX.1-dev numbers from a local folder, the
// Hugging Face cache layout (by repo id, @commit and @ref, symlinked blobs)
// and the built-in catalog with an empty cache.
#include "pipefit/sources/resolve.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "pipefit/model/measure.h"
#include "pipefit/sources/hf_cache.h"
#include "pipefit/testing/pipeline_fixture.h"
#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;

namespace fs = std::filesystem;
constexpr const char* kCommit = "0ef5fff789c832c5c7f4e127f94c8b54bbcced44";
constexpr const char* kOldCommit = "1111111111111111111111111111111111111111";

// Moves every file of `snapshot` into blobs/ and leaves a relative symlink,
// as huggingface_hub does.
void TurnIntoBlobs(const std::string& repo_dir, const std::string& snapshot) {
  fs::create_directories(repo_dir + "/blobs");
  int i = 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(snapshot)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  for (const fs::path& file : files) {
    const fs::path blob = fs::path(repo_dir) / "blobs" / ("blob" + std::to_string(i++));
    fs::rename(file, blob);
    fs::create_symlink(fs::relative(blob, file.parent_path()), file);
  }
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string repo_dir = dir_.path() + "/hub/models--black-forest-labs--FLUX.1-dev";
    const std::string snapshot = repo_dir + "/snapshots/" + kCommit;
    testkit::WriteFluxDevFixture(snapshot, PIPEFIT_SOURCE_DIR);
    TurnIntoBlobs(repo_dir, snapshot);
    testkit::WriteTextFile(repo_dir + "/refs/main", std::string(kCommit));
    testkit::WriteTextFile(repo_dir + "/refs/pr/5", std::string(kCommit) + "\n");
    env_.Set("HF_HUB_CACHE", dir_.path() + "/hub");
    env_.Set("HOME", dir_.path() + "/home");
    env_.Set("HF_ENDPOINT", "http://127.0.0.1:9");  // hermetic: a stray Hub request is refused locally
  }
  std::string Json(const std::string& reference) {
    auto pipeline = ResolveModel(reference, {}, fs_, env_);
    EXPECT_TRUE(pipeline.ok()) << reference << ": " << pipeline.error().message;
    if (!pipeline.ok()) return "";
    std::string out;
    for (const auto& c : MeasurePipeline(*pipeline, LoadDType::kBF16).components) {
      out += c.name + "=" + std::to_string(c.bytes) + "/" + std::to_string(c.layerwise_fp8_bytes) + "/" +
             std::to_string(c.int8_bytes) + "/" + std::to_string(c.nf4_bytes) + "/" +
             std::to_string(c.block_bytes) + ";";
    }
    return out;
  }
  testkit::TempDir dir_;
  RealFileSystem fs_;
  FakeEnvironment env_;
};

TEST_F(ResolveTest, HfCacheByRepoIdAndRevision) {
  auto pipeline = ResolveModel("black-forest-labs/FLUX.1-dev", {}, fs_, env_);
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  EXPECT_EQ(pipeline->source.kind, SourceKind::kHfCache);
  EXPECT_EQ(pipeline->source.revision, kCommit);
  EXPECT_EQ(pipeline->source.repo, "black-forest-labs/FLUX.1-dev");
  const std::string by_id = Json("black-forest-labs/FLUX.1-dev");
  EXPECT_THAT(by_id, HasSubstr("transformer=23802816640/"));
  EXPECT_EQ(Json(std::string("black-forest-labs/FLUX.1-dev@") + kCommit), by_id);
  EXPECT_EQ(Json("black-forest-labs/FLUX.1-dev@pr/5"), by_id);
}

TEST_F(ResolveTest, CatalogGivesTheSameNumbersAsTheFolder) {
  const std::string from_cache = Json("black-forest-labs/FLUX.1-dev");
  env_.Set("HF_HUB_CACHE", dir_.path() + "/empty-cache");
  auto pipeline = ResolveModel("flux.1-dev", {.offline = true}, fs_, env_);
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  EXPECT_EQ(pipeline->source.kind, SourceKind::kCatalog);
  EXPECT_EQ(Json("flux.1-dev"), from_cache);
  EXPECT_EQ(Json("black-forest-labs/FLUX.1-dev"), from_cache);
  EXPECT_EQ(Json("BLACK-FOREST-LABS/flux.1-DEV"), from_cache);
}

TEST_F(ResolveTest, SchnellCatalogEntryMatchesItsIndexTotal) {
  auto pipeline = ResolveModel("flux.1-schnell", {}, fs_, env_);
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  PipelineMeasurement m = MeasurePipeline(*pipeline, LoadDType::kBF16);
  int64_t transformer = 0, t5 = 0;
  for (const auto& c : m.components) {
    if (c.name == "transformer") transformer = c.bytes;
    if (c.name == "text_encoder_2") t5 = c.bytes;
  }
  EXPECT_EQ(transformer, 23'782'357'120);  // index.json total_size (pipelines.md)
  EXPECT_EQ(t5, 9'524'621'312);
}

TEST_F(ResolveTest, UnknownRevisionListsTheRefs) {
  auto pipeline =
      ResolveModel(std::string("black-forest-labs/FLUX.1-dev@") + kOldCommit, {.offline = true}, fs_, env_);
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(pipeline.error().message,
              HasSubstr("revision '" + std::string(kOldCommit) + "' is not in the cache (refs: main, pr)"))
      << pipeline.error().message;
}

TEST_F(ResolveTest, CacheDirectoryFromHfHomeAndHome) {
  FakeEnvironment env;
  env.Set("HOME", "/home/u");
  EXPECT_EQ(HfHubCacheDir(env), "/home/u/.cache/huggingface/hub");
  env.Set("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(HfHubCacheDir(env), "/xdg/huggingface/hub");
  env.Set("HF_HOME", "/hf");
  EXPECT_EQ(HfHubCacheDir(env), "/hf/hub");
  env.Set("HF_HUB_CACHE", "/cache");
  EXPECT_EQ(HfHubCacheDir(env), "/cache");
}

TEST_F(ResolveTest, UnknownModelIsAClearError) {
  auto pipeline = ResolveModel("nobody/nothing", {.offline = true}, fs_, env_);
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(
      pipeline.error().message,
      "nobody/nothing@main: not a local path, not in the Hugging Face cache or the catalog, and the revision "
      "is not in pipefit's cache (" +
          *env_.Get("HOME") +
          "/.cache/pipefit/hub/127.0.0.1_9/nobody/nothing) "
          "and the network is off (--offline or HF_HUB_OFFLINE=1)");
  auto not_a_repo = ResolveModel("flux-dev-xl", {.offline = true}, fs_, env_);
  ASSERT_FALSE(not_a_repo.ok());
  EXPECT_EQ(
      not_a_repo.error().message,
      "flux-dev-xl: not a local path, not in the Hugging Face cache, not a built-in catalog entry (see `pipefit "
      "catalog`), and not a Hub repo id (org/name[@revision][/path])");
  auto path = ResolveModel("./missing/folder", {}, fs_, env_);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.error().message, "./missing/folder: no such file or directory");
}

// Answers every request with the Hub's "no such revision" and counts them.
class RevisionNotFoundTransport : public HttpTransport {
 public:
  std::vector<std::string> urls;
  Result<HttpResponse> Exchange(const TransportRequest& request) override {
    urls.push_back(request.url);
    HttpResponse response;
    response.status = 404;
    response.headers = {{"x-error-code", "RevisionNotFound"}};
    return response;
  }
};

TEST_F(ResolveTest, ARevisionTheCacheLacksIsAskedOfTheHubWhenOnline) {
  RevisionNotFoundTransport hub;
  env_.Set("HF_ENDPOINT", "https://hub.test");
  auto pipeline =
      ResolveModel(std::string("black-forest-labs/FLUX.1-dev@") + kOldCommit, {.transport = &hub}, fs_, env_);
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().message, std::string("black-forest-labs/FLUX.1-dev@") + kOldCommit +
                                          ": no such revision in black-forest-labs/FLUX.1-dev (HTTP 404)");
  ASSERT_EQ(hub.urls.size(), 1u);
  EXPECT_EQ(hub.urls[0], std::string("https://hub.test/api/models/black-forest-labs/FLUX.1-dev/revision/") +
                             kOldCommit + "?blobs=true");
}

TEST_F(ResolveTest, AnEncodedRevisionCannotClimbOutOfTheCache) {
  auto pipeline =
      ResolveModel("black-forest-labs/FLUX.1-dev@%2E%2E%2F%2E%2E%2Fevil", {.offline = true}, fs_, env_);
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kUsage);
  EXPECT_EQ(pipeline.error().message,
            "black-forest-labs/FLUX.1-dev@%2E%2E%2F%2E%2E%2Fevil: a revision must not contain "
            "'..' or start with '/'");
}

TEST_F(ResolveTest, AMistypedRelativePathIsHintedAt) {
  // dir_ holds "hub/" (the HF cache): "hub/nothing" looks like a repo id.
  const std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir_.path());
  auto pipeline = ResolveModel("hub/nothing", {.offline = true}, fs_, env_);
  std::filesystem::current_path(cwd);
  ASSERT_FALSE(pipeline.ok());
  const std::string message = pipeline.error().message;
  EXPECT_THAT(message,
              HasSubstr(" (and there is no local path 'hub/nothing', although the folder 'hub' exists)"))
      << message;
}

TEST(RepoReferenceTest, Parses) {
  auto ref = ParseRepoReference("org/name@v1.0");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->repo, "org/name");
  EXPECT_EQ(ref->revision, "v1.0");
  EXPECT_FALSE(ParseRepoReference("flux.1-dev").has_value());
  EXPECT_FALSE(ParseRepoReference("a/b/c").has_value());
  EXPECT_FALSE(ParseRepoReference("../x").has_value());
  EXPECT_FALSE(ParseRepoReference("org/name@").has_value());
}

}  // namespace
}  // namespace pipefit
