// Measured, not only predicted (issue 18): `pipefit measure` writes a probe,
// `pipefit calibrate` stores what the probe wrote, and plans on the same GPU
// use it. The recorded results in tests/data/measure/ are SYNTHETIC (see its
// make_fixtures.py): real probe SPECs with round measured numbers, so every
// assertion below is exact.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/plan/estimator.h"
#include "pipefit/plan/machine_calibration.h"
#include "pipefit/plan/measurement.h"
#include "pipefit/plan/planner.h"
#include "pipefit/sources/resolve.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string kMeasureDir = PIPEFIT_SOURCE_DIR "/tests/data/measure/";
const std::string kFlux = "black-forest-labs/FLUX.1-dev";

Measurement Load(const std::string& name) {
  const std::string path = kMeasureDir + name;
  auto m = ParseMeasurement(ReadFile(path), path);
  EXPECT_TRUE(m.ok()) << m.error().message;
  return m.ok() ? *m : Measurement{};
}

const PredictedStage& PredictedOf(const Measurement& m, Stage stage) {
  const PredictedStage* best = nullptr;
  for (const PredictedStage& s : m.predicted_stages) {
    if (s.stage == stage && (best == nullptr || s.weights + s.activations + s.transient >
                                                    best->weights + best->activations + best->transient))
      best = &s;
  }
  EXPECT_NE(best, nullptr);
  return *best;
}

// ------------------------------------------------------------ the documents

TEST(MeasurementTest, ReadsEveryFieldOfARecordedRun) {
  const Measurement m = Load("h100_flux_full_gpu.json");
  EXPECT_EQ(m.status, "ok");
  EXPECT_EQ(m.model, kFlux);
  EXPECT_EQ(m.family, "FluxTransformer2DModel");
  EXPECT_EQ(m.strategy, "full+gpu");
  EXPECT_EQ(m.dtype, "bf16");
  EXPECT_FALSE(m.random_weights);
  EXPECT_EQ(m.steps, 4);
  EXPECT_EQ(m.gpu_name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(m.gpu_total_memory, 85045870592);
  EXPECT_EQ(m.packages.at("torch"), "2.8.0");
  EXPECT_EQ(m.packages.count("bitsandbytes"), 0u);  // null: not installed
  // load, 2 text encoders, 4 steps, decode; two calls.
  EXPECT_EQ(m.stages.size(), 1u + 2 * (2 + 4 + 1));
  ASSERT_EQ(m.calls.size(), 2u);
  EXPECT_EQ(*PeakAllocated(m), 37'500'000'000);
  EXPECT_EQ(*PeakReserved(m), 39'000'000'000);
  EXPECT_EQ(*PeakRss(m), 33'000'000'000);
  EXPECT_EQ(CallSeconds(m), 1.5);  // the last call; the first warms up
  EXPECT_EQ(*StagePeakAllocated(m, Stage::kDenoise), 34'200'000'000);
  EXPECT_EQ(MeasurementKey(m),
            "nvidia-h100-80gb-hbm3-79gib--black-forest-labs-flux.1-dev--bf16--full+gpu--1024x1024x1-b1-s4");
}

TEST(MeasurementTest, AnOutOfMemoryRunKeepsWhereItFailed) {
  const Measurement m = Load("h100_flux_full_gpu_2048_oom.json");
  EXPECT_EQ(m.status, "oom");
  EXPECT_EQ(m.error_type, "OutOfMemoryError");
  EXPECT_EQ(m.error_stage, "denoise");
  EXPECT_TRUE(m.calls.empty());
}

TEST(MeasurementTest, RefusesWhatIsNotACompleteDocumentNamingTheField) {
  const std::string good = ReadFile(kMeasureDir + "h100_flux_full_gpu.json");
  struct Case {
    std::string from, to, message;
  };
  const std::vector<Case> cases = {
      {"\"pipefit.measure/1\"", "\"pipefit.plan/1\"",
       "x.json: schema is 'pipefit.plan/1', not 'pipefit.measure/1'"},
      {"\"status\": \"ok\"", "\"status\": \"fine\"", "x.json: status must be ok, oom or error"},
      {"\"strategy\": \"full+gpu\"", "\"strategy\": \"full+moon\"",
       "x.json: pipefit.strategy is not a strategy id"},
      {"\"steps\": 4", "\"steps\": -4", "x.json: pipefit.workload.steps must be between 1 and 100000"},
      {"\"max_memory_allocated\": 33741248000", "\"max_memory_allocated\": -1",
       "x.json: stages[0].max_memory_allocated must be between 0 and"},
      {"\"max_memory_allocated\": 33741248000", "\"max_memory_allocated\": \"big\"",
       "x.json: stages[0].max_memory_allocated must be an integer"},
      {"\"name\": \"load\"", "\"name\": \"warmup\"", "x.json: stages[0].name is not a stage name"},
      {"\"seconds\": 1.5", "\"seconds\": 1e99", "x.json: calls[1].seconds must be 0 to 1e7 seconds"},
      {"\"device\": \"cuda\"", "\"device\": \"tpu\"", "x.json: environment.device must be cuda or cpu"},
  };
  for (const Case& c : cases) {
    std::string text = good;
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto m = ParseMeasurement(text, "x.json");
    ASSERT_FALSE(m.ok()) << c.to;
    EXPECT_EQ(m.error().code, ErrorCode::kMalformed);
    EXPECT_THAT(m.error().message, HasSubstr(c.message));
  }
  for (const std::string& bad : {good.substr(0, good.size() / 2), std::string("[1, 2]"), std::string("")}) {
    auto m = ParseMeasurement(bad, "x.json");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.error().code, ErrorCode::kMalformed);
  }
  std::string no_calls = good;
  no_calls.replace(no_calls.find("\"calls\": ["), 10, "\"calls\": [], \"old_calls\": [");
  auto m = ParseMeasurement(no_calls, "x.json");
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.error().message, HasSubstr("calls is empty in a run whose status is ok"));
}

TEST(MeasurementTest, ACalibrationSetsFilesAreItsJsonResultsButTheEnvironment) {
  EXPECT_TRUE(IsMeasurementFile("bench/gpu-results/h100/FLUX.1-dev--full+gpu.json"));
  EXPECT_TRUE(IsMeasurementFile("my-environment.json"));
  EXPECT_FALSE(IsMeasurementFile("bench/gpu-results/h100/environment.json"));
  EXPECT_FALSE(IsMeasurementFile("bench/gpu-results/h100/summary.tsv"));
  EXPECT_FALSE(IsMeasurementFile("dir/.json"));
}

// ------------------------------------------------------------ plans use them

class MachineCalibrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Set("HF_HUB_CACHE", dir_.path() + "/empty-cache");
    env_.Set("HOME", dir_.path() + "/home");
    stored_ = {Load("h100_flux_full_gpu.json"), Load("h100_flux_model_offload.json"),
               Load("h100_flux_full_gpu_2048_oom.json")};
  }

  PlanResult PlanOn(std::vector<std::string> gpus, std::vector<Measurement> measurements, int size = 1024,
                    std::optional<Bytes> vram = std::nullopt) {
    auto pipeline = ResolveModel(kFlux, {.offline = true}, fs_, env_);
    EXPECT_TRUE(pipeline.ok()) << pipeline.error().message;
    if (!pipeline.ok()) return {};
    PlanRequest request;
    request.model = kFlux;
    request.workload.steps = 4;
    request.workload.height = size;
    request.workload.width = size;
    request.measurements = std::move(measurements);
    HardwareFlags flags;
    flags.gpus = std::move(gpus);
    flags.ram = 256 * kGiB;
    flags.vram = vram;
    auto hardware = ResolvePlanHardware(nullptr, flags, &request.gpu);
    EXPECT_TRUE(hardware.ok()) << hardware.error().message;
    if (!hardware.ok()) return {};
    request.hardware = *hardware;
    auto context = BuildPlanContext(*pipeline, request);
    EXPECT_TRUE(context.ok()) << context.error().message;
    if (!context.ok()) return {};
    return Plan(*pipeline, request, *context);
  }

  static const PlannedCandidate& Find(const PlanResult& plan, const std::string& id) {
    for (const PlannedCandidate& p : plan.candidates) {
      if (p.candidate.Id() == id) return p;
    }
    ADD_FAILURE() << id << " not planned";
    static const PlannedCandidate none;
    return none;
  }

  testkit::TempDir dir_;
  RealFileSystem fs_;
  FakeEnvironment env_;
  std::vector<Measurement> stored_;
};

TEST_F(MachineCalibrationTest, AnExactMeasurementReplacesThePrediction) {
  const PlanResult plan = PlanOn({"H100"}, stored_);
  const Estimate& e = Find(plan, "full+gpu").estimate;
  EXPECT_EQ(e.basis, EstimateBasis::kMeasured);
  EXPECT_EQ(e.vram, 39'000'000'000 + kCudaContextBytes);  // peak reserved + the context
  EXPECT_EQ(e.vram_allocated, 37'500'000'000);
  EXPECT_EQ(e.ram, 33'000'000'000);
  EXPECT_EQ(e.seconds, 1.5);
  EXPECT_EQ(e.peak_stage, Stage::kDecode);
  EXPECT_THAT(e.basis_note,
              HasSubstr("measured on this GPU with the checkpoint (pipefit 0.1.0; torch 2.8.0"));
  const Estimate& offload = Find(plan, "full+model_offload").estimate;
  EXPECT_EQ(offload.basis, EstimateBasis::kMeasured);
  EXPECT_EQ(offload.vram, 25'000'000'000 + kCudaContextBytes);
  EXPECT_EQ(plan.calibration.measured, (std::vector<std::string>{"full+gpu", "full+model_offload"}));
  EXPECT_EQ(plan.calibration.stored, 3);
  EXPECT_EQ(plan.calibration.on_this_gpu, 3);
  EXPECT_EQ(plan.calibration.of_family, 2);  // the oom run gives no factor
}

TEST_F(MachineCalibrationTest, OtherCandidatesOfTheFamilyAreCorrectedByTheMedianFactors) {
  const PlanResult predicted = PlanOn({"H100"}, {});
  const PlanResult corrected = PlanOn({"H100"}, stored_);
  const Measurement& a = stored_[0];
  const Measurement& b = stored_[1];
  const double seconds_factor =
      (1.5 / a.predicted_seconds + b.calls.back().seconds / b.predicted_seconds) / 2;
  auto ratio = [](const Measurement& m, Bytes measured) {
    const PredictedStage& s = PredictedOf(m, Stage::kDenoise);
    return static_cast<double>(measured - s.weights - s.transient) / static_cast<double>(s.activations);
  };
  const double denoise_factor =
      std::clamp((ratio(a, 34'200'000'000) + ratio(b, 24'500'000'000)) / 2, kMinFactor, kMaxFactor);
  ASSERT_TRUE(corrected.calibration.seconds_factor);
  EXPECT_DOUBLE_EQ(*corrected.calibration.seconds_factor, seconds_factor);
  ASSERT_TRUE(corrected.calibration.denoise_factor);
  EXPECT_DOUBLE_EQ(*corrected.calibration.denoise_factor, denoise_factor);

  for (const char* id : {"full+group_leaf", "fp8_layerwise+gpu", "bnb_nf4+gpu"}) {
    const Estimate& before = Find(predicted, id).estimate;
    const Estimate& after = Find(corrected, id).estimate;
    EXPECT_EQ(after.basis, EstimateBasis::kCorrected) << id;
    EXPECT_DOUBLE_EQ(after.seconds, before.seconds * seconds_factor) << id;
    for (size_t i = 0; i < before.stages.size(); ++i) {
      if (before.stages[i].stage != Stage::kDenoise) continue;
      EXPECT_EQ(after.stages[i].activations,
                std::llround(static_cast<double>(before.stages[i].activations) * denoise_factor))
          << id;
      EXPECT_EQ(after.stages[i].weights, before.stages[i].weights) << id;
    }
    EXPECT_THAT(after.basis_note,
                HasSubstr("corrected by measurements of FluxTransformer2DModel on this GPU"));
  }
}

TEST_F(MachineCalibrationTest, AMeasuredOutOfMemoryDoesNotFitWhateverThePrediction) {
  const PlanResult plan = PlanOn({"H100"}, stored_, 2048);
  const PlannedCandidate& p = Find(plan, "full+gpu");
  EXPECT_TRUE(p.estimate.measured_oom);
  EXPECT_FALSE(p.fits);
  EXPECT_EQ(p.vram_over, 0);  // the prediction still fits; the measurement says otherwise
  EXPECT_EQ(p.estimate.basis_note,
            "ran out of memory when measured on this GPU (the checkpoint, stage denoise)");
  EXPECT_NE(plan.recommended.speed, std::optional<std::string>("full+gpu"));
}

TEST_F(MachineCalibrationTest, AnotherGpuOrCapacityUsesNothing) {
  for (const PlanResult& plan : {PlanOn({"RTX 4090"}, stored_), PlanOn({"H100 PCIe"}, stored_),
                                 PlanOn({"H100"}, stored_, 1024, 40 * kGiB)}) {
    EXPECT_EQ(plan.calibration.stored, 3);
    EXPECT_EQ(plan.calibration.on_this_gpu, 0);
    for (const PlannedCandidate& p : plan.candidates) EXPECT_EQ(p.estimate.basis, EstimateBasis::kPredicted);
  }
}

TEST_F(MachineCalibrationTest, MultiGpuLayoutsStayPredicted) {
  const PlanResult plan = PlanOn({"2xH100"}, stored_);
  int parallel = 0;
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.parallel.kind == ParallelKind::kNone) continue;
    ++parallel;
    EXPECT_EQ(p.estimate.basis, EstimateBasis::kPredicted) << p.candidate.Id();
  }
  EXPECT_GT(parallel, 0);
  EXPECT_EQ(Find(plan, "full+gpu").estimate.basis, EstimateBasis::kMeasured);
}

// ------------------------------------------------------------------ the CLI

class CalibrateCliTest : public ::testing::Test {
 protected:
  std::string Env() const { return "PIPEFIT_CALIBRATION_DIR='" + dir_.path() + "/store'"; }
  RunResult Run(const std::string& args) const { return RunPipefit(args, Env()); }
  testkit::TempDir dir_;
};

TEST_F(CalibrateCliTest, IngestStoresListsReplacesAndClears) {
  RunResult r = Run("calibrate --ingest " + kMeasureDir + "h100_flux_full_gpu.json " + kMeasureDir +
                    "h100_flux_model_offload.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string stored =
      dir_.path() +
      "/store/nvidia-h100-80gb-hbm3-79gib--black-forest-labs-flux.1-dev--bf16--full+gpu--1024x1024x1-"
      "b1-s4.json";
  EXPECT_THAT(r.out, HasSubstr("stored " + stored + "\n"));
  EXPECT_THAT(r.out, HasSubstr("VRAM 36.82 GiB measured, 37.04 GiB predicted (prediction +1%); 1.50 s/call "
                               "measured, 1.12 s predicted (prediction -25%)"));
  EXPECT_EQ(ReadFile(stored), ReadFile(kMeasureDir + "h100_flux_full_gpu.json"));  // stored as written

  r = Run("calibrate --ingest " + kMeasureDir + "h100_flux_full_gpu.json --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["schema"], "pipefit.calibration/1");
  EXPECT_EQ(j["ingested"][0]["replaced"], true);
  EXPECT_EQ(j["ingested"][0]["measured"]["vram"], 39'000'000'000 + kCudaContextBytes);
  EXPECT_EQ(j["ingested"][0]["measured"]["seconds"], 1.5);

  r = Run("calibrate --list --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = json::parse(r.out);
  ASSERT_EQ(j["measurements"].size(), 2u);
  EXPECT_EQ(j["measurements"][0]["strategy"], "full+gpu");
  EXPECT_EQ(j["measurements"][0]["measured"]["max_memory_allocated"], 37'500'000'000);
  EXPECT_EQ(j["measurements"][0]["versions"]["diffusers"], "0.36.0");
  EXPECT_EQ(j["measurements"][1]["strategy"], "full+model_offload");

  r = Run("calibrate --clear");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "removed 2 measurement(s) from " + dir_.path() + "/store\n");
  r = Run("calibrate --list");
  EXPECT_THAT(r.out, HasSubstr("No measurements."));
}

TEST_F(CalibrateCliTest, RefusesWhatCannotCalibrate) {
  struct Case {
    std::string args;
    int exit_code;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"calibrate --ingest " + kMeasureDir + "cpu_smoke.json", 2,
       "a --device cpu run (a smoke test) has no GPU memory counters"},
      {"calibrate --ingest " + kMeasureDir + "probe_error.json", 2,
       "the probe failed (ImportError: No module named 'diffusers')"},
      {"calibrate --ingest " + kMeasureDir + "make_fixtures.py", 1, "make_fixtures.py: is not valid JSON"},
      {"calibrate --ingest " + kMeasureDir + "missing.json", 1, "missing.json"},
      {"calibrate", 2, "give exactly one of --ingest FILE..., --list, --clear"},
      {"calibrate --list --clear", 2, "give exactly one of"},
  };
  for (const Case& c : cases) {
    const RunResult r = Run(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args;
  }
  EXPECT_FALSE(RealFileSystem().Exists(dir_.path() + "/store/cpu_smoke.json"));
}

TEST_F(CalibrateCliTest, AFolderIngestsEveryResultAndABadFileStoresNothing) {
  // A named bad file among good ones: refused before anything is stored.
  RunResult r = Run("calibrate --ingest " + kMeasureDir + "h100_flux_full_gpu.json " + kMeasureDir +
                    "make_fixtures.py");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(RealFileSystem().IsDirectory(dir_.path() + "/store"));
  // The folder: the three GPU runs are stored, the CPU smoke test and the
  // failed probe are skipped with a line each.
  r = Run("calibrate --ingest " + kMeasureDir + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  ASSERT_EQ(j["ingested"].size(), 3u);
  EXPECT_EQ(j["ingested"][0]["strategy"], "full+gpu");
  EXPECT_EQ(j["ingested"][1]["status"], "oom");
  EXPECT_EQ(j["ingested"][2]["strategy"], "full+model_offload");
  EXPECT_THAT(r.err, HasSubstr("pipefit: skipped " + kMeasureDir + "cpu_smoke.json: a --device cpu run"));
  EXPECT_THAT(r.err, HasSubstr("pipefit: skipped " + kMeasureDir + "probe_error.json: the probe failed"));
  r = Run("calibrate --ingest " + dir_.path() + "/store-empty");
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(CalibrateCliTest, PlansMarkMeasuredAndCorrectedNumbers) {
  ASSERT_EQ(Run("calibrate --ingest " + kMeasureDir + "h100_flux_full_gpu.json " + kMeasureDir +
                "h100_flux_model_offload.json")
                .exit_code,
            0);
  RunResult r = Run("plan --gpu H100 --ram 256GiB --steps 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["calibration"]["stored"], 2);
  EXPECT_EQ(j["calibration"]["measured"], json::array({"full+gpu", "full+model_offload"}));
  for (const json& c : j["candidates"]) {
    const std::string id = c["id"];
    const std::string expected = id == "full+gpu" || id == "full+model_offload" ? "measured"
                                 : c["parallel"].is_null()                      ? "corrected"
                                                                                : "predicted";
    EXPECT_EQ(c["basis"], expected) << id;
    if (id == "full+gpu") {
      EXPECT_EQ(c["vram"], 39'000'000'000 + kCudaContextBytes);
      EXPECT_EQ(c["seconds"], 1.5);
    }
  }
  // The catalog id names the same checkpoint as the repo id the probe loaded.
  r = Run("plan flux.1-dev --gpu H100 --ram 256GiB --steps 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["calibration"]["measured"], json::array({"full+gpu", "full+model_offload"}));
  // Another workload is not the measured configuration: corrected only.
  r = Run("plan --gpu H100 --ram 256GiB --steps 8 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["calibration"]["measured"], json::array());
  r = Run("plan --gpu H100 --ram 256GiB --steps 4");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("Calibration  2 measurements of this GPU, 2 of FluxTransformer2DModel; single-GPU "
                        "candidates corrected by time x"));
  EXPECT_THAT(r.out, HasSubstr("measured on this GPU with the checkpoint"));
  r = Run("plan --gpu H100 --ram 256GiB --steps 4 --json --uncalibrated");
  j = json::parse(r.out);
  EXPECT_EQ(j["calibration"]["stored"], 0);
  for (const json& c : j["candidates"]) EXPECT_EQ(c["basis"], "predicted") << c["id"];
}

TEST_F(CalibrateCliTest, AnUnreadableStoredFileIsANoteNotAFailure) {
  ASSERT_EQ(Run("calibrate --ingest " + kMeasureDir + "h100_flux_full_gpu.json").exit_code, 0);
  ASSERT_TRUE(
      WriteFileAtomically(dir_.path() + "/store/broken.json", "{\"schema\": \"pipefit.measure/1\"").ok());
  RunResult r = Run("plan --gpu H100 --ram 256GiB --steps 4 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["calibration"]["measured"], json::array({"full+gpu"}));
  bool noted = false;
  for (const json& note : j["notes"]) {
    noted = noted || note.get<std::string>().starts_with(
                         "1 file(s) in the calibration store could not be read and were ignored");
  }
  EXPECT_TRUE(noted);
  r = Run("calibrate --list");
  EXPECT_THAT(r.out, HasSubstr("- unreadable, ignored by plans: " + dir_.path() + "/store/broken.json"));
}

// ---------------------------------------------------------------- the probe

TEST_F(CalibrateCliTest, ProbesCompileForEveryPlacementAndAVideoFamily) {
  if (!HavePython()) GTEST_SKIP() << "python3 is not installed";
  std::vector<std::string> files;
  const std::vector<std::string> runs = {
      "measure --gpu H100 --ram 256GiB --strategy full+gpu --random-weights",
      "measure --gpu H100 --ram 256GiB --strategy full+model_offload --random-weights",
      "measure --gpu H100 --ram 256GiB --strategy full+group_block --random-weights",
      "measure --gpu H100 --ram 256GiB --strategy full+group_leaf_stream --random-weights",
      "measure --gpu H100 --ram 256GiB --strategy fp8_layerwise+gpu --random-weights",
      "measure --gpu H100 --ram 256GiB --strategy full+sequential_offload --random-weights",
      "measure --gpu H100 --ram 256GiB --strategy bnb_nf4+gpu",
      "measure Wan-AI/Wan2.1-T2V-1.3B-Diffusers --gpu H100 --ram 256GiB --strategy full+gpu --random-weights "
      "--frames 17 --height 480 --width 832",
      "measure --gpu H100 --ram 256GiB --strategy full+resident30 --random-weights",
  };
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string file = dir_.path() + "/probe" + std::to_string(i) + ".py";
    const RunResult r = Run(runs[i] + " --steps 2 --emit " + file);
    ASSERT_EQ(r.exit_code, 0) << runs[i] << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("pipefit: run it with: python " + file + " --out result.json"));
    files.push_back(file);
  }
  EXPECT_EQ(PyCompile(files), 0);
  const std::string leaf = ReadFile(files[3]);
  // The candidate's own placement, on the probe's device.
  EXPECT_THAT(leaf,
              HasSubstr("    pipe.enable_group_offload(\n        onload_device=torch.device(device),\n"));
  EXPECT_THAT(leaf, HasSubstr("    return build_random_components(torch, torch.bfloat16)\n"));
  EXPECT_THAT(leaf, HasSubstr("    pipe = assemble_random_pipeline(prepared)\n"));
  const std::string nf4 = ReadFile(files[6]);
  EXPECT_THAT(nf4, HasSubstr("PipelineQuantizationConfig"));
  EXPECT_THAT(nf4, HasSubstr("# Needs: torch diffusers transformers accelerate bitsandbytes"));
  EXPECT_THAT(nf4, HasSubstr("\\\"random_weights\\\":false"));
  // Wan 2.2's pipeline-level settings travel with random weights: without
  // boundary_ratio its second transformer would never run.
  const std::string a14b = dir_.path() + "/a14b.py";
  ASSERT_EQ(
      Run("measure Wan-AI/Wan2.2-T2V-A14B-Diffusers --gpu H100 --ram 256GiB --strategy full+model_offload "
          "--random-weights --steps 2 --frames 17 --height 480 --width 832 --emit " +
          a14b)
          .exit_code,
      0);
  EXPECT_THAT(
      ReadFile(a14b),
      HasSubstr("\\\"pipeline_settings\\\":{\\\"boundary_ratio\\\":0.875,\\\"expand_timesteps\\\":false}"));
  EXPECT_EQ(PyCompile(a14b), 0);
  // Partial residency: every GPU placement on the probe's device, the
  // pipeline never moved as a whole.
  const std::string resident = ReadFile(files[8]);
  EXPECT_THAT(resident, HasSubstr("    from diffusers.hooks import apply_group_offloading\n"));
  EXPECT_THAT(resident, HasSubstr("                tensor.data = tensor.data.to(device)\n"));
  EXPECT_THAT(resident, HasSubstr("            block,\n            onload_device=torch.device(device),\n"));
  const size_t load = resident.find("def load_pipeline(");
  ASSERT_NE(load, std::string::npos);
  EXPECT_THAT(resident.substr(load, resident.find("def run_call(") - load), Not(HasSubstr("\"cuda\"")));
  const std::string wan = ReadFile(files[7]);
  EXPECT_THAT(wan, HasSubstr("        num_frames=17,\n"));
  EXPECT_THAT(wan, HasSubstr("\\\"UMT5EncoderModel\\\""));
}

TEST_F(CalibrateCliTest, MeasureRefusesWhatTheProbeCannotRun) {
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"measure --gpu 2xH100 --strategy full+gpu+ulysses2 --emit p.py",
       "full+gpu+ulysses2 spreads over 2 GPUs; the probe measures one process on one GPU"},
      {"measure --gpu H100 --strategy full+gpu", "measure: --emit FILE.py is required"},
      {"measure --gpu H100 --strategy full+gpu --calls 0 --emit p.py", "--calls must be 1 to 100"},
      {"measure --gpu H100 --strategy full+warp --emit p.py", "full+warp"},
  };
  for (const Case& c : cases) {
    const RunResult r = RunPipefitIn(dir_.path(), c.args, Env());
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << c.args;
  }
  EXPECT_FALSE(RealFileSystem().Exists(dir_.path() + "/p.py"));
  ASSERT_TRUE(WriteFileAtomically(dir_.path() + "/keep.py", "mine").ok());
  const RunResult r =
      RunPipefitIn(dir_.path(), "measure --gpu H100 --strategy full+gpu --emit keep.py", Env());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(ReadFile(dir_.path() + "/keep.py"), "mine");
}

// The probe's own Python, end to end, against stand-ins for torch,
// diffusers, transformers and accelerate (tests/data/probe_stubs/README.md
// says what they do and do not check): the stages it hooks, the calls it
// times, the document it writes, and pipefit reading that document.
TEST_F(CalibrateCliTest, ProbeRunsEndToEndAgainstStubLibraries) {
  if (!HavePython()) GTEST_SKIP() << "python3 is not installed";
  const std::string probe = dir_.path() + "/probe.py";
  ASSERT_EQ(
      Run("measure --gpu H100 --ram 256GiB --strategy full+gpu --random-weights --steps 3 --emit " + probe)
          .exit_code,
      0);
  const std::string stubs = "PYTHONPATH='" PIPEFIT_SOURCE_DIR "/tests/data/probe_stubs' ";
  const std::string out = dir_.path() + "/result.json";
  ASSERT_EQ(
      std::system(
          (stubs + "python3 '" + probe + "' --device cpu --calls 2 --out '" + out + "' 2>/dev/null").c_str()),
      0);
  auto m = ParseMeasurement(ReadFile(out), out);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->status, "ok");
  EXPECT_EQ(m->device, "cpu");
  EXPECT_EQ(m->strategy, "full+gpu");
  EXPECT_TRUE(m->random_weights);
  ASSERT_EQ(m->calls.size(), 2u);
  std::vector<std::string> order;
  for (const MeasuredStage& s : m->stages) {
    order.push_back(std::string(StageName(s.stage)) + ":" + s.component + ":" + std::to_string(s.index) +
                    ":" + std::to_string(s.call));
    EXPECT_FALSE(s.max_allocated.has_value());  // no GPU counters on the CPU
    EXPECT_TRUE(s.rss.has_value());
  }
  std::vector<std::string> expected = {"load::-1:-1"};
  for (const char* call : {"0", "1"}) {
    for (const std::string stage :
         {"text_encode:text_encoder:-1:", "text_encode:text_encoder_2:-1:", "denoise:transformer:0:",
          "denoise:transformer:1:", "denoise:transformer:2:", "decode:vae:-1:"})
      expected.push_back(stage + call);
  }
  EXPECT_EQ(order, expected);
  // A CPU smoke test calibrates nothing; pipefit says so.
  const RunResult r = Run("calibrate --ingest " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("a --device cpu run (a smoke test) has no GPU memory counters"));

  // Out of memory in the VAE: the document is still written, with the stage.
  const std::string oom = dir_.path() + "/oom.json";
  const int status = std::system(("PIPEFIT_STUB_OOM_AT=decode " + stubs + "python3 '" + probe +
                                  "' --device cpu --out '" + oom + "' 2>/dev/null")
                                     .c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  auto failed = ParseMeasurement(ReadFile(oom), oom);
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(failed->status, "oom");
  EXPECT_EQ(failed->error_stage, "decode");
  EXPECT_EQ(failed->error_type, "OutOfMemoryError");

  // A quantized candidate with random weights: the components it quantizes
  // are written once as a checkpoint that from_pretrained quantizes; the
  // others are passed in.
  const std::string quantized = dir_.path() + "/nf4.py";
  ASSERT_EQ(
      Run("measure --gpu H100 --ram 256GiB --strategy bnb_nf4+gpu+te --random-weights --steps 1 --emit " +
          quantized)
          .exit_code,
      0);
  const std::string quantized_probe = ReadFile(quantized);
  EXPECT_THAT(quantized_probe, HasSubstr("    return random_checkpoint(torch, torch.bfloat16, "
                                         "[\"transformer\", \"text_encoder_2\"], scratch)\n"));
  EXPECT_THAT(quantized_probe, HasSubstr("    checkpoint, random_components = prepared\n"));
  EXPECT_THAT(
      quantized_probe,
      HasSubstr("# Needs: torch diffusers transformers accelerate bitsandbytes (diffusers >= 0.37 for "
                "device_map=\"cpu\")\n"));
  const std::string scratch = dir_.path() + "/scratch";
  const std::string nf4_out = dir_.path() + "/nf4.json";
  ASSERT_EQ(std::system((stubs + "python3 '" + quantized + "' --device cpu --scratch '" + scratch +
                         "' --out '" + nf4_out + "' 2>/dev/null")
                            .c_str()),
            0);
  auto nf4 = ParseMeasurement(ReadFile(nf4_out), nf4_out);
  ASSERT_TRUE(nf4.ok()) << nf4.error().message;
  EXPECT_EQ(nf4->status, "ok");
  const json index =
      json::parse(ReadFile(scratch + "/random-black-forest-labs-FLUX-1-dev-bf16/model_index.json"));
  EXPECT_EQ(index["transformer"], json::array({"diffusers", "FluxTransformer2DModel"}));
  EXPECT_EQ(index["text_encoder_2"], json::array({"transformers", "T5EncoderModel"}));
  EXPECT_EQ(index["vae"], json::array({nullptr, nullptr}));  // passed in, never written
  EXPECT_TRUE(
      RealFileSystem().Exists(scratch + "/random-black-forest-labs-FLUX-1-dev-bf16/transformer/config.json"));
}

// Issue 18's CPU end-to-end run with the real libraries: a tiny FLUX built
// by diffusers itself from small configs (tests/data/probe_tiny), planned by
// pipefit from its real safetensors, measured with random weights on the
// CPU. Skipped where torch, diffusers, transformers and accelerate are not
// importable (Debian ships no diffusers).
TEST_F(CalibrateCliTest, ProbeRunsOnTheCpuWithRealLibraries) {
  if (!HavePython() ||
      std::system("python3 -c 'import torch, diffusers, transformers, accelerate' >/dev/null 2>&1") != 0)
    GTEST_SKIP()
        << "torch, diffusers, transformers and accelerate are not importable here: the probe's real-library "
           "run is skipped (ProbeRunsEndToEndAgainstStubLibraries still runs the probe's own code)";
  const std::string model = dir_.path() + "/tiny-flux";
  ASSERT_EQ(
      std::system(("python3 '" PIPEFIT_SOURCE_DIR "/tests/data/probe_tiny/make_tiny_flux.py' '" + model + "'")
                      .c_str()),
      0);
  const std::string probe = dir_.path() + "/probe.py";
  const RunResult made =
      Run("measure '" + model +
          "' --gpu H100 --ram 256GiB --strategy full+gpu --random-weights --steps 2 --height 64 "
          "--width 64 --emit " +
          probe);
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string out = dir_.path() + "/result.json";
  ASSERT_EQ(std::system(("python3 '" + probe + "' --device cpu --out '" + out + "'").c_str()), 0);
  auto m = ParseMeasurement(ReadFile(out), out);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->status, "ok");
  int denoise = 0, decode = 0, text = 0;
  for (const MeasuredStage& s : m->stages) {
    denoise += s.stage == Stage::kDenoise;
    decode += s.stage == Stage::kDecode;
    text += s.stage == Stage::kTextEncode;
  }
  EXPECT_EQ(denoise, 2);
  EXPECT_EQ(decode, 1);
  EXPECT_EQ(text, 2);
}

// The calibration set bench/gpu_calibration.sh writes (bench/gpu-results/):
// every file pipefit will ingest or report must parse. Skipped while no GPU
// has produced one.
TEST(GpuResultsTest, EveryRecordedGpuResultParses) {
  const std::string dir = PIPEFIT_SOURCE_DIR "/bench/gpu-results";
  auto found = FindFilesUnder(dir, ".json");
  ASSERT_TRUE(found.ok()) << found.error().message;
  std::vector<std::string> files;
  for (const std::string& path : *found) {
    if (IsMeasurementFile(path)) files.push_back(path);
  }
  if (files.empty())
    GTEST_SKIP() << "no GPU results in bench/gpu-results yet (bench/gpu_calibration.sh writes them)";
  for (const std::string& path : files) {
    auto m = ParseMeasurement(ReadFile(path), path);
    EXPECT_TRUE(m.ok()) << m.error().message;
  }
}

}  // namespace
}  // namespace pipefit
