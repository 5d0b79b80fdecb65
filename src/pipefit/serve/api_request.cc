#include "pipefit/serve/api_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace pipefit {
namespace {

// How a body field reaches the command.
enum class FieldKind {
  kPositional,  // the command's MODEL, after "--"
  kString,      // --flag=value
  kInteger,     // --flag=N, 1 … kMaxApiInteger
  kSwitch,      // --flag when true
  kStdin,       // text on stdin (doctor's log)
  kScript,      // text written to script.py, passed as the positional SCRIPT
  kScriptFlag,  // text written to script.py, passed as --flag=script.py
};

struct ApiField {
  std::string_view command;  // the subcommand it belongs to
  std::string_view name;     // the body's key
  FieldKind kind;
  std::string_view flag;  // for kString, kInteger, kSwitch and kScriptFlag
  bool required = false;
};

constexpr ApiEndpoint kEndpoints[] = {
    {"/api/plan", ApiMethod::kPost, "plan", "pipefit.plan/1", "every way to run a model on a GPU"},
    {"/api/inspect", ApiMethod::kPost, "inspect", "pipefit.inspect/1", "a model's components, measured"},
    {"/api/doctor", ApiMethod::kPost, "doctor", "pipefit.doctor/1", "triage an out-of-memory log"},
    {"/api/check", ApiMethod::kPost, "check", "pipefit.check/1", "lint a diffusers script"},
    {"/api/apply", ApiMethod::kPost, "apply", "pipefit.apply/1", "rewrite a script for a candidate"},
    {"/api/gpus", ApiMethod::kGet, "gpus", "pipefit.gpus/1", "the GPU catalog"},
    {"/api/catalog", ApiMethod::kGet, "catalog", "pipefit.catalog/1", "the built-in pipelines"},
    {"/api/hw", ApiMethod::kGet, "hw", "pipefit.hw/1", "this machine's GPUs and RAM"},
};

// The hardware and workload flags plan, doctor and apply share (CLI:
// AddHardwareOptions).
#define PIPEFIT_WORKLOAD_FIELDS(cmd)                                                                    \
  {cmd, "gpu", FieldKind::kString, "--gpu"}, {cmd, "vram", FieldKind::kString, "--vram"},               \
      {cmd, "ram", FieldKind::kString, "--ram"}, {cmd, "height", FieldKind::kInteger, "--height"},      \
      {cmd, "width", FieldKind::kInteger, "--width"}, {cmd, "frames", FieldKind::kInteger, "--frames"}, \
      {cmd, "batch", FieldKind::kInteger, "--batch"}, {cmd, "steps", FieldKind::kInteger, "--steps"},   \
      {cmd, "activation", FieldKind::kString, "--activation"},                                          \
      {cmd, "quality", FieldKind::kString, "--quality"}, {                                              \
    cmd, "offline", FieldKind::kSwitch, "--offline"                                                     \
  }

constexpr ApiField kFields[] = {
    {"plan", "model", FieldKind::kPositional, ""},
    {"plan", "dtype", FieldKind::kString, "--dtype"},
    {"plan", "variant", FieldKind::kString, "--variant"},
    {"plan", "prefer", FieldKind::kString, "--prefer"},
    {"plan", "strategy", FieldKind::kString, "--strategy"},
    {"plan", "all", FieldKind::kSwitch, "--all"},
    PIPEFIT_WORKLOAD_FIELDS("plan"),
    {"inspect", "model", FieldKind::kPositional, ""},
    {"inspect", "dtype", FieldKind::kString, "--dtype"},
    {"inspect", "variant", FieldKind::kString, "--variant"},
    {"inspect", "offline", FieldKind::kSwitch, "--offline"},
    {"doctor", "log", FieldKind::kStdin, "", true},
    {"doctor", "script", FieldKind::kScriptFlag, "--script"},
    {"doctor", "model", FieldKind::kString, "--model"},
    {"doctor", "dtype", FieldKind::kString, "--dtype"},
    PIPEFIT_WORKLOAD_FIELDS("doctor"),
    {"check", "script", FieldKind::kScript, "", true},
    {"check", "model", FieldKind::kString, "--model"},
    {"apply", "script", FieldKind::kScript, "", true},
    {"apply", "strategy", FieldKind::kString, "--strategy"},
    {"apply", "prefer", FieldKind::kString, "--prefer"},
    {"apply", "target", FieldKind::kString, "--target"},
    {"apply", "model", FieldKind::kString, "--model"},
    {"apply", "dtype", FieldKind::kString, "--dtype"},
    PIPEFIT_WORKLOAD_FIELDS("apply"),
};
#undef PIPEFIT_WORKLOAD_FIELDS

std::string_view TypeName(FieldKind kind) {
  switch (kind) {
    case FieldKind::kInteger:
      return "integer";
    case FieldKind::kSwitch:
      return "boolean";
    case FieldKind::kStdin:
    case FieldKind::kScript:
    case FieldKind::kScriptFlag:
      return "text";
    case FieldKind::kPositional:
    case FieldKind::kString:
      break;
  }
  return "string";
}

bool IsText(FieldKind kind) {
  return kind == FieldKind::kStdin || kind == FieldKind::kScript || kind == FieldKind::kScriptFlag;
}

// A short value: no control characters (they have no business in a model id
// or GPU name, and would make messages misleading).
Status CheckShortValue(std::string_view name, const std::string& value) {
  if (value.empty()) return MakeErrorf(ErrorCode::kUsage, "field '{}' is empty (leave it out instead)", name);
  if (value.size() > kMaxApiFieldBytes) {
    return MakeErrorf(ErrorCode::kUsage, "field '{}' is longer than {} bytes", name, kMaxApiFieldBytes);
  }
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      return MakeErrorf(ErrorCode::kUsage, "field '{}' contains a control character", name);
    }
  }
  return OkStatus();
}

Status CheckText(std::string_view name, const std::string& value) {
  if (value.size() > kMaxApiTextBytes) {
    return MakeErrorf(ErrorCode::kUsage, "field '{}' is larger than {} MiB", name, kMaxApiTextBytes >> 20);
  }
  if (value.find('\0') != std::string::npos) {
    return MakeErrorf(ErrorCode::kUsage, "field '{}' contains a NUL byte", name);
  }
  return OkStatus();
}

const ApiField* FindField(std::string_view command, std::string_view name) {
  for (const ApiField& field : kFields) {
    if (field.command == command && field.name == name) return &field;
  }
  return nullptr;
}

// Adds one field's value to the command.
Status AddField(const ApiField& field, const nlohmann::json& value, ApiCommand& command,
                std::vector<std::string>& positionals) {
  const std::string name(field.name);
  switch (field.kind) {
    case FieldKind::kSwitch:
      if (!value.is_boolean()) return MakeErrorf(ErrorCode::kUsage, "field '{}' must be true or false", name);
      if (value.get<bool>()) command.arguments.emplace_back(field.flag);
      return OkStatus();
    case FieldKind::kInteger: {
      if (!value.is_number_integer())
        return MakeErrorf(ErrorCode::kUsage, "field '{}' must be an integer", name);
      const long long n = value.get<long long>();
      if (n < 1 || n > kMaxApiInteger) {
        return MakeErrorf(ErrorCode::kUsage, "field '{}' must be between 1 and {}", name, kMaxApiInteger);
      }
      command.arguments.push_back(fmt::format("{}={}", field.flag, n));
      return OkStatus();
    }
    default:
      break;
  }
  if (!value.is_string()) return MakeErrorf(ErrorCode::kUsage, "field '{}' must be a string", name);
  const std::string text = value.get<std::string>();
  if (IsText(field.kind)) {
    if (Status s = CheckText(name, text); !s.ok()) return s;
  } else if (Status s = CheckShortValue(name, text); !s.ok()) {
    return s;
  }
  switch (field.kind) {
    case FieldKind::kPositional:
      positionals.push_back(text);
      break;
    case FieldKind::kString:
      command.arguments.push_back(fmt::format("{}={}", field.flag, text));
      break;
    case FieldKind::kStdin:
      command.stdin_text = text;
      break;
    case FieldKind::kScript:
      command.script = text;
      positionals.push_back("script.py");
      break;
    case FieldKind::kScriptFlag:
      command.script = text;
      command.arguments.push_back(fmt::format("{}=script.py", field.flag));
      break;
    default:
      break;
  }
  return OkStatus();
}

}  // namespace

std::span<const ApiEndpoint> ApiEndpoints() { return kEndpoints; }

const ApiEndpoint* FindApiEndpoint(std::string_view path) {
  for (const ApiEndpoint& endpoint : kEndpoints) {
    if (endpoint.path == path) return &endpoint;
  }
  return nullptr;
}

std::vector<std::string> ApiFieldsOf(const ApiEndpoint& endpoint) {
  std::vector<std::string> fields;
  for (const ApiField& field : kFields) {
    if (field.command != endpoint.command) continue;
    fields.push_back(
        fmt::format("{} ({}{})", field.name, TypeName(field.kind), field.required ? ", required" : ""));
  }
  return fields;
}

Result<ApiCommand> TranslateApiRequest(const ApiEndpoint& endpoint, std::string_view body) {
  ApiCommand command;
  command.arguments = {std::string(endpoint.command), "--json"};
  command.schema = std::string(endpoint.schema);
  const bool blank = std::all_of(body.begin(), body.end(),
                                 [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  if (endpoint.method == ApiMethod::kGet || blank) {
    if (endpoint.method == ApiMethod::kGet && !blank) {
      return MakeErrorf(ErrorCode::kUsage, "{} takes no request body", endpoint.path);
    }
    for (const ApiField& field : kFields) {
      if (field.command == endpoint.command && field.required) {
        return MakeErrorf(ErrorCode::kUsage, "field '{}' is required", field.name);
      }
    }
    return command;
  }
  if (body.size() > kMaxApiBodyBytes) {
    return MakeErrorf(ErrorCode::kUsage, "request body larger than {} MiB", kMaxApiBodyBytes >> 20);
  }
  const nlohmann::json document = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return MakeErrorf(ErrorCode::kUsage, "the request body is not valid JSON");
  if (!document.is_object()) return MakeErrorf(ErrorCode::kUsage, "the request body must be a JSON object");
  std::vector<std::string> positionals;
  for (const auto& [name, value] : document.items()) {
    if (value.is_null()) continue;  // a field left out
    const ApiField* field = FindField(endpoint.command, name);
    if (field == nullptr) {
      std::string allowed;
      for (const std::string& f : ApiFieldsOf(endpoint)) allowed += (allowed.empty() ? "" : ", ") + f;
      return MakeErrorf(ErrorCode::kUsage, "unknown field '{}' for {} (fields: {})",
                        name.size() > 64 ? name.substr(0, 64) + "…" : name, endpoint.path, allowed);
    }
    if (Status s = AddField(*field, value, command, positionals); !s.ok()) return s.error();
  }
  for (const ApiField& field : kFields) {
    if (field.command == endpoint.command && field.required &&
        (!document.contains(field.name) || document[std::string(field.name)].is_null())) {
      return MakeErrorf(ErrorCode::kUsage, "field '{}' is required", field.name);
    }
  }
  if (endpoint.command == "doctor") positionals.emplace_back("-");  // the log on stdin
  // "--" ends the flags: a model id that starts with '-' stays a model id.
  if (!positionals.empty()) {
    command.arguments.emplace_back("--");
    command.arguments.insert(command.arguments.end(), positionals.begin(), positionals.end());
  }
  return command;
}

}  // namespace pipefit
