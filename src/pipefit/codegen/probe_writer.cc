#include "pipefit/codegen/probe_writer.h"

#include <nlohmann/json.hpp>
#include <string_view>

#include "pipefit/base/text.h"
#include "pipefit/base/version.h"
#include "pipefit/catalog/embedded_data.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/codegen/weights_code.h"

namespace pipefit {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kTemplatePath = "probe/probe.py";
// Stands for the random checkpoint's folder in the candidate's code.
constexpr const char* kCheckpointMarker = "@@PIPEFIT_RANDOM_CHECKPOINT@@";

std::string_view ProbeTemplate() {
  for (const EmbeddedFile& file : EmbeddedDataFiles()) {
    if (file.path == kTemplatePath) return file.data;
  }
  return {};
}

// Every line of `code` indented by four spaces (blank lines stay blank).
std::string Indent(std::string_view code) {
  std::string out;
  size_t start = 0;
  while (start < code.size()) {
    size_t end = code.find('\n', start);
    if (end == std::string_view::npos) end = code.size();
    const std::string_view line = code.substr(start, end - start);
    if (!line.empty()) out += "    " + std::string(line);
    out += "\n";
    start = end + 1;
  }
  return out;
}

// The candidate's code places on "cuda"; the probe's `device` argument
// stands in for it (cpu for the smoke test).
std::string OnDevice(std::string code) {
  for (const std::string_view literal : {std::string_view("\"cuda\"")}) {
    size_t at = 0;
    while ((at = code.find(literal, at)) != std::string::npos) {
      code.replace(at, literal.size(), "device");
      at += 6;
    }
  }
  return code;
}

// Replaces the template line holding `marker` with `text` (which ends in a
// newline); false when the marker is missing.
bool ReplaceMarkerLine(std::string& text, std::string_view marker, const std::string& replacement) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return false;
  const size_t begin = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  size_t end = text.find('\n', at);
  end = end == std::string::npos ? text.size() : end + 1;
  text.replace(begin, end - begin, replacement);
  return true;
}

Json PredictionJson(const PlannedCandidate& chosen) {
  const Estimate& e = chosen.estimate;
  Json stages = Json::array();
  for (const StagePeak& s : e.stages) {
    stages.push_back({{"stage", StageName(s.stage)},
                      {"component", s.component},
                      {"weights", s.weights},
                      {"activations", s.activations},
                      {"transient", s.transient},
                      {"allocated", s.allocated()}});
  }
  return {{"vram", e.vram},      {"vram_allocated", e.vram_allocated},
          {"ram", e.ram},        {"seconds", e.seconds},
          {"fits", chosen.fits}, {"stages", stages}};
}

bool IsSchedulerClass(std::string_view name) { return name.ends_with("Scheduler"); }
bool IsTokenizerClass(std::string_view name) { return name.find("Tokenizer") != std::string_view::npos; }

// The text encoder a tokenizer feeds: tokenizer_2 -> text_encoder_2.
const Component* EncoderFor(const Pipeline& pipeline, const std::string& tokenizer) {
  const std::string suffix = tokenizer.substr(std::string_view("tokenizer").size());
  for (const Component& c : pipeline.components) {
    if (c.name == "text_encoder" + suffix) return &c;
  }
  return nullptr;
}

// vocab_size and a max length from the encoder's config (top level, else
// its text_config): CLIP's max_position_embeddings (77); 512 otherwise,
// the length T5-family tokenizers declare.
Result<std::pair<int64_t, int64_t>> TokenizerShape(const Pipeline& pipeline, const Component& tokenizer) {
  const Component* encoder = EncoderFor(pipeline, tokenizer.name);
  if (encoder == nullptr || encoder->config.json.empty()) {
    return MakeErrorf(ErrorCode::kNotFound,
                      "--random-weights: tokenizer '{}' has no text encoder config to take its vocabulary "
                      "size from",
                      tokenizer.name);
  }
  const Json config = Json::parse(encoder->config.json, nullptr, false);
  auto find = [&config](const char* key) -> std::optional<int64_t> {
    for (const Json* scope : {&config, config.contains("text_config") ? &config["text_config"] : nullptr}) {
      if (scope != nullptr && scope->is_object() && scope->contains(key) && (*scope)[key].is_number_integer())
        return (*scope)[key].get<int64_t>();
    }
    return std::nullopt;
  };
  const auto vocab = find("vocab_size");
  if (!vocab || *vocab <= 0) {
    return MakeErrorf(ErrorCode::kNotFound, "--random-weights: {}'s config has no vocab_size", encoder->name);
  }
  const bool clip = encoder->class_name.starts_with("CLIP");
  const int64_t length = clip ? find("max_position_embeddings").value_or(77) : 512;
  return std::pair<int64_t, int64_t>{*vocab, length};
}

Result<Json> RandomComponents(const Pipeline& pipeline) {
  Json components = Json::object();
  for (const Component& c : pipeline.components) {
    Json spec = {{"library", c.library}, {"class", c.class_name}};
    if (IsSchedulerClass(c.class_name) || IsTokenizerClass(c.class_name) || c.format == WeightFormat::kNone) {
      if (IsSchedulerClass(c.class_name)) {
        if (c.config.json.empty()) {
          return MakeErrorf(
              ErrorCode::kNotFound,
              "--random-weights: scheduler '{}' ({}) has no scheduler_config.json to build it from "
              "(pipefit does not fetch it from the Hub: measure the catalog entry, or a local or "
              "HF-cache copy)",
              c.name, c.class_name);
        }
        spec["kind"] = "scheduler";
      } else if (IsTokenizerClass(c.class_name)) {
        PIPEFIT_ASSIGN_OR_RETURN(auto shape, TokenizerShape(pipeline, c));
        spec["kind"] = "tokenizer";
        spec["vocab_size"] = shape.first;
        spec["model_max_length"] = shape.second;
      } else {
        spec["kind"] = "absent";  // processors, feature extractors: not used by text-to-image/video
      }
    } else {
      if (c.config.json.empty()) {
        return MakeErrorf(ErrorCode::kNotFound,
                          "--random-weights: component '{}' ({}) has no config.json to build it from", c.name,
                          c.class_name);
      }
      if (c.library != "diffusers" && c.library != "transformers") {
        return MakeErrorf(ErrorCode::kUsage,
                          "--random-weights: component '{}' comes from library '{}'; only diffusers and "
                          "transformers classes can be built from a config",
                          c.name, c.library);
      }
      spec["kind"] = "model";
    }
    if (spec["kind"] != "tokenizer" && spec["kind"] != "absent") {
      Json config = Json::parse(c.config.json, nullptr, false);
      if (config.is_discarded() || !config.is_object()) {
        return MakeErrorf(ErrorCode::kMalformed, "component '{}': its config is not a JSON object", c.name);
      }
      spec["config"] = std::move(config);
    }
    components[c.name] = std::move(spec);
  }
  return components;
}

// model_index.json's pipeline-level settings: every key that is not
// private ("_class_name") and not a [library, class] component entry.
Json PipelineSettings(const Pipeline& pipeline) {
  Json settings = Json::object();
  const Json index = Json::parse(pipeline.model_index_json, nullptr, false);
  if (!index.is_object()) return settings;
  for (const auto& [key, value] : index.items()) {
    if (key.empty() || key.front() == '_') continue;
    const bool component = value.is_array() && value.size() == 2 &&
                           (value[0].is_string() || value[0].is_null()) &&
                           (value[1].is_string() || value[1].is_null());
    if (!component) settings[key] = value;
  }
  return settings;
}

Status CheckMeasurable(const PlanResult& plan, const PlannedCandidate& chosen, const ProbeOptions& options) {
  const Candidate& candidate = chosen.candidate;
  if (candidate.parallel.kind != ParallelKind::kNone) {
    return MakeErrorf(ErrorCode::kUsage,
                      "measure: {} spreads over {} GPUs; the probe measures one process on one GPU (measure "
                      "the single-GPU candidate it extends)",
                      candidate.Id(), candidate.parallel.degree);
  }
  if (options.random_weights && candidate.weights == WeightsKind::kGguf) {
    return MakeErrorf(
        ErrorCode::kUsage,
        "measure --random-weights: {} loads a GGUF file, whose quantized blocks random weights "
        "cannot stand in for; measure it without --random-weights (the .gguf file is downloaded)",
        candidate.Id());
  }
  if (options.random_weights && !plan.code_context.known_call) {
    return MakeErrorf(ErrorCode::kUsage,
                      "measure --random-weights: pipefit has no call arguments for {}; random weights need a "
                      "known text-to-image or text-to-video pipeline",
                      plan.pipeline_class.empty() ? "this pipeline" : plan.pipeline_class);
  }
  if (options.calls < 1) return MakeErrorf(ErrorCode::kUsage, "--calls must be at least 1");
  return OkStatus();
}

}  // namespace

Result<std::string> WriteProbe(const Pipeline& pipeline, const PlanResult& plan,
                               const PlannedCandidate& chosen, const ProbeOptions& options) {
  PIPEFIT_RETURN_IF_ERROR(CheckMeasurable(plan, chosen, options));
  const Candidate& candidate = chosen.candidate;
  const CodeContext& context = plan.code_context;
  const Workload& w = plan.workload;
  Json spec;
  spec["pipefit"] = {
      {"version", kPipefitVersion},
      {"model", plan.model},
      {"model_id", context.model_id},
      {"revision", context.revision},
      {"pipeline_class", plan.pipeline_class},
      {"denoiser", context.denoiser},
      {"family", context.denoiser_class},
      {"strategy", candidate.Id()},
      {"dtype", LoadDTypeName(plan.load_dtype)},
      {"random_weights", options.random_weights},
      {"workload",
       {{"height", w.height},
        {"width", w.width},
        {"frames", w.frames},
        {"batch", w.batch},
        {"steps", w.steps}}},
      {"planned_gpu", plan.hardware.gpu},
      {"planned_vram", plan.hardware.vram},
      {"predicted", PredictionJson(chosen)},
  };
  spec["calls"] = options.calls;
  if (options.random_weights) {
    PIPEFIT_ASSIGN_OR_RETURN(Json components, RandomComponents(pipeline));
    spec["components"] = std::move(components);
  } else {
    spec["components"] = Json::object();
  }
  spec["pipeline_settings"] = options.random_weights ? PipelineSettings(pipeline) : Json::object();

  std::string probe(ProbeTemplate());
  if (probe.empty())
    return MakeErrorf(ErrorCode::kUnsupported, "the probe template {} is not embedded in this build",
                      kTemplatePath);

  std::string header = "# Generated by pipefit " + std::string(kPipefitVersion) +
                       " (pipefit measure): strategy " + candidate.Id() + " for " + CommentSafe(plan.model) +
                       (options.random_weights ? ", random weights built from the configs" : "") + ".\n";
  header += "# Needs: torch diffusers transformers accelerate";
  if (candidate.weights == WeightsKind::kBnbInt8 || candidate.weights == WeightsKind::kBnbNf4)
    header += " bitsandbytes";
  if (candidate.weights == WeightsKind::kTorchaoInt8wo || candidate.weights == WeightsKind::kTorchaoFp8wo ||
      candidate.weights == WeightsKind::kTorchaoInt4wo)
    header += " torchao";
  if (candidate.weights == WeightsKind::kGguf) header += " gguf";
  if (CandidateCode(candidate, context).find("device_map=\"cpu\"") != std::string::npos)
    header += " (diffusers >= 0.37 for device_map=\"cpu\")";
  header += "\n# Run:   python THIS_FILE --out result.json, then: pipefit calibrate --ingest result.json\n";

  // prepare() builds what random weights need before the load stage opens
  // (so building them is not timed as loading); load_pipeline() is the
  // candidate's code.
  std::string prepare = "return None\n";
  std::string load = ImportCode(candidate, context);
  if (options.random_weights && IsQuantized(candidate.weights)) {
    // from_pretrained quantizes while loading: it loads a random checkpoint
    // of the quantized components (random_checkpoint in the template), with
    // the candidate's own call.
    CodeContext random = context;
    random.model_id = kCheckpointMarker;
    random.revision.clear();
    prepare = "return random_checkpoint(torch, " + std::string(TorchDTypeExpr(context.dtype)) + ", " +
              PythonList(WeightsTargets(candidate, context)) + ", scratch)\n";
    load += "checkpoint, random_components = prepared\n";
    std::string code = CandidateCode(candidate, random);
    const std::string marker = PythonString(kCheckpointMarker);
    const size_t at = code.find(marker);
    if (at == std::string::npos) {
      return MakeErrorf(ErrorCode::kUnsupported,
                        "measure --random-weights: {} does not load through from_pretrained", candidate.Id());
    }
    code.replace(at, marker.size(), "checkpoint, **random_components");
    load += code;
  } else if (options.random_weights) {
    prepare = "return build_random_components(torch, " + std::string(TorchDTypeExpr(context.dtype)) + ")\n";
    load += "pipe = assemble_random_pipeline(prepared)\n";
    load += PostLoadCode(candidate, context);
  } else {
    load += CandidateCode(candidate, context);
  }
  std::string call = PromptCode();
  call += "pipe(\n" + PipelineCallArguments(context) + ")\n";

  bool ok = ReplaceMarkerLine(probe, "# @@HEADER@@", header);
  ok = ok && ReplaceMarkerLine(probe, "# @@SPEC@@", "SPEC = json.loads(" + PythonString(spec.dump()) + ")\n");
  ok = ok && ReplaceMarkerLine(probe, "# @@PREPARE@@", Indent(prepare));
  ok = ok && ReplaceMarkerLine(probe, "# @@LOAD@@", Indent(OnDevice(load)));
  ok = ok && ReplaceMarkerLine(probe, "# @@CALL@@", Indent(call));
  if (!ok)
    return MakeErrorf(ErrorCode::kUnsupported, "the probe template {} lacks a marker (a broken build)",
                      kTemplatePath);
  return probe;
}

}  // namespace pipefit
