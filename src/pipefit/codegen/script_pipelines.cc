#include "pipefit/codegen/script_pipelines.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace pipefit {
namespace {

std::string LastName(std::string_view dotted) {
  const size_t dot = dotted.rfind('.');
  return std::string(dot == std::string_view::npos ? dotted : dotted.substr(dot + 1));
}

// The imported name behind an alias (`from diffusers import FluxPipeline as FP`).
std::string Unaliased(const PythonScript& script, const std::string& name) {
  for (const Import& imp : script.imports) {
    for (const auto& [alias, original] : imp.aliases) {
      if (alias == name) return LastName(original);
    }
  }
  return name;
}

bool IsConstruction(const PythonScript& script, const Call& call) {
  if (call.assigned_to.empty()) return false;
  if (call.method == "from_pretrained" || call.method == "from_single_file" || call.method == "from_pipe")
    return IsPipelineClass(Unaliased(script, LastName(call.receiver)));
  // `FluxPipeline(scheduler=..., vae=..., ...)`: assembled from components.
  return IsPipelineClass(Unaliased(script, call.method)) && !call.method.starts_with("AutoPipelineFor") &&
         call.method != "DiffusionPipeline";
}

// The call is made on `variable`: `pipe.x(...)`, `pipe.vae.x(...)`,
// `pipe(...)`, or `torch.compile(pipe.transformer)`-style calls whose first
// argument is the pipeline or a component.
bool OnVariable(const Call& call, const std::string& variable) {
  auto starts = [&](const std::string& text) {
    return text == variable ||
           (text.size() > variable.size() && text.compare(0, variable.size(), variable) == 0 &&
            text[variable.size()] == '.');
  };
  if (call.callee == variable || starts(call.receiver)) return true;
  return !call.args.empty() && call.args.front().keyword.empty() && starts(call.args.front().text);
}

std::optional<int> IntArgument(const Call& call, std::string_view keyword) {
  const Argument* arg = FindArgument(call, keyword);
  if (arg == nullptr || arg->text.empty() || arg->text.size() > 7) return std::nullopt;
  for (char c : arg->text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return std::atoi(arg->text.c_str());
}

// Calls after the construction and before `limit` (the next construction
// bound to the same variable).
void FillCalls(const PythonScript& script, PipelineSite& site, size_t limit) {
  const bool member = site.variable.starts_with("self.");
  for (const Call& call : script.calls) {
    if (call.range.begin <= site.construction->range.begin || call.range.begin >= limit) continue;
    if (!member && call.scope != site.construction->scope) continue;
    if (!OnVariable(call, site.variable)) continue;
    site.calls.push_back(&call);
    if (site.generation == nullptr && call.callee == site.variable) site.generation = &call;
  }
  if (site.generation != nullptr) {
    site.height = IntArgument(*site.generation, "height");
    site.width = IntArgument(*site.generation, "width");
    site.frames = IntArgument(*site.generation, "num_frames");
    site.steps = IntArgument(*site.generation, "num_inference_steps");
    site.batch = IntArgument(*site.generation, "num_images_per_prompt");
    if (!site.batch) site.batch = IntArgument(*site.generation, "num_videos_per_prompt");
  }
}

}  // namespace

bool IsPipelineClass(std::string_view name) {
  if (name.starts_with("AutoPipelineFor") || name == "DiffusionPipeline") return true;
  return name.size() > 8 && name.substr(name.size() - 8) == "Pipeline";
}

std::string DTypeOfExpression(std::string_view text) {
  const std::string name = LastName(text);
  if (name == "bfloat16") return "bf16";
  if (name == "float16" || name == "half") return "fp16";
  if (name == "float32" || name == "float") return "fp32";
  return "";
}

bool IsCudaDeviceArgument(const Argument& arg) {
  if (!arg.keyword.empty() && arg.keyword != "device") return false;
  return arg.text.find("cuda") != std::string::npos || arg.text == "device" || arg.text == "DEVICE" ||
         arg.text == "self.device";
}

bool IsAcceleratorDeviceArgument(const Argument& arg) {
  if (IsCudaDeviceArgument(arg)) return true;
  if (!arg.keyword.empty() && arg.keyword != "device") return false;
  for (std::string_view name : {"mps", "xpu", "npu"}) {
    if (arg.text.find(name) != std::string::npos && arg.text.find("cpu") == std::string::npos) return true;
  }
  return false;
}

bool IsDTypeArgument(const Argument& arg) {
  return arg.keyword == "dtype" || (arg.keyword.empty() && !DTypeOfExpression(arg.text).empty());
}

const Argument* FindArgument(const Call& call, std::string_view keyword, int position) {
  for (const Argument& arg : call.args) {
    if (arg.keyword == keyword) return &arg;
  }
  if (position < 0) return nullptr;
  int index = 0;
  for (const Argument& arg : call.args) {
    if (!arg.keyword.empty()) continue;
    if (index++ == position) return &arg;
  }
  return nullptr;
}

std::optional<std::string> StringArgumentValue(const PythonScript& script, const Argument& arg) {
  if (arg.string_value) return arg.string_value;
  const std::string& name = arg.text;
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) ||
      !std::all_of(name.begin(), name.end(),
                   [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; }))
    return std::nullopt;
  // The last `NAME = "text"` line above the argument.
  std::optional<std::string> value;
  const std::string_view src(script.source.data(), std::min(arg.value.begin, script.source.size()));
  for (size_t start = 0; start < src.size();) {
    size_t end = src.find('\n', start);
    if (end == std::string_view::npos) end = src.size();
    std::string_view line = src.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (!line.starts_with(name)) continue;
    std::string_view rest = line.substr(name.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (!rest.starts_with('=') || rest.starts_with("==")) continue;
    rest.remove_prefix(1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.size() < 2 || (rest.front() != '"' && rest.front() != '\'') || rest.back() != rest.front())
      continue;
    const std::string_view text = rest.substr(1, rest.size() - 2);
    if (text.find(rest.front()) != std::string_view::npos || text.find('\\') != std::string_view::npos)
      continue;
    value = std::string(text);
  }
  return value;
}

std::vector<PipelineSite> FindPipelines(const PythonScript& script) {
  std::vector<PipelineSite> sites;
  for (const Call& call : script.calls) {
    if (!IsConstruction(script, call)) continue;
    PipelineSite site;
    site.variable = call.assigned_to;
    const bool assembled = IsPipelineClass(Unaliased(script, call.method));
    site.class_name = Unaliased(script, assembled ? call.method : LastName(call.receiver));
    site.method = assembled ? "constructor" : call.method;
    site.line = call.line;
    site.construction = &call;
    const Argument* id = assembled ? nullptr : FindArgument(call, "pretrained_model_name_or_path", 0);
    if (id != nullptr) {
      site.model_id = StringArgumentValue(script, *id).value_or("");
    }
    const Argument* dtype = FindArgument(call, "torch_dtype");
    if (dtype == nullptr) dtype = FindArgument(call, "dtype");
    if (dtype != nullptr) site.dtype = DTypeOfExpression(dtype->text);
    sites.push_back(std::move(site));
  }
  for (size_t i = 0; i < sites.size(); ++i) {
    size_t limit = script.source.size() + 1;
    for (size_t j = i + 1; j < sites.size(); ++j) {
      if (sites[j].variable == sites[i].variable) {
        limit = sites[j].construction->statement.begin;
        break;
      }
    }
    FillCalls(script, sites[i], limit);
  }
  return sites;
}

bool MovesToCuda(const Call& call) {
  return call.method == "to" && std::any_of(call.args.begin(), call.args.end(), IsCudaDeviceArgument);
}

namespace {
// A device argument that is a variable bound to a device string
// (`target = "cuda"` ... `pipe.to(target)`).
std::optional<std::string> DeviceVariableValue(const PythonScript& script, const Argument& arg) {
  if (!arg.keyword.empty() && arg.keyword != "device") return std::nullopt;
  if (arg.string_value) return std::nullopt;
  return StringArgumentValue(script, arg);
}
}  // namespace

bool MovesToCuda(const PythonScript& script, const Call& call) {
  if (MovesToCuda(call)) return true;
  if (call.method != "to") return false;
  return std::any_of(call.args.begin(), call.args.end(), [&](const Argument& arg) {
    const auto value = DeviceVariableValue(script, arg);
    return value && value->starts_with("cuda");
  });
}

bool IsOffloadCall(const Call& c) {
  return c.method == "enable_model_cpu_offload" || c.method == "enable_sequential_cpu_offload" ||
         c.method == "enable_group_offload" || c.method == "apply_group_offloading";
}

std::vector<const Call*> PipelineCudaMoves(const PythonScript& script, const PipelineSite& site) {
  std::vector<const Call*> out;
  if (site.construction == nullptr) return out;
  for (const Call& c : script.calls) {
    const bool chained =
        c.assigned_to == site.variable && c.statement.begin == site.construction->statement.begin;
    const bool on_pipe = c.receiver == site.variable && c.range.begin > site.construction->range.begin;
    const bool moves =
        c.method == "to" && std::any_of(c.args.begin(), c.args.end(), [&](const Argument& arg) {
          if (IsAcceleratorDeviceArgument(arg)) return true;
          const auto value = DeviceVariableValue(script, arg);
          return value &&
                 (value->starts_with("cuda") || value->starts_with("mps") || value->starts_with("xpu"));
        });
    if ((chained || on_pipe) && moves) out.push_back(&c);
  }
  return out;
}

}  // namespace pipefit
