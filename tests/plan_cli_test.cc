// End-to-end tests of `pipefit plan` (CONTRACT.md `plan`): the JSON document's
// keys and types, --all, --strategy/--emit/--force, --activation, exit codes
// and messages. The built-in FLUX.1-dev catalog entry is planned offline
// with an empty Hugging Face cache.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::StartsWith;

using nlohmann::json;

bool FileExists(const std::string& path) { return std::ifstream(path).good(); }

// The FLUX.1-dev catalog entry, offline, with an empty Hugging Face cache.
class PlanCliTest : public ::testing::Test {
 protected:
  std::string Env() const { return "HF_HUB_CACHE=" + dir_.path() + "/none HOME=" + dir_.path(); }
  RunResult Plan(const std::string& args) { return RunPipefit("plan flux.1-dev --offline " + args, Env()); }
  json PlanJson(const std::string& args) {
    RunResult r = Plan(args + " --json");
    EXPECT_EQ(r.exit_code, 0) << args << ": " << r.err;
    if (r.exit_code != 0) return json();
    return json::parse(r.out);
  }
  testkit::TempDir dir_;
};

const json* FindCandidate(const json& plan, const std::string& id) {
  for (const json& c : plan["candidates"]) {
    if (c["id"] == id) return &c;
  }
  return nullptr;
}

// Every key CONTRACT.md lists for `plan --json`, with its JSON type.
void ExpectPlanSchema(const json& j, const std::string& label) {
  SCOPED_TRACE(label);
  EXPECT_EQ(j["schema"], "pipefit.plan/1");
  for (const char* key :
       {"schema", "hardware", "workload", "measurements", "activation", "candidates", "recommended"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  const json& hw = j["hardware"];
  EXPECT_TRUE(hw["gpu"].is_string());
  EXPECT_TRUE(hw["vram"].is_number_integer());
  EXPECT_TRUE(hw["ram"].is_number_integer());
  EXPECT_EQ(hw["source"], "catalog");

  const json& w = j["workload"];
  EXPECT_EQ(w["height"], 1024);
  EXPECT_EQ(w["width"], 1024);
  EXPECT_EQ(w["frames"], 1);
  EXPECT_EQ(w["batch"], 1);
  EXPECT_EQ(w["steps"], 28);

  for (const char* key : {"S_total", "S_max", "S_block", "S_leaf", "S_total_lc", "S_max_lc"}) {
    EXPECT_TRUE(j["measurements"][key].is_number_integer()) << key;
  }
  const json& a = j["activation"];
  for (const char* key : {"text_encode", "denoise", "decode"}) EXPECT_TRUE(a[key].is_number_integer()) << key;
  EXPECT_TRUE(a["overridden"].is_boolean());

  ASSERT_TRUE(j["candidates"].is_array());
  EXPECT_FALSE(j["candidates"].empty());
  const std::set<std::string> qualities = {"full", "fp8", "int8", "int4"};
  std::set<std::string> ids;
  for (const json& c : j["candidates"]) {
    ASSERT_TRUE(c["id"].is_string());
    const std::string id = c["id"];
    SCOPED_TRACE(id);
    EXPECT_TRUE(ids.insert(id).second) << "duplicate id";
    EXPECT_TRUE(c["group"] == "offload_casting" || c["group"] == "quantization") << c["group"];
    ASSERT_TRUE(c["weights"].is_string());
    ASSERT_TRUE(c["placement"].is_string());
    EXPECT_EQ(c["group"] == "offload_casting", c["weights"] == "full" || c["weights"] == "fp8_layerwise");
    // id = WEIGHTS+PLACEMENT[...]
    EXPECT_THAT(id, StartsWith(c["weights"].get<std::string>() + "+" + c["placement"].get<std::string>()));
    EXPECT_TRUE(c["quantized_components"].is_array());
    for (const json& q : c["quantized_components"]) EXPECT_TRUE(q.is_string());
    EXPECT_TRUE(c["vae_tiling"].is_boolean());
    EXPECT_TRUE(c["vae_slicing"].is_boolean());
    EXPECT_TRUE(c["num_blocks_per_group"].is_null() || c["num_blocks_per_group"].is_number_integer());
    EXPECT_TRUE(c["vram"].is_number_integer());
    EXPECT_TRUE(c["vram_allocated"].is_number_integer());
    EXPECT_TRUE(c["ram"].is_number_integer());
    EXPECT_EQ(c["fits"], true);  // without --all only fitting candidates are listed
    EXPECT_TRUE(c["reason"].is_null());
    EXPECT_TRUE(c["seconds"].is_number());
    EXPECT_TRUE(c["relative_time"].is_number());
    ASSERT_TRUE(c["quality"].is_string());
    EXPECT_THAT(qualities, Contains(c["quality"].get<std::string>()));
    EXPECT_TRUE(c["code"].is_string());
    EXPECT_LE(c["vram"].get<int64_t>(), hw["vram"].get<int64_t>());
    EXPECT_LE(c["ram"].get<int64_t>(), hw["ram"].get<int64_t>());
  }
  const json& r = j["recommended"];
  for (const char* key : {"quality", "speed", "memory", "balanced"}) {
    ASSERT_TRUE(r.contains(key)) << key;
    ASSERT_TRUE(r[key].is_string()) << key;
    EXPECT_THAT(ids, Contains(r[key].get<std::string>()))
        << key << " names " << r[key] << ", not a listed candidate";
  }
}

TEST_F(PlanCliTest, JsonFollowsTheContractOnTwoCatalogGpus) {
  RunResult inspect = RunPipefit("inspect flux.1-dev --json --offline", Env());
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  const json measurements = json::parse(inspect.out)["measurements"];

  RunResult r4090 = Plan("--gpu \"RTX 4090\" --ram 64GiB --json");
  RunResult t4 = Plan("--gpu T4 --ram 32GiB --json");
  ASSERT_EQ(r4090.exit_code, 0) << r4090.err;
  ASSERT_EQ(t4.exit_code, 0) << t4.err;
  const json a = json::parse(r4090.out);
  const json b = json::parse(t4.out);
  ExpectPlanSchema(a, "RTX 4090");
  ExpectPlanSchema(b, "T4");
  for (const json* j : {&a, &b}) {
    for (const char* key : {"S_total", "S_max", "S_block", "S_leaf", "S_total_lc", "S_max_lc"}) {
      EXPECT_EQ((*j)["measurements"][key], measurements[key]) << key;
    }
    EXPECT_EQ((*j)["activation"]["overridden"], false);
  }
  EXPECT_EQ(a["hardware"]["ram"], 64 * (int64_t{1} << 30));
  EXPECT_EQ(b["hardware"]["ram"], 32 * (int64_t{1} << 30));
  EXPECT_GT(a["hardware"]["vram"].get<int64_t>(), b["hardware"]["vram"].get<int64_t>());

  // Different cards, different balanced picks.
  const std::string balanced_4090 = a["recommended"]["balanced"];
  const std::string balanced_t4 = b["recommended"]["balanced"];
  EXPECT_NE(balanced_4090, balanced_t4);
  const json* c4090 = FindCandidate(a, balanced_4090);
  const json* ct4 = FindCandidate(b, balanced_t4);
  ASSERT_NE(c4090, nullptr);
  ASSERT_NE(ct4, nullptr);
  EXPECT_TRUE((*c4090)["quality"] == "full" || (*c4090)["quality"] == "fp8") << balanced_4090;
  EXPECT_LE((*ct4)["vram"].get<int64_t>(), b["hardware"]["vram"].get<int64_t>()) << balanced_t4;
}

// A catalog entry's own call defaults replace its pipeline class's:
// FLUX.1-schnell plans 4 steps (FluxPipeline's default is 28); every
// estimate starts with the load stage.
TEST_F(PlanCliTest, CatalogEntryDefaultsAndTheLoadStage) {
  RunResult r = RunPipefit(
      "plan black-forest-labs/FLUX.1-schnell --offline --gpu \"RTX 4090\" --ram 64GiB --json --all", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["workload"]["steps"], 4);
  EXPECT_EQ(j["workload"]["from_defaults"], true);
  for (const json& c : j["candidates"]) {
    ASSERT_FALSE(c["stages"].empty()) << c["id"];
    EXPECT_EQ(c["stages"][0]["stage"], "load") << c["id"];
    EXPECT_EQ(c["stages"][0]["activations"], 0) << c["id"];
  }
  const json* gpu = FindCandidate(j, "full+gpu");
  ASSERT_NE(gpu, nullptr);
  // .to("cuda") holds every component: what the denoising call holds, and
  // at least the 33,720,738,758 stored bytes.
  const json& stages = (*gpu)["stages"];
  EXPECT_EQ(stages[0]["weights"], stages[stages.size() - 2]["weights"]);
  EXPECT_EQ(stages[stages.size() - 2]["stage"], "denoise");
  EXPECT_GE(stages[0]["weights"].get<int64_t>(), int64_t{33'720'738'758});
  const json* int8 = FindCandidate(j, "bnb_int8+model_offload");
  ASSERT_NE(int8, nullptr);
  EXPECT_THAT((*int8)["notes"].dump(), HasSubstr("transformers < 4.58 or bitsandbytes < 0.48"));
}

TEST_F(PlanCliTest, AllAlsoListsCandidatesThatDoNotFit) {
  const json fitting = PlanJson("--gpu T4 --ram 32GiB");
  const json all = PlanJson("--gpu T4 --ram 32GiB --all");
  ASSERT_TRUE(all["candidates"].is_array());
  EXPECT_GT(all["candidates"].size(), fitting["candidates"].size());
  int misfits = 0;
  for (const json& c : all["candidates"]) {
    SCOPED_TRACE(c["id"].get<std::string>());
    const bool fits = c["vram"].get<int64_t>() <= all["hardware"]["vram"].get<int64_t>() &&
                      c["ram"].get<int64_t>() <= all["hardware"]["ram"].get<int64_t>();
    EXPECT_EQ(c["fits"], fits);
    if (c["fits"] == false) {
      ++misfits;
      ASSERT_TRUE(c["reason"].is_string());
      EXPECT_FALSE(c["reason"].get<std::string>().empty());
    } else {
      EXPECT_TRUE(c["reason"].is_null());
    }
  }
  EXPECT_EQ(misfits, static_cast<int>(all["candidates"].size() - fitting["candidates"].size()));
  EXPECT_EQ(all["recommended"], fitting["recommended"]);
}

TEST_F(PlanCliTest, EmitWritesARunnableScriptAndRefusesToOverwriteWithoutForce) {
  const std::string path = dir_.path() + "/run.py";
  RunResult r = Plan("--gpu \"RTX 4090\" --ram 64GiB --strategy fp8_layerwise+model_offload --emit " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(FileExists(path));
  const std::string script = ReadFile(path);
  const size_t cast = script.find("enable_layerwise_casting(");
  const size_t offload = script.find("enable_model_cpu_offload()");
  ASSERT_NE(cast, std::string::npos) << script;
  ASSERT_NE(offload, std::string::npos) << script;
  EXPECT_LT(cast, offload) << "casting must be applied before offloading";
  EXPECT_THAT(script, HasSubstr("torch_dtype=torch.bfloat16"));
  if (HavePython()) {
    EXPECT_EQ(PyCompile(path), 0) << script;
  }

  // An existing file is not replaced without --force.
  testkit::WriteTextFile(path, "# mine\n");
  RunResult again = Plan("--gpu \"RTX 4090\" --ram 64GiB --strategy full+sequential_offload --emit " + path);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr(path));
  EXPECT_EQ(ReadFile(path), "# mine\n");

  // With --force it is.
  RunResult forced =
      Plan("--gpu \"RTX 4090\" --ram 64GiB --strategy full+sequential_offload --force --emit " + path);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  const std::string replaced = ReadFile(path);
  EXPECT_THAT(replaced, HasSubstr("enable_sequential_cpu_offload()"));
  EXPECT_THAT(replaced, Not(HasSubstr("# mine")));
  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile checks skipped";
  EXPECT_EQ(PyCompile(path), 0) << replaced;
}

TEST_F(PlanCliTest, SeveralGpusAreListedAndThePlanSaysItIsForGpuZero) {
  RunResult r = Plan("--gpu 4xH100 --gpu T4 --ram 256GiB --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& gpus = j["hardware"]["gpus"];
  ASSERT_EQ(gpus.size(), 5u);
  EXPECT_EQ(gpus[0]["gpu_id"], "h100-sxm");
  EXPECT_EQ(gpus[4]["gpu_id"], "t4");
  EXPECT_EQ(gpus[4]["index"], 4);
  EXPECT_EQ(j["hardware"]["gpu_id"], "h100-sxm");
  EXPECT_TRUE(j["hardware"]["interconnect"].is_null());  // a what-if: the links are unknown
  EXPECT_THAT(j["hardware"]["notes"][0].get<std::string>(),
              HasSubstr("5 GPUs (4 × H100 SXM + 1 × Tesla T4): single-GPU candidates run on GPU 0"));
  RunResult text = Plan("--gpu 2x4090 --ram 64GiB");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("24.00 GiB VRAM, 64.00 GiB RAM (catalog); GPU 0 of 2"));
  RunResult bad = Plan("--gpu 0xH100");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--gpu '0xH100': the count must be 1 to 64"));
}

TEST_F(PlanCliTest, ParetoChartAndSvg) {
  RunResult chart = Plan("--gpu \"RTX 4090\" --ram 64GiB --pareto");
  ASSERT_EQ(chart.exit_code, 0) << chart.err;
  EXPECT_THAT(chart.out, HasSubstr("Pareto front: peak VRAM against seconds per call ("));
  EXPECT_THAT(chart.out, HasSubstr("On the front (less VRAM costs time):\n  a  "));
  EXPECT_THAT(chart.out, Not(HasSubstr("Hardware     ")));  // the chart instead of the table
  // The front's last entry is the fastest fitting candidate of --json.
  auto j = PlanJson("--gpu \"RTX 4090\" --ram 64GiB");
  double fastest = 1e300;
  std::string fastest_id;
  for (const auto& c : j["candidates"]) {
    if (c["fits"].get<bool>() && c["seconds"].get<double>() < fastest) {
      fastest = c["seconds"].get<double>();
      fastest_id = c["id"].get<std::string>();
    }
  }
  const std::string last_line = chart.out.substr(chart.out.rfind("\n  ", chart.out.size() - 2));
  EXPECT_THAT(last_line, HasSubstr(fastest_id));

  RunResult both = Plan("--pareto --json");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("--pareto prints a chart"));

  const std::string path = dir_.path() + "/front.svg";
  RunResult svg = Plan("--gpu \"RTX 4090\" --ram 64GiB --svg " + path);
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  EXPECT_THAT(ReadFile(path), HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(ReadFile(path), HasSubstr(fastest_id));
  RunResult again = Plan("--gpu \"RTX 4090\" --svg " + path);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("--svg " + path + ": file exists (pass --force to replace it)"));
}

TEST_F(PlanCliTest, HtmlWritesOneSelfContainedReportAndRefusesToOverwriteWithoutForce) {
  const std::string path = dir_.path() + "/plan.html";
  RunResult r = Plan("--gpu \"RTX 4090\" --ram 64GiB --html " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("wrote " + path));
  const std::string page = ReadFile(path);
  // The embedded document is --json's, with '<' escaped.
  RunResult document = Plan("--gpu \"RTX 4090\" --ram 64GiB --json");
  std::string embedded;
  for (char c : document.out) embedded += c == '<' ? std::string("\\u003c") : std::string(1, c);
  while (!embedded.empty() && (embedded.back() == '\n' || embedded.back() == ' ')) embedded.pop_back();
  EXPECT_THAT(page, HasSubstr("<script type=\"application/json\" id=\"pipefit-report-data\">" + embedded +
                              "</script>"));
  EXPECT_THAT(page, HasSubstr("<title>pipefit plan: flux.1-dev on GeForce RTX 4090</title>"));
  EXPECT_THAT(page, Not(HasSubstr("<script src")));
  EXPECT_THAT(page, Not(HasSubstr("<link")));

  testkit::WriteTextFile(path, "mine\n");
  RunResult again = Plan("--gpu \"RTX 4090\" --ram 64GiB --html " + path);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("--html " + path + ": file exists (pass --force to replace it)"));
  EXPECT_EQ(ReadFile(path), "mine\n");
  RunResult forced = Plan("--gpu \"RTX 4090\" --ram 64GiB --force --html " + path);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_THAT(ReadFile(path), HasSubstr("pipefit-report-data"));
  RunResult folder = Plan("--gpu \"RTX 4090\" --html " + dir_.path());
  EXPECT_EQ(folder.exit_code, 2);
  EXPECT_THAT(folder.err, HasSubstr("is a directory; give a file name such as plan.html"));
}

// One script for every placement and every weights kind the plan offers
// (ids from `--all --json`), each compiled by Python and carrying its knob.
TEST_F(PlanCliTest, EmitEveryPlacementAndWeightsKind) {
  if (!HavePython()) GTEST_SKIP() << "python3 not found";
  const json all = PlanJson("--gpu \"RTX 4090\" --ram 64GiB --all");
  std::map<std::string, std::string> by_placement, by_weights;
  for (const json& c : all["candidates"]) {
    by_placement.emplace(c["placement"].get<std::string>(), c["id"].get<std::string>());
    by_weights.emplace(c["weights"].get<std::string>(), c["id"].get<std::string>());
  }
  // Every placement CONTRACT.md names is offered for FLUX.1-dev.
  for (const char* placement :
       {"gpu", "model_offload", "group_block", "group_block_stream", "group_leaf", "group_leaf_stream",
        "group_leaf_stream_lowmem", "sequential_offload", "resident"}) {
    EXPECT_THAT(by_placement, Contains(Key(placement)));
  }
  for (const char* weights :
       {"full", "fp8_layerwise", "bnb_int8", "bnb_nf4", "torchao_int8wo", "torchao_int4wo"}) {
    EXPECT_THAT(by_weights, Contains(Key(weights)));
  }
  std::set<std::string> ids;
  for (const auto& [key, id] : by_placement) ids.insert(id);
  for (const auto& [key, id] : by_weights) ids.insert(id);
  int n = 0;
  std::vector<std::string> scripts;
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    const json* c = FindCandidate(all, id);
    ASSERT_NE(c, nullptr);
    const std::string placement = (*c)["placement"];
    const std::string weights = (*c)["weights"];
    const std::string path = dir_.path() + "/script" + std::to_string(n++) + ".py";
    RunResult r = Plan("--gpu \"RTX 4090\" --ram 64GiB --strategy " + id + " --emit " + path);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string script = ReadFile(path);
    scripts.push_back(path);
    EXPECT_THAT(script, HasSubstr("torch_dtype=torch.bfloat16"));
    EXPECT_THAT(script, Not(HasSubstr("enable_vae_tiling")));
    if (placement.starts_with("group_")) {
      EXPECT_THAT(script, HasSubstr("enable_group_offload("));
      // Model offload and group offload never coexist on one pipeline.
      EXPECT_THAT(script, Not(HasSubstr("enable_model_cpu_offload()")));
    } else {
      EXPECT_THAT(script, Not(HasSubstr("enable_group_offload(")));
    }
    if (placement == "sequential_offload") {
      EXPECT_THAT(script, HasSubstr("enable_sequential_cpu_offload()"));
    }
    if (placement == "resident") {
      EXPECT_THAT(script, HasSubstr("apply_group_offloading(\n        block,"));
      EXPECT_THAT(script, Not(HasSubstr("pipe.to(")));
    }
    if (placement == "model_offload") {
      EXPECT_THAT(script, HasSubstr("enable_model_cpu_offload()"));
    }
    if (placement == "gpu") {
      EXPECT_THAT(script, HasSubstr(".to(\"cuda\")"));
    }
    if (weights.starts_with("bnb_") || weights.starts_with("torchao_")) {
      EXPECT_THAT(script, HasSubstr("PipelineQuantizationConfig("));
    } else {
      EXPECT_THAT(script, Not(HasSubstr("PipelineQuantizationConfig(")));
    }
    if (weights == "fp8_layerwise") {
      EXPECT_THAT(script, HasSubstr("enable_layerwise_casting("));
    }
  }
  EXPECT_GE(n, 8);
  EXPECT_EQ(PyCompile(scripts), 0) << "a script does not compile (python3's message above names it)";
}

// The block count a residentK id names ("full+resident29" -> 29).
int ResidentBlocks(const std::string& id) {
  const size_t at = id.find("+resident");
  return at == std::string::npos ? -1 : std::stoi(id.substr(at + 9));
}

// Issue 15 item 5: partial residency at several block counts, between
// everything resident and everything streamed.
TEST_F(PlanCliTest, PartialResidencyIsADialBetweenTheGpuAndGroupOffloading) {
  const json plan = PlanJson("--gpu \"RTX 4090\" --ram 64GiB --all");
  const int64_t capacity = plan["hardware"]["vram"].get<int64_t>();
  std::map<std::string, std::map<int, const json*>> dial;  // weights -> K -> candidate
  for (const json& c : plan["candidates"]) {
    if (c["placement"] != "resident") continue;
    const std::string id = c["id"];
    SCOPED_TRACE(id);
    EXPECT_EQ(c["resident_blocks"], ResidentBlocks(id));
    EXPECT_FALSE(c["vae_tiling"].get<bool>() ||
                 c["vae_slicing"].get<bool>());  // no decode pressure at 1024^2
    EXPECT_THAT(c["code"].get<std::string>(),
                HasSubstr("streamed = blocks[" + std::to_string(ResidentBlocks(id)) + ":]\n"));
    dial[c["weights"]][ResidentBlocks(id)] = &c;
  }
  // Only the weights it combines with; quantized ones are rejected by rule.
  ASSERT_EQ(dial.size(), 2u);
  ASSERT_TRUE(dial.count("full") && dial.count("fp8_layerwise"));
  bool rule_listed = false;
  for (const json& r : plan["rejected"]) rule_listed |= r["rule"] == "partial-residency-quantized";
  EXPECT_TRUE(rule_listed);
  for (const auto& [weights, by_k] : dial) {
    SCOPED_TRACE(weights);
    // A quarter, half and three quarters of FLUX.1-dev's 19 + 38 = 57 blocks...
    for (int k : {14, 29, 43}) EXPECT_EQ(by_k.count(k), 1u) << k;
    // ...plus the largest K that fits the 24 GiB card: the next one does not
    // (planned through --strategy when the dial does not list it).
    int largest_fitting = 0;
    for (const auto& [k, c] : by_k) {
      if ((*c)["fits"].get<bool>()) largest_fitting = std::max(largest_fitting, k);
    }
    ASSERT_GT(largest_fitting, 0);
    EXPECT_LE((*by_k.at(largest_fitting))["vram"].get<int64_t>(), capacity);
    if (largest_fitting < 57) {
      const std::string next = weights + "+resident" + std::to_string(largest_fitting + 1);
      const json more = PlanJson("--gpu \"RTX 4090\" --ram 64GiB --all --strategy " + next);
      const json* c = FindCandidate(more, next);
      ASSERT_NE(c, nullptr) << next;
      EXPECT_FALSE((*c)["fits"].get<bool>());
      EXPECT_GT((*c)["vram"].get<int64_t>(), capacity);
    }
    // More blocks resident: more VRAM, less RAM, no slower.
    const json* previous = nullptr;
    for (const auto& [k, c] : by_k) {
      if (previous != nullptr) {
        EXPECT_GT((*c)["vram"].get<int64_t>(), (*previous)["vram"].get<int64_t>()) << k;
        EXPECT_LE((*c)["ram"].get<int64_t>(), (*previous)["ram"].get<int64_t>()) << k;
        EXPECT_LE((*c)["seconds"].get<double>(), (*previous)["seconds"].get<double>()) << k;
      }
      previous = c;
    }
  }
  // Between the ends: the full-weights dial needs less VRAM than full+gpu
  // and is faster than model offload at its fitting end.
  EXPECT_LT((*dial["full"].at(14))["vram"].get<int64_t>(),
            (*FindCandidate(plan, "full+gpu"))["vram"].get<int64_t>());
  EXPECT_GT((*dial["full"].at(14))["vram"].get<int64_t>(),
            (*FindCandidate(plan, "full+group_leaf_stream"))["vram"].get<int64_t>());
  // fp8: all 57 blocks fit, the text encoders and VAE streamed.
  EXPECT_TRUE((*dial["fp8_layerwise"].at(57))["fits"].get<bool>());
}

// --quality keeps one tier and up: the full-weights front runs from group
// offloading through the partial residency dial to the largest K that fits.
TEST_F(PlanCliTest, QualityFilterShowsTheFullWeightsDialOnTheParetoFront) {
  RunResult r = Plan("--gpu \"RTX 4090\" --ram 64GiB --pareto --quality full");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" fitting candidates, quality full only; letters are on the front"));
  const std::string front = r.out.substr(r.out.find("On the front"));
  EXPECT_THAT(front, HasSubstr("  a  full+group_leaf_stream_lowmem "));
  EXPECT_THAT(front, HasSubstr("  b  full+resident14 "));
  EXPECT_THAT(front, HasSubstr("  c  full+resident29 "));
  EXPECT_THAT(front, HasSubstr("  d  full+resident42 "));
  EXPECT_THAT(r.out, Not(HasSubstr("fp8_layerwise+")));
  EXPECT_THAT(r.out, Not(HasSubstr("bnb_")));

  const json plan = PlanJson("--gpu \"RTX 4090\" --ram 64GiB --all --quality fp8");
  std::set<std::string> tiers;
  for (const json& c : plan["candidates"]) tiers.insert(c["quality"].get<std::string>());
  EXPECT_EQ(tiers, (std::set<std::string>{"full", "fp8"}));
  bool noted = false;
  for (const json& note : plan["notes"]) noted |= note.get<std::string>().starts_with("--quality fp8: ");
  EXPECT_TRUE(noted);
  for (const char* pick : {"quality", "speed", "memory", "balanced"}) {
    const json& id = plan["recommended"][pick];
    if (id.is_null()) continue;
    EXPECT_NE(FindCandidate(plan, id.get<std::string>()), nullptr) << pick;
  }

  const std::string svg = dir_.path() + "/front.svg";
  ASSERT_EQ(Plan("--gpu \"RTX 4090\" --ram 64GiB --quality fp8 --svg " + svg).exit_code, 0);
  EXPECT_THAT(ReadFile(svg),
              HasSubstr("on GeForce RTX 4090: Pareto front of VRAM and time, quality fp8 and up<"));

  r = Plan("--quality best");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--quality must be full, fp8, int8 or int4, not 'best'"));
}

TEST_F(PlanCliTest, StrategyPlansAnyResidentBlockCountAndRefusesOthers) {
  const std::string path = dir_.path() + "/resident20.py";
  RunResult r = Plan("--gpu \"RTX 4090\" --ram 64GiB --strategy full+resident20 --emit " + path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string script = ReadFile(path);
  EXPECT_THAT(
      script,
      HasSubstr("# Generated by pipefit: strategy full+resident20 for black-forest-labs/FLUX.1-dev."));
  EXPECT_THAT(script, HasSubstr("first 20 of 57 blocks"));
  EXPECT_THAT(script, HasSubstr("streamed = blocks[20:]\n"));
  EXPECT_THAT(script, HasSubstr("    for block in blocks[:20]:\n        block.compile()\n"));
  if (HavePython()) {
    EXPECT_EQ(PyCompile(path), 0);
  }

  r = Plan("--gpu \"RTX 4090\" --strategy full+resident58");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err,
              HasSubstr("--strategy full+resident58: the denoiser has 57 blocks (resident1 to resident57)"));
  r = Plan("--gpu \"RTX 4090\" --strategy bnb_nf4+resident10");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is never offered (partial-residency-quantized)"));
  r = Plan("--gpu \"RTX 4090\" --strategy full+resident");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("needs the number of resident blocks (resident1 to resident9999)"));
  // A UNet has no dial.
  r = RunPipefit("plan sdxl --offline --gpu \"RTX 4090\" --strategy full+resident2", Env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("partial residency is not offered for this pipeline"));
  EXPECT_THAT(r.err, HasSubstr("this one is UNet2DConditionModel with"));
}

TEST_F(PlanCliTest, UsageErrorsExitTwo) {
  const std::string hw = "--gpu T4 --ram 32GiB ";
  RunResult rejected = Plan(hw + "--strategy bnb_nf4+sequential_offload");
  EXPECT_EQ(rejected.exit_code, 2);
  EXPECT_THAT(rejected.err, HasSubstr("bnb-sequential-offload"));
  EXPECT_EQ(Plan(hw + "--strategy nonsense").exit_code, 2);
  EXPECT_EQ(Plan(hw + "--prefer fastest").exit_code, 2);
  EXPECT_EQ(Plan("--vram 12XB --ram 32GiB").exit_code, 2);
  EXPECT_EQ(Plan("--gpu \"Voodoo 5\" --ram 32GiB").exit_code, 2);
  EXPECT_EQ(Plan(hw + "--height 1001").exit_code, 2);
  for (const char* args : {"--strategy nonsense", "--prefer fastest", "--height 1001"}) {
    RunResult r = Plan(hw + args + " --json");
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_FALSE(r.err.empty()) << args;
  }
}

TEST_F(PlanCliTest, MissingModelPathExitsOneNamingIt) {
  const std::string missing = dir_.path() + "/no/such/model";
  RunResult r = RunPipefit("plan " + missing + " --offline --gpu T4 --ram 32GiB --json", Env());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(missing));
}

TEST_F(PlanCliTest, ActivationOverridePinsEveryStage) {
  const json j = PlanJson("--gpu \"RTX 4090\" --ram 64GiB --activation 2GiB");
  EXPECT_EQ(j["activation"]["overridden"], true);
  for (const char* key : {"text_encode", "denoise", "decode"}) {
    EXPECT_EQ(j["activation"][key], int64_t{2147483648}) << key;
  }
}

}  // namespace
}  // namespace pipefit
