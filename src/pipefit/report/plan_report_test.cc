#include "pipefit/report/plan_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "pipefit/codegen/script_writer.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using nlohmann::json;

PlannedCandidate MakeCandidate(WeightsKind weights, Placement placement, Bytes vram, Bytes ram,
                               double seconds, double relative) {
  PlannedCandidate p;
  p.candidate.weights = weights;
  p.candidate.placement = placement;
  if (weights != WeightsKind::kFull) p.candidate.quantized_components = {"transformer"};
  p.estimate.vram = vram;
  p.estimate.vram_allocated = vram - kGiB;
  p.estimate.ram = ram;
  p.estimate.seconds = seconds;
  p.estimate.peak_stage = Stage::kDenoise;
  p.fits = true;
  p.relative_time = relative;
  return p;
}

// A FLUX-like plan on a 24 GiB card: the quantized candidate comes first in
// the planner's order, so grouping must still put offloading/casting first.
PlanResult SamplePlan() {
  PlanResult plan;
  plan.pipeline_class = "FluxPipeline";
  plan.model = "black-forest-labs/FLUX.1-dev";
  plan.hardware = {.gpu = "NVIDIA GeForce RTX 4090",
                   .gpu_id = "rtx4090",
                   .compute_capability = "8.9",
                   .vram = 24 * kGiB,
                   .ram = 64 * kGiB,
                   .source = "flags"};
  plan.workload = {.height = 1024, .width = 768, .steps = 28, .text_tokens = 512};
  plan.seed = {.denoiser = "transformer",
               .s_total = 32 * kGiB,
               .s_max = 22 * kGiB,
               .s_block = kGiB / 2,
               .s_leaf = kGiB / 8,
               .s_total_lc = 21 * kGiB,
               .s_max_lc = 11 * kGiB};
  plan.activation = {.text_encode = kGiB,
                     .denoise = 2 * kGiB,
                     .decode = 3 * kGiB,
                     .calibrated = true,
                     .basis = "calibrated on measurements.md rows 3, 7"};

  PlannedCandidate nf4 =
      MakeCandidate(WeightsKind::kBnbNf4, Placement::kGpu, 9 * kGiB, 20 * kGiB, 25.0, 1.25);
  PlannedCandidate offload =
      MakeCandidate(WeightsKind::kFull, Placement::kModelOffload, 12 * kGiB, 40 * kGiB, 30.004, 1.5);
  PlannedCandidate fp8 =
      MakeCandidate(WeightsKind::kFp8Layerwise, Placement::kGpu, 18 * kGiB, 16 * kGiB, 20.0, 1.0);
  fp8.estimate.stages = {
      {.stage = Stage::kTextEncode, .weights = 10 * kGiB, .activations = kGiB},
      {.stage = Stage::kDenoise, .weights = 14 * kGiB, .activations = 2 * kGiB, .transient = kGiB}};
  fp8.estimate.notes = {"fp8 storage, bf16 compute"};
  PlannedCandidate block =
      MakeCandidate(WeightsKind::kFull, Placement::kGroupBlock, 30 * kGiB, 40 * kGiB, 40.0, 2.0);
  block.candidate.num_blocks_per_group = 2;
  block.fits = false;
  block.vram_over = 6 * kGiB;
  plan.candidates = {nf4, offload, fp8, block};
  plan.recommended = {
      .quality = "full+model_offload", .speed = "fp8_layerwise+gpu", .balanced = "fp8_layerwise+gpu"};
  plan.notes = {"times assume the card's dense bf16 throughput"};
  plan.code_context = {.pipeline_class = "FluxPipeline",
                       .model_id = "black-forest-labs/FLUX.1-dev",
                       .denoiser_class = "FluxTransformer2DModel",
                       .workload = plan.workload};
  return plan;
}

std::set<std::string> Keys(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

int Count(std::string_view text, std::string_view piece) {
  int count = 0;
  for (size_t at = text.find(piece); at != std::string_view::npos; at = text.find(piece, at + piece.size())) {
    ++count;
  }
  return count;
}

TEST(PlanReportJsonTest, HasTheContractKeysWithTheirTypes) {
  const json j = json::parse(RenderPlanJson(SamplePlan(), {}));
  EXPECT_EQ(j["schema"], "pipefit.plan/1");
  EXPECT_EQ(Keys(j), (std::set<std::string>{"schema", "hardware", "workload", "measurements", "activation",
                                            "time", "candidates", "recommended", "model", "pipeline_class",
                                            "load_dtype", "prefer", "chosen", "hidden_candidates",
                                            "shortfall", "rejected", "calibration", "notes"}));
  EXPECT_EQ(Keys(j["hardware"]),
            (std::set<std::string>{"gpu", "vram", "ram", "source", "gpu_id", "compute_capability", "gpus",
                                   "interconnect", "notes"}));
  EXPECT_EQ(j["hardware"]["gpu"], "NVIDIA GeForce RTX 4090");
  EXPECT_TRUE(j["hardware"]["vram"].is_number_integer());
  EXPECT_EQ(j["hardware"]["vram"].get<int64_t>(), 24 * kGiB);
  EXPECT_EQ(j["hardware"]["source"], "flags");
  EXPECT_EQ(Keys(j["workload"]), (std::set<std::string>{"height", "width", "frames", "batch", "steps",
                                                        "guidance_batch", "text_tokens", "from_defaults"}));
  EXPECT_EQ(j["workload"]["width"], 768);
  EXPECT_EQ(j["workload"]["steps"], 28);
  EXPECT_EQ(Keys(j["measurements"]), (std::set<std::string>{"S_total", "S_max", "S_block", "S_leaf",
                                                            "S_total_lc", "S_max_lc", "denoiser"}));
  EXPECT_EQ(j["measurements"]["S_leaf"].get<int64_t>(), kGiB / 8);
  EXPECT_EQ(Keys(j["activation"]),
            (std::set<std::string>{"text_encode", "denoise", "decode", "overridden", "calibrated", "basis"}));
  EXPECT_EQ(j["activation"]["decode"].get<int64_t>(), 3 * kGiB);
  EXPECT_EQ(j["activation"]["overridden"], false);
  EXPECT_EQ(j["load_dtype"], "bf16");
  EXPECT_EQ(j["chosen"], "fp8_layerwise+gpu");
  EXPECT_TRUE(j["shortfall"].is_null());
}

TEST(PlanReportJsonTest, CandidateFieldsAndValues) {
  const json j = json::parse(RenderPlanJson(SamplePlan(), {}));
  const json& nf4 = j["candidates"][0];
  EXPECT_EQ(Keys(nf4), (std::set<std::string>{"id",
                                              "group",
                                              "weights",
                                              "placement",
                                              "quantized_components",
                                              "vae_tiling",
                                              "vae_slicing",
                                              "num_blocks_per_group",
                                              "resident_blocks",
                                              "vram",
                                              "vram_allocated",
                                              "ram",
                                              "fits",
                                              "reason",
                                              "seconds",
                                              "relative_time",
                                              "quality",
                                              "code",
                                              "group_offload_exclude",
                                              "peak_stage",
                                              "stages",
                                              "notes",
                                              "parallel",
                                              "gpus",
                                              "communication_seconds",
                                              "basis",
                                              "basis_note"}));
  EXPECT_TRUE(nf4["parallel"].is_null());
  EXPECT_EQ(nf4["basis"], "predicted");
  EXPECT_TRUE(nf4["basis_note"].is_null());
  EXPECT_EQ(nf4["id"], "bnb_nf4+gpu");
  EXPECT_EQ(nf4["group"], "quantization");
  EXPECT_EQ(nf4["weights"], "bnb_nf4");
  EXPECT_EQ(nf4["placement"], "gpu");
  EXPECT_EQ(nf4["quantized_components"], json::array({"transformer"}));
  EXPECT_EQ(nf4["quality"], "int4");
  EXPECT_TRUE(nf4["vram"].is_number_integer());
  EXPECT_EQ(nf4["vram"].get<int64_t>(), 9 * kGiB);
  EXPECT_EQ(nf4["vram_allocated"].get<int64_t>(), 8 * kGiB);
  EXPECT_EQ(nf4["ram"].get<int64_t>(), 20 * kGiB);
  EXPECT_TRUE(nf4["num_blocks_per_group"].is_null());
  EXPECT_TRUE(nf4["resident_blocks"].is_null());
  EXPECT_EQ(nf4["fits"], true);
  EXPECT_TRUE(nf4["reason"].is_null());
  EXPECT_EQ(nf4["relative_time"], 1.25);
  // The code writer's snippet for the candidate, from the plan's code context.
  EXPECT_EQ(nf4["code"], CandidateCode(SamplePlan().candidates[0].candidate, SamplePlan().code_context));
  EXPECT_THAT(nf4["code"].get<std::string>(), HasSubstr("quant_backend=\"bitsandbytes_4bit\""));
  EXPECT_THAT(nf4["code"].get<std::string>(), HasSubstr("\"black-forest-labs/FLUX.1-dev\""));
  const json& offload = j["candidates"][1];
  EXPECT_EQ(offload["group"], "offload_casting");
  EXPECT_EQ(offload["seconds"], 30.0);  // rounded to 0.01 s
  const json& fp8 = j["candidates"][2];
  EXPECT_EQ(fp8["stages"][1], (json{{"stage", "denoise"},
                                    {"component", ""},
                                    {"weights", 14 * kGiB},
                                    {"activations", 2 * kGiB},
                                    {"transient", kGiB}}));
  EXPECT_EQ(fp8["peak_stage"], "denoise");
  EXPECT_EQ(j["recommended"]["quality"], "full+model_offload");
  EXPECT_TRUE(j["recommended"]["memory"].is_null());
}

TEST(PlanReportJsonTest, NonFittingOnlyWithAll) {
  const json fitting = json::parse(RenderPlanJson(SamplePlan(), {}));
  ASSERT_EQ(fitting["candidates"].size(), 3u);
  for (const json& c : fitting["candidates"]) EXPECT_EQ(c["fits"], true);
  EXPECT_EQ(fitting["hidden_candidates"], 1);

  const json all = json::parse(RenderPlanJson(SamplePlan(), {.all = true}));
  ASSERT_EQ(all["candidates"].size(), 4u);
  const json& block = all["candidates"][3];
  EXPECT_EQ(block["id"], "full+group_block");
  EXPECT_EQ(block["num_blocks_per_group"], 2);
  EXPECT_EQ(block["fits"], false);
  EXPECT_EQ(block["reason"], "needs 30.00 GiB VRAM, 6.00 GiB more than the 24.00 GiB available");
  EXPECT_EQ(all["hidden_candidates"], 0);
}

TEST(PlanReportJsonTest, NullsWhenNothingIsKnownOrNothingFits) {
  PlanResult plan = SamplePlan();
  plan.hardware.gpu = "";
  plan.activation.encode = kGiB;
  plan.recommended = {};
  for (PlannedCandidate& p : plan.candidates) p.fits = false;
  plan.shortfall = Shortfall{.min_vram = 9 * kGiB,
                             .ram_at_min_vram = 20 * kGiB,
                             .min_ram = 16 * kGiB,
                             .min_vram_candidate = "bnb_nf4+gpu",
                             .min_ram_candidate = "fp8_layerwise+gpu"};
  const json j = json::parse(RenderPlanJson(plan, {}));
  EXPECT_TRUE(j["hardware"]["gpu"].is_null());
  EXPECT_EQ(j["activation"]["encode"].get<int64_t>(), kGiB);
  EXPECT_TRUE(j["candidates"].empty());
  for (const char* prefer : {"quality", "speed", "memory", "balanced"}) {
    EXPECT_TRUE(j["recommended"][prefer].is_null()) << prefer;
  }
  EXPECT_TRUE(j["chosen"].is_null());
  EXPECT_EQ(j["shortfall"]["min_vram"].get<int64_t>(), 9 * kGiB);
  EXPECT_EQ(j["shortfall"]["min_ram_candidate"], "fp8_layerwise+gpu");
}

TEST(PlanReportTextTest, Golden) {
  const std::string expected =
      "black-forest-labs/FLUX.1-dev (FluxPipeline), load dtype bf16\n"
      "Hardware     NVIDIA GeForce RTX 4090 (compute 8.9): 24.00 GiB VRAM, 64.00 GiB RAM (flags)\n"
      "Workload     768×1024, batch 1, 28 steps, 512 text tokens; no CFG batch doubling (pipeline defaults)\n"
      "Activation   text encode 1.00 GiB, denoise 2.00 GiB, decode 3.00 GiB\n"
      "             calibrated on measurements.md rows 3, 7\n"
      "Time         calibrated for Ada consumer (GeForce RTX 40): 1.389 x 165.2 dense TFLOPS (fitted on\n"
      "             FP8API RTX 4090 1024x1024 (1.7 it/s); checked on FP8API RTX 4090 768x768), eager\n"
      "             PyTorch with SDPA. The written code's compile_repeated_blocks: x0.759 per step\n"
      "             (fitted), flash_hub: x0.911 (guessed); quantized kernels: slowdowns measured on an\n"
      "             H100 (measurements.md rows 1-13)\n"
      "Measured     S_total 32.00 GiB, S_max 22.00 GiB, S_block 0.50 GiB, S_leaf 0.12 GiB\n"
      "             S_total_lc 21.00 GiB, S_max_lc 11.00 GiB with the transformer in fp8 layerwise casting\n"
      "\n"
      "Candidates that fit — bar: VRAM against the card (│), ┆ at 80%\n"
      "    strategy                  VRAM        RAM      time    rel.  qual  VRAM / 24.00 GiB\n"
      "\n"
      "Offloading / casting\n"
      "  ✓ full+model_offload   12.00 GiB  40.00 GiB    30.0 s   1.50×  full  ███████████░░░░░░┆░░░░│   50%\n"
      "  ✓ fp8_layerwise+gpu    18.00 GiB  16.00 GiB    20.0 s   1.00×  fp8   █████████████████┆░░░░│   75%\n"
      "\n"
      "Quantization\n"
      "  ✓ bnb_nf4+gpu           9.00 GiB  20.00 GiB    25.0 s   1.25×  int4  ████████░░░░░░░░░┆░░░░│   38%\n"
      "\n"
      "(1 candidate that does not fit is hidden; --all lists it)\n"
      "\n"
      "Recommended\n"
      "  quality   full+model_offload\n"
      "  speed     fp8_layerwise+gpu\n"
      "  memory    none fits\n"
      "  balanced  fp8_layerwise+gpu  (--prefer)\n"
      "\n"
      "Code for fp8_layerwise+gpu:\n"
      "    pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "    pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, compute_dtype=torch.bfloat16)\n"
      "    pipe.to(\"cuda\")\n"
      "\n"
      "  Memory by stage (peak 18.00 GiB VRAM, 17.00 GiB allocated, during denoise):\n"
      "    stage             weights  activations  transient      total\n"
      "    text_encode     10.00 GiB     1.00 GiB   0.00 GiB  11.00 GiB\n"
      "    denoise         14.00 GiB     2.00 GiB   1.00 GiB  17.00 GiB\n"
      "  - fp8 storage, bf16 compute\n"
      "\n"
      "Notes\n"
      "  - times assume the card's dense bf16 throughput\n";
  EXPECT_EQ(RenderPlanText(SamplePlan(), {}), expected);
}

TEST(PlanReportTextTest, GroupsInSeedOrder) {
  const std::string text = RenderPlanText(SamplePlan(), {.all = true});
  const size_t casting = text.find("Offloading / casting");
  const size_t quantization = text.find("Quantization");
  ASSERT_NE(casting, std::string::npos);
  ASSERT_NE(quantization, std::string::npos);
  EXPECT_LT(casting, quantization);
  EXPECT_LT(text.find("full+model_offload"), quantization);
  EXPECT_GT(text.find("bnb_nf4+gpu"), quantization);
}

TEST(PlanReportTextTest, AllShowsNonFittingRowsWithReason) {
  EXPECT_THAT(RenderPlanText(SamplePlan(), {}), Not(HasSubstr("full+group_block")));
  const std::string text = RenderPlanText(SamplePlan(), {.all = true});
  EXPECT_THAT(text, HasSubstr("✗ full+group_block"));
  EXPECT_THAT(text, HasSubstr("      needs 30.00 GiB VRAM, 6.00 GiB more than the 24.00 GiB available\n"));
  EXPECT_THAT(text, HasSubstr("│▶ 125%"));
  EXPECT_THAT(text, Not(HasSubstr("hidden")));
}

TEST(PlanReportTextTest, BarAtHalfCapacityIsHalfFull) {
  const std::string bar = RenderVramBar(12 * kGiB, 24 * kGiB, 20, false);
  EXPECT_EQ(bar, "██████████░░░░░░┆░░░│ ");
  EXPECT_EQ(DisplayWidth(bar), 22);

  // In the report: full+model_offload uses 12 of the card's 24 GiB.
  for (const std::string& line : Lines(RenderPlanText(SamplePlan(), {}))) {
    if (line.find("full+model_offload ") == std::string::npos) continue;
    const int used = Count(line, "█");
    const int cells = used + Count(line, "░") + Count(line, "┆");
    EXPECT_GT(cells, 0);
    EXPECT_EQ(used * 2, cells) << line;
  }
}

TEST(PlanReportTextTest, BarOverCapacityFillsToTheEdgeWithOverflowMarker) {
  EXPECT_EQ(RenderVramBar(30 * kGiB, 24 * kGiB, 10, false), "██████████│▶");
  EXPECT_EQ(RenderVramBar(24 * kGiB, 24 * kGiB, 10, false), "██████████│ ");
  EXPECT_EQ(RenderVramBar(0, 24 * kGiB, 10, false), "░░░░░░░░┆░│ ");
  EXPECT_EQ(RenderVramBar(kGiB, 0, 10, false), "");
}

TEST(PlanReportTextTest, ShortfallSaysWhatWouldFit) {
  PlanResult plan = SamplePlan();
  plan.recommended = {};
  for (PlannedCandidate& p : plan.candidates) p.fits = false;
  plan.shortfall = Shortfall{.min_vram = 9 * kGiB,
                             .ram_at_min_vram = 20 * kGiB,
                             .min_ram = 16 * kGiB,
                             .min_vram_candidate = "bnb_nf4+gpu",
                             .min_ram_candidate = "fp8_layerwise+gpu"};
  const std::string text = RenderPlanText(plan, {});
  EXPECT_THAT(text, HasSubstr("Nothing fits in 24.00 GiB VRAM and 64.00 GiB RAM."));
  EXPECT_THAT(text, HasSubstr("Least VRAM: 9.00 GiB (bnb_nf4+gpu), with 20.00 GiB RAM."));
  EXPECT_THAT(text, HasSubstr("Least RAM: 16.00 GiB (fp8_layerwise+gpu), with 18.00 GiB VRAM."));
  EXPECT_THAT(text, HasSubstr("none fits"));
  EXPECT_THAT(text, Not(HasSubstr("Recommended")));
  EXPECT_THAT(text, Not(HasSubstr("Code for")));
}

TEST(PlanReportTextTest, ColourOnlyWhenAsked) {
  EXPECT_THAT(RenderPlanText(SamplePlan(), {.all = true}), Not(HasSubstr("\x1b")));
  const std::string coloured = RenderPlanText(SamplePlan(), {.all = true, .color = true});
  EXPECT_THAT(coloured, HasSubstr("\x1b[32m✓\x1b[0m"));
  EXPECT_THAT(coloured, HasSubstr("\x1b[31m✗\x1b[0m"));
}

TEST(PlanReportTextTest, LinesStayWithinWidth) {
  PlanResult plan = SamplePlan();
  PlannedCandidate long_id = plan.candidates[0];
  long_id.candidate.placement = Placement::kGroupLeafStreamLowmem;
  long_id.candidate.quantized_components = {"transformer", "text_encoder_2"};
  long_id.candidate.vae_tiling = long_id.candidate.vae_slicing = true;
  plan.candidates.push_back(long_id);
  plan.notes.push_back(std::string(300, 'x') + " and a few words after a very long one to wrap");
  for (int width : {40, 64, 80, 100, 160}) {
    for (bool color : {false, true}) {
      const std::string text = RenderPlanText(plan, {.all = true, .color = color, .width = width});
      for (const std::string& line : Lines(text)) {
        if (line.starts_with("    pipe") || line.find("xxxxxxxx") != std::string::npos) continue;
        EXPECT_LE(DisplayWidth(line), std::max(width, 64)) << "width " << width << ": " << line;
        EXPECT_TRUE(line.empty() || line.back() != ' ') << "trailing space: " << line;
      }
    }
  }
}

TEST(PlanReportTextTest, NoBarWithoutAKnownCard) {
  PlanResult plan = SamplePlan();
  plan.hardware = {};
  const std::string text = RenderPlanText(plan, {});
  EXPECT_THAT(text, HasSubstr("Hardware     no GPU: 0.00 GiB VRAM, 0.00 GiB RAM (unknown source)\n"));
  EXPECT_THAT(text, HasSubstr("  ✓ bnb_nf4+gpu           9.00 GiB  20.00 GiB    25.0 s   1.25×  int4\n"));
  EXPECT_THAT(text, Not(HasSubstr("│")));
}

TEST(PlanReportTextTest, LongIdsGoOnTheirOwnLine) {
  PlanResult plan = SamplePlan();
  plan.candidates[0].candidate.placement = Placement::kGroupLeafStreamLowmem;
  plan.candidates[0].candidate.vae_tiling = true;
  const std::string text = RenderPlanText(plan, {.width = 80});
  EXPECT_THAT(text, HasSubstr("  ✓ bnb_nf4+group_leaf_stream_lowmem+vae_tiling\n        9.00 GiB"));
}

TEST(PlanReportTextTest, ChosenStrategyShowsItsCode) {
  const std::string text = RenderPlanText(SamplePlan(), {.chosen = std::string("bnb_nf4+gpu")});
  EXPECT_THAT(text,
              HasSubstr("Code for bnb_nf4+gpu:\n    pipeline_quant_config = PipelineQuantizationConfig(\n"));
  const std::string unknown = RenderPlanText(SamplePlan(), {.chosen = std::string("full+gpu")});
  EXPECT_THAT(unknown, HasSubstr("full+gpu is not among the candidates"));
  const std::string memory = RenderPlanText(SamplePlan(), {.prefer = "memory"});
  EXPECT_THAT(memory, Not(HasSubstr("Code for")));
}

TEST(PlanReportTextTest, UncalibratedAndOverriddenActivation) {
  PlanResult plan = SamplePlan();
  plan.activation.calibrated = false;
  plan.activation.basis = "";
  EXPECT_THAT(RenderPlanText(plan, {}), HasSubstr("             uncalibrated generic estimate\n"));
  plan.activation.overridden = true;
  EXPECT_THAT(RenderPlanText(plan, {}), HasSubstr("set for every stage by --activation"));
}

TEST(PlanReportLayoutTest, DisplayWidthAndWrap) {
  EXPECT_EQ(DisplayWidth("\x1b[1m✓ ab\x1b[0m"), 4);
  EXPECT_EQ(WrapText("one two three", 9, "- ", "  "), (std::vector<std::string>{"- one two", "  three"}));
  EXPECT_EQ(WrapText("", 9, "- ", "  "), (std::vector<std::string>{"- "}));
  EXPECT_EQ(WrapText("abcdefghijkl x", 6, "", ""), (std::vector<std::string>{"abcdefghijkl", "x"}));
}

}  // namespace
}  // namespace pipefit
