// The `pipefit check` corpus: every tests/data/scripts/*.py is a script as
// users write them (plain scripts, notebooks exported to .py with `!pip`
// lines that do not parse, Gradio / FastAPI app files with the pipeline built
// in a function or held by a class, `from diffusers import *`, two pipelines
// in one file, quantized loading done right and wrong, odd formatting). Its
// row below holds the exact findings CheckScript must return with no model
// facts (ScriptModelFacts{}), as (rule id, line) pairs ordered by line, then
// rule id. The first comment of each script says what it exercises.
//
// The line of a finding is the line where the call it is about starts
// (Call::line), or of the assignment for the environment variable:
//   - to-after-* / to-before-offload / layerwise-casting-then-to-dtype: the
//     `.to(...)` call (for `.to` chained on the construction, the line where
//     that chained expression starts: the pipeline class name);
//   - model-offload-with-group-offload / offload-twice: the later of the two
//     offload calls;
//   - quant-backend-name / quant-kwargs-empty / quant-backend-kwargs-mismatch:
//     the PipelineQuantizationConfig(...) call;
//   - quant-config-not-pipeline-level / fp16-for-bf16-model: the pipeline's
//     from_pretrained call;
//   - bnb8-with-model-offload: the enable_model_cpu_offload() call;
//   - every other rule: the call it names.
//
// Each row also lists the rules the script was written NOT to trigger with a
// near miss (`negative_for`): the correct form of the same thing (e.g.
// `.to("cuda")` after group offloading, pipe.vae.enable_tiling() in a FLUX
// script, a BitsAndBytesConfig on FluxTransformer2DModel.from_pretrained).
// Every rule must have at least one positive and one negative script.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "pipefit/codegen/python_script.h"
#include "pipefit/codegen/script_check.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::Not;

const char kScriptsDir[] = PIPEFIT_SOURCE_DIR "/tests/data/scripts/";

// (rule id, line)
using Expected = std::pair<std::string, int>;

struct CheckCase {
  const char* file = "";
  std::vector<Expected> findings;
  std::vector<std::string> negative_for;
  // Has notebook lines (`!pip`, `%magic`) that do not parse.
  bool notebook = false;
};

void PrintTo(const CheckCase& c, std::ostream* os) { *os << c.file; }

// The rules issue 5 asks for and their severities: what raises in diffusers
// is an error, what works but wastes memory or speed a warning, advice info.
const std::map<std::string, Severity>& RequiredRules() {
  static const std::map<std::string, Severity> rules = {
      {"to-after-model-offload", Severity::kWarning},
      {"to-after-sequential-offload", Severity::kError},
      {"to-before-offload", Severity::kWarning},
      {"model-offload-with-group-offload", Severity::kError},
      {"offload-twice", Severity::kWarning},
      {"pipeline-vae-tiling-removed", Severity::kError},
      {"quant-backend-name", Severity::kError},
      {"quant-kwargs-empty", Severity::kError},
      {"quant-backend-kwargs-mismatch", Severity::kError},
      {"quant-config-not-pipeline-level", Severity::kError},
      {"bnb8-with-model-offload", Severity::kWarning},
      {"layerwise-casting-then-to-dtype", Severity::kWarning},
      {"block-stream-multiple-blocks", Severity::kWarning},
      {"sequential-offload-legacy", Severity::kInfo},
      {"attention-backend-unknown", Severity::kError},
      {"compile-without-repeated-blocks", Severity::kInfo},
      {"fp16-for-bf16-model", Severity::kWarning},
      {"vae-tiling-unsupported", Severity::kError},
      // Issue 14: recurring mistakes from the field corpus (tests/field/).
      {"component-to-before-offload", Severity::kWarning},
      {"to-dtype-after-offload", Severity::kWarning},
      {"fp32-for-half-model", Severity::kWarning},
      {"cudagraphs-with-offload", Severity::kWarning},
      {"attention-slicing-with-sdpa", Severity::kWarning},
      {"device-map-with-offload", Severity::kError},
      {"torchao-deprecated-api", Severity::kError},
      {"to-ignored-keywords", Severity::kError},
      {"block-level-without-num-blocks", Severity::kError},
      {"dtype-cast-of-quantized", Severity::kError},
      {"sequential-offload-with-quantization", Severity::kWarning},
      {"quantized-component-passed-in", Severity::kWarning},
      {"compile-replaces-offloaded-module", Severity::kError},
      {"component-loaded-unused", Severity::kWarning},
  };
  return rules;
}

// clang-format off
const std::vector<CheckCase>& Corpus() {
  static const std::vector<CheckCase> cases = {
    {.file = "attention_backend_sage_typo.py",
     // "native" and "_sage_qk_int8_pv_fp16_triton" are valid; sys.argv[1] is not judged
     .findings = {{"attention-backend-unknown", 22}},
     .negative_for = {}},
    {.file = "attention_backend_wrong_names.py",
     // os.environ["DIFFUSERS_ATTENTION_BACKEND"] (line 8), "flash_attention_2" (line 15)
     .findings = {{"attention-backend-unknown", 8}, {"attention-backend-unknown", 15}},
     .negative_for = {}},
    {.file = "auto_pipeline_sdxl_turbo.py",
     .findings = {},
     .negative_for = {"to-before-offload", "fp16-for-bf16-model"}},
    {.file = "bitsandbytes_backend_name.py",
     .findings = {{"quant-backend-name", 6}},
     .negative_for = {"quant-kwargs-empty"}},
    {.file = "bnb8_group_offload_exclude.py",
     .findings = {},
     .negative_for = {"bnb8-with-model-offload", "quant-backend-name", "quant-backend-kwargs-mismatch",
                      "quant-config-not-pipeline-level"}},
    {.file = "bnb8_pipeline_quant_model_offload.py",
     .findings = {{"bnb8-with-model-offload", 17}},
     .negative_for = {"quant-backend-kwargs-mismatch"}},
    {.file = "bnb8_transformer_model_offload.py",
     // BitsAndBytesConfig(load_in_8bit=True) on the model class: right place, but 8-bit + model offload
     .findings = {{"bnb8-with-model-offload", 19}},
     .negative_for = {"quant-config-not-pipeline-level"}},
    {.file = "bnb_components_correct.py",
     .findings = {},
     .negative_for = {"quant-config-not-pipeline-level", "bnb8-with-model-offload"}},
    {.file = "bnb_config_to_pipeline.py",
     .findings = {{"quant-config-not-pipeline-level", 14}},
     .negative_for = {"bnb8-with-model-offload", "device-map-with-offload"}},  // device_map="cpu" + offload is right
    {.file = "bnb_wrong_backend_name.py",
     .findings = {{"quant-backend-name", 8}},
     .negative_for = {"quant-kwargs-empty", "quant-backend-kwargs-mismatch"}},
    {.file = "cogvideox_model_then_group_offload.py",
     .findings = {{"model-offload-with-group-offload", 14}},
     .negative_for = {"pipeline-vae-tiling-removed", "offload-twice"}},
    {.file = "compile_method_inplace.py",
     .findings = {{"compile-without-repeated-blocks", 8}},
     .negative_for = {}},
    {.file = "compile_whole_transformer.py",
     // .to("cuda") chained on the construction with no offload anywhere
     .findings = {{"compile-without-repeated-blocks", 11}},
     .negative_for = {"to-before-offload", "fp16-for-bf16-model"}},
    {.file = "diffusion_pipeline_qwen_fp16.py",
     .findings = {{"fp16-for-bf16-model", 9}},
     .negative_for = {"vae-tiling-unsupported"}},
    {.file = "fastapi_server_class.py",
     .findings = {{"to-after-model-offload", 32}},
     .negative_for = {"fp16-for-bf16-model"}},
    {.file = "flux_bf16_correct.py",
     // pipe.to("cpu") after model offload is not a CUDA device
     .findings = {},
     .negative_for = {"to-after-model-offload", "quant-backend-name", "quant-kwargs-empty",
                      "quant-backend-kwargs-mismatch", "quant-config-not-pipeline-level",
                      "bnb8-with-model-offload", "fp16-for-bf16-model", "pipeline-vae-tiling-removed",
                      "vae-tiling-unsupported"}},
    {.file = "flux_fp8_casting_compile_regional.py",
     .findings = {},
     .negative_for = {"layerwise-casting-then-to-dtype", "compile-without-repeated-blocks",
                      "attention-backend-unknown"}},
    {.file = "flux_group_offload_then_to_cuda.py",
     .findings = {},
     .negative_for = {"to-after-model-offload", "to-after-sequential-offload", "to-before-offload",
                      "model-offload-with-group-offload", "vae-tiling-unsupported",
                      "attention-backend-unknown", "block-stream-multiple-blocks"}},
    {.file = "flux_offload_then_to_cuda.py",
     .findings = {{"to-after-model-offload", 12}},
     .negative_for = {"vae-tiling-unsupported", "pipeline-vae-tiling-removed"}},
    {.file = "gguf_config_to_pipeline.py",
     .findings = {{"quant-config-not-pipeline-level", 9}},
     .negative_for = {}},
    {.file = "gguf_transformer_correct.py",
     // GGUFQuantizationConfig on FluxTransformer2DModel.from_single_file
     .findings = {},
     .negative_for = {"quant-config-not-pipeline-level", "fp16-for-bf16-model"}},
    {.file = "gradio_app_flux.py",
     .findings = {{"pipeline-vae-tiling-removed", 18}},
     .negative_for = {"offload-twice"}},
    {.file = "group_offload_stream_blocks.py",
     // video_pipe: one block per group with a stream, two without, and
     // enable_group_offload on two different components (not offload-twice)
     .findings = {{"block-stream-multiple-blocks", 13}},
     .negative_for = {"offload-twice", "model-offload-with-group-offload"}},
    {.file = "hunyuan_layerwise_then_component_dtype.py",
     .findings = {{"layerwise-casting-then-to-dtype", 21}},
     .negative_for = {"to-after-model-offload", "vae-tiling-unsupported"}},
    {.file = "layerwise_then_pipe_to_dtype.py",
     .findings = {{"layerwise-casting-then-to-dtype", 9}},
     .negative_for = {}},
    {.file = "layerwise_then_pipe_to_dtype_kw.py",
     // line 9 pipe.to("cuda") carries no dtype
     .findings = {{"layerwise-casting-then-to-dtype", 10}},
     .negative_for = {}},
    {.file = "model_then_sequential_offload.py",
     // pipe.vae.to(torch.bfloat16) is a dtype move, not a CUDA one
     .findings = {{"offload-twice", 14}, {"sequential-offload-legacy", 14}},
     .negative_for = {"to-after-sequential-offload", "layerwise-casting-then-to-dtype"}},
    {.file = "notebook_flux_schnell_fp16.py",
     .findings = {{"fp16-for-bf16-model", 21}, {"sequential-offload-legacy", 22},
                  {"to-after-sequential-offload", 43}},
     .negative_for = {},
     .notebook = true},
    {.file = "notebook_ltx_video.py",
     // os.environ["DIFFUSERS_ATTN_BACKEND"] = "flash_hub" is the right variable and a valid name
     .findings = {},
     .negative_for = {"attention-backend-unknown", "offload-twice", "pipeline-vae-tiling-removed",
                      "sequential-offload-legacy"},
     .notebook = true},
    {.file = "notebook_sdxl_colab.py",
     .findings = {{"pipeline-vae-tiling-removed", 41}, {"offload-twice", 42}},
     .negative_for = {"fp16-for-bf16-model"},
     .notebook = true},
    {.file = "offload_flag_if_else.py",
     // model offload / sequential offload / .to("cuda") in exclusive if/elif/else branches
     .findings = {{"sequential-offload-legacy", 21}},
     .negative_for = {"to-after-model-offload", "to-after-sequential-offload", "offload-twice",
                      "to-before-offload"}},
    {.file = "odd_formatting_offload.py",
     .findings = {{"to-after-model-offload", 16}},
     .negative_for = {}},
    {.file = "parenthesized_chain_offload.py",
     .findings = {{"to-before-offload", 8}},
     .negative_for = {"to-after-model-offload"}},
    {.file = "quant_kwargs_mismatch_bnb.py",
     .findings = {{"quant-backend-kwargs-mismatch", 13}, {"quant-backend-kwargs-mismatch", 18}},
     .negative_for = {"quant-backend-name", "bnb8-with-model-offload"}},
    {.file = "quant_kwargs_mismatch_torchao.py",
     // good_config uses quant_mapping: no backend, no kwargs to judge
     .findings = {{"quant-backend-kwargs-mismatch", 8}},
     .negative_for = {"quant-kwargs-empty", "quant-config-not-pipeline-level"}},
    {.file = "quant_kwargs_missing.py",
     .findings = {{"quant-kwargs-empty", 6}},
     .negative_for = {"quant-backend-name"}},
    {.file = "sd15_sequential_then_to_device.py",
     .findings = {{"sequential-offload-legacy", 26}, {"to-after-sequential-offload", 27}},
     .negative_for = {"fp16-for-bf16-model"}},
    {.file = "sd35_torchao_empty_kwargs.py",
     .findings = {{"quant-kwargs-empty", 6}},
     .negative_for = {"quant-backend-name", "quant-backend-kwargs-mismatch"}},
    {.file = "sdxl_single_file.py",
     .findings = {{"pipeline-vae-tiling-removed", 21}},
     .negative_for = {"to-before-offload"}},
    {.file = "sdxl_to_cuda_then_offload.py",
     .findings = {{"to-before-offload", 8}},
     .negative_for = {"to-after-model-offload", "fp16-for-bf16-model"}},
    {.file = "star_import_sdxl_refiner.py",
     .findings = {},
     .negative_for = {"to-after-model-offload", "to-before-offload", "fp16-for-bf16-model"}},
    {.file = "svd_vae_tiling.py",
     .findings = {{"vae-tiling-unsupported", 14}},
     .negative_for = {"pipeline-vae-tiling-removed"}},
    {.file = "to_cuda_then_group_offload.py",
     .findings = {{"to-before-offload", 8}},
     .negative_for = {"block-stream-multiple-blocks"}},
    {.file = "torchao_config_to_auto_pipeline.py",
     .findings = {{"quant-config-not-pipeline-level", 13}, {"torchao-deprecated-api", 13}},
     .negative_for = {}},
    {.file = "component_to_cuda_then_offload.py",
     // the chained .to starts at the class name (line 9); pipe.vae.to at 21
     .findings = {{"component-to-before-offload", 9}, {"component-to-before-offload", 21}},
     .negative_for = {"to-before-offload"}},
    {.file = "all_on_gpu_cudagraphs.py",
     .findings = {{"compile-without-repeated-blocks", 16}},
     .negative_for = {"component-to-before-offload", "cudagraphs-with-offload", "to-dtype-after-offload",
                      "fp32-for-half-model", "device-map-with-offload",
                      // the component is passed in; torch.compile without offloading
                      "component-loaded-unused", "compile-replaces-offloaded-module"}},
    {.file = "to_dtype_after_model_offload.py",
     .findings = {{"to-dtype-after-offload", 9}, {"to-ignored-keywords", 10}},
     .negative_for = {}},
    {.file = "group_offload_block_level_no_count.py",
     .findings = {{"block-level-without-num-blocks", 7}, {"block-level-without-num-blocks", 8}},
     .negative_for = {}},
    {.file = "group_offload_block_level_counted.py", .findings = {},
     .negative_for = {"block-level-without-num-blocks"}},
    {.file = "pipe_to_torch_device_keywords.py",
     .findings = {{"to-ignored-keywords", 7}, {"to-ignored-keywords", 8}},
     .negative_for = {}},
    {.file = "sequential_offload_bnb_nf4.py",
     .findings = {{"sequential-offload-legacy", 12}, {"sequential-offload-with-quantization", 12}},
     .negative_for = {}},
    {.file = "quantized_component_passed_in.py", .findings = {{"quantized-component-passed-in", 15}},
     .negative_for = {}},
    {.file = "bnb_model_offload_passed_text_encoder.py", .findings = {},
     .negative_for = {"sequential-offload-with-quantization", "quantized-component-passed-in"}},
    {.file = "dtype_cast_torchao.py", .findings = {{"dtype-cast-of-quantized", 9}}, .negative_for = {}},
    {.file = "torchao_pipeline_to_device_only.py", .findings = {},
     .negative_for = {"dtype-cast-of-quantized", "to-ignored-keywords"}},
    {.file = "sd3_single_file_no_dtype.py", .findings = {{"fp32-for-half-model", 6}}, .negative_for = {}},
    {.file = "fp32_load_flux.py",
     .findings = {{"fp32-for-half-model", 6}},
     .negative_for = {}},
    {.file = "compile_cudagraphs_with_offload.py",
     // the VAE's max-autotune-no-cudagraphs on line 10 is fine
     .findings = {{"cudagraphs-with-offload", 9}},
     .negative_for = {}},
    {.file = "sd15_attention_slicing_cuda.py",
     .findings = {{"attention-slicing-with-sdpa", 10}},
     .negative_for = {}},
    {.file = "sd15_attention_slicing_mps.py",
     .findings = {},
     .negative_for = {"attention-slicing-with-sdpa"}},
    {.file = "balanced_device_map_offload.py",
     .findings = {{"device-map-with-offload", 9}},
     .negative_for = {}},
    {.file = "torchao_function_configs.py",
     // TorchAoConfig("int8wo") on line 10, int8_weight_only() on line 14
     .findings = {{"torchao-deprecated-api", 10}, {"torchao-deprecated-api", 14}},
     .negative_for = {}},
    {.file = "compile_replaces_offloaded_transformer.py",
     .findings = {{"compile-replaces-offloaded-module", 11}, {"compile-without-repeated-blocks", 11}},
     .negative_for = {}},
    {.file = "unused_text_encoder_loaded.py",
     .findings = {{"component-loaded-unused", 8}},
     .negative_for = {}},
    {.file = "torchao_config_classes.py",
     .findings = {},
     .negative_for = {"torchao-deprecated-api"}},
    {.file = "two_pipelines_flux_and_sd.py",
     // sd.to("cuda") is legal; flux.to("cuda:0") after flux's model offload is not
     .findings = {{"to-after-model-offload", 19}},
     .negative_for = {"to-before-offload"}},
    {.file = "wan_model_and_group_offload.py",
     .findings = {{"block-stream-multiple-blocks", 14}, {"model-offload-with-group-offload", 21}},
     .negative_for = {"offload-twice", "vae-tiling-unsupported"}},
  };
  return cases;
}
// clang-format on

std::string Describe(const std::vector<Expected>& findings) {
  std::string out;
  for (const auto& [rule, line] : findings) out += "  " + std::to_string(line) + " " + rule + "\n";
  return out.empty() ? "  (none)\n" : out;
}

std::vector<Expected> Sorted(std::vector<Expected> findings) {
  std::sort(findings.begin(), findings.end(), [](const Expected& a, const Expected& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  return findings;
}

std::vector<Expected> Actual(const CheckResult& result) {
  std::vector<Expected> out;
  for (const Finding& finding : result.findings) out.emplace_back(finding.rule, finding.line);
  return out;
}

const ScriptRuleInfo* FindRule(std::string_view id) {
  for (const ScriptRuleInfo& rule : ScriptRules()) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

class ScriptCheckCorpus : public ::testing::TestWithParam<CheckCase> {};

TEST_P(ScriptCheckCorpus, ExactFindings) {
  const CheckCase& c = GetParam();
  const std::string path = std::string(kScriptsDir) + c.file;
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const std::string text = ReadFile(path);
  const Result<PythonScript> script = ParsePythonScript(text);
  ASSERT_TRUE(script.ok()) << script.error().message;
  const CheckResult result = CheckScript(*script, ScriptModelFacts{});
  const std::vector<Expected> actual = Actual(result);

  EXPECT_EQ(actual, Sorted(c.findings)) << c.file << "\nexpected:\n"
                                        << Describe(Sorted(c.findings)) << "got:\n"
                                        << Describe(actual);
  // CheckResult promises the order (by line, then rule id).
  EXPECT_EQ(actual, Sorted(actual)) << c.file << ": findings out of order";

  for (const Finding& finding : result.findings) {
    const ScriptRuleInfo* rule = FindRule(finding.rule);
    ASSERT_NE(rule, nullptr) << c.file << ": finding for a rule not in ScriptRules(): " << finding.rule;
    EXPECT_EQ(finding.severity, rule->severity) << c.file << ": " << finding.rule;
    EXPECT_FALSE(finding.message.empty()) << c.file << ": " << finding.rule;
    EXPECT_FALSE(finding.fix.empty()) << c.file << ": " << finding.rule;
  }
  for (const std::string& rule : c.negative_for) {
    for (const Finding& finding : result.findings) {
      EXPECT_NE(finding.rule, rule) << c.file << " must not trigger " << rule << " (line " << finding.line
                                    << ")";
    }
  }
}

// Scripts that parse as Python parse cleanly with tree-sitter too; exported
// notebooks report the lines that did not parse and a note, and the rules
// still run on everything else.
TEST_P(ScriptCheckCorpus, ParseErrorsOnlyInNotebooks) {
  const CheckCase& c = GetParam();
  const std::string text = ReadFile(std::string(kScriptsDir) + c.file);
  const Result<PythonScript> script = ParsePythonScript(text);
  ASSERT_TRUE(script.ok()) << script.error().message;
  if (!c.notebook) {
    EXPECT_TRUE(script->error_lines.empty())
        << c.file << ": first error line " << script->error_lines.front();
    return;
  }
  EXPECT_FALSE(script->error_lines.empty()) << c.file;
  const CheckResult result = CheckScript(*script, ScriptModelFacts{});
  EXPECT_FALSE(result.notes.empty()) << c.file << ": no note about the lines that did not parse";
}

INSTANTIATE_TEST_SUITE_P(ScriptCheckCorpus, ScriptCheckCorpus, ::testing::ValuesIn(Corpus()),
                         [](const ::testing::TestParamInfo<CheckCase>& param_info) {
                           std::string name = param_info.param.file;
                           name = name.substr(0, name.size() - 3);
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ScriptCheckCorpusCoverage, CorpusIsLargeAndListsEveryScript) {
  std::set<std::string> listed;
  for (const CheckCase& c : Corpus()) EXPECT_TRUE(listed.insert(c.file).second) << "listed twice: " << c.file;
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(kScriptsDir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".py")
      on_disk.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, on_disk) << "every tests/data/scripts/*.py needs a row, and every row a file";
  EXPECT_GE(listed.size(), 28u);
}

TEST(ScriptCheckCorpusCoverage, RequiredRulesExistWithTheirSeverity) {
  for (const auto& [id, severity] : RequiredRules()) {
    const ScriptRuleInfo* rule = FindRule(id);
    ASSERT_NE(rule, nullptr) << "ScriptRules() lacks " << id;
    EXPECT_EQ(rule->severity, severity) << id;
    EXPECT_FALSE(rule->summary.empty()) << id;
    EXPECT_FALSE(rule->source.empty()) << id;
  }
  std::set<std::string_view> ids;
  for (const ScriptRuleInfo& rule : ScriptRules())
    EXPECT_TRUE(ids.insert(rule.id).second) << "twice: " << rule.id;
}

// Every rule in the table fires in some script and stays quiet in a script
// written to be its near miss.
TEST(ScriptCheckCorpusCoverage, EveryRuleHasPositiveAndNegativeScripts) {
  std::map<std::string, int> positives;
  std::map<std::string, int> negatives;
  for (const CheckCase& c : Corpus()) {
    std::set<std::string> rules;
    for (const auto& [rule, line] : c.findings) rules.insert(rule);
    for (const std::string& rule : rules) ++positives[rule];
    for (const std::string& rule : c.negative_for) {
      EXPECT_THAT(rules, Not(Contains(rule)))
          << c.file << " lists " << rule << " as both positive and negative";
      ++negatives[rule];
    }
  }
  for (const ScriptRuleInfo& rule : ScriptRules()) {
    const std::string id(rule.id);
    EXPECT_GE(positives[id], 1) << "no script triggers " << id;
    EXPECT_GE(negatives[id], 1) << "no near-miss script for " << id;
  }
  for (const auto& [id, severity] : RequiredRules()) {
    EXPECT_GE(positives[id], 1) << "no script triggers " << id;
    EXPECT_GE(negatives[id], 1) << "no near-miss script for " << id;
  }
  for (const auto& [id, count] : positives) {
    EXPECT_NE(FindRule(id), nullptr) << "the corpus expects a rule ScriptRules() lacks: " << id;
  }
}

// The notebook scripts give the same findings with their `!pip` / `%` lines
// commented out (same line numbers): the lines that do not parse change
// nothing about the rest.
TEST(ScriptCheckCorpusNotebooks, MagicLinesDoNotHideFindings) {
  int notebooks = 0;
  int with_findings = 0;
  for (const CheckCase& c : Corpus()) {
    if (!c.notebook) continue;
    ++notebooks;
    if (!c.findings.empty()) ++with_findings;
    const std::string text = ReadFile(std::string(kScriptsDir) + c.file);
    std::string cleaned;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      const size_t first = line.find_first_not_of(" \t");
      if (first != std::string::npos && (line[first] == '!' || line[first] == '%')) line.insert(first, "# ");
      cleaned += line + "\n";
    }
    const Result<PythonScript> original = ParsePythonScript(text);
    const Result<PythonScript> commented = ParsePythonScript(cleaned);
    ASSERT_TRUE(original.ok() && commented.ok()) << c.file;
    EXPECT_TRUE(commented->error_lines.empty())
        << c.file << ": still an error at line " << commented->error_lines.front();
    EXPECT_EQ(Actual(CheckScript(*original, ScriptModelFacts{})),
              Actual(CheckScript(*commented, ScriptModelFacts{})))
        << c.file;
  }
  EXPECT_GE(notebooks, 3);
  EXPECT_GE(with_findings, 2);
}

}  // namespace
}  // namespace pipefit
