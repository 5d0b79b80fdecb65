#include "pipefit/plan/measurement.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "pipefit/formats/json_object.h"
#include "pipefit/plan/candidate.h"

namespace pipefit {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Field readers: every error names the document and the field's path.
class Reader {
 public:
  explicit Reader(const std::string& origin) : origin_(origin) {}

  Error Bad(const std::string& path, std::string_view what) const {
    return Error{ErrorCode::kMalformed, fmt::format("{}: {} {}", origin_, path, what)};
  }

  Result<element> Field(object o, const std::string& path, const char* key) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS) return Bad(Join(path, key), "is missing");
    return e;
  }
  Result<object> Object(object o, const std::string& path, const char* key) const {
    PIPEFIT_ASSIGN_OR_RETURN(element e, Field(o, path, key));
    object out;
    if (e.get_object().get(out) != simdjson::SUCCESS) return Bad(Join(path, key), "must be an object");
    return out;
  }
  Result<array> Array(object o, const std::string& path, const char* key) const {
    PIPEFIT_ASSIGN_OR_RETURN(element e, Field(o, path, key));
    array out;
    if (e.get_array().get(out) != simdjson::SUCCESS) return Bad(Join(path, key), "must be an array");
    return out;
  }
  Result<std::string> String(object o, const std::string& path, const char* key) const {
    PIPEFIT_ASSIGN_OR_RETURN(element e, Field(o, path, key));
    std::string_view text;
    if (e.get_string().get(text) != simdjson::SUCCESS) return Bad(Join(path, key), "must be a string");
    if (text.size() > 4096) return Bad(Join(path, key), "is longer than 4096 bytes");
    return std::string(text);
  }
  // A string, or "" for null / absent.
  Result<std::string> OptionalString(object o, const std::string& path, const char* key) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::string();
    return String(o, path, key);
  }
  Result<int64_t> Integer(object o, const std::string& path, const char* key, int64_t low,
                          int64_t high) const {
    PIPEFIT_ASSIGN_OR_RETURN(element e, Field(o, path, key));
    return IntegerValue(e, Join(path, key), low, high);
  }
  Result<int64_t> IntegerValue(element e, const std::string& path, int64_t low, int64_t high) const {
    int64_t value = 0;
    uint64_t big = 0;
    double real = 0;
    if (e.get_int64().get(value) == simdjson::SUCCESS) {
    } else if (e.get_uint64().get(big) == simdjson::SUCCESS) {
      return Bad(path, "is out of range");
    } else if (e.get_double().get(real) == simdjson::SUCCESS && std::isfinite(real) &&
               real == std::floor(real) && std::fabs(real) < 9e15) {
      value = static_cast<int64_t>(real);
    } else {
      return Bad(path, "must be an integer");
    }
    if (value < low || value > high) return Bad(path, fmt::format("must be between {} and {}", low, high));
    return value;
  }
  // Non-negative bytes, or nullopt for null / absent.
  Result<std::optional<Bytes>> OptionalBytes(object o, const std::string& path, const char* key) const {
    element e;
    if (o[key].get(e) != simdjson::SUCCESS || e.is_null()) return std::optional<Bytes>();
    PIPEFIT_ASSIGN_OR_RETURN(int64_t value, IntegerValue(e, Join(path, key), 0, kMaxBytes));
    return std::optional<Bytes>(value);
  }
  Result<double> Seconds(object o, const std::string& path, const char* key) const {
    PIPEFIT_ASSIGN_OR_RETURN(element e, Field(o, path, key));
    double value = 0;
    if (e.get_double().get(value) != simdjson::SUCCESS) {
      int64_t whole = 0;
      if (e.get_int64().get(whole) != simdjson::SUCCESS) return Bad(Join(path, key), "must be a number");
      value = static_cast<double>(whole);
    }
    if (!std::isfinite(value) || value < 0 || value > 1e7)
      return Bad(Join(path, key), "must be 0 to 1e7 seconds");
    return value;
  }
  Result<bool> Bool(object o, const std::string& path, const char* key) const {
    PIPEFIT_ASSIGN_OR_RETURN(element e, Field(o, path, key));
    bool value = false;
    if (e.get_bool().get(value) != simdjson::SUCCESS) return Bad(Join(path, key), "must be true or false");
    return value;
  }

  static std::string Join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
  }

 private:
  // 1 PiB: larger is not a measurement.
  static constexpr int64_t kMaxBytes = int64_t{1} << 50;
  const std::string& origin_;
};

std::optional<Stage> ParseStage(std::string_view name) {
  for (Stage s : {Stage::kTextEncode, Stage::kEncode, Stage::kDenoise, Stage::kDecode, Stage::kLoad}) {
    if (name == StageName(s)) return s;
  }
  return std::nullopt;
}

Status ReadPipefit(const Reader& r, object root, Measurement& m) {
  const std::string p = "pipefit";
  PIPEFIT_ASSIGN_OR_RETURN(object o, r.Object(root, "", "pipefit"));
  PIPEFIT_ASSIGN_OR_RETURN(m.version, r.String(o, p, "version"));
  PIPEFIT_ASSIGN_OR_RETURN(m.model, r.String(o, p, "model"));
  PIPEFIT_ASSIGN_OR_RETURN(m.model_id, r.OptionalString(o, p, "model_id"));
  if (m.model_id.empty()) m.model_id = m.model;
  PIPEFIT_ASSIGN_OR_RETURN(m.pipeline_class, r.String(o, p, "pipeline_class"));
  PIPEFIT_ASSIGN_OR_RETURN(m.family, r.String(o, p, "family"));
  PIPEFIT_ASSIGN_OR_RETURN(m.strategy, r.String(o, p, "strategy"));
  std::string why;
  if (!ParseStrategyId(m.strategy, &why)) return r.Bad("pipefit.strategy", "is not a strategy id: " + why);
  PIPEFIT_ASSIGN_OR_RETURN(m.dtype, r.String(o, p, "dtype"));
  if (m.dtype != "bf16" && m.dtype != "fp16" && m.dtype != "fp32")
    return r.Bad("pipefit.dtype", "must be bf16, fp16 or fp32");
  PIPEFIT_ASSIGN_OR_RETURN(m.random_weights, r.Bool(o, p, "random_weights"));
  PIPEFIT_ASSIGN_OR_RETURN(object w, r.Object(o, p, "workload"));
  const std::string wp = "pipefit.workload";
  PIPEFIT_ASSIGN_OR_RETURN(int64_t height, r.Integer(w, wp, "height", 1, 1 << 16));
  PIPEFIT_ASSIGN_OR_RETURN(int64_t width, r.Integer(w, wp, "width", 1, 1 << 16));
  PIPEFIT_ASSIGN_OR_RETURN(int64_t frames, r.Integer(w, wp, "frames", 1, 1 << 16));
  PIPEFIT_ASSIGN_OR_RETURN(int64_t batch, r.Integer(w, wp, "batch", 1, 4096));
  PIPEFIT_ASSIGN_OR_RETURN(int64_t steps, r.Integer(w, wp, "steps", 1, 100000));
  m.height = static_cast<int>(height);
  m.width = static_cast<int>(width);
  m.frames = static_cast<int>(frames);
  m.batch = static_cast<int>(batch);
  m.steps = static_cast<int>(steps);
  PIPEFIT_ASSIGN_OR_RETURN(object pred, r.Object(o, p, "predicted"));
  const std::string pp = "pipefit.predicted";
  PIPEFIT_ASSIGN_OR_RETURN(auto vram, r.OptionalBytes(pred, pp, "vram"));
  PIPEFIT_ASSIGN_OR_RETURN(auto allocated, r.OptionalBytes(pred, pp, "vram_allocated"));
  PIPEFIT_ASSIGN_OR_RETURN(auto ram, r.OptionalBytes(pred, pp, "ram"));
  if (!vram || !allocated || !ram) return r.Bad(pp, "needs vram, vram_allocated and ram");
  m.predicted_vram = *vram;
  m.predicted_vram_allocated = *allocated;
  m.predicted_ram = *ram;
  PIPEFIT_ASSIGN_OR_RETURN(m.predicted_seconds, r.Seconds(pred, pp, "seconds"));
  PIPEFIT_ASSIGN_OR_RETURN(array stages, r.Array(pred, pp, "stages"));
  size_t i = 0;
  for (element e : stages) {
    const std::string sp = fmt::format("{}.stages[{}]", pp, i++);
    object so;
    if (e.get_object().get(so) != simdjson::SUCCESS) return r.Bad(sp, "must be an object");
    PredictedStage s;
    PIPEFIT_ASSIGN_OR_RETURN(std::string name, r.String(so, sp, "stage"));
    auto stage = ParseStage(name);
    if (!stage) return r.Bad(sp + ".stage", "is not a stage name");
    s.stage = *stage;
    PIPEFIT_ASSIGN_OR_RETURN(s.component, r.OptionalString(so, sp, "component"));
    for (auto [key, out] : {std::pair{"weights", &s.weights}, std::pair{"activations", &s.activations},
                            std::pair{"transient", &s.transient}}) {
      PIPEFIT_ASSIGN_OR_RETURN(auto bytes, r.OptionalBytes(so, sp, key));
      if (!bytes) return r.Bad(Reader::Join(sp, key), "is missing");
      *out = *bytes;
    }
    m.predicted_stages.push_back(std::move(s));
  }
  return OkStatus();
}

Status ReadEnvironment(const Reader& r, object root, Measurement& m) {
  PIPEFIT_ASSIGN_OR_RETURN(object env, r.Object(root, "", "environment"));
  const std::string p = "environment";
  PIPEFIT_ASSIGN_OR_RETURN(m.device, r.String(env, p, "device"));
  if (!m.device.starts_with("cuda") && m.device != "cpu")
    return r.Bad("environment.device", "must be cuda or cpu");
  PIPEFIT_ASSIGN_OR_RETURN(object packages, r.Object(env, p, "packages"));
  for (auto field : packages) {
    std::string_view version;
    if (field.value.get_string().get(version) == simdjson::SUCCESS && version.size() < 128)
      m.packages[std::string(field.key)] = std::string(version);
  }
  element gpu;
  if (env["gpu"].get(gpu) == simdjson::SUCCESS && !gpu.is_null()) {
    object g;
    if (gpu.get_object().get(g) != simdjson::SUCCESS)
      return r.Bad("environment.gpu", "must be an object or null");
    const std::string gp = "environment.gpu";
    PIPEFIT_ASSIGN_OR_RETURN(m.gpu_name, r.String(g, gp, "name"));
    PIPEFIT_ASSIGN_OR_RETURN(auto total, r.OptionalBytes(g, gp, "total_memory"));
    if (!total || *total == 0) return r.Bad("environment.gpu.total_memory", "must be a positive integer");
    m.gpu_total_memory = *total;
    PIPEFIT_ASSIGN_OR_RETURN(m.gpu_capability, r.OptionalString(g, gp, "capability"));
    PIPEFIT_ASSIGN_OR_RETURN(m.gpu_driver, r.OptionalString(g, gp, "driver"));
  }
  if (m.device.starts_with("cuda") && m.gpu_name.empty())
    return r.Bad("environment.gpu", "is missing for a cuda measurement");
  return OkStatus();
}

Status ReadStages(const Reader& r, object root, Measurement& m) {
  PIPEFIT_ASSIGN_OR_RETURN(array stages, r.Array(root, "", "stages"));
  size_t i = 0;
  for (element e : stages) {
    const std::string sp = fmt::format("stages[{}]", i++);
    object so;
    if (e.get_object().get(so) != simdjson::SUCCESS) return r.Bad(sp, "must be an object");
    MeasuredStage s;
    PIPEFIT_ASSIGN_OR_RETURN(std::string name, r.String(so, sp, "name"));
    auto stage = ParseStage(name);
    if (!stage)
      return r.Bad(sp + ".name", "is not a stage name (load, text_encode, encode, denoise, decode)");
    s.stage = *stage;
    PIPEFIT_ASSIGN_OR_RETURN(s.component, r.OptionalString(so, sp, "component"));
    for (auto [key, out] : {std::pair{"index", &s.index}, std::pair{"call", &s.call}}) {
      element v;
      if (so[key].get(v) == simdjson::SUCCESS && !v.is_null()) {
        PIPEFIT_ASSIGN_OR_RETURN(int64_t value, r.IntegerValue(v, Reader::Join(sp, key), 0, 1000000));
        *out = static_cast<int>(value);
      }
    }
    PIPEFIT_ASSIGN_OR_RETURN(s.seconds, r.Seconds(so, sp, "seconds"));
    PIPEFIT_ASSIGN_OR_RETURN(s.max_allocated, r.OptionalBytes(so, sp, "max_memory_allocated"));
    PIPEFIT_ASSIGN_OR_RETURN(s.max_reserved, r.OptionalBytes(so, sp, "max_memory_reserved"));
    PIPEFIT_ASSIGN_OR_RETURN(s.device_free, r.OptionalBytes(so, sp, "device_free"));
    PIPEFIT_ASSIGN_OR_RETURN(s.rss, r.OptionalBytes(so, sp, "rss"));
    PIPEFIT_ASSIGN_OR_RETURN(s.rss_peak, r.OptionalBytes(so, sp, "rss_peak"));
    m.stages.push_back(std::move(s));
  }
  PIPEFIT_ASSIGN_OR_RETURN(array calls, r.Array(root, "", "calls"));
  i = 0;
  for (element e : calls) {
    const std::string cp = fmt::format("calls[{}]", i++);
    object co;
    if (e.get_object().get(co) != simdjson::SUCCESS) return r.Bad(cp, "must be an object");
    MeasuredCall c;
    PIPEFIT_ASSIGN_OR_RETURN(c.seconds, r.Seconds(co, cp, "seconds"));
    PIPEFIT_ASSIGN_OR_RETURN(c.max_allocated, r.OptionalBytes(co, cp, "max_memory_allocated"));
    PIPEFIT_ASSIGN_OR_RETURN(c.max_reserved, r.OptionalBytes(co, cp, "max_memory_reserved"));
    PIPEFIT_ASSIGN_OR_RETURN(c.min_device_free, r.OptionalBytes(co, cp, "min_device_free"));
    PIPEFIT_ASSIGN_OR_RETURN(c.rss_peak, r.OptionalBytes(co, cp, "rss_peak"));
    m.calls.push_back(c);
  }
  return OkStatus();
}

template <typename Get>
std::optional<Bytes> MaxOver(const Measurement& m, Get get) {
  std::optional<Bytes> best;
  auto fold = [&best](const std::optional<Bytes>& v) {
    if (v) best = std::max(best.value_or(0), *v);
  };
  for (const MeasuredStage& s : m.stages) fold(get(s));
  return best;
}

std::string Slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '+' || c == '_';
    out += keep ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : '-';
  }
  return out;
}

}  // namespace

Result<Measurement> ParseMeasurement(std::string_view json, const std::string& origin) {
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(object root, ParseJsonObject(parser, json, origin));
  const Reader r(origin);
  Measurement m;
  PIPEFIT_ASSIGN_OR_RETURN(std::string schema, r.String(root, "", "schema"));
  if (schema != kMeasureSchema) {
    return r.Bad("schema", fmt::format("is '{}', not '{}' (a file `pipefit measure`'s probe writes)", schema,
                                       kMeasureSchema));
  }
  PIPEFIT_ASSIGN_OR_RETURN(m.status, r.String(root, "", "status"));
  if (m.status != "ok" && m.status != "oom" && m.status != "error")
    return r.Bad("status", "must be ok, oom or error");
  PIPEFIT_RETURN_IF_ERROR(ReadPipefit(r, root, m));
  element error;
  if (root["error"].get(error) == simdjson::SUCCESS && !error.is_null()) {
    object eo;
    if (error.get_object().get(eo) != simdjson::SUCCESS) return r.Bad("error", "must be an object or null");
    PIPEFIT_ASSIGN_OR_RETURN(m.error_type, r.OptionalString(eo, "error", "type"));
    PIPEFIT_ASSIGN_OR_RETURN(m.error_message, r.OptionalString(eo, "error", "message"));
    PIPEFIT_ASSIGN_OR_RETURN(m.error_stage, r.OptionalString(eo, "error", "stage"));
  }
  element env;
  if (root["environment"].get(env) == simdjson::SUCCESS && env.is_null()) {
    // The probe failed before it could read the machine (no torch, no GPU).
    if (m.status == "ok") return r.Bad("environment", "is null in a run whose status is ok");
    return m;
  }
  PIPEFIT_RETURN_IF_ERROR(ReadEnvironment(r, root, m));
  PIPEFIT_ASSIGN_OR_RETURN(m.rss_peak_scope, r.OptionalString(root, "", "rss_peak_scope"));
  PIPEFIT_RETURN_IF_ERROR(ReadStages(r, root, m));
  if (m.status == "ok") {
    if (m.calls.empty()) return r.Bad("calls", "is empty in a run whose status is ok");
    if (m.stages.empty()) return r.Bad("stages", "is empty in a run whose status is ok");
    if (m.device.starts_with("cuda") && (!PeakAllocated(m) || !PeakReserved(m)))
      return r.Bad("stages", "carry no max_memory_allocated / max_memory_reserved in a cuda run");
  }
  return m;
}

std::optional<Bytes> PeakAllocated(const Measurement& m) {
  auto best = MaxOver(m, [](const MeasuredStage& s) { return s.max_allocated; });
  for (const MeasuredCall& c : m.calls)
    if (c.max_allocated) best = std::max(best.value_or(0), *c.max_allocated);
  return best;
}

std::optional<Bytes> PeakReserved(const Measurement& m) {
  auto best = MaxOver(m, [](const MeasuredStage& s) { return s.max_reserved; });
  for (const MeasuredCall& c : m.calls)
    if (c.max_reserved) best = std::max(best.value_or(0), *c.max_reserved);
  return best;
}

std::optional<Bytes> PeakRss(const Measurement& m) {
  auto best = MaxOver(m, [](const MeasuredStage& s) { return s.rss_peak; });
  for (const MeasuredCall& c : m.calls)
    if (c.rss_peak) best = std::max(best.value_or(0), *c.rss_peak);
  return best;
}

double CallSeconds(const Measurement& m) { return m.calls.empty() ? 0 : m.calls.back().seconds; }

std::optional<Bytes> StagePeakAllocated(const Measurement& m, Stage stage) {
  const int last = static_cast<int>(m.calls.size()) - 1;
  std::optional<Bytes> best;
  for (const MeasuredStage& s : m.stages) {
    if (s.stage != stage || s.call != last || !s.max_allocated) continue;
    best = std::max(best.value_or(0), *s.max_allocated);
  }
  return best;
}

const PredictedStage* PredictedStagePeak(const Measurement& m, Stage stage) {
  const PredictedStage* best = nullptr;
  for (const PredictedStage& s : m.predicted_stages) {
    if (s.stage != stage) continue;
    if (best == nullptr ||
        s.weights + s.activations + s.transient > best->weights + best->activations + best->transient)
      best = &s;
  }
  return best;
}

bool IsMeasurementFile(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string_view name = std::string_view(path).substr(slash == std::string::npos ? 0 : slash + 1);
  return name.size() > 5 && name.ends_with(".json") && name != "environment.json";
}

std::string MeasurementKey(const Measurement& m) {
  return Slug(fmt::format("{}-{}gib--{}--{}--{}--{}x{}x{}-b{}-s{}{}",
                          m.gpu_name.empty() ? m.device : m.gpu_name, m.gpu_total_memory >> 30, m.model,
                          m.dtype, m.strategy, m.width, m.height, m.frames, m.batch, m.steps,
                          m.random_weights ? "--random" : ""));
}

}  // namespace pipefit
