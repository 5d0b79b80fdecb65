// The Hub source end to end: the real pipefit binary and libcurl against a
// fake Hub on 127.0.0.1 (src/pipefit/testing/fake_hub.h) that serves a
// sparse FLUX.1-dev folder from disk, with its CDN on another host.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "pipefit/testing/fake_hub.h"
#include "pipefit/testing/gguf_builder.h"
#include "pipefit/testing/pipeline_fixture.h"
#include "pipefit/testing/safetensors_builder.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Json = nlohmann::json;

// Requests for a fresh `inspect acme/flux` (page size 1000):
//   1 revision + 1 tree page
//   7 whole small files: model_index.json, 4 config.json, 2 shard indexes
//   7 weight headers x 2 (302 from the hub, 206 from the CDN):
//     text_encoder/model.safetensors and vae: kHubFirstReadBytes (65536)
//     shards: 8 + sum(name + 96) + 256 from the index (hub_prefetch.h)
// One model-info request (commit + every file with its size), 7 small files,
// and 7 weight headers (resolve 302 + CDN 206 each): 3 dependent round trips.
constexpr int kFreshRequests = 22;
constexpr int64_t kSmallFileBytes = 536 + 613 + 509 + 19885 + 378 + 121262 + 820;
// Speculative first reads, sized without the index (hub_prefetch.h): five
// multi-GB shards x kSpeculativeShardHeaderBytes, CLIP and VAE (single files
// under 1 GiB) x kHubFirstReadBytes. Every header fits: no second read.
constexpr int64_t kHeaderReadBytes = 5 * 131072 + 2 * 65536;

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testkit::WriteFluxDevFixture(dir_.path() + "/repos/acme/flux", PIPEFIT_SOURCE_DIR);
    Start({});
  }

  void Start(testkit::FakeHubOptions options) {
    hub_.reset();
    options.root = dir_.path() + "/repos";
    auto hub = testkit::FakeHub::Start(options);
    ASSERT_TRUE(hub.ok()) << hub.error().message;
    hub_ = std::move(*hub);
  }

  // Everything pipefit reads from the environment, pointed into the temp dir.
  std::string Env(const std::string& extra = "") const {
    return "HF_ENDPOINT=" + hub_->endpoint() + " PIPEFIT_CACHE=" + dir_.path() +
           "/cache HF_HUB_CACHE=" + dir_.path() + "/none HF_HOME=" + dir_.path() + "/hf HOME=" + dir_.path() +
           " HF_TOKEN= " + extra;
  }

  RunResult Inspect(const std::string& model, const std::string& extra_env = "",
                    const std::string& flags = "") {
    return RunPipefit("inspect " + model + " --json " + flags, Env(extra_env));
  }

  Json LocalInspect() const {
    RunResult local = RunPipefit("inspect " + dir_.path() + "/repos/acme/flux --json", Env());
    EXPECT_EQ(local.exit_code, 0) << local.err;
    return Json::parse(local.out);
  }

  int64_t ServedBytes() const {
    int64_t total = 0;
    for (const auto& request : hub_->requests()) total += request.body_bytes;
    return total;
  }

  int Count(const std::string& host, const std::string& target_prefix) const {
    int n = 0;
    for (const auto& request : hub_->requests()) {
      if (request.host == host && request.target.starts_with(target_prefix)) ++n;
    }
    return n;
  }

  testkit::TempDir dir_;
  std::unique_ptr<testkit::FakeHub> hub_;
};

void ExpectSameMeasurements(const Json& remote, const Json& local) {
  EXPECT_EQ(remote["measurements"], local["measurements"]);
  EXPECT_EQ(remote["pipeline_class"], local["pipeline_class"]);
  ASSERT_EQ(remote["components"].size(), local["components"].size());
  for (size_t i = 0; i < local["components"].size(); ++i) {
    EXPECT_EQ(remote["components"][i], local["components"][i]) << local["components"][i]["name"];
  }
}

TEST_F(HubTest, InspectMatchesTheLocalFolderByteForByte) {
  RunResult remote = Inspect("acme/flux");
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  Json j = Json::parse(remote.out);
  ExpectSameMeasurements(j, LocalInspect());
  EXPECT_EQ(j["source"]["kind"], "hub");
  EXPECT_EQ(j["source"]["repo"], "acme/flux");
  EXPECT_EQ(j["source"]["revision"], hub_->options().commit);
  EXPECT_EQ(j["source"]["path"], hub_->endpoint() + "/acme/flux");
}

TEST_F(HubTest, ExactRequestsAndBytes) {
  RunResult remote = Inspect("acme/flux");
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  auto requests = hub_->requests();
  ASSERT_EQ(static_cast<int>(requests.size()), kFreshRequests);
  EXPECT_EQ(Count("hub", "/api/models/acme/flux/revision/main?blobs=true"), 1);
  EXPECT_EQ(Count("hub", "/api/models/"), 1);  // no tree listing: the model info listed the files
  std::set<std::string> cdn_files;
  for (const auto& r : requests) {
    if (r.host == "cdn") cdn_files.insert(r.target.substr(0, r.target.find('?')));
  }
  EXPECT_EQ(cdn_files.size(), 7u);  // each header read once: no dependent second read
  EXPECT_EQ(Count("hub", "/acme/flux/resolve/" + hub_->options().commit + "/"), 14);
  EXPECT_EQ(Count("cdn", "/cdn/acme/flux/"), 7);
  int64_t small = 0, headers = 0, api = 0, redirects = 0;
  for (const auto& r : requests) {
    if (r.host == "cdn") {
      headers += r.body_bytes;
      EXPECT_EQ(r.status, 206) << r.target;
      EXPECT_THAT(r.range, StartsWith("bytes=0-"));
    } else if (r.target.starts_with("/api/")) {
      api += r.body_bytes;
    } else if (r.status == 206) {
      small += r.body_bytes;
    } else {
      EXPECT_EQ(r.status, 302) << r.target;
      redirects += r.body_bytes;  // "Found. Redirecting to <CDN URL>"
    }
  }
  EXPECT_EQ(small, kSmallFileBytes);
  EXPECT_EQ(headers, kHeaderReadBytes);
  Json j = Json::parse(remote.out);
  EXPECT_EQ(j["source"]["fetch"]["requests"], kFreshRequests);
  EXPECT_EQ(j["source"]["fetch"]["bytes"], api + small + headers + redirects);
  EXPECT_EQ(j["source"]["fetch"]["bytes"], ServedBytes());
  EXPECT_EQ(j["source"]["fetch"]["cached_files"], 0);
  EXPECT_THAT(remote.err,
              HasSubstr("pipefit: read acme/flux@4f2b1a0c9d8e from " + hub_->endpoint() + ": 22 requests, "))
      << remote.err;
}

TEST_F(HubTest, TokenReachesTheHubButNotTheCdn) {
  RunResult remote = Inspect("acme/flux", "HF_TOKEN=hf_secret_token");
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  int hub = 0, cdn = 0;
  for (const auto& r : hub_->requests()) {
    if (r.host == "hub") {
      EXPECT_EQ(r.authorization, "Bearer hf_secret_token") << r.target;
      ++hub;
    } else {
      EXPECT_EQ(r.authorization, "") << r.target;
      ++cdn;
    }
  }
  EXPECT_EQ(hub, 15);
  EXPECT_EQ(cdn, 7);
  EXPECT_THAT(remote.out, Not(HasSubstr("hf_secret_token")));
  EXPECT_THAT(remote.err, Not(HasSubstr("hf_secret_token")));
}

TEST_F(HubTest, TokenFromHfHomeFile) {
  testkit::WriteTextFile(dir_.path() + "/hf/token", "hf_from_file\n");
  ASSERT_EQ(Inspect("acme/flux").exit_code, 0);
  EXPECT_EQ(hub_->requests().front().authorization, "Bearer hf_from_file");
}

TEST_F(HubTest, SecondRunUsesTheCacheAndOfflineNeedsNoNetwork) {
  ASSERT_EQ(Inspect("acme/flux").exit_code, 0);
  hub_->ClearRequests();
  RunResult second = Inspect("acme/flux");
  ASSERT_EQ(second.exit_code, 0) << second.err;
  ASSERT_EQ(hub_->requests().size(), 1u);  // only: did main move?
  EXPECT_EQ(hub_->requests()[0].target, "/api/models/acme/flux/revision/main");
  Json j = Json::parse(second.out);
  EXPECT_EQ(j["source"]["fetch"]["requests"], 1);
  EXPECT_EQ(j["source"]["fetch"]["cached_files"], 14);
  ExpectSameMeasurements(j, LocalInspect());

  hub_->ClearRequests();
  for (const std::string& offline : {std::string("--offline"), std::string()}) {
    RunResult r = Inspect("acme/flux", offline.empty() ? "HF_HUB_OFFLINE=1" : "", offline);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ExpectSameMeasurements(Json::parse(r.out), LocalInspect());
    EXPECT_EQ(Json::parse(r.out)["source"]["fetch"]["requests"], 0);
  }
  RunResult pinned = Inspect("acme/flux@" + hub_->options().commit);
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  EXPECT_EQ(hub_->requests().size(), 0u);
}

TEST_F(HubTest, OfflineWithoutTheCacheSaysSo) {
  RunResult r = Inspect("acme/flux", "", "--offline");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err,
      "pipefit: error: acme/flux@main: not a local path, not in the Hugging Face cache or the catalog, and "
      "the revision is not in pipefit's cache (" +
          dir_.path() + "/cache/hub/127.0.0.1_" + hub_->endpoint().substr(hub_->endpoint().rfind(':') + 1) +
          "/acme/flux) and the network is off (--offline or HF_HUB_OFFLINE=1)\n");
  EXPECT_EQ(hub_->requests().size(), 0u);
}

TEST_F(HubTest, APartialHfCacheSnapshotFallsThroughToTheHub) {
  // What a single hf_hub_download(repo, "model_index.json") leaves behind.
  const std::string repo = dir_.path() + "/none/models--acme--flux";
  testkit::WriteTextFile(repo + "/refs/main", hub_->options().commit);
  testkit::WriteTextFile(repo + "/snapshots/" + hub_->options().commit + "/model_index.json",
                         "{\"_class_name\": \"FluxPipeline\", \"vae\": [\"diffusers\", \"AutoencoderKL\"]}");
  RunResult r = Inspect("acme/flux");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  EXPECT_EQ(j["source"]["kind"], "hub");
  ExpectSameMeasurements(j, LocalInspect());
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_THAT(j["notes"][0].get<std::string>(),
              StartsWith("the Hugging Face cache holds only part of acme/flux ("))
      << j["notes"][0];
  // Offline, the cache's own error stands.
  RunResult offline = Inspect("acme/flux", "", "--offline");
  EXPECT_EQ(offline.exit_code, 1);
  EXPECT_EQ(hub_->requests().size(), static_cast<size_t>(kFreshRequests));
}

TEST_F(HubTest, WithoutSiblingSizesTheTreeListingIsPaginated) {
  testkit::FakeHubOptions options;
  options.sibling_sizes = false;  // a server whose model info has no sizes
  options.page_size = 5;          // 23 entries (16 files, 7 folders) -> 5 pages
  Start(options);
  RunResult r = Inspect("acme/flux");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count("hub", "/api/models/acme/flux/revision/main?blobs=true"), 1);
  EXPECT_EQ(Count("hub", "/api/models/acme/flux/tree/"), 5);
  EXPECT_EQ(static_cast<int>(hub_->requests().size()), kFreshRequests + 5);
  ExpectSameMeasurements(Json::parse(r.out), LocalInspect());
}

TEST_F(HubTest, GatedRepo) {
  testkit::FakeHubOptions options;
  options.gated["acme/flux"] = "hf_granted";
  Start(options);
  RunResult anonymous = Inspect("acme/flux");
  EXPECT_EQ(anonymous.exit_code, 1);
  EXPECT_EQ(anonymous.err, "pipefit: error: acme/flux is a gated repo: accept its conditions at " +
                               hub_->endpoint() + "/acme/flux, then set HF_TOKEN (or run `hf auth login`)\n");
  EXPECT_EQ(hub_->requests().size(), 1u);

  RunResult denied = Inspect("acme/flux", "HF_TOKEN=hf_not_granted");
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(
      denied.err,
      "pipefit: error: acme/flux/model_index.json: acme/flux is a gated repo (HTTP 403: Access to model "
      "acme/flux is restricted. You must have access to it and be authenticated to access it. "
      "Please log in.). Accept its conditions at " +
          hub_->endpoint() + "/acme/flux, then retry (your token has no access yet)\n");
  EXPECT_THAT(denied.err, Not(HasSubstr("hf_not_granted")));

  RunResult granted = Inspect("acme/flux", "HF_TOKEN=hf_granted");
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  ExpectSameMeasurements(Json::parse(granted.out), LocalInspect());
}

TEST_F(HubTest, MissingRepoRevisionAndPath) {
  RunResult repo = Inspect("acme/nothing");
  EXPECT_EQ(repo.exit_code, 1);
  EXPECT_EQ(repo.err,
            "pipefit: error: acme/nothing@main: repository acme/nothing not found on " + hub_->endpoint() +
                " (HTTP 401: Repository not found); if it is private, set HF_TOKEN or log in with `hf "
                "auth login`\n");
  RunResult revision = Inspect("acme/flux@v9");
  EXPECT_EQ(revision.exit_code, 1);
  EXPECT_EQ(revision.err,
            "pipefit: error: acme/flux@v9: no such revision in acme/flux (HTTP 404: Invalid rev id: v9)\n");
  RunResult path = Inspect("acme/flux/transformer/nope.safetensors");
  EXPECT_EQ(path.exit_code, 1);
  EXPECT_EQ(path.err, "pipefit: error: acme/flux@main: no file or folder 'transformer/nope.safetensors'\n");
}

TEST_F(HubTest, ComponentFolderInsideARepo) {
  RunResult r = Inspect("acme/flux/vae");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = Json::parse(r.out);
  ASSERT_EQ(j["components"].size(), 1u);
  EXPECT_EQ(j["components"][0]["class"], "AutoencoderKL");
  EXPECT_EQ(LocalInspect()["components"][6]["name"], "vae");
  EXPECT_EQ(j["components"][0]["bytes"], LocalInspect()["components"][6]["bytes"]);
  // model info, vae/config.json, vae weights (302 + 206)
  EXPECT_EQ(hub_->requests().size(), 4u);
}

TEST_F(HubTest, AFileSmallerThanTheRedirectBodyIsRead) {
  // One scalar tensor: a 65-byte file, shorter than the 302's text body.
  const std::string header = R"({"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header + std::string(4, '\0');
  testkit::WriteTextFile(dir_.path() + "/repos/acme/tiny/w.safetensors", bytes);
  RunResult r = Inspect("acme/tiny/w.safetensors");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["components"][0]["params"], 1);
  for (const auto& request : hub_->requests()) {
    if (request.status == 302) {
      EXPECT_GT(request.body_bytes, static_cast<int64_t>(bytes.size()));
    }
  }
}

TEST_F(HubTest, ShardsTheNameGuessMissesAreReadInASecondRound) {
  // An index whose shards are not named "<stem>-NNNNN-of-NNNNN": round 1 only
  // fetches the index (no guess), round 2 reads both headers, sized from it.
  auto shard = [](const std::string& name) {
    const std::string header = R"({")" + name + R"(":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(header.size());
    return bytes + header + std::string(8, '\0');
  };
  const std::string repo = dir_.path() + "/repos/acme/odd/";
  testkit::WriteTextFile(repo + "config.json", R"({"_class_name": "FluxTransformer2DModel"})");
  testkit::WriteTextFile(repo + "diffusion_pytorch_model.safetensors.index.json",
                         R"({"metadata": {"total_size": 16}, "weight_map": {"a": "part-a.safetensors", )"
                         R"("b": "part-b.safetensors"}})");
  testkit::WriteTextFile(repo + "part-a.safetensors", shard("a"));
  testkit::WriteTextFile(repo + "part-b.safetensors", shard("b"));
  RunResult r = Inspect("acme/odd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["components"][0]["params"], 4);
  // model info, config.json, the index, then each shard once (small
  // non-LFS-sized files on the fake are still LFS by extension: 302 + CDN).
  EXPECT_EQ(Count("hub", "/api/models/"), 1);
  EXPECT_EQ(Count("hub", "/acme/odd/resolve/" + hub_->options().commit + "/part-"), 2);
  EXPECT_EQ(Count("cdn", "/cdn/acme/odd/"), 2);
  EXPECT_EQ(static_cast<int>(hub_->requests().size()), 1 + 2 + 2 * 2);
}

TEST_F(HubTest, TimeoutIsAClearErrorWithoutRetries) {
  testkit::FakeHubOptions options;
  options.delay_ms = 5000;
  Start(options);
  const auto start = std::chrono::steady_clock::now();
  RunResult r = Inspect("acme/flux", "HF_HUB_DOWNLOAD_TIMEOUT=0.3");
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("pipefit: error: " + hub_->endpoint() +
                                "/api/models/acme/flux/revision/main: timed out after 300 ms"))
      << r.err;
  EXPECT_LT(seconds, 4.0);  // one attempt, not four (a hang would be 5 s per request)
}

TEST_F(HubTest, ServerIgnoringRangeIsAbortedNotDownloaded) {
  testkit::FakeHubOptions options;
  options.ignore_range = true;
  Start(options);
  RunResult r = Inspect("acme/flux/vae");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "pipefit: error: acme/flux/vae/diffusion_pytorch_model.safetensors: the server ignored the Range "
            "request and sent more than the 65536 bytes asked for; aborted instead of downloading the file "
            "(167666864 bytes)\n");
}

TEST_F(HubTest, RateLimitIsRetried) {
  testkit::FakeHubOptions options;
  options.fail_first = 2;
  options.fail_status = 429;  // with Retry-After: 0
  Start(options);
  RunResult r = Inspect("acme/flux");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(static_cast<int>(hub_->requests().size()), kFreshRequests + 2);
  EXPECT_EQ(Json::parse(r.out)["source"]["fetch"]["requests"], kFreshRequests + 2);
}

TEST_F(HubTest, GgufHeaderOverRange) {
  GgufBuilder builder;
  for (int i = 0; i < 1500; ++i) {
    builder.AddTensor("transformer_blocks." + std::to_string(i) + ".attn.to_q.weight", {3072, 3072},
                      DType::kQ4_0);
  }
  const std::string file = dir_.path() + "/repos/acme/flux-gguf/flux1-dev-Q4_0.gguf";
  testkit::WriteTextFile(file, "");
  ASSERT_TRUE(builder.WriteSparseFile(file).ok());
  RunResult local = RunPipefit("inspect " + file + " --json", Env());
  ASSERT_EQ(local.exit_code, 0) << local.err;
  RunResult remote = Inspect("acme/flux-gguf/flux1-dev-Q4_0.gguf");
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  ExpectSameMeasurements(Json::parse(remote.out), Json::parse(local.out));
  // The header is builder.DataStart() bytes; reads of 64 KiB, then 128 KiB.
  int64_t cdn_bytes = 0;
  for (const auto& r : hub_->requests()) cdn_bytes += r.host == "cdn" ? r.body_bytes : 0;
  EXPECT_GE(cdn_bytes, builder.DataStart());
  EXPECT_EQ(Count("cdn", "/cdn/acme/flux-gguf/"), builder.DataStart() <= 65536 ? 1 : 2);
}

TEST_F(HubTest, PlanOfARemoteGgufFileLoadsItFromTheHub) {
  GgufBuilder b;
  for (int i = 0; i < 2; ++i) {
    const std::string d = "double_blocks." + std::to_string(i) + ".";
    b.AddTensor(d + "img_attn.qkv.weight", {9216, 3072}, DType::kQ8_0);
    b.AddTensor(d + "img_mlp.0.weight", {12288, 3072}, DType::kQ8_0);
    const std::string s = "single_blocks." + std::to_string(i) + ".";
    b.AddTensor(s + "linear1.weight", {21504, 3072}, DType::kQ8_0);
  }
  const std::string file = dir_.path() + "/repos/city96/FLUX.1-dev-gguf/flux1-dev-Q8_0.gguf";
  testkit::WriteTextFile(file, "");
  ASSERT_TRUE(b.WriteSparseFile(file).ok());
  RunResult r =
      RunPipefit("plan city96/FLUX.1-dev-gguf/flux1-dev-Q8_0.gguf --vram 12GiB --ram 32GiB --json", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string code = Json::parse(r.out)["candidates"][0]["code"];
  EXPECT_THAT(
      code,
      HasSubstr("FluxTransformer2DModel.from_single_file(\n"
                "    \"https://huggingface.co/city96/FLUX.1-dev-gguf/blob/main/flux1-dev-Q8_0.gguf\",\n"))
      << code;
  EXPECT_THAT(code, Not(HasSubstr("revision=")));

  testkit::FakeHubOptions options;
  options.extra_revisions = {"v2"};
  Start(options);
  RunResult pinned =
      RunPipefit("plan city96/FLUX.1-dev-gguf@v2/flux1-dev-Q8_0.gguf --vram 12GiB --ram 32GiB --json", Env());
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  const std::string pinned_code = Json::parse(pinned.out)["candidates"][0]["code"];
  EXPECT_THAT(pinned_code,
              HasSubstr("blob/main/flux1-dev-Q8_0.gguf\",\n    quantization_config=GGUFQuantizationConfig("))
      << pinned_code;
  EXPECT_THAT(pinned_code, HasSubstr("    revision=\"" + hub_->options().commit + "\",\n)\n")) << pinned_code;
}

TEST_F(HubTest, APinnedSingleFileInsideTheCatalogPipelineDoesNotPinTheCatalogRepo) {
  // A fine-tuned FLUX transformer in BFL names, one safetensors file.
  std::vector<testkit::FakeTensor> tensors;
  for (int i = 0; i < 2; ++i) {
    const std::string d = "double_blocks." + std::to_string(i) + ".";
    tensors.push_back({d + "img_attn.qkv.weight", "BF16", {9216, 3072}});
    tensors.push_back({d + "img_mlp.0.weight", "BF16", {12288, 3072}});
    tensors.push_back({"single_blocks." + std::to_string(i) + ".linear1.weight", "BF16", {21504, 3072}});
  }
  testkit::WriteSparseSafetensors(dir_.path() + "/repos/someone/flux-ft/ft.safetensors", tensors);
  RunResult r = RunPipefit("plan someone/flux-ft@" + hub_->options().commit +
                               "/ft.safetensors --gpu \"RTX 4090\" --ram 64GiB --json",
                           Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string code = Json::parse(r.out)["candidates"][0]["code"];
  EXPECT_THAT(code, HasSubstr("\"black-forest-labs/FLUX.1-dev\""));
  EXPECT_THAT(code, Not(HasSubstr("revision=")));
}

TEST_F(HubTest, ApplyPlansARemoteModel) {
  const std::string script = dir_.path() + "/run.py";
  testkit::WriteTextFile(script,
                         "import torch\n"
                         "from diffusers import FluxPipeline\n"
                         "pipe = FluxPipeline.from_pretrained(\"acme/flux\", torch_dtype=torch.bfloat16)\n"
                         "pipe.to(\"cuda\")\n"
                         "image = pipe(\"a cat\").images[0]\n");
  RunResult r = RunPipefit("apply " + script + " --model acme/flux --gpu \"RTX 4090\" --ram 64GiB", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("-pipe.to(\"cuda\")"));
  EXPECT_THAT(r.out, HasSubstr("+pipe.enable_model_cpu_offload()"));
  EXPECT_EQ(static_cast<int>(hub_->requests().size()), kFreshRequests);
  // The same script without --model stays offline: no request, a note.
  hub_->ClearRequests();
  RunResult implicit = RunPipefit("apply " + script + " --strategy full+model_offload", Env());
  ASSERT_EQ(implicit.exit_code, 0) << implicit.err;
  EXPECT_EQ(hub_->requests().size(), 0u);
}

TEST_F(HubTest, APinnedRevisionIsPinnedInTheCode) {
  testkit::FakeHubOptions options;
  options.extra_revisions = {"v1.0"};
  Start(options);
  RunResult pinned = RunPipefit("plan acme/flux@v1.0 --gpu \"RTX 4090\" --ram 64GiB --json", Env());
  ASSERT_EQ(pinned.exit_code, 0) << pinned.err;
  const std::string code = Json::parse(pinned.out)["candidates"][0]["code"];
  EXPECT_THAT(code, HasSubstr("    \"acme/flux\",\n"));
  EXPECT_THAT(code, HasSubstr("    revision=\"" + hub_->options().commit + "\",\n"));
  RunResult branch = RunPipefit("plan acme/flux --gpu \"RTX 4090\" --ram 64GiB --json", Env());
  ASSERT_EQ(branch.exit_code, 0) << branch.err;
  EXPECT_THAT(Json::parse(branch.out)["candidates"][0]["code"].get<std::string>(),
              Not(HasSubstr("revision=")));
}

TEST_F(HubTest, ApplyPinsARevisionOnlyOnTheLoadOfThatRepo) {
  testkit::FakeHubOptions options;
  options.extra_revisions = {"v1.0"};
  Start(options);
  auto script = [&](const std::string& name, const std::string& repo, const std::string& extra) {
    const std::string path = dir_.path() + "/" + name;
    testkit::WriteTextFile(path,
                           "import torch\nfrom diffusers import FluxPipeline\n"
                           "pipe = FluxPipeline.from_pretrained(\"" +
                               repo + "\", torch_dtype=torch.bfloat16" + extra + ")\npipe.to(\"cuda\")\n");
    return RunPipefit("apply " + path + " --model acme/flux@v1.0 --strategy full+model_offload", Env());
  };
  RunResult same = script("same.py", "acme/flux", "");
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_THAT(same.out, HasSubstr("revision=\"" + hub_->options().commit + "\""));
  RunResult other = script("other.py", "someone/other-flux", "");
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_THAT(other.out, Not(HasSubstr("revision=")));
  RunResult own = script("own.py", "acme/flux", ", revision=REV");
  ASSERT_EQ(own.exit_code, 0) << own.err;
  EXPECT_THAT(own.out, Not(HasSubstr("+pipe = FluxPipeline.from_pretrained(")));  // load untouched
}

TEST_F(HubTest, AModelIdOnlyReadInAScriptIsNotFetched) {
  const std::string script = dir_.path() + "/run.py";
  testkit::WriteTextFile(script,
                         "import torch\nfrom diffusers import FluxPipeline\n"
                         "pipe = FluxPipeline.from_pretrained(\"acme/flux\", torch_dtype=torch.bfloat16)\n");
  RunResult r = RunPipefit("check " + script + " --json", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(hub_->requests().size(), 0u);
  const Json notes = Json::parse(r.out)["notes"];
  ASSERT_EQ(notes.size(), 1u) << notes;
  const std::string note = notes[0];
  EXPECT_THAT(note, StartsWith("model facts not used: acme/flux@main: "));
  const std::string hint = "; pass --model acme/flux to read it from the Hub";
  EXPECT_EQ(note.substr(note.size() - hint.size()), hint);
  // With --model the same id is read from the Hub.
  RunResult fetched = RunPipefit("check " + script + " --json --model acme/flux", Env());
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_EQ(static_cast<int>(hub_->requests().size()), kFreshRequests);
  EXPECT_EQ(Json::parse(fetched.out)["notes"].size(), 0u);
}

TEST_F(HubTest, PlanAcceptsARemoteModel) {
  RunResult r = RunPipefit("plan acme/flux --gpu \"RTX 4090\" --ram 64GiB --json", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunResult local =
      RunPipefit("plan " + dir_.path() + "/repos/acme/flux --gpu \"RTX 4090\" --ram 64GiB --json", Env());
  ASSERT_EQ(local.exit_code, 0) << local.err;
  EXPECT_EQ(Json::parse(r.out)["recommended"], Json::parse(local.out)["recommended"]);
}

// libcurl is loaded with dlopen by the first request (net/curl_transport.h):
// every test above went through that path. Without it, a command that goes
// online says what to install and sends nothing; one that stays offline
// never notices.
TEST_F(HubTest, MissingLibcurlIsAClearErrorAndNothingIsSent) {
  RunResult r = Inspect("acme/flux", "PIPEFIT_CURL_LIBRARY=" + dir_.path() + "/none/libcurl.so.4");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("pipefit: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("cannot load " + dir_.path() + "/none/libcurl.so.4 ("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("reading models from the Hub needs libcurl (Debian/Ubuntu: apt install libcurl4"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("\n"), r.err.size() - 1) << r.err;  // one line
  EXPECT_EQ(hub_->requests().size(), 0u);
}

TEST_F(HubTest, OfflineCommandsDoNotNeedLibcurl) {
  const std::string no_curl = "PIPEFIT_CURL_LIBRARY=" + dir_.path() + "/none/libcurl.so.4";
  RunResult catalog = RunPipefit("inspect flux.1-dev --offline --json", Env(no_curl));
  ASSERT_EQ(catalog.exit_code, 0) << catalog.err;
  EXPECT_EQ(Json::parse(catalog.out)["source"]["kind"], "catalog");
  ASSERT_EQ(Inspect("acme/flux").exit_code, 0);  // fills pipefit's cache
  RunResult cached = Inspect("acme/flux", no_curl, "--offline");
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  ExpectSameMeasurements(Json::parse(cached.out), LocalInspect());
}

// The dynamic loader's own listing (what ldd prints): libcurl is not among
// the libraries resolved at start-up.
TEST(HubStartup, BinaryDoesNotLinkLibcurl) {
  RunResult r = RunPipefit("--version", "LD_TRACE_LOADED_OBJECTS=1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_NE(r.out.find("libc.so"), std::string::npos) << r.out;  // the listing, not the version
  EXPECT_EQ(r.out.find("libcurl"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace pipefit
