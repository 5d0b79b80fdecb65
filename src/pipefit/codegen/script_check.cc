#include "pipefit/codegen/script_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>

#include "pipefit/base/units.h"
#include "pipefit/codegen/script_model.h"
#include "pipefit/codegen/script_pipelines.h"
#include "pipefit/codegen/script_rules.h"

namespace pipefit {
namespace {

// An argument's source text without spaces and newlines:
// `{"quant_type": "int8wo"}` -> `{"quant_type":"int8wo"}`.
std::string WithoutSpaces(std::string text) {
  text.erase(std::remove_if(text.begin(), text.end(), [](char ch) { return ch == ' ' || ch == '\n'; }),
             text.end());
  return text;
}

bool HasDTypeArgument(const Call& call) {
  return std::any_of(call.args.begin(), call.args.end(), IsDTypeArgument);
}

class Checker {
 public:
  // The facts describe the model the first pipeline loads (the CLI resolves
  // that id, cli/script_support.h).
  Checker(const PythonScript& script, const ScriptModelFacts& facts) : script_(script), facts_(facts) {
    const std::vector<std::string> ids = ScriptModelIds(script);
    if (!ids.empty()) resolved_id_ = ids.front();
  }

  CheckResult Run() {
    sites_ = FindPipelines(script_);
    for (const PipelineSite& site : sites_) CheckPipeline(site);
    CheckQuantConfigs();
    CheckAttentionNames();
    CheckAttentionSlicing();
    CheckTorchaoApi();
    CheckComponentDTypes();
    CheckUnusedComponents();
    CheckMovesAfterOffloadAnywhere();
    CheckIgnoredToKeywords();
    CheckBlockLevelGroups();
    std::sort(result_.findings.begin(), result_.findings.end(), [](const Finding& a, const Finding& b) {
      return a.line != b.line ? a.line < b.line : a.rule < b.rule;
    });
    result_.findings.erase(
        std::unique(result_.findings.begin(), result_.findings.end(),
                    [](const Finding& a, const Finding& b) { return a.line == b.line && a.rule == b.rule; }),
        result_.findings.end());
    if (!script_.error_lines.empty()) {
      std::string lines;
      for (size_t i = 0; i < script_.error_lines.size() && i < 10; ++i) {
        lines += (i ? ", " : "") + std::to_string(script_.error_lines[i]);
      }
      result_.notes.push_back("line(s) " + lines +
                              " did not parse as Python (notebook magics, excerpts); the rest "
                              "was checked");
    }
    return result_;
  }

 private:
  bool Reported(std::string_view id, int line) const {
    for (const Finding& f : result_.findings) {
      if (f.rule == id && f.line == line) return true;
    }
    return false;
  }

  // `detail` extends the rule's message with this script's numbers.
  void Add(std::string_view id, int line, const std::string& detail = "") { AddPair(id, line, 0, detail); }

  // A finding about two calls: reported at `line`, naming `related_line`;
  // `severity` lowers the rule's where its message says so.
  void AddPair(std::string_view id, int line, int related_line, const std::string& detail = "",
               std::optional<Severity> severity = std::nullopt) {
    const ScriptRule* rule = FindScriptRule(id);
    if (rule == nullptr) return;
    result_.findings.push_back({std::string(rule->id), severity.value_or(rule->severity), line, related_line,
                                std::string(rule->message) + detail, std::string(rule->fix)});
  }

  void CheckPipeline(const PipelineSite& site) {
    CheckPlacement(site);
    CheckOffloadCombos(site);
    CheckCasting(site);
    CheckVae(site);
    CheckCompile(site);
    CheckLoad(site);
    CheckComponentMoves(site);
    CheckDTypeAfterOffload(site);
    CheckDeviceMap(site);
    CheckCudaGraphs(site);
    CheckCompileReplacesOffloaded(site);
    CheckSequentialWithQuantization(site);
    CheckQuantizedDTypeCast(site);
    CheckQuantizedComponentPassedIn(site);
  }

  // The quoted names in an expression: ["transformer", "text_encoder"],
  // "transformer", or a dict's keys {"transformer": ...} (keys only).
  static std::vector<std::string> QuotedNames(std::string_view text, bool keys_only) {
    std::vector<std::string> out;
    int depth = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const char ch = text[i];
      if (ch == '{' || ch == '[' || ch == '(') ++depth;
      if (ch == '}' || ch == ']' || ch == ')') --depth;
      if (ch != '"' && ch != '\'') continue;
      const size_t end = text.find(ch, i + 1);
      if (end == std::string_view::npos) break;
      size_t after = end + 1;
      while (after < text.size() && text[after] == ' ') ++after;
      const bool key = after < text.size() && text[after] == ':';
      if (!keys_only || (key && depth == 1)) out.emplace_back(text.substr(i + 1, end - i - 1));
      i = end;
    }
    return out;
  }

  // PipelineQuantizationConfig names a component that is passed in
  // already loaded: diffusers loads (and quantizes) only the components it
  // reads itself, so that one stays unquantized, with no message.
  void CheckQuantizedComponentPassedIn(const PipelineSite& site) {
    for (const Call* c : CallsFeeding(site)) {
      if (c->method != "PipelineQuantizationConfig") continue;
      std::vector<std::string> names;
      if (const Argument* list = FindArgument(*c, "components_to_quantize"))
        names = QuotedNames(list->text, false);
      if (const Argument* mapping = FindArgument(*c, "quant_mapping")) {
        const std::vector<std::string> keys = QuotedNames(mapping->text, true);
        names.insert(names.end(), keys.begin(), keys.end());
      }
      for (const Argument& arg : site.construction->args) {
        if (arg.keyword.empty() || arg.text == "None") continue;
        if (std::find(names.begin(), names.end(), arg.keyword) != names.end())
          AddPair("quantized-component-passed-in", site.construction->line, c->line,
                  " (" + arg.keyword + "=" + arg.text + ")");
      }
    }
  }

  // The model or sequential offload call on the pipeline variable that
  // comes first.
  const Call* FirstCpuOffload(const PipelineSite& site) const {
    for (const Call* c : site.calls) {
      if (c->receiver == site.variable &&
          (c->method == "enable_model_cpu_offload" || c->method == "enable_sequential_cpu_offload"))
        return c;
    }
    return nullptr;
  }

  // `X.enable_model_cpu_offload()` then `X.to("cuda")` in one function
  // body, whatever X is bound to: a helper that configures a global
  // pipeline built elsewhere (gradio apps) has no construction above it.
  void CheckMovesAfterOffloadAnywhere() {
    for (const Call& offload : script_.calls) {
      const bool model = offload.method == "enable_model_cpu_offload";
      const bool sequential = offload.method == "enable_sequential_cpu_offload";
      if ((!model && !sequential) || offload.receiver.empty()) continue;
      for (const Call& c : script_.calls) {
        if (c.receiver != offload.receiver || c.scope != offload.scope || c.range.begin < offload.range.end ||
            !MovesToCuda(script_, c) || MutuallyExclusive(c, offload))
          continue;
        AddPair(model ? "to-after-model-offload" : "to-after-sequential-offload", c.line, offload.line);
      }
    }
  }

  // `pipe.to(torch_device="cuda", torch_dtype=...)`: keywords
  // DiffusionPipeline.to never reads. Any receiver: components are
  // nn.Modules, whose .to() raises on them instead.
  void CheckIgnoredToKeywords() {
    for (const Call& c : script_.calls) {
      if (c.method != "to") continue;
      const bool pipeline = std::any_of(sites_.begin(), sites_.end(), [&](const PipelineSite& site) {
        return c.receiver == site.variable ||
               (c.assigned_to == site.variable && c.statement.begin == site.construction->statement.begin);
      });
      if (!pipeline) continue;
      for (const Argument& arg : c.args) {
        if (arg.keyword == "torch_device" || arg.keyword == "torch_dtype") {
          Add("to-ignored-keywords", c.line);
          break;
        }
      }
    }
  }

  // The calls whose result reaches the pipeline's construction: written
  // inline in its arguments or assigned to a variable passed to it, and one
  // level further (a component loaded with a config variable).
  std::vector<const Call*> CallsFeeding(const PipelineSite& site) const {
    std::vector<const Call*> out;
    auto feeds = [&](const Call& c, const Argument& arg, const Call& into) {
      const bool inline_arg = c.range.begin >= arg.value.begin && c.range.end <= arg.value.end;
      const bool through_variable =
          !c.assigned_to.empty() && c.assigned_to == arg.text && c.range.begin < into.range.begin;
      return inline_arg || through_variable;
    };
    for (const Argument& arg : site.construction->args) {
      for (const Call& c : script_.calls) {
        if (!feeds(c, arg, *site.construction)) continue;
        out.push_back(&c);
        for (const Argument& inner : c.args) {
          for (const Call& q : script_.calls)
            if (&q != &c && feeds(q, inner, c)) out.push_back(&q);
        }
      }
    }
    return out;
  }

  // The pipeline's quantization: "bitsandbytes", "quanto", "torchao",
  // "gguf" for each backend whose config reaches it, plus optimum-quanto's
  // quantize(component, weights=...) on a component passed in or assigned.
  std::vector<std::string> QuantBackends(const PipelineSite& site) const {
    std::vector<std::string> out;
    auto add = [&](std::string name) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(std::move(name));
    };
    for (const Call* c : CallsFeeding(site)) {
      if (c->method == "BitsAndBytesConfig") add("bitsandbytes");
      if (c->method == "QuantoConfig") add("quanto");
      if (c->method == "TorchAoConfig") add("torchao");
      if (c->method == "GGUFQuantizationConfig") add("gguf");
      if (c->method == "PipelineQuantizationConfig") {
        const Argument* backend = FindArgument(*c, "quant_backend");
        const std::string name = backend ? backend->string_value.value_or("") : "";
        if (name.starts_with("bitsandbytes")) add("bitsandbytes");
        if (name == "quanto" || name == "torchao" || name == "gguf") add(name);
      }
    }
    const std::vector<std::string> components = ComponentVariables(site);
    for (const Call& c : script_.calls) {
      if (c.callee != "quantize" || c.args.empty() || FindArgument(c, "weights") == nullptr) continue;
      const std::string& target = c.args.front().text;
      if (std::find(components.begin(), components.end(), target) != components.end() ||
          target.starts_with(site.variable + "."))
        add("quanto");
      if (AssignedIntoPipeline(site, target)) add("quanto");
    }
    return out;
  }

  // A line `pipe.NAME = target` (a component swapped in after construction).
  bool AssignedIntoPipeline(const PipelineSite& site, const std::string& target) const {
    for (std::string_view line : SourceLines()) {
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
      if (!line.starts_with(site.variable + ".")) continue;
      const size_t eq = line.find(" = ");
      if (eq == std::string_view::npos || line.substr(eq + 3) != target) continue;
      const std::string_view name = line.substr(site.variable.size() + 1, eq - site.variable.size() - 1);
      if (!name.empty() && std::all_of(name.begin(), name.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
          }))
        return true;
    }
    return false;
  }

  void CheckSequentialWithQuantization(const PipelineSite& site) {
    const Call* sequential = First(site, "enable_sequential_cpu_offload");
    if (sequential == nullptr) return;
    const std::vector<std::string> backends = QuantBackends(site);
    const bool packed = std::find(backends.begin(), backends.end(), "bitsandbytes") != backends.end() ||
                        std::find(backends.begin(), backends.end(), "quanto") != backends.end();
    if (packed) Add("sequential-offload-with-quantization", sequential->line);
  }

  // pipe.to(dtype) with torchao, GGUF or quanto weights: ModelMixin.to raises.
  void CheckQuantizedDTypeCast(const PipelineSite& site) {
    const std::vector<std::string> backends = QuantBackends(site);
    const bool raises = std::any_of(backends.begin(), backends.end(), [](const std::string& b) {
      return b == "torchao" || b == "gguf" || b == "quanto";
    });
    if (!raises) return;
    for (const Call* c : site.calls) {
      if (c->receiver == site.variable && c->method == "to" && HasDTypeArgument(*c))
        Add("dtype-cast-of-quantized", c->line);
    }
    for (const Call& c : script_.calls) {
      const bool chained =
          c.assigned_to == site.variable && c.statement.begin == site.construction->statement.begin;
      if (chained && c.method == "to" && HasDTypeArgument(c)) Add("dtype-cast-of-quantized", c.line);
    }
  }

  // The pipeline-level offload call that comes first (model, sequential or
  // group offload on the pipeline variable).
  const Call* FirstPipelineOffload(const PipelineSite& site) const {
    for (const Call* c : site.calls) {
      if (c->receiver == site.variable && IsOffloadCall(*c)) return c;
    }
    return nullptr;
  }

  // Variables passed as components to the construction (`transformer=transformer`).
  std::vector<std::string> ComponentVariables(const PipelineSite& site) const {
    std::vector<std::string> out;
    for (const Argument& arg : site.construction->args) {
      if (arg.keyword.empty() || arg.text.empty()) continue;
      const bool identifier = std::all_of(arg.text.begin(), arg.text.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.';
      });
      if (identifier && !std::isdigit(static_cast<unsigned char>(arg.text.front())) && arg.text != "True" &&
          arg.text != "False" && arg.text != "None" && !arg.text.starts_with("torch."))
        out.push_back(arg.text);
    }
    return out;
  }

  void CheckComponentMoves(const PipelineSite& site) {
    const Call* offload = FirstPipelineOffload(site);
    if (offload == nullptr) return;
    const std::vector<std::string> components = ComponentVariables(site);
    for (const Call& c : script_.calls) {
      if (!MovesToCuda(script_, c) || c.range.begin > offload->range.begin || MutuallyExclusive(c, *offload))
        continue;
      const bool pipe_component =
          c.receiver.starts_with(site.variable + ".") && c.range.begin > site.construction->range.begin;
      const auto is_component = [&](const std::string& name) {
        return !name.empty() && std::find(components.begin(), components.end(), name) != components.end();
      };
      // `transformer.to("cuda")`, or `transformer = X.from_pretrained(...).to("cuda")`.
      const bool passed_in = is_component(c.receiver) || is_component(c.assigned_to);
      if (pipe_component || passed_in) AddPair("component-to-before-offload", c.line, offload->line);
    }
  }

  void CheckDTypeAfterOffload(const PipelineSite& site) {
    const Call* offload = FirstPipelineOffload(site);
    if (offload == nullptr) return;
    for (const Call* c : site.calls) {
      if (c->receiver != site.variable || c->method != "to" || c->range.begin < offload->range.begin ||
          MutuallyExclusive(*c, *offload) || !HasDTypeArgument(*c))
        continue;
      AddPair("to-dtype-after-offload", c->line, offload->line);
    }
  }

  // A component's device_map that places it somewhere (not "cpu", not None).
  static bool DeviceMapped(const Call& c) {
    const Argument* map = FindArgument(c, "device_map");
    return map != nullptr && map->string_value != "cpu" && map->text != "None";
  }

  // device_map and CPU offloading: a multi-entry pipeline map ("balanced",
  // a dict) makes diffusers raise; a pipeline map onto one GPU ("cuda")
  // loads everything there before the offload moves it back; a component's
  // map is undone by the offload (warning).
  void CheckDeviceMap(const PipelineSite& site) {
    const Call* offload = FirstCpuOffload(site);
    if (offload == nullptr) return;
    if (const Argument* map = FindArgument(*site.construction, "device_map")) {
      const std::string value = map->string_value.value_or("");
      if (value == "balanced" || (!map->string_value && map->text.starts_with("{")))
        AddPair("device-map-with-offload", offload->line, site.construction->line);
      else if (value.starts_with("cuda") || value.starts_with("xpu") ||
               (!value.empty() && std::isdigit(static_cast<unsigned char>(value.front()))))
        AddPair("to-before-offload", site.construction->line, offload->line);
    }
    const std::vector<std::string> components = ComponentVariables(site);
    for (const Call& c : script_.calls) {
      if (c.range.begin < site.construction->range.begin && !c.assigned_to.empty() &&
          std::find(components.begin(), components.end(), c.assigned_to) != components.end() &&
          (c.method == "from_pretrained" || c.method == "from_single_file") && DeviceMapped(c))
        AddPair("device-map-with-offload", offload->line, c.line, "", Severity::kWarning);
    }
  }

  void CheckCudaGraphs(const PipelineSite& site) {
    bool moves = false;
    for (const Call* c : site.calls) moves = moves || IsOffloadCall(*c);
    for (const Call& c : script_.calls) {
      if (c.method == "apply_group_offloading" || c.method == "GGUFQuantizationConfig") moves = true;
      if (c.method == "enable_group_offload") moves = true;
    }
    if (!moves) return;
    for (const Call& c : script_.calls) {
      const bool compile =
          c.callee == "torch.compile" || c.method == "compile" || c.method == "compile_repeated_blocks";
      if (!compile) continue;
      const Argument* mode = FindArgument(c, "mode");
      if (mode && (mode->string_value == "reduce-overhead" || mode->string_value == "max-autotune"))
        Add("cudagraphs-with-offload", c.line);
    }
  }

  const Call* First(const PipelineSite& site, std::string_view method) const {
    for (const Call* c : site.calls) {
      if (c->receiver == site.variable && c->method == method) return c;
    }
    return nullptr;
  }

  void CheckPlacement(const PipelineSite& site) {
    const Call* model = First(site, "enable_model_cpu_offload");
    const Call* sequential = First(site, "enable_sequential_cpu_offload");
    const Call* first_offload = nullptr;
    for (const Call* c : site.calls) {
      if (IsOffloadCall(*c) && first_offload == nullptr) first_offload = c;
      if (c->receiver != site.variable || !MovesToCuda(script_, *c)) continue;
      if (model && c->range.begin > model->range.begin && !MutuallyExclusive(*c, *model)) {
        AddPair("to-after-model-offload", c->line, model->line);
      }
      if (sequential && c->range.begin > sequential->range.begin && !MutuallyExclusive(*c, *sequential)) {
        AddPair("to-after-sequential-offload", c->line, sequential->line);
      }
    }
    if (first_offload == nullptr || first_offload->method == "apply_group_offloading") return;
    // A .to("cuda") before the first offload call, on the pipeline or
    // chained on its construction.
    for (const Call* move : PipelineCudaMoves(script_, site)) {
      const Call& c = *move;
      if (c.range.begin < first_offload->range.begin && !MutuallyExclusive(c, *first_offload)) {
        AddPair("to-before-offload", c.line, first_offload->line,
                facts_.stored_bytes > 0
                    ? fmt::format(
                          "; for this model that is {} of weights on the GPU while loading, where offloading "
                          "needs only the largest model's share",
                          FormatGiB(facts_.stored_bytes))
                    : std::string());
      }
    }
  }

  void CheckOffloadCombos(const PipelineSite& site) {
    const Call* model = First(site, "enable_model_cpu_offload");
    std::vector<const Call*> offloads;
    for (const Call* c : site.calls) {
      if (!IsOffloadCall(*c)) continue;
      if (model && c != model &&
          (c->method == "enable_group_offload" || c->method == "apply_group_offloading") &&
          !MutuallyExclusive(*c, *model)) {
        AddPair("model-offload-with-group-offload", std::max(c->line, model->line),
                std::min(c->line, model->line));
      }
      if (c->receiver == site.variable) offloads.push_back(c);
      if (c->method == "enable_sequential_cpu_offload" && c->receiver == site.variable) {
        Add("sequential-offload-legacy", c->line);
      }
      if (c->method == "enable_group_offload" || c->method == "apply_group_offloading") CheckBlockStream(*c);
    }
    for (size_t i = 1; i < offloads.size(); ++i) {
      for (size_t j = 0; j < i && !Reported("offload-twice", offloads[i]->line); ++j) {
        const std::string& a = offloads[j]->method;
        const std::string& b = offloads[i]->method;
        const bool same = a == b;
        const bool model_and_sequential =
            (a == "enable_model_cpu_offload" && b == "enable_sequential_cpu_offload") ||
            (b == "enable_model_cpu_offload" && a == "enable_sequential_cpu_offload");
        if ((same || model_and_sequential) && !MutuallyExclusive(*offloads[i], *offloads[j])) {
          AddPair("offload-twice", offloads[i]->line, offloads[j]->line);
        }
      }
    }
    if (model && UsesBnb8Bit(site)) AddPair("bnb8-with-model-offload", model->line, site.construction->line);
  }

  // block_level (the default offload_type) without num_blocks_per_group:
  // apply_group_offloading raises before anything is offloaded.
  void CheckBlockLevelGroups() {
    for (const Call& c : script_.calls) {
      if (c.method != "enable_group_offload" && c.method != "apply_group_offloading") continue;
      if (std::any_of(c.args.begin(), c.args.end(),
                      [](const Argument& a) { return a.text.starts_with("*"); }))
        continue;  // **kwargs may carry it
      // Positional: (module,) onload_device, offload_device, offload_type, num_blocks_per_group.
      const int first = c.method == "apply_group_offloading" ? 1 : 0;
      const Argument* type = FindArgument(c, "offload_type", first + 2);
      if (FindArgument(c, "num_blocks_per_group", first + 3) != nullptr) continue;
      const bool block_level = type == nullptr || type->string_value == "block_level" ||
                               type->text.find("BLOCK_LEVEL") != std::string::npos;
      if (block_level) Add("block-level-without-num-blocks", c.line);
    }
  }

  void CheckBlockStream(const Call& c) {
    const Argument* type = FindArgument(c, "offload_type");
    const Argument* stream = FindArgument(c, "use_stream");
    const Argument* n = FindArgument(c, "num_blocks_per_group");
    if (!type || type->string_value != "block_level" || !stream || stream->text != "True" || !n) return;
    if (std::atoi(n->text.c_str()) > 1) Add("block-stream-multiple-blocks", c.line);
  }

  void CheckCasting(const PipelineSite& site) {
    const Call* casting = nullptr;
    for (const Call* c : site.calls) {
      if (c->method == "enable_layerwise_casting" && casting == nullptr) casting = c;
      if (casting && c->method == "to" && c->range.begin > casting->range.begin && HasDTypeArgument(*c) &&
          !MutuallyExclusive(*c, *casting) &&
          (c->receiver == site.variable || c->receiver == casting->receiver)) {
        AddPair("layerwise-casting-then-to-dtype", c->line, casting->line);
      }
    }
  }

  void CheckVae(const PipelineSite& site) {
    static constexpr std::array<std::string_view, 4> kRemoved = {"enable_vae_tiling", "enable_vae_slicing",
                                                                 "disable_vae_tiling", "disable_vae_slicing"};
    for (const Call* c : site.calls) {
      if (c->receiver == site.variable &&
          std::find(kRemoved.begin(), kRemoved.end(), c->method) != kRemoved.end()) {
        Add("pipeline-vae-tiling-removed", c->line);
      }
      if (c->receiver == site.variable + ".vae" &&
          (c->method == "enable_tiling" || c->method == "enable_slicing") && !ScriptVaeTiles(site, facts_)) {
        Add("vae-tiling-unsupported", c->line);
      }
    }
  }

  void CheckCompile(const PipelineSite& site) {
    if (facts_.known && !facts_.has_repeated_blocks) return;
    for (const Call* c : site.calls) {
      auto denoiser = [&](const std::string& text) {
        return text == site.variable + ".transformer" || text == site.variable + ".unet";
      };
      const bool torch_compile =
          c->callee == "torch.compile" && !c->args.empty() && denoiser(c->args.front().text);
      const bool method_compile = c->method == "compile" && denoiser(c->receiver);
      if (torch_compile || method_compile) Add("compile-without-repeated-blocks", c->line);
    }
  }

  void CheckLoad(const PipelineSite& site) {
    // A denoiser passed in carries its own dtype (HunyuanVideo's documented
    // recipe: a bf16 transformer in an fp16 pipeline); its own load is
    // checked in CheckComponentDTypes.
    const bool denoiser_passed = FindArgument(*site.construction, "transformer") != nullptr ||
                                 FindArgument(*site.construction, "unet") != nullptr;
    if (site.dtype == "fp16" && !denoiser_passed && StoredDType(site) == "bf16")
      Add("fp16-for-bf16-model", site.construction->line);
    CheckFp32Load(site);
    if (const Argument* q = FindArgument(*site.construction, "quantization_config")) {
      const std::string kind = QuantConfigClass(*q);
      if (kind == "BitsAndBytesConfig" || kind == "TorchAoConfig" || kind == "GGUFQuantizationConfig" ||
          kind == "QuantoConfig") {
        Add("quant-config-not-pipeline-level", site.construction->line);
      }
    }
  }

  // The dtype `model_id`'s denoiser is stored in: the resolved model's
  // (when it is the one the facts describe), else the documented row's,
  // else "" (unknown or float32).
  std::string StoredDType(const std::string& model_id) const {
    if (facts_.known && (resolved_id_.empty() || model_id == resolved_id_)) return facts_.preferred_dtype;
    const DocumentedDType* row = FindDocumentedDType(model_id);
    return row != nullptr && row->stored != "fp32" ? std::string(row->stored) : "";
  }
  std::string StoredDType(const PipelineSite& site) const { return StoredDType(site.model_id); }

  // Half precision the model runs in: stored so, or loaded so by its docs.
  bool RunsInHalf(const std::string& model_id) const {
    const std::string stored = StoredDType(model_id);
    if (stored == "bf16" || stored == "fp16") return true;
    const DocumentedDType* row = FindDocumentedDType(model_id);
    return row != nullptr && (row->runs_in == "bf16" || row->runs_in == "fp16");
  }

  // A later `.to(dtype)` / `.half()` on `variable`.
  bool CastLater(const std::string& variable, const Call& after) const {
    for (const Call& c : script_.calls) {
      if (c.receiver == variable && c.range.begin > after.range.begin &&
          ((c.method == "to" && HasDTypeArgument(c)) || c.method == "half"))
        return true;
    }
    return false;
  }

  // The denoiser loaded on its own (`X.from_pretrained(id, subfolder="transformer", ...)`):
  // fp16 for a bf16 checkpoint, float32 for a half-precision one.
  void CheckComponentDTypes() {
    for (const Call& c : script_.calls) {
      // A denoiser's single file with no dtype: float32 (diffusers'
      // default) for a model every checkpoint of which runs in half.
      if (c.method == "from_single_file" && !IsPipelineClass(c.receiver) &&
          FindHalfPrecisionClass(c.receiver.substr(c.receiver.rfind('.') + 1)) != nullptr) {
        const Argument* dtype_arg = FindArgument(c, "torch_dtype");
        if (dtype_arg == nullptr) dtype_arg = FindArgument(c, "dtype");
        const bool float32 = dtype_arg ? DTypeOfExpression(dtype_arg->text) == "fp32"
                                       : !FindArgument(c, "quantization_config") &&
                                             (c.assigned_to.empty() || !CastLater(c.assigned_to, c));
        if (float32) Add("fp32-for-half-model", c.line);
        continue;
      }
      if (c.method != "from_pretrained" || IsPipelineClass(c.receiver)) continue;
      const Argument* subfolder = FindArgument(c, "subfolder");
      if (subfolder == nullptr || !subfolder->string_value ||
          (*subfolder->string_value != "transformer" && *subfolder->string_value != "transformer_2" &&
           *subfolder->string_value != "unet"))
        continue;
      const Argument* id_arg = FindArgument(c, "pretrained_model_name_or_path", 0);
      const std::optional<std::string> id = id_arg ? StringArgumentValue(script_, *id_arg) : std::nullopt;
      if (!id) continue;
      const Argument* dtype_arg = FindArgument(c, "torch_dtype");
      if (dtype_arg == nullptr) dtype_arg = FindArgument(c, "dtype");
      const std::string dtype = dtype_arg ? DTypeOfExpression(dtype_arg->text) : "";
      if (dtype == "fp16" && StoredDType(*id) == "bf16") Add("fp16-for-bf16-model", c.line);
      const bool float32 =
          dtype == "fp32" || (dtype_arg == nullptr && !FindArgument(c, "quantization_config") &&
                              (c.assigned_to.empty() || !CastLater(c.assigned_to, c)));
      if (float32 && RunsInHalf(*id)) Add("fp32-for-half-model", c.line);
    }
  }

  // float32 for a model stored in half precision: written, or by default
  // (no torch_dtype/dtype argument at all) unless a later .to(dtype) or
  // .half() casts the pipeline.
  void CheckFp32Load(const PipelineSite& site) {
    // A single file (a URL or local path names no repo): the pipeline
    // class says which denoiser it holds.
    const bool half_single_file =
        site.method == "from_single_file" && FindHalfPrecisionPipeline(site.class_name) != nullptr;
    if (!RunsInHalf(site.model_id) && !half_single_file) return;
    const bool given = FindArgument(*site.construction, "torch_dtype") != nullptr ||
                       FindArgument(*site.construction, "dtype") != nullptr;
    if (given && site.dtype != "fp32") return;
    if (!given) {
      if (site.method == "from_pipe" || FindArgument(*site.construction, "quantization_config") != nullptr)
        return;
      for (const Call* c : site.calls) {
        if (c->receiver == site.variable &&
            ((c->method == "to" && HasDTypeArgument(*c)) || c->method == "half"))
          return;
      }
    }
    Add("fp32-for-half-model", site.construction->line);
  }

  std::vector<std::string_view> SourceLines() const {
    std::vector<std::string_view> lines;
    const std::string_view src = script_.source;
    for (size_t start = 0; start < src.size();) {
      size_t end = src.find('\n', start);
      if (end == std::string_view::npos) end = src.size();
      lines.push_back(src.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  // `pipe.transformer = torch.compile(pipe.transformer)` after model or
  // sequential offloading: the compiled wrapper replaces the module that
  // carries the offload hook (diffusers#10729: AttributeError _hf_hook).
  void CheckCompileReplacesOffloaded(const PipelineSite& site) {
    const Call* offload = FirstCpuOffload(site);
    if (offload == nullptr) return;
    for (const Call& c : script_.calls) {
      if (c.callee != "torch.compile" || c.args.empty() || c.range.begin < offload->range.begin ||
          MutuallyExclusive(c, *offload))
        continue;
      const std::string& target = c.args.front().text;
      // A component (`pipe.transformer`), not a method (`pipe.vae.decode`).
      const bool component = target.starts_with(site.variable + ".") &&
                             target.find('.', site.variable.size() + 1) == std::string::npos;
      if (component && c.assigned_to == target)
        AddPair("compile-replaces-offloaded-module", c.line, offload->line);
    }
  }

  // A model loaded with from_pretrained into a variable that nothing uses
  // afterwards: its weights sit in RAM (or VRAM) for nothing.
  void CheckUnusedComponents() {
    const std::string& src = script_.source;
    for (const Call& c : script_.calls) {
      if (c.method != "from_pretrained" || c.assigned_to.empty() || IsPipelineClass(c.receiver) ||
          c.scope != 0 || c.assigned_to.find('.') != std::string::npos)
        continue;
      // A model class (not a config, tokenizer or processor).
      const std::string& cls = c.receiver;
      const bool model = cls.ends_with("Model") || cls.find("Transformer") != std::string::npos ||
                         cls.starts_with("Autoencoder") || cls.starts_with("UNet");
      if (!model || cls.find("Tokenizer") != std::string::npos || cls.find("Processor") != std::string::npos)
        continue;
      const std::string& name = c.assigned_to;
      bool used = false;
      for (size_t at = src.find(name, c.statement.end); at != std::string::npos && !used;
           at = src.find(name, at + 1)) {
        const bool left =
            at == 0 || !(std::isalnum(static_cast<unsigned char>(src[at - 1])) || src[at - 1] == '_');
        const size_t after = at + name.size();
        const bool right = after >= src.size() ||
                           !(std::isalnum(static_cast<unsigned char>(src[after])) || src[after] == '_');
        used = left && right;
      }
      if (!used) Add("component-loaded-unused", c.line);
    }
  }

  void CheckAttentionSlicing() {
    // Apple MPS with little memory is where diffusers still suggests it.
    if (script_.source.find("\"mps\"") != std::string::npos ||
        script_.source.find("'mps'") != std::string::npos)
      return;
    for (const Call& c : script_.calls) {
      if (c.method == "enable_attention_slicing") Add("attention-slicing-with-sdpa", c.line);
    }
  }

  void CheckTorchaoApi() {
    static constexpr std::array<std::string_view, 11> kFunctions = {"int4_weight_only",
                                                                    "int8_weight_only",
                                                                    "int8_dynamic_activation_int8_weight",
                                                                    "int8_dynamic_activation_int4_weight",
                                                                    "int4_dynamic_activation_int4_weight",
                                                                    "float8_weight_only",
                                                                    "float8_dynamic_activation_float8_weight",
                                                                    "float8_static_activation_float8_weight",
                                                                    "fpx_weight_only",
                                                                    "uintx_weight_only",
                                                                    "gemlite_uintx_weight_only"};
    // Aliases: `qmode = int8_weight_only` then `quantize_(m, qmode())`.
    std::vector<std::string> names(kFunctions.begin(), kFunctions.end());
    for (std::string_view line : SourceLines()) {
      const size_t eq = line.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      std::string_view target = line.substr(0, eq), value = line.substr(eq + 1);
      while (!target.empty() && (target.front() == ' ')) target.remove_prefix(1);
      while (!target.empty() && (target.back() == ' ')) target.remove_suffix(1);
      while (!value.empty() && (value.front() == ' ')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
      const bool identifier = !target.empty() && std::all_of(target.begin(), target.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
      });
      if (identifier && std::find(kFunctions.begin(), kFunctions.end(), value) != kFunctions.end())
        names.emplace_back(target);
    }
    for (const Call& c : script_.calls) {
      if (std::find(names.begin(), names.end(), c.method) != names.end()) {
        Add("torchao-deprecated-api", c.line);
        continue;
      }
      if (c.method == "TorchAoConfig") {
        const Argument* type = FindArgument(c, "quant_type", 0);
        if (type != nullptr && type->string_value) Add("torchao-deprecated-api", c.line);
      }
      // PipelineQuantizationConfig(quant_backend="torchao", quant_kwargs={"quant_type": "int8wo"}):
      // the string reaches TorchAoConfig.
      if (c.method == "PipelineQuantizationConfig") {
        const Argument* backend = FindArgument(c, "quant_backend");
        const Argument* kwargs = FindArgument(c, "quant_kwargs");
        if (backend && backend->string_value == "torchao" && kwargs) {
          const std::string body = WithoutSpaces(kwargs->text);
          if (body.find("\"quant_type\":\"") != std::string::npos ||
              body.find("'quant_type':'") != std::string::npos ||
              body.find("quant_type=\"") != std::string::npos ||
              body.find("quant_type='") != std::string::npos)
            Add("torchao-deprecated-api", c.line);
        }
      }
    }
  }

  // The class of a config expression: the call written inline, or the
  // call assigned to the variable it names.
  std::string QuantConfigClass(const Argument& arg) const {
    for (const Call& c : script_.calls) {
      if (c.range.begin == arg.value.begin && c.range.end == arg.value.end) return c.method;
    }
    for (const Call& c : script_.calls) {
      if (c.assigned_to == arg.text && c.range.begin < arg.value.begin) return c.method;
    }
    return "";
  }

  static bool Is8BitConfig(const Call& c) {
    if (c.method == "PipelineQuantizationConfig") {
      const Argument* backend = FindArgument(c, "quant_backend");
      return backend && backend->string_value == "bitsandbytes_8bit";
    }
    if (c.method == "BitsAndBytesConfig") {
      const Argument* eight = FindArgument(c, "load_in_8bit");
      return eight && eight->text == "True";
    }
    return false;
  }

  // An 8-bit bitsandbytes config reaches this pipeline: passed to its
  // from_pretrained (inline or through a variable), or used to load a
  // component passed to it (`transformer=transformer`).
  bool UsesBnb8Bit(const PipelineSite& site) const {
    const std::vector<const Call*> calls = CallsFeeding(site);
    return std::any_of(calls.begin(), calls.end(), [](const Call* c) { return Is8BitConfig(*c); });
  }

  void CheckQuantConfigs() {
    static constexpr std::array<std::string_view, 9> kBackends = {
        "bitsandbytes_4bit", "bitsandbytes_8bit", "gguf",          "torchao", "quanto",
        "modelopt",          "auto-round",        "nunchaku_lite", "sdnq"};
    for (const Call& c : script_.calls) {
      if (c.method != "PipelineQuantizationConfig") continue;
      const Argument* backend = FindArgument(c, "quant_backend");
      if (backend == nullptr) continue;
      const std::string name = backend->string_value.value_or("");
      if (backend->string_value && std::find(kBackends.begin(), kBackends.end(), name) == kBackends.end()) {
        Add("quant-backend-name", c.line);
      }
      const Argument* kwargs = FindArgument(c, "quant_kwargs");
      const std::string body = kwargs ? WithoutSpaces(kwargs->text) : "";
      if (kwargs == nullptr || body == "{}" || body == "dict()") {
        Add("quant-kwargs-empty", c.line);
        continue;
      }
      const bool has4 =
          body.find("load_in_4bit") != std::string::npos || body.find("bnb_4bit_") != std::string::npos;
      // llm_int8_skip_modules is bitsandbytes' skip list for 4-bit too
      // (diffusers bnb_quantizer.py); only the 8-bit switches conflict.
      const bool has8 = body.find("load_in_8bit") != std::string::npos ||
                        body.find("llm_int8_threshold") != std::string::npos ||
                        body.find("llm_int8_has_fp16_weight") != std::string::npos;
      if ((name == "bitsandbytes_4bit" && has8) || (name == "bitsandbytes_8bit" && has4) ||
          (name == "torchao" && (has4 || has8))) {
        Add("quant-backend-kwargs-mismatch", c.line);
      }
    }
  }

  void CheckAttentionNames() {
    static constexpr std::array<std::string_view, 26> kBackends = {"native",
                                                                   "_native_cudnn",
                                                                   "_native_flash",
                                                                   "_native_efficient",
                                                                   "_native_math",
                                                                   "_native_npu",
                                                                   "_native_xla",
                                                                   "flex",
                                                                   "flash",
                                                                   "flash_varlen",
                                                                   "_flash_3",
                                                                   "_flash_varlen_3",
                                                                   "flash_hub",
                                                                   "flash_varlen_hub",
                                                                   "_flash_3_hub",
                                                                   "_flash_3_varlen_hub",
                                                                   "flash_4_hub",
                                                                   "aiter_fa2_hub",
                                                                   "sage",
                                                                   "sage_varlen",
                                                                   "sage_hub",
                                                                   "_sage_qk_int8_pv_fp8_cuda",
                                                                   "_sage_qk_int8_pv_fp8_cuda_sm90",
                                                                   "_sage_qk_int8_pv_fp16_cuda",
                                                                   "_sage_qk_int8_pv_fp16_triton",
                                                                   "xformers"};
    for (const Call& c : script_.calls) {
      if (c.method != "set_attention_backend" && c.callee != "attention_backend") continue;
      const Argument* name = FindArgument(c, "backend", 0);
      if (name && name->string_value &&
          std::find(kBackends.begin(), kBackends.end(), *name->string_value) == kBackends.end()) {
        Add("attention-backend-unknown", c.line);
      }
    }
    // The right variable with an unknown value: os.environ["DIFFUSERS_ATTN_BACKEND"] = "x".
    for (size_t at = 0; (at = script_.source.find("\"DIFFUSERS_ATTN_BACKEND\"", at)) != std::string::npos;
         ++at) {
      const size_t line_end = std::min(script_.source.find('\n', at), script_.source.size());
      const std::string_view rest(script_.source.data() + at, line_end - at);
      const size_t eq = rest.find('=');
      if (eq == std::string_view::npos || rest.find("environ") != std::string_view::npos) continue;
      const size_t q1 = rest.find('"', eq);
      const size_t q2 = q1 == std::string_view::npos ? q1 : rest.find('"', q1 + 1);
      if (q2 == std::string_view::npos) continue;
      const std::string_view value = rest.substr(q1 + 1, q2 - q1 - 1);
      if (std::find(kBackends.begin(), kBackends.end(), value) == kBackends.end()) {
        Add("attention-backend-unknown", LineOf(script_.source, at));
      }
    }
    // The misspelt variable, where it is set (os.environ[...] = / setdefault /
    // putenv), not in comments.
    const std::string& src = script_.source;
    for (size_t at = src.find("DIFFUSERS_ATTENTION_BACKEND"); at != std::string::npos;
         at = src.find("DIFFUSERS_ATTENTION_BACKEND", at + 1)) {
      size_t line_start = src.rfind('\n', at);
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      const std::string_view before(src.data() + line_start, at - line_start);
      if (before.find('#') != std::string_view::npos) continue;
      size_t line_end = src.find('\n', at);
      const std::string_view line(src.data() + line_start,
                                  (line_end == std::string::npos ? src.size() : line_end) - line_start);
      const size_t rest = at - line_start;
      const bool assigned = line.find("environ[") != std::string_view::npos &&
                            line.find('=', rest) != std::string_view::npos &&
                            line.find("print(") == std::string_view::npos;
      const bool set_call = line.find("setdefault(") != std::string_view::npos ||
                            line.find("putenv(") != std::string_view::npos;
      if (!assigned && !set_call) continue;
      Add("attention-backend-unknown", LineOf(src, at));
    }
  }

  const PythonScript& script_;
  const ScriptModelFacts& facts_;
  std::string resolved_id_;          // "" when the script loads no literal id
  std::vector<PipelineSite> sites_;  // FindPipelines(script_), set by Run
  CheckResult result_;
};

}  // namespace

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

CheckResult CheckScript(const PythonScript& script, const ScriptModelFacts& facts) {
  return Checker(script, facts).Run();
}

std::span<const ScriptRuleInfo> ScriptRules() {
  static const std::vector<ScriptRuleInfo> rules = [] {
    std::vector<ScriptRuleInfo> out;
    for (const ScriptRule& r : ScriptRuleTable()) out.push_back({r.id, r.severity, r.message, r.source});
    return out;
  }();
  return rules;
}

std::vector<std::string> ScriptModelIds(const PythonScript& script) {
  std::vector<std::string> ids;
  for (const PipelineSite& site : FindPipelines(script)) {
    if (!site.model_id.empty() && std::find(ids.begin(), ids.end(), site.model_id) == ids.end()) {
      ids.push_back(site.model_id);
    }
  }
  return ids;
}

}  // namespace pipefit
