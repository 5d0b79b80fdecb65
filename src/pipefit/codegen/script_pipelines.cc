#include "pipefit/codegen/script_pipelines.h"

#include <algorithm>
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
  return (call.method == "from_pretrained" || call.method == "from_single_file" ||
          call.method == "from_pipe") &&
         IsPipelineClass(Unaliased(script, LastName(call.receiver))) && !call.assigned_to.empty();
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
  if (!arg.keyword.empty() && arg.keyword != "device" && arg.keyword != "torch_device") return false;
  return arg.text.find("cuda") != std::string::npos || arg.text == "device" || arg.text == "DEVICE" ||
         arg.text == "self.device";
}

bool IsDTypeArgument(const Argument& arg) {
  return arg.keyword == "dtype" || arg.keyword == "torch_dtype" || !DTypeOfExpression(arg.text).empty();
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

std::vector<PipelineSite> FindPipelines(const PythonScript& script) {
  std::vector<PipelineSite> sites;
  for (const Call& call : script.calls) {
    if (!IsConstruction(script, call)) continue;
    PipelineSite site;
    site.variable = call.assigned_to;
    site.class_name = Unaliased(script, LastName(call.receiver));
    site.method = call.method;
    site.line = call.line;
    site.construction = &call;
    if (const Argument* id = FindArgument(call, "pretrained_model_name_or_path", 0); id && id->string_value) {
      site.model_id = *id->string_value;
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
    if ((chained || on_pipe) && MovesToCuda(c)) out.push_back(&c);
  }
  return out;
}

}  // namespace pipefit
