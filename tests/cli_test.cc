// End-to-end tests of the pipefit binary: exit codes, JSON on stdout,
// messages on stderr (CONTRACT.md Conventions).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "pipefit/testing/pipeline_fixture.h"
#include "pipefit/testing/safetensors_builder.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// An environment with an empty Hugging Face cache.
std::string EmptyCache(const testkit::TempDir& dir) {
  return "HF_HUB_CACHE=" + dir.path() + "/none HOME=" + dir.path();
}

TEST(CliTest, InspectCatalogJsonFollowsTheContract) {
  testkit::TempDir dir;
  RunResult r = RunPipefit("inspect flux.1-dev --json --offline", EmptyCache(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "pipefit.inspect/1");
  EXPECT_EQ(j["source"]["kind"], "catalog");
  EXPECT_EQ(j["source"]["repo"], "black-forest-labs/FLUX.1-dev");
  EXPECT_EQ(j["pipeline_class"], "FluxPipeline");
  EXPECT_EQ(j["load_dtype"], "bf16");
  const auto& transformer = j["components"][5];
  EXPECT_EQ(transformer["name"], "transformer");
  EXPECT_EQ(transformer["class"], "FluxTransformer2DModel");
  EXPECT_EQ(transformer["library"], "diffusers");
  EXPECT_EQ(transformer["tensors"], 1160);
  EXPECT_EQ(transformer["params"], 11901408320);
  EXPECT_EQ(transformer["stored_bytes"], 23802816640);
  EXPECT_EQ(transformer["bytes"], 23802816640);
  EXPECT_EQ(transformer["blocks"], 57);
  EXPECT_EQ(transformer["block_bytes"], 679662592);
  EXPECT_EQ(transformer["leaf_bytes"], 113283072);
  for (const char* key : {"layerwise_fp8_bytes", "int8_bytes", "nf4_bytes"}) {
    EXPECT_TRUE(transformer[key].is_number_integer()) << key;
  }
  EXPECT_EQ(j["measurements"]["S_total"], 23802816640 + 9524621312 + 246120960 + 167639366);
  EXPECT_EQ(j["measurements"]["S_block"], 679662592);
  for (const char* key : {"S_total", "S_max", "S_block", "S_leaf", "S_total_lc", "S_max_lc"}) {
    EXPECT_TRUE(j["measurements"][key].is_number_integer()) << key;
  }
}

TEST(CliTest, InspectFolderEqualsCatalog) {
  testkit::TempDir dir;
  testkit::WriteFluxDevFixture(dir.path() + "/flux", PIPEFIT_SOURCE_DIR);
  RunResult folder = RunPipefit("inspect " + dir.path() + "/flux --json --dtype fp16", EmptyCache(dir));
  RunResult catalog = RunPipefit("inspect flux.1-dev --json --dtype fp16", EmptyCache(dir));
  ASSERT_EQ(folder.exit_code, 0) << folder.err;
  auto a = nlohmann::json::parse(folder.out);
  auto b = nlohmann::json::parse(catalog.out);
  EXPECT_EQ(a["measurements"], b["measurements"]);
  for (size_t i = 0; i < a["components"].size(); ++i) {
    for (const char* key : {"bytes", "stored_bytes", "params", "blocks", "block_bytes", "leaf_bytes",
                            "layerwise_fp8_bytes", "int8_bytes", "nf4_bytes"}) {
      EXPECT_EQ(a["components"][i][key], b["components"][i][key]) << a["components"][i]["name"] << " " << key;
    }
  }
  EXPECT_EQ(a["components"][2]["bytes"], 11537887232);  // T5 with wo kept in fp32
}

TEST(CliTest, TextOutputShowsGiBAndSeedQuantities) {
  testkit::TempDir dir;
  RunResult r = RunPipefit("inspect flux.1-dev", EmptyCache(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("black-forest-labs/FLUX.1-dev (FluxPipeline)"));
  EXPECT_THAT(r.out, HasSubstr("22.17 GiB"));  // 23,802,816,640 B
  EXPECT_THAT(r.out, HasSubstr("S_block       0.63 GiB  largest denoiser block (transformer_blocks.0)"))
      << r.out;
}

TEST(CliTest, CorruptFilesExitOneNamingTheFile) {
  testkit::TempDir dir;
  struct Case {
    std::string name;
    std::string bytes;
    std::string message;
  } cases[] = {
      {"empty.safetensors", "", "empty.safetensors: file is 0 bytes, too short for the 8-byte header length"},
      {"huge.safetensors", std::string(8, '\xff'),
       "huge.safetensors: header length 18446744073709551615 exceeds the 100 MB limit"},
      {"json.safetensors", testkit::SafetensorsPrefix("{\"a\":"),
       "json.safetensors: header is not valid JSON"},
      {"bad.gguf", "GGUF", "bad.gguf"},
      {"text.gguf", "hello world, not a gguf file at all", "text.gguf"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.path() + "/" + c.name;
    testkit::WriteTextFile(path, c.bytes);
    RunResult r = RunPipefit("inspect " + path + " --json");
    EXPECT_EQ(r.exit_code, 1) << c.name;
    EXPECT_EQ(r.out, "") << c.name;
    EXPECT_THAT(r.err, HasSubstr("pipefit: error: " + dir.path() + "/" + c.message))
        << c.name << ": " << r.err;
  }
}

TEST(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunPipefit("inspect flux.1-dev --dtype int3").exit_code, 2);
  EXPECT_EQ(RunPipefit("inspect --no-such-flag").exit_code, 2);
  EXPECT_EQ(RunPipefit("").exit_code, 2);
  EXPECT_EQ(RunPipefit("frobnicate").exit_code, 2);
  RunResult help = RunPipefit("inspect --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--variant"));
}

TEST(CliTest, MissingModelExitsOne) {
  testkit::TempDir dir;
  RunResult r = RunPipefit("inspect nobody/nothing --offline", EmptyCache(dir));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(
      r.err,
      "pipefit: error: nobody/nothing@main: not a local path, not in the Hugging Face cache or the catalog, "
      "and the revision is not in pipefit's cache (" +
          dir.path() +
          "/.cache/pipefit/hub/127.0.0.1_9/"
          "nobody/nothing) and the network is off (--offline or HF_HUB_OFFLINE=1)\n");
}

TEST(CliTest, CatalogListsEveryEntryByFamilyWithSizeAndDefaults) {
  RunResult r = RunPipefit("catalog --json");
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "pipefit.catalog/1");
  ASSERT_GE(j["entries"].size(), 18u);
  std::set<std::string> families;
  const nlohmann::json* dev = nullptr;
  const nlohmann::json* schnell = nullptr;
  for (const auto& e : j["entries"]) {
    families.insert(e["family"].get<std::string>());
    EXPECT_GT(e["weights_bytes"].get<int64_t>(), 0) << e["repo"];
    EXPECT_FALSE(e["components"].empty()) << e["repo"];
    if (e["repo"] == "black-forest-labs/FLUX.1-dev") dev = &e;
    if (e["repo"] == "black-forest-labs/FLUX.1-schnell") schnell = &e;
  }
  EXPECT_GE(families.size(), 8u);
  ASSERT_NE(dev, nullptr);
  ASSERT_NE(schnell, nullptr);
  EXPECT_EQ((*dev)["default"], true);
  EXPECT_EQ((*dev)["family"], "FLUX.1");
  // 246,120,960 + 9,524,621,312 + 23,802,816,640 + 167,639,366 bytes.
  EXPECT_EQ((*dev)["weights_bytes"], int64_t{33'741'198'278});
  EXPECT_EQ((*dev)["default_call"],
            nlohmann::json({{"height", 1024}, {"width", 1024}, {"frames", 1}, {"steps", 28}}));
  EXPECT_EQ((*schnell)["default_call"]["steps"], 4);

  RunResult text = RunPipefit("catalog");
  ASSERT_EQ(text.exit_code, 0);
  const size_t header = text.out.find("\nFLUX.1\n");
  const size_t line = text.out.find("black-forest-labs/FLUX.1-dev");
  ASSERT_NE(header, std::string::npos) << text.out;
  EXPECT_LT(header, line);
  EXPECT_THAT(text.out, HasSubstr("31.42 GiB  1024x1024, 28 steps"));
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

int64_t MemTotalBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  while (in >> key) {
    if (key == "MemTotal:") {
      in >> kib;
      return kib * 1024;
    }
  }
  return -1;
}

TEST(CliTest, HwWithoutAGpuExitsZero) {
  // An NVML path that does not exist and no nvidia-smi on PATH: no GPU.
  RunResult r = RunPipefit("hw --json", "PATH=/nonexistent PIPEFIT_NVML_LIBRARY=/nonexistent/libnvml.so");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "pipefit.hw/1");
  EXPECT_TRUE(j["gpus"].empty());
  if (j["ram_source"] == "meminfo") {
    EXPECT_EQ(j["ram_total"], MemTotalBytes());
  }
  EXPECT_LE(j["ram_total"].get<int64_t>(), MemTotalBytes());
  RunResult text = RunPipefit("hw", "PATH=/nonexistent PIPEFIT_NVML_LIBRARY=/nonexistent/libnvml.so");
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_THAT(text.out, StartsWith("No GPU found."));
}

TEST(CliTest, GpusResolvesAliases) {
  RunResult r = RunPipefit("gpus --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(nlohmann::json::parse(r.out)["gpus"].size(), 30u);
  EXPECT_EQ(RunPipefit("gpus 'RTX 4090'").exit_code, 0);
  EXPECT_EQ(RunPipefit("gpus no-such-card").exit_code, 1);
}

}  // namespace
}  // namespace pipefit
