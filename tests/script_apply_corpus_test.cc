// The `pipefit apply` corpus: corpus scripts (tests/data/scripts/*.py)
// rewritten for several strategies, each compared byte for byte with a
// golden tests/data/scripts/expected/<script>__<strategy>[__<target>].py.
//
// The goldens were written by hand from script_apply.h and the exact text
// CandidateCode() writes (script_writer.cc, weights_code.cc), not from
// ApplyCandidate's output. What they encode, for the pipeline rewritten:
//   - every pre-existing placement/memory call on it is removed, whole
//     statement (comments on the same line go with it): `.to(<CUDA>)`
//     (including a `.to(...)` chained on the construction, cut from the end
//     of the construction call to the end of the chained call), model /
//     sequential / group offload (pipeline or component), layerwise casting,
//     pipe.vae.enable_tiling()/enable_slicing() and the removed pipe-level
//     enable_vae_*; a quantization_config argument;
//   - CandidateCode's calls after its from_pretrained line (casting,
//     placement, VAE) go right after the construction statement, with `pipe`
//     replaced by the script's variable and the statement's indentation;
//   - quantized candidates: the `pipeline_quant_config = ...` statement goes
//     right before the construction statement (same indentation); the
//     missing keyword arguments of CandidateCode's load call
//     (quantization_config, device_map; torch_dtype only when missing) are
//     appended after the last argument: `, kw=value` when the arguments share
//     a line, else one per line with the arguments' indentation and a
//     trailing comma; an existing quantization_config argument (a
//     BitsAndBytesConfig passed to the pipeline) gets the new value in place;
//   - new diffusers names are appended to the first `from diffusers import`
//     line (none under `from diffusers import *`); other import lines go
//     after the last top-level import.
// Comments, blank lines and every other statement stay byte for byte.
//
// Every case also checks: the result compiles (python3 -m py_compile;
// notebook `!`/`%` lines are commented out first, in both texts), every
// line of the original outside a removed/rewritten statement (pipeline
// construction, placement / memory calls, quantization configs, imports) is
// still there in order (longest common subsequence), `pipefit check` finds
// none of the placement / quantization mistakes in the result, and applying
// the same candidate to the result changes nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "pipefit/codegen/python_script.h"
#include "pipefit/codegen/script_apply.h"
#include "pipefit/codegen/script_check.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

const char kScriptsDir[] = PIPEFIT_SOURCE_DIR "/tests/data/scripts/";

struct ApplyCase {
  const char* script = "";
  const char* strategy = "";
  const char* denoiser = "transformer";  // CodeContext::denoiser
  const char* target = "";               // ApplyOptions::target
  const char* variable = "pipe";         // expected ApplyResult::pipeline_variable
  int line = 0;                          // expected ApplyResult::pipeline_line
};

std::string GoldenName(const ApplyCase& c) {
  std::string stem = c.script;
  stem = stem.substr(0, stem.size() - 3);
  std::string name = stem + "__" + c.strategy;
  if (*c.target != '\0') name += std::string("__") + c.target;
  return name + ".py";
}

void PrintTo(const ApplyCase& c, std::ostream* os) { *os << GoldenName(c); }

// clang-format off
const std::vector<ApplyCase>& Cases() {
  static const std::vector<ApplyCase> cases = {
    // Plain script: offload, then VAE tiling, then .to("cuda") further down.
    {.script = "flux_offload_then_to_cuda.py", .strategy = "full+model_offload", .line = 7},
    {.script = "flux_offload_then_to_cuda.py", .strategy = "fp8_layerwise+model_offload", .line = 7},
    {.script = "flux_offload_then_to_cuda.py", .strategy = "full+group_leaf_stream", .line = 7},
    {.script = "flux_offload_then_to_cuda.py", .strategy = "bnb_nf4+model_offload+te", .line = 7},
    {.script = "flux_offload_then_to_cuda.py", .strategy = "torchao_int8wo+gpu", .line = 7},
    {.script = "flux_offload_then_to_cuda.py", .strategy = "full+gpu+vae_tiling", .line = 7},
    // Built inside a function (indentation 4), removed pipe-level enable_vae_slicing.
    {.script = "gradio_app_flux.py", .strategy = "full+group_leaf_stream", .line = 16},
    {.script = "gradio_app_flux.py", .strategy = "bnb_nf4+model_offload+te", .line = 16},
    {.script = "gradio_app_flux.py", .strategy = "fp8_layerwise+model_offload", .line = 16},
    // self.pipe in a class (indentation 8), SDXL UNet in fp16.
    {.script = "fastapi_server_class.py", .strategy = "full+model_offload", .denoiser = "unet",
     .variable = "self.pipe", .line = 26},
    {.script = "fastapi_server_class.py", .strategy = "fp8_layerwise+model_offload", .denoiser = "unet",
     .variable = "self.pipe", .line = 26},
    {.script = "fastapi_server_class.py", .strategy = "full+group_block", .denoiser = "unet",
     .variable = "self.pipe", .line = 26},
    // `).to("cuda")` chained on a multi-line construction.
    {.script = "sdxl_to_cuda_then_offload.py", .strategy = "full+model_offload", .denoiser = "unet", .line = 8},
    {.script = "sdxl_to_cuda_then_offload.py", .strategy = "full+sequential_offload", .denoiser = "unet", .line = 8},
    // Parenthesised builder chain, `.to("cuda")` on its own line; trailing commas.
    {.script = "parenthesized_chain_offload.py", .strategy = "full+model_offload", .line = 8},
    {.script = "parenthesized_chain_offload.py", .strategy = "fp8_layerwise+model_offload", .line = 8},
    {.script = "parenthesized_chain_offload.py", .strategy = "bnb_nf4+model_offload+te", .line = 8},
    // Exported notebook with `!pip` lines.
    {.script = "notebook_flux_schnell_fp16.py", .strategy = "full+model_offload", .line = 21},
    {.script = "notebook_flux_schnell_fp16.py", .strategy = "full+group_leaf_stream", .line = 21},
    // `from diffusers import *` (no import added), two pipelines, --target.
    {.script = "star_import_sdxl_refiner.py", .strategy = "bnb_nf4+model_offload", .denoiser = "unet",
     .variable = "base", .line = 8},
    {.script = "star_import_sdxl_refiner.py", .strategy = "full+group_leaf_stream", .denoiser = "unet",
     .variable = "base", .line = 8},
    {.script = "star_import_sdxl_refiner.py", .strategy = "full+model_offload", .denoiser = "unet",
     .target = "refiner", .variable = "refiner", .line = 13},
    // Component group offload + model offload + VAE tiling all replaced.
    {.script = "wan_model_and_group_offload.py", .strategy = "full+model_offload", .line = 12},
    {.script = "wan_model_and_group_offload.py", .strategy = "full+model_offload+vae_tiling", .line = 12},
    {.script = "wan_model_and_group_offload.py", .strategy = "full+group_leaf_stream", .line = 12},
    // .to("cuda") then pipeline-level group offload.
    {.script = "to_cuda_then_group_offload.py", .strategy = "full+model_offload", .line = 7},
    {.script = "to_cuda_then_group_offload.py", .strategy = "torchao_int8wo+gpu", .line = 7},
    // A BitsAndBytesConfig passed to the pipeline: the argument is replaced.
    {.script = "bnb_config_to_pipeline.py", .strategy = "bnb_nf4+model_offload", .line = 14},
    // Backslash continuation, comments in the call, two statements on one line.
    {.script = "odd_formatting_offload.py", .strategy = "full+model_offload", .line = 10},
    {.script = "odd_formatting_offload.py", .strategy = "full+group_leaf_stream", .line = 10},
  };
  return cases;
}
// clang-format on

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// Notebook `!pip` / `%magic` lines commented out, so py_compile can judge
// the rest (line numbers unchanged).
std::string WithoutMagics(const std::string& text) {
  std::string out;
  for (std::string line : SplitLines(text)) {
    const size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && (line[first] == '!' || line[first] == '%')) line.insert(first, "# ");
    out += line + "\n";
  }
  return out;
}

// "" when `text` compiles, else python's message.
std::string PyCompileError(const std::string& text) {
  testkit::TempDir dir;
  const std::string path = dir.path() + "/script.py";
  testkit::WriteTextFile(path, text);
  const std::string err = dir.path() + "/err";
  const std::string command = "python3 -m py_compile " + path + " >" + err + " 2>&1";
  if (std::system(command.c_str()) == 0) return "";
  const std::string message = ReadFile(err);
  return message.empty() ? "py_compile failed" : message;
}

Candidate MakeCandidate(const ApplyCase& c) {
  std::string error;
  const std::optional<ParsedStrategyId> parsed = ParseStrategyId(c.strategy, &error);
  Candidate candidate;
  if (!parsed) {
    ADD_FAILURE() << c.strategy << ": " << error;
    return candidate;
  }
  candidate.weights = parsed->weights;
  candidate.placement = parsed->placement;
  candidate.vae_tiling = parsed->vae_tiling;
  candidate.vae_slicing = parsed->vae_slicing;
  if (candidate.weights != WeightsKind::kFull) candidate.quantized_components = {c.denoiser};
  if (parsed->text_encoders) candidate.quantized_components.push_back("text_encoder_2");
  if (candidate.placement == Placement::kGroupBlock) candidate.num_blocks_per_group = 2;
  if (candidate.placement == Placement::kGroupBlockStream) candidate.num_blocks_per_group = 1;
  return candidate;
}

LoadDType DTypeOf(const std::string& dtype) {
  if (dtype == "fp16") return LoadDType::kFP16;
  if (dtype == "fp32") return LoadDType::kFP32;
  return LoadDType::kBF16;
}

// The context `pipefit apply` builds from the script: the pipeline found by
// FindPipelines (the target, else the first), its dtype (bf16 when the
// script gives none).
CodeContext MakeContext(const ApplyCase& c, const PythonScript& script) {
  CodeContext context;
  const std::vector<PipelineSite> sites = FindPipelines(script);
  const PipelineSite* site = nullptr;
  for (const PipelineSite& candidate : sites) {
    if (*c.target == '\0' || candidate.variable == c.target) {
      site = &candidate;
      break;
    }
  }
  if (site == nullptr) {
    ADD_FAILURE() << c.script << ": FindPipelines found no pipeline " << c.target;
    return context;
  }
  context.pipeline_class = site->class_name;
  context.model_id = site->model_id;
  context.dtype = DTypeOf(site->dtype);
  context.denoiser = c.denoiser;
  context.has_vae = true;
  return context;
}

// Lines of the original that a rewrite may remove or change: the statements
// of pipeline construction, placement / memory / attention calls,
// quantization configs, and imports.
std::set<int> RewritableLines(const PythonScript& script) {
  static const std::set<std::string> kMethods = {
      "to",
      "from_pretrained",
      "from_single_file",
      "enable_model_cpu_offload",
      "enable_sequential_cpu_offload",
      "enable_group_offload",
      "enable_layerwise_casting",
      "enable_tiling",
      "enable_slicing",
      "disable_tiling",
      "disable_slicing",
      "enable_vae_tiling",
      "enable_vae_slicing",
      "disable_vae_tiling",
      "disable_vae_slicing",
      "set_attention_backend",
  };
  std::set<int> lines;
  auto add_range = [&](const ByteRange& range) {
    if (range.end <= range.begin) return;
    const int first = LineOf(script.source, range.begin);
    const int last = LineOf(script.source, range.end - 1);
    for (int line = first; line <= last; ++line) lines.insert(line);
  };
  for (const Call& call : script.calls) {
    const bool config = call.callee.ends_with("QuantizationConfig") ||
                        call.callee.ends_with("BitsAndBytesConfig") || call.callee.ends_with("TorchAoConfig");
    if (config || kMethods.count(call.method) > 0) add_range(call.statement);
  }
  for (const Import& import : script.imports) add_range(import.statement);
  return lines;
}

// 1-based lines of `before` kept in a common subsequence with `after` that
// keeps as many lines outside `rewritable` as possible (a line of weight
// 1000 each, rewritable lines weight 1): blank lines and comments are not
// "kept" by matching some other blank line by accident.
std::set<int> KeptLines(const std::vector<std::string>& before, const std::vector<std::string>& after,
                        const std::set<int>& rewritable) {
  const size_t n = before.size();
  const size_t m = after.size();
  auto weight = [&](size_t i) { return rewritable.count(static_cast<int>(i) + 1) > 0 ? 1L : 1000L; };
  std::vector<std::vector<long>> best(n + 1, std::vector<long>(m + 1, 0));
  for (size_t i = n; i-- > 0;) {
    for (size_t j = m; j-- > 0;) {
      best[i][j] = std::max(best[i + 1][j], best[i][j + 1]);
      if (before[i] == after[j]) best[i][j] = std::max(best[i][j], best[i + 1][j + 1] + weight(i));
    }
  }
  std::set<int> kept;
  size_t i = 0;
  size_t j = 0;
  while (i < n && j < m) {
    if (before[i] == after[j] && best[i][j] == best[i + 1][j + 1] + weight(i)) {
      kept.insert(static_cast<int>(i) + 1);
      ++i;
      ++j;
    } else if (best[i][j] == best[i + 1][j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return kept;
}

// Lines of `original` outside the rewritable statements that `rewritten`
// lost or reordered, as "line N: text" messages.
std::vector<std::string> DroppedLines(const PythonScript& original, const std::string& rewritten) {
  const std::set<int> rewritable = RewritableLines(original);
  const std::vector<std::string> before = SplitLines(original.source);
  const std::set<int> kept = KeptLines(before, SplitLines(rewritten), rewritable);
  std::vector<std::string> dropped;
  for (size_t line = 1; line <= before.size(); ++line) {
    if (kept.count(static_cast<int>(line)) == 0 && rewritable.count(static_cast<int>(line)) == 0) {
      dropped.push_back("line " + std::to_string(line) + ": " + before[line - 1]);
    }
  }
  return dropped;
}

// What `pipefit check` must not find in a rewritten script: the rewrite
// replaced the placement, casting, VAE and quantization calls with the
// candidate's, which are consistent by construction. (sequential-offload-
// legacy is advice and fp16-for-bf16-model is about the dtype the script
// loads with, which apply keeps.)
std::vector<std::string> PlacementFindings(const std::string& text) {
  static const std::set<std::string> kRules = {
      "to-after-model-offload",
      "to-after-sequential-offload",
      "to-before-offload",
      "model-offload-with-group-offload",
      "offload-twice",
      "pipeline-vae-tiling-removed",
      "quant-backend-name",
      "quant-kwargs-empty",
      "quant-backend-kwargs-mismatch",
      "quant-config-not-pipeline-level",
      "bnb8-with-model-offload",
      "layerwise-casting-then-to-dtype",
      "block-stream-multiple-blocks",
      "vae-tiling-unsupported",
  };
  std::vector<std::string> out;
  const Result<PythonScript> script = ParsePythonScript(text);
  if (!script.ok()) return {"parse failed: " + script.error().message};
  for (const Finding& finding : CheckScript(*script, ScriptModelFacts{}).findings) {
    if (kRules.count(finding.rule) > 0)
      out.push_back(finding.rule + " at line " + std::to_string(finding.line));
  }
  return out;
}

class ScriptApplyCorpus : public ::testing::TestWithParam<ApplyCase> {};

// The golden alone: it compiles, and it keeps every line of the original
// outside the statements a rewrite may touch. Runs without ApplyCandidate,
// so the goldens themselves are checked against the rules above.
TEST_P(ScriptApplyCorpus, GoldenIsValid) {
  const ApplyCase& c = GetParam();
  const std::string golden_path = std::string(kScriptsDir) + "expected/" + GoldenName(c);
  ASSERT_TRUE(std::filesystem::exists(golden_path)) << golden_path;
  const std::string golden = ReadFile(golden_path);
  const Result<PythonScript> script = ParsePythonScript(ReadFile(std::string(kScriptsDir) + c.script));
  ASSERT_TRUE(script.ok()) << script.error().message;
  EXPECT_EQ(DroppedLines(*script, golden), std::vector<std::string>{}) << GoldenName(c);
  EXPECT_EQ(PlacementFindings(golden), std::vector<std::string>{}) << GoldenName(c);
  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile check skipped";
  EXPECT_EQ(PyCompileError(WithoutMagics(golden)), "") << GoldenName(c);
}

TEST_P(ScriptApplyCorpus, MatchesGolden) {
  const ApplyCase& c = GetParam();
  const std::string original = ReadFile(std::string(kScriptsDir) + c.script);
  const std::string golden = ReadFile(std::string(kScriptsDir) + "expected/" + GoldenName(c));
  const Result<PythonScript> script = ParsePythonScript(original);
  ASSERT_TRUE(script.ok()) << script.error().message;
  const Candidate candidate = MakeCandidate(c);
  EXPECT_EQ(candidate.Id(), c.strategy);
  const CodeContext context = MakeContext(c, *script);
  ApplyOptions options;
  options.target = c.target;

  const Result<ApplyResult> applied = ApplyCandidate(*script, candidate, context, options);
  ASSERT_TRUE(applied.ok()) << GoldenName(c) << ": " << applied.error().message;
  EXPECT_EQ(applied->rewritten, golden) << GoldenName(c);
  EXPECT_EQ(applied->pipeline_variable, c.variable) << GoldenName(c);
  EXPECT_EQ(applied->pipeline_line, c.line) << GoldenName(c);

  // Untouched lines stay, in order; the result is consistent.
  EXPECT_EQ(DroppedLines(*script, applied->rewritten), std::vector<std::string>{}) << GoldenName(c);
  EXPECT_EQ(PlacementFindings(applied->rewritten), std::vector<std::string>{}) << GoldenName(c);

  // Applying the same candidate again changes nothing.
  const Result<PythonScript> again_script = ParsePythonScript(applied->rewritten);
  ASSERT_TRUE(again_script.ok()) << again_script.error().message;
  const Result<ApplyResult> again = ApplyCandidate(*again_script, candidate, context, options);
  ASSERT_TRUE(again.ok()) << GoldenName(c) << " (second application): " << again.error().message;
  EXPECT_EQ(again->rewritten, applied->rewritten) << GoldenName(c) << ": not idempotent";

  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile check skipped";
  EXPECT_EQ(PyCompileError(WithoutMagics(applied->rewritten)), "") << GoldenName(c);
}

INSTANTIATE_TEST_SUITE_P(ScriptApplyCorpus, ScriptApplyCorpus, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<ApplyCase>& param_info) {
                           std::string name = GoldenName(param_info.param);
                           name = name.substr(0, name.size() - 3);
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

TEST(ScriptApplyCorpusCoverage, EnoughScriptsAndEveryGoldenUsed) {
  std::set<std::string> scripts;
  std::set<std::string> goldens;
  for (const ApplyCase& c : Cases()) {
    scripts.insert(c.script);
    EXPECT_TRUE(goldens.insert(GoldenName(c)).second) << "twice: " << GoldenName(c);
  }
  EXPECT_GE(scripts.size(), 8u);
  std::set<std::string> on_disk;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(kScriptsDir) + "expected")) {
    if (entry.is_regular_file()) on_disk.insert(entry.path().filename().string());
  }
  EXPECT_EQ(goldens, on_disk) << "every expected/*.py needs a case, and every case a golden";
}

// Every corpus script that builds a pipeline, rewritten for a spread of
// strategies (no goldens): CONTRACT.md says the result parses as Python; it
// also keeps the untouched lines and is idempotent. Scripts where the calls
// to replace sit alone in an if/else branch are the hard case for "parses".
TEST(ScriptApplyCorpusRobustness, EveryScriptEveryStrategyCompilesAndIsIdempotent) {
  const char* const kStrategies[] = {
      "full+gpu",
      "full+model_offload",
      "fp8_layerwise+model_offload",
      "full+group_leaf_stream",
      "full+group_block",
      "full+sequential_offload",
      "bnb_nf4+model_offload+te",
      "torchao_int8wo+gpu",
      "full+gpu+vae_tiling+vae_slicing",
  };
  testkit::TempDir dir;
  std::vector<std::pair<std::string, std::string>> written;  // file, "script strategy"
  int rewrites = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kScriptsDir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".py") continue;
    const std::string file = entry.path().filename().string();
    const Result<PythonScript> script = ParsePythonScript(ReadFile(entry.path().string()));
    ASSERT_TRUE(script.ok()) << file;
    if (FindPipelines(*script).empty()) continue;
    for (const char* strategy : kStrategies) {
      ApplyCase c;
      c.script = file.c_str();
      c.strategy = strategy;
      const Candidate candidate = MakeCandidate(c);
      const CodeContext context = MakeContext(c, *script);
      const Result<ApplyResult> applied = ApplyCandidate(*script, candidate, context, ApplyOptions{});
      ASSERT_TRUE(applied.ok()) << file << " " << strategy << ": " << applied.error().message;
      ++rewrites;
      EXPECT_EQ(DroppedLines(*script, applied->rewritten), std::vector<std::string>{})
          << file << " " << strategy;
      const Result<PythonScript> again_script = ParsePythonScript(applied->rewritten);
      ASSERT_TRUE(again_script.ok()) << file << " " << strategy;
      const Result<ApplyResult> again = ApplyCandidate(*again_script, candidate, context, ApplyOptions{});
      ASSERT_TRUE(again.ok()) << file << " " << strategy << " (second application)";
      EXPECT_EQ(again->rewritten, applied->rewritten) << file << " " << strategy << ": not idempotent";
      const std::string out = dir.path() + "/" + std::to_string(written.size()) + ".py";
      testkit::WriteTextFile(out, WithoutMagics(applied->rewritten));
      written.emplace_back(out, file + " " + strategy);
    }
  }
  EXPECT_GE(rewrites, 8 * 28);
  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile check skipped";
  // One interpreter for all files: prints the index of each that fails.
  std::string list = dir.path() + "/files.txt";
  std::string names;
  for (const auto& [path, label] : written) names += path + "\n";
  testkit::WriteTextFile(list, names);
  const std::string report = dir.path() + "/failed.txt";
  const std::string command =
      "python3 -c \"import sys, py_compile\n"
      "for i, p in enumerate(open(sys.argv[1]).read().split()):\n"
      "    try: py_compile.compile(p, doraise=True)\n"
      "    except Exception as e: print(i, str(e).replace(chr(10), ' '))\" " +
      list + " >" + report + " 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << ReadFile(report);
  std::istringstream failed(ReadFile(report));
  std::string line;
  while (std::getline(failed, line)) {
    const size_t index = std::stoul(line.substr(0, line.find(' ')));
    ADD_FAILURE() << written.at(index).second << " does not compile: " << line;
  }
}

// What FindPipelines reports for the construction sites `apply` starts from.
struct SiteCase {
  const char* script;
  std::vector<PipelineSite> sites;
};

PipelineSite Site(std::string variable, std::string class_name, std::string method, std::string model_id,
                  std::string dtype, int line) {
  PipelineSite site;
  site.variable = std::move(variable);
  site.class_name = std::move(class_name);
  site.method = std::move(method);
  site.model_id = std::move(model_id);
  site.dtype = std::move(dtype);
  site.line = line;
  return site;
}

PipelineSite WithCall(PipelineSite site, std::optional<int> height, std::optional<int> width,
                      std::optional<int> frames, std::optional<int> steps, std::optional<int> batch) {
  site.height = height;
  site.width = width;
  site.frames = frames;
  site.steps = steps;
  site.batch = batch;
  return site;
}

TEST(ScriptApplyCorpusPipelines, FindPipelinesInCorpusScripts) {
  const std::optional<int> none;
  // clang-format off
  const std::vector<SiteCase> cases = {
    {"flux_offload_then_to_cuda.py",
     {WithCall(Site("pipe", "FluxPipeline", "from_pretrained", "black-forest-labs/FLUX.1-dev", "bf16", 7),
               1024, 1024, none, 50, none)}},
    {"fastapi_server_class.py",
     {Site("self.pipe", "AutoPipelineForText2Image", "from_pretrained",
           "stabilityai/stable-diffusion-xl-base-1.0", "fp16", 26)}},
    {"star_import_sdxl_refiner.py",
     {Site("base", "DiffusionPipeline", "from_pretrained", "stabilityai/stable-diffusion-xl-base-1.0", "fp16", 8),
      Site("refiner", "DiffusionPipeline", "from_pretrained", "stabilityai/stable-diffusion-xl-refiner-1.0",
           "fp16", 13)}},
    {"sdxl_single_file.py",
     {WithCall(Site("pipe", "StableDiffusionXLPipeline", "from_single_file",
                    "./models/juggernautXL_v9Rdphoto2Lightning.safetensors", "fp16", 11),
               none, none, none, 6, none)}},
    {"wan_model_and_group_offload.py",
     {WithCall(Site("pipe", "WanPipeline", "from_pretrained", "Wan-AI/Wan2.1-T2V-14B-Diffusers", "bf16", 12), 480, 832, 81, none, none)}},
    {"two_pipelines_flux_and_sd.py",
     {WithCall(Site("flux", "FluxPipeline", "from_pretrained", "black-forest-labs/FLUX.1-schnell", "bf16", 7),
               none, none, none, 4, none),
      WithCall(Site("sd", "StableDiffusionPipeline", "from_pretrained",
                    "stable-diffusion-v1-5/stable-diffusion-v1-5", "fp16", 10),
               none, none, none, 20, none)}},
    {"parenthesized_chain_offload.py",
     {WithCall(Site("pipe", "FluxPipeline", "from_pretrained", "black-forest-labs/FLUX.1-dev", "bf16", 8),
               none, none, none, 28, none)}},
    {"odd_formatting_offload.py",
     {WithCall(Site("pipe", "StableDiffusion3Pipeline", "from_pretrained", "stabilityai/stable-diffusion-3.5-medium",
                    "bf16", 10),
               none, none, none, 40, none)}},
    {"hunyuan_layerwise_then_component_dtype.py",  // the transformer's own from_pretrained is no pipeline
     {WithCall(Site("pipe", "HunyuanVideoPipeline", "from_pretrained", "hunyuanvideo-community/HunyuanVideo", "fp16",
                    11), 320, 512, 61, 30, none)}},
    {"bnb_components_correct.py",  // neither T5EncoderModel nor FluxTransformer2DModel is a pipeline
     {WithCall(Site("pipe", "FluxPipeline", "from_pretrained", "black-forest-labs/FLUX.1-dev", "bf16", 27),
               none, none, none, 28, none)}},
    {"layerwise_then_pipe_to_dtype_kw.py",
     {WithCall(Site("pipe", "CogView4Pipeline", "from_pretrained", "THUDM/CogView4-6B", "bf16", 7),
               1024, 1024, none, 50, 1)}},
    {"notebook_flux_schnell_fp16.py",
     {WithCall(Site("pipe", "FluxPipeline", "from_pretrained", "black-forest-labs/FLUX.1-schnell", "fp16", 21),
               none, none, none, 4, none)}},
  };
  // clang-format on
  for (const SiteCase& c : cases) {
    const Result<PythonScript> script = ParsePythonScript(ReadFile(std::string(kScriptsDir) + c.script));
    ASSERT_TRUE(script.ok()) << c.script;
    const std::vector<PipelineSite> sites = FindPipelines(*script);
    ASSERT_EQ(sites.size(), c.sites.size()) << c.script;
    for (size_t i = 0; i < sites.size(); ++i) {
      const PipelineSite& got = sites[i];
      const PipelineSite& want = c.sites[i];
      SCOPED_TRACE(std::string(c.script) + " site " + std::to_string(i));
      EXPECT_EQ(got.variable, want.variable);
      EXPECT_EQ(got.class_name, want.class_name);
      EXPECT_EQ(got.method, want.method);
      EXPECT_EQ(got.model_id, want.model_id);
      EXPECT_EQ(got.dtype, want.dtype);
      EXPECT_EQ(got.line, want.line);
      EXPECT_EQ(got.height, want.height);
      EXPECT_EQ(got.width, want.width);
      EXPECT_EQ(got.frames, want.frames);
      EXPECT_EQ(got.steps, want.steps);
      EXPECT_EQ(got.batch, want.batch);
    }
  }
}

TEST(ScriptApplyCorpusErrors, NoPipelineOrUnknownTargetIsNotFound) {
  const Result<PythonScript> plain = ParsePythonScript("import torch\nprint(torch.__version__)\n");
  ASSERT_TRUE(plain.ok());
  Candidate candidate;
  candidate.placement = Placement::kModelOffload;
  CodeContext context;
  const Result<ApplyResult> none = ApplyCandidate(*plain, candidate, context, ApplyOptions{});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  const Result<PythonScript> star =
      ParsePythonScript(ReadFile(std::string(kScriptsDir) + "star_import_sdxl_refiner.py"));
  ASSERT_TRUE(star.ok());
  ApplyOptions options;
  options.target = "upscaler";
  const Result<ApplyResult> missing = ApplyCandidate(*star, candidate, context, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pipefit
