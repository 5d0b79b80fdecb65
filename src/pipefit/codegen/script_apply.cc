#include "pipefit/codegen/script_apply.h"

#include <algorithm>
#include <array>

#include "pipefit/codegen/weights_code.h"

namespace pipefit {
namespace {

// The variable CandidateCode writes; replaced by the script's own.
constexpr std::string_view kCodeVariable = "pipe";
// The name the quantization config statement binds.
constexpr std::string_view kQuantVariable = "pipeline_quant_config";

struct Edit {
  ByteRange range;
  std::string text;
};

bool StartsWith(std::string_view text, std::string_view prefix) { return text.rfind(prefix, 0) == 0; }

std::string Trim(std::string_view text) {
  size_t b = 0, e = text.size();
  while (b < e && (text[b] == ' ' || text[b] == '\t' || text[b] == '\n' || text[b] == '\r')) ++b;
  while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t' || text[e - 1] == '\n' || text[e - 1] == '\r')) --e;
  return std::string(text.substr(b, e - b));
}

// Each line of `code` prefixed with `indent`, "pipe" renamed to `variable`.
std::string Indented(std::string_view code, const std::string& indent, const std::string& variable) {
  std::string out;
  size_t start = 0;
  while (start < code.size()) {
    size_t end = code.find('\n', start);
    if (end == std::string_view::npos) end = code.size();
    std::string line(code.substr(start, end - start));
    if (StartsWith(line, std::string(kCodeVariable) + ".") || StartsWith(line, std::string(kCodeVariable) + " =")) {
      line = variable + line.substr(kCodeVariable.size());
    }
    out += line.empty() ? "\n" : indent + line + "\n";
    start = end + 1;
  }
  return out;
}

// Calls the candidate's code replaces when made on the pipeline (or one of
// its components).
bool Replaced(const Call& call, const std::string& variable) {
  if (call.callee == "apply_group_offloading" && !call.args.empty() &&
      StartsWith(call.args.front().text, variable + ".")) {
    return true;
  }
  static constexpr std::array<std::string_view, 11> kMethods = {
      "enable_model_cpu_offload", "enable_sequential_cpu_offload", "enable_group_offload",
      "enable_layerwise_casting", "enable_vae_tiling",            "enable_vae_slicing",
      "disable_vae_tiling",       "disable_vae_slicing",          "enable_tiling",
      "enable_slicing",           "to"};
  if (std::find(kMethods.begin(), kMethods.end(), call.method) == kMethods.end()) return false;
  if (call.method == "enable_tiling" || call.method == "enable_slicing") return call.receiver == variable + ".vae";
  const bool component = StartsWith(call.receiver, variable + ".");
  if (call.method == "enable_layerwise_casting" || call.method == "enable_group_offload") {
    return call.receiver == variable || component;
  }
  // A component moved to the GPU or to another dtype conflicts with
  // offloading and with fp8 storage alike.
  if (call.method == "to" && component) return true;
  return call.receiver == variable;
}

class Rewriter {
 public:
  Rewriter(const PythonScript& script, const PipelineSite& site, const Candidate& candidate, const CodeContext& ctx)
      : s_(script), site_(site), c_(candidate), ctx_(ctx), weights_(WriteWeightsCode(candidate, ctx)) {}

  ApplyResult Run() {
    RemoveReplacedCalls();
    RemoveOldSetup();
    RewriteLoadArguments();
    InsertCode();
    AddImports();
    ApplyResult result;
    result.rewritten = ApplyEdits();
    result.pipeline_variable = site_.variable;
    result.pipeline_line = site_.line;
    result.notes = notes_;
    return result;
  }

 private:
  const Call& Construction() const { return *site_.construction; }
  std::string_view Source(ByteRange r) const { return std::string_view(s_.source).substr(r.begin, r.end - r.begin); }

  // A statement that is only this call (`pipe.x(...)`, `pipe = pipe.to(...)`),
  // perhaps followed by a comment.
  bool StatementIsCall(const Call& call) const {
    const std::string before = Trim(std::string_view(s_.source).substr(call.statement.begin,
                                                                        call.range.begin - call.statement.begin));
    std::string after = Trim(std::string_view(s_.source).substr(call.range.end, call.statement.end - call.range.end));
    // `a(); b()`: the separator belongs to the statement's range.
    if (!after.empty() && after.front() == ';') after = Trim(after.substr(1));
    std::string head = before;
    if (!head.empty() && head.front() == ';') head = Trim(head.substr(1));
    if (!after.empty() && after.front() != '#') return false;
    if (head.empty()) return true;
    if (head.back() != '=') return false;
    return Trim(head.substr(0, head.size() - 1)) == site_.variable;
  }

  // Deleting the only statement of a block would leave it empty: `pass`.
  std::string Replacement(const Call& call) const {
    const std::string& src = s_.source;
    size_t prev = call.statement.begin;
    while (prev > 0 && (src[prev - 1] == '\n' || src[prev - 1] == ' ' || src[prev - 1] == '\r')) --prev;
    if (prev == 0 || src[prev - 1] != ':') return "";
    size_t next = call.statement.end;
    while (next < src.size() && (src[next] == '\n' || src[next] == '\r')) ++next;
    size_t indent = 0;
    while (next + indent < src.size() && src[next + indent] == ' ') ++indent;
    if (next < src.size() && indent >= call.indent.size()) return "";
    return call.indent + "pass\n";
  }

  void RemoveReplacedCalls() {
    for (const Call* call : site_.calls) {
      if (!Replaced(*call, site_.variable)) continue;
      if (call->method == "to" && !StatementIsCall(*call) && !call->in_chain) {
        notes_.push_back("line " + std::to_string(call->line) + ": left " + std::string(Source(call->range)) +
                         " in place (part of a larger expression); check it against the new placement");
        continue;
      }
      if (!StatementIsCall(*call)) continue;
      edits_.push_back({call->statement, Replacement(*call)});
    }
    // `.to(...)` chained on the construction: drop the suffix.
    for (const Call& call : s_.calls) {
      if (call.method != "to" || call.assigned_to != site_.variable ||
          call.statement.begin != Construction().statement.begin || call.range.begin != Construction().range.begin) {
        continue;
      }
      edits_.push_back({{Construction().range.end, call.range.end}, ""});
    }
  }

  // A quantization config or GGUF model statement this rewriter wrote
  // before (so applying twice changes nothing), right before the
  // construction.
  void RemoveOldSetup() {
    for (const Call& call : s_.calls) {
      const bool quant = call.assigned_to == kQuantVariable && call.method == "PipelineQuantizationConfig";
      const bool gguf = call.assigned_to == ctx_.denoiser && call.method == "from_single_file";
      if (!(quant || gguf) || call.statement.end > Construction().statement.begin) continue;
      if (Trim(std::string_view(s_.source).substr(call.statement.end, Construction().statement.begin - call.statement.end))
              .empty()) {
        edits_.push_back({call.statement, ""});
      }
    }
  }

  // Keyword arguments of from_pretrained: the weights knob's, in order;
  // an existing one is replaced, a missing one appended.
  void RewriteLoadArguments() {
    const Call& load = Construction();
    size_t insert_at = load.args.empty() ? load.arguments.begin + 1 : load.args.back().range.end;
    std::string appended;
    std::vector<std::string> kwargs = weights_.load_kwargs;
    for (const std::string& kwarg : kwargs) {
      const std::string name = kwarg.substr(0, kwarg.find('='));
      const Argument* existing = FindArgument(load, name);
      if (name == "torch_dtype" && existing == nullptr) existing = FindArgument(load, "dtype");
      if (existing != nullptr) {
        if (name == "torch_dtype" && !IsQuantized(c_.weights) && c_.weights != WeightsKind::kGguf) continue;
        if (existing->text != kwarg.substr(name.size() + 1)) edits_.push_back({existing->range, kwarg});
      } else {
        appended += (load.args.empty() && appended.empty() ? "" : ", ") + kwarg;
      }
    }
    if (!IsQuantized(c_.weights)) RemoveArgument(load, "quantization_config");
    if (!IsQuantized(c_.weights)) RemoveArgument(load, "device_map");
    if (!appended.empty()) AppendArguments(load, insert_at, appended);
  }

  // New keyword arguments go where the call's layout puts them: one per
  // line (after the last argument and its trailing comma) when the call
  // lists its arguments one per line, else inline.
  void AppendArguments(const Call& load, size_t insert_at, const std::string& appended) {
    const std::string& src = s_.source;
    bool one_per_line = !load.args.empty() &&
                        LineOf(src, load.args.front().range.begin) != LineOf(src, load.arguments.begin);
    for (size_t i = 1; i < load.args.size() && one_per_line; ++i) {
      one_per_line = LineOf(src, load.args[i].range.begin) != LineOf(src, load.args[i - 1].range.end);
    }
    if (!one_per_line) {
      edits_.push_back({{insert_at, insert_at}, appended});
      return;
    }
    size_t line_start = load.args.back().range.begin;
    while (line_start > 0 && src[line_start - 1] != '\n') --line_start;
    size_t indent_end = line_start;
    while (indent_end < src.size() && (src[indent_end] == ' ' || src[indent_end] == '\t')) ++indent_end;
    const std::string indent = src.substr(line_start, indent_end - line_start);
    std::vector<std::string> kwargs;
    for (size_t start = 0; start < appended.size();) {
      size_t comma = appended.find(", ", start);
      // kwargs never contain ", " themselves (they are name=value with
      // simple values), so this split is exact.
      const std::string part = appended.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) kwargs.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 2;
    }
    size_t after = insert_at;
    while (after < src.size() && (src[after] == ' ' || src[after] == '\t')) ++after;
    std::string text;
    if (after < src.size() && src[after] == ',') {
      for (const std::string& k : kwargs) text += "\n" + indent + k + ",";
      edits_.push_back({{after + 1, after + 1}, text});
    } else {
      for (const std::string& k : kwargs) text += ",\n" + indent + k;
      edits_.push_back({{insert_at, insert_at}, text});
    }
  }

  void RemoveArgument(const Call& load, std::string_view name) {
    for (size_t i = 0; i < load.args.size(); ++i) {
      if (load.args[i].keyword != name) continue;
      const size_t begin = i > 0 ? load.args[i - 1].range.end : load.args[i].range.begin;
      const size_t end = i > 0 ? load.args[i].range.end
                               : (i + 1 < load.args.size() ? load.args[i + 1].range.begin : load.args[i].range.end);
      edits_.push_back({{begin, end}, ""});
      notes_.push_back("removed " + std::string(name) + "=" + load.args[i].text + " from the from_pretrained call");
    }
  }

  void InsertCode() {
    const Call& load = Construction();
    if (!weights_.setup.empty()) {
      edits_.push_back({{load.statement.begin, load.statement.begin}, Indented(weights_.setup, load.indent, site_.variable)});
    }
    const std::string post = PostLoadCode(c_, ctx_);
    size_t at = load.statement.end;
    std::string text = Indented(post, load.indent, site_.variable);
    if (at > 0 && s_.source[at - 1] != '\n') text = "\n" + text;  // construction on the last line, no newline
    edits_.push_back({{at, at}, text});
  }

  bool Imported(const std::string& module, const std::string& name) const {
    for (const Import& imp : s_.imports) {
      if (imp.module == module && (imp.star || std::find(imp.names.begin(), imp.names.end(), name) != imp.names.end())) {
        return true;
      }
      if (module.empty() && imp.module.empty() &&
          std::find(imp.names.begin(), imp.names.end(), name) != imp.names.end()) {
        return true;
      }
    }
    return false;
  }

  void AddImports() {
    std::string lines;
    if (!Imported("", "torch")) lines += "import torch\n";
    std::vector<std::string> names;
    for (const std::string& name : weights_.diffusers_imports) {
      if (!Imported("diffusers", name) && std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
      }
    }
    if (!names.empty()) {
      // Into the first top-level `from diffusers import a, b`, else a new line.
      const Import* existing = nullptr;
      for (const Import& imp : s_.imports) {
        if (existing == nullptr && imp.module == "diffusers" && !imp.star && imp.scope == 0 && imp.names_end > 0) {
          existing = &imp;
        }
      }
      if (existing != nullptr) {
        std::string added;
        for (const std::string& name : names) added += ", " + name;
        edits_.push_back({{existing->names_end, existing->names_end}, added});
      } else {
        lines += "from diffusers import ";
        for (size_t i = 0; i < names.size(); ++i) lines += (i ? ", " : "") + names[i];
        lines += "\n";
      }
    }
    for (const std::string& line : weights_.other_imports) {
      if (s_.source.find(line) == std::string::npos) lines += line + "\n";
    }
    if (lines.empty()) return;
    size_t at = s_.import_insert_at;
    if (at > 0 && s_.source[at - 1] != '\n') lines = "\n" + lines;
    edits_.push_back({{at, at}, lines});
  }

  // Removals that overlap (two statements on one line share their `;`) are
  // merged; a line whose code is all removed goes whole.
  void MergeRemovals() {
    std::vector<Edit> removals, others;
    for (Edit& e : edits_) (e.text.empty() && e.range.end > e.range.begin ? removals : others).push_back(e);
    std::sort(removals.begin(), removals.end(), [](const Edit& a, const Edit& b) { return a.range.begin < b.range.begin; });
    std::vector<Edit> merged;
    for (const Edit& e : removals) {
      if (!merged.empty() && e.range.begin <= merged.back().range.end) {
        merged.back().range.end = std::max(merged.back().range.end, e.range.end);
      } else {
        merged.push_back(e);
      }
    }
    const std::string& src = s_.source;
    for (Edit& e : merged) {
      if (e.range.end > 0 && src[e.range.end - 1] == '\n') continue;  // already whole lines
      size_t line_start = e.range.begin;
      while (line_start > 0 && src[line_start - 1] != '\n') --line_start;
      size_t line_end = e.range.end;
      while (line_end < src.size() && src[line_end] != '\n') ++line_end;
      auto blank = [&](size_t b, size_t end) {
        for (size_t i = b; i < end; ++i) {
          if (src[i] == '#') return true;  // the rest is a comment
          if (src[i] != ' ' && src[i] != '\t' && src[i] != '\r' && src[i] != '\n') return false;
        }
        return true;
      };
      if (blank(line_start, e.range.begin) && blank(e.range.end, line_end)) {
        e.range = {line_start, line_end < src.size() ? line_end + 1 : line_end};
      }
    }
    edits_ = others;
    edits_.insert(edits_.end(), merged.begin(), merged.end());
  }

  std::string ApplyEdits() {
    MergeRemovals();
    std::stable_sort(edits_.begin(), edits_.end(), [](const Edit& a, const Edit& b) {
      return a.range.begin != b.range.begin ? a.range.begin < b.range.begin : a.range.end < b.range.end;
    });
    std::string out;
    size_t at = 0;
    for (const Edit& e : edits_) {
      if (e.range.begin < at) {  // overlaps an earlier edit: keep the earlier one
        notes_.push_back("skipped an overlapping edit at line " + std::to_string(LineOf(s_.source, e.range.begin)));
        continue;
      }
      out.append(s_.source, at, e.range.begin - at);
      out += e.text;
      at = e.range.end;
    }
    out.append(s_.source, at, std::string::npos);
    return out;
  }

  const PythonScript& s_;
  const PipelineSite& site_;
  const Candidate& c_;
  const CodeContext& ctx_;
  const WeightsCode weights_;
  std::vector<Edit> edits_;
  std::vector<std::string> notes_;
};

}  // namespace

Result<ApplyResult> ApplyCandidate(const PythonScript& script, const Candidate& candidate, const CodeContext& context,
                                   const ApplyOptions& options) {
  const std::vector<PipelineSite> sites = FindPipelines(script);
  for (const PipelineSite& site : sites) {
    if (!options.target.empty() && site.variable != options.target) continue;
    if (site.method == "from_pipe") continue;
    return Rewriter(script, site, candidate, context).Run();
  }
  if (!options.target.empty()) {
    return MakeError(ErrorCode::kNotFound, "no pipeline bound to '" + options.target + "' (found " +
                                               std::to_string(sites.size()) + " pipeline(s))");
  }
  return MakeError(ErrorCode::kNotFound,
                   "no diffusers pipeline construction (X.from_pretrained(...) assigned to a variable) found");
}

}  // namespace pipefit
