#include "harnesses.h"

#include <cstdlib>
#include <string>

#include "pipefit/base/bytes.h"
#include "pipefit/base/file_system.h"
#include "pipefit/codegen/python_script.h"
#include "pipefit/codegen/script_apply.h"
#include "pipefit/codegen/script_check.h"
#include "pipefit/codegen/unified_diff.h"
#include "pipefit/doctor/advice.h"
#include "pipefit/doctor/oom_log.h"
#include "pipefit/formats/gguf.h"
#include "pipefit/formats/safetensors.h"
#include "pipefit/formats/sharded_index.h"
#include "pipefit/hardware/gpu_topology.h"
#include "pipefit/hardware/nvidia_smi.h"
#include "pipefit/net/http.h"
#include "pipefit/plan/candidate.h"
#include "pipefit/plan/machine_calibration.h"
#include "pipefit/plan/measurement.h"
#include "pipefit/plan/planner.h"
#include "pipefit/serve/api_request.h"
#include "pipefit/sources/hub_model.h"
#include "pipefit/sources/hub_protocol.h"
#include "pipefit/sources/pipeline_folder.h"
#include "pipefit/testing/safetensors_builder.h"

namespace pipefit::fuzz {

// The safetensors header (length prefix + JSON) as read
// From a file of arbitrary bytes.
void SafetensorsHeader(const uint8_t* data, size_t size) {
  pipefit::MemoryFileSystem fs;
  fs.AddFile("x.safetensors", std::string(reinterpret_cast<const char*>(data), size));
  (void)pipefit::ReadSafetensorsHeader(fs, "x.safetensors");
  // The JSON alone, against a data section of plausible size.
  (void)pipefit::ParseSafetensorsHeader(std::string_view(reinterpret_cast<const char*>(data), size), 1 << 20,
                                        "x");
}

// *.safetensors.index.json.
void ShardedIndex(const uint8_t* data, size_t size) {
  (void)pipefit::ParseShardedIndex(std::string_view(reinterpret_cast<const char*>(data), size), "index.json");
}

// A GGUF file of arbitrary bytes (header, KVs, tensor infos).
void GgufHeader(const uint8_t* data, size_t size) {
  pipefit::MemoryFileSystem fs;
  fs.AddFile("x.gguf", std::string(reinterpret_cast<const char*>(data), size));
  (void)pipefit::ReadGgufHeader(fs, "x.gguf");
}

// Model_index.json and config.json handling. The input is
// Split at the first NUL into a model_index.json and a transformer
// Config.json; the pipeline is loaded (with a tiny valid weight file),
// Measured and planned, so config values reach the planner's arithmetic.
void PipelineConfig(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string model_index = input.substr(0, nul);
  const std::string config = nul == std::string::npos ? "{}" : input.substr(nul + 1);
  pipefit::MemoryFileSystem fs;
  fs.AddFile("p/model_index.json", model_index);
  fs.AddFile("p/transformer/config.json", config);
  fs.AddFile("p/vae/config.json", config);
  const std::string weights =
      pipefit::testkit::SafetensorsBytes({{"transformer_blocks.0.attn.to_q.weight", "BF16", {64, 64}}});
  fs.AddFile("p/transformer/diffusion_pytorch_model.safetensors", weights);
  fs.AddFile("p/vae/diffusion_pytorch_model.safetensors", weights);
  auto pipeline = pipefit::LoadPipelineFolder(fs, "p", "");
  if (!pipeline.ok()) return;
  pipefit::PlanRequest request;
  request.hardware.vram = 24 * pipefit::kGiB;
  request.hardware.ram = 64 * pipefit::kGiB;
  auto context = pipefit::BuildPlanContext(*pipeline, request);
  if (context.ok()) (void)pipefit::Plan(*pipeline, request, *context);
}

// The Python script parser, `check` and `apply` on
// Arbitrary bytes.
void PythonScript(const uint8_t* data, size_t size) {
  auto script = pipefit::ParsePythonScript(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!script.ok()) return;
  (void)pipefit::CheckScript(*script, pipefit::ScriptModelFacts{});
  pipefit::Candidate candidate;
  candidate.weights = pipefit::WeightsKind::kBnbNf4;
  candidate.placement = pipefit::Placement::kModelOffload;
  candidate.quantized_components = {"transformer"};
  candidate.vae_tiling = true;
  pipefit::CodeContext context;
  context.pipeline_class = "FluxPipeline";
  auto applied = pipefit::ApplyCandidate(*script, candidate, context, {});
  if (applied.ok()) {
    (void)pipefit::UnifiedDiff(script->source, applied->rewritten, "a", "b");
    // Applying to the rewritten script must parse again.
    (void)pipefit::ParsePythonScript(applied->rewritten);
  }
}

// The OOM log parser and the advice rules.
void OomLog(const uint8_t* data, size_t size) {
  const pipefit::OomReport report =
      pipefit::ParseOomLog(std::string_view(reinterpret_cast<const char*>(data), size));
  (void)pipefit::AdviseOnOom(report);
}

// Human sizes on flags (--vram 12GiB) and strategy ids.
void SizeParse(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pipefit::ParseSize(text);
  std::string error;
  (void)pipefit::ParseStrategyId(text, &error);
}

// The Hub's answers: tree pages, revision info, Link and Location headers,
// and MODEL references. Invariant: a listed path is always safe to join
// under the cache folder.
void HubListing(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto files = pipefit::ParseTreePage(text, "fuzz");
  if (files.ok()) {
    for (const pipefit::HubFile& file : *files) {
      if (!pipefit::IsSafeRepoPath(file.path) || file.size < 0) std::abort();
    }
  }
  (void)pipefit::ParseRevisionInfo(text, "fuzz");
  const std::string header(text);
  (void)pipefit::NextLinkUrl(header);
  (void)pipefit::ResolveRedirect("https://hub.test/org/name/resolve/main/a.json", header);
  (void)pipefit::UrlOrigin(header);
  auto ref = pipefit::ParseHubReference(text, "https://hub.test");
  if (ref && !ref->path.empty() && !pipefit::IsSafeRepoPath(ref->path)) std::abort();
}

// A request body of `pipefit serve`'s API, for every endpoint. Invariant: no
// body can make the command write a file (--emit, --html, --write, --force)
// or pass more than one positional after "--".
void ApiRequest(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const pipefit::ApiEndpoint& endpoint : pipefit::ApiEndpoints()) {
    auto command = pipefit::TranslateApiRequest(endpoint, body);
    if (!command.ok()) continue;
    bool after_separator = false;
    size_t positionals = 0;
    for (const std::string& argument : command->arguments) {
      if (after_separator) {
        ++positionals;
        continue;
      }
      if (argument == "--") {
        after_separator = true;
        continue;
      }
      for (std::string_view forbidden : {"--emit", "--html", "--write", "--force"}) {
        if (argument.starts_with(forbidden)) __builtin_trap();
      }
    }
    if (positionals > 1) __builtin_trap();
  }
}

// What nvidia-smi prints: the GPU query's CSV and `topo -m`'s matrix.
// Invariant: every link names two distinct GPUs of the matrix, lower first.
void NvidiaSmi(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)pipefit::ParseNvidiaSmiCsv(text);
  auto topology = pipefit::ParseNvidiaSmiTopology(text);
  if (!topology.ok()) return;
  for (const pipefit::GpuLink& link : topology->links) {
    if (link.a < 0 || link.a >= link.b) __builtin_trap();
    (void)pipefit::DescribeTopology(*topology);
  }
}

// A pipefit.measure/1 document as `calibrate --ingest` reads it, then
// everything plans compute from it: peaks, the store key, the family's
// correction factors (which must stay within their clamp) and one
// candidate's calibrated estimate.
void Measurement(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto m = pipefit::ParseMeasurement(text, "fuzz.json");
  if (!m.ok()) return;
  (void)pipefit::PeakAllocated(*m);
  (void)pipefit::PeakReserved(*m);
  (void)pipefit::PeakRss(*m);
  (void)pipefit::StagePeakAllocated(*m, pipefit::Stage::kDenoise);
  if (pipefit::MeasurementKey(*m).empty()) __builtin_trap();
  pipefit::PlanHardware hardware;
  hardware.gpu = m->gpu_name;
  hardware.vram = m->gpu_total_memory;
  const std::vector<pipefit::Measurement> all = {*m};
  const pipefit::FamilyCorrection c = pipefit::FitFamilyCorrection(all, hardware, m->family);
  for (const std::optional<double>& f : {c.seconds, c.denoise, c.decode}) {
    if (f && !(*f >= pipefit::kMinFactor && *f <= pipefit::kMaxFactor)) __builtin_trap();
  }
  pipefit::Estimate estimate;
  estimate.vram = 10LL << 30;
  estimate.vram_allocated = 9LL << 30;
  estimate.seconds = 1;
  estimate.stages = {{pipefit::Stage::kDenoise, "transformer", 8LL << 30, 1LL << 30, 0}};
  pipefit::Candidate candidate;
  pipefit::PlannedConfiguration config{m->model_id, m->family, pipefit::LoadDType::kBF16, {}};
  pipefit::CalibrateEstimate(all, c, hardware, config, candidate, &estimate);
  if (estimate.vram < 0 || estimate.vram_allocated < 0 || !(estimate.seconds >= 0)) __builtin_trap();
}

Harness FindHarness(std::string_view target) {
  struct Row {
    std::string_view name;
    Harness harness;
  };
  static constexpr Row kRows[] = {
      {"safetensors_header", &SafetensorsHeader},
      {"sharded_index", &ShardedIndex},
      {"gguf_header", &GgufHeader},
      {"pipeline_config", &PipelineConfig},
      {"python_script", &PythonScript},
      {"oom_log", &OomLog},
      {"size_parse", &SizeParse},
      {"hub_listing", &HubListing},
      {"api_request", &ApiRequest},
      {"nvidia_smi", &NvidiaSmi},
      {"measurement", &Measurement},
  };
  for (const Row& row : kRows) {
    if (row.name == target) return row.harness;
  }
  return nullptr;
}

}  // namespace pipefit::fuzz
