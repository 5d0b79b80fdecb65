#include "pipefit/codegen/script_apply.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "pipefit/base/text.h"
#include "pipefit/codegen/text_edits.h"
#include "pipefit/codegen/weights_code.h"

namespace pipefit {
namespace {

// The variable CandidateCode writes; replaced by the script's own.
constexpr std::string_view kCodeVariable = "pipe";

std::string Trim(std::string_view text) { return std::string(TrimWhitespace(text)); }

bool IsIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// `line` with every use of the code's variable renamed to `variable`: the
// token "pipe" followed by "." or " =" (an assignment), wherever it stands
// ("for m in pipe.transformer.modules():", "exclude_kwargs=pipe.x"), not
// inside a longer name ("my_pipe.", "pipe_2.", "x.pipe.").
std::string RenamedVariable(const std::string& line, const std::string& variable) {
  std::string out;
  const std::string_view name = kCodeVariable;
  size_t at = 0;
  while (at < line.size()) {
    const bool token = line.compare(at, name.size(), name) == 0 &&
                       (at == 0 || (!IsIdentifierChar(line[at - 1]) && line[at - 1] != '.'));
    const std::string_view after = std::string_view(line).substr(std::min(line.size(), at + name.size()));
    if (token && (after.starts_with(".") || after.starts_with(" ="))) {
      out += variable;
      at += name.size();
    } else {
      out += line[at++];
    }
  }
  return out;
}

// Each line of `code` prefixed with `indent`, "pipe" renamed to `variable`.
std::string Indented(std::string_view code, const std::string& indent, const std::string& variable) {
  std::string out;
  size_t start = 0;
  while (start < code.size()) {
    size_t end = code.find('\n', start);
    if (end == std::string_view::npos) end = code.size();
    const std::string line = RenamedVariable(std::string(code.substr(start, end - start)), variable);
    out += line.empty() ? "\n" : indent + line + "\n";
    start = end + 1;
  }
  return out;
}

// Calls the candidate's code replaces when made on the pipeline (or one of
// its components). `.to()` only when it names a CUDA device, or a dtype on
// the pipeline or its denoiser (which fp8 storage would undo); a VAE
// upcast, a memory format or a move back to the CPU are the user's.
bool Replaced(const Call& call, const std::string& variable, const std::string& denoiser) {
  if (call.callee == "apply_group_offloading" && !call.args.empty() &&
      call.args.front().text.starts_with(variable + ".")) {
    return true;
  }
  static constexpr std::array<std::string_view, 10> kMethods = {"enable_model_cpu_offload",
                                                                "enable_sequential_cpu_offload",
                                                                "enable_group_offload",
                                                                "enable_layerwise_casting",
                                                                "enable_vae_tiling",
                                                                "enable_vae_slicing",
                                                                "disable_vae_tiling",
                                                                "disable_vae_slicing",
                                                                "enable_tiling",
                                                                "enable_slicing"};
  const bool component = call.receiver.starts_with(variable + ".");
  if (call.method == "to") {
    if (call.receiver != variable && call.receiver != variable + "." + denoiser) return false;
    for (const Argument& arg : call.args) {
      // torch_device=/torch_dtype= do nothing (check's to-ignored-keywords):
      // the call is the script's placement all the same.
      if (IsCudaDeviceArgument(arg) || IsDTypeArgument(arg) || arg.keyword == "torch_device" ||
          arg.keyword == "torch_dtype")
        return true;
    }
    return false;
  }
  if (std::find(kMethods.begin(), kMethods.end(), call.method) == kMethods.end()) return false;
  if (call.method == "enable_tiling" || call.method == "enable_slicing")
    return call.receiver == variable + ".vae";
  if (call.method == "enable_layerwise_casting" || call.method == "enable_group_offload") {
    return call.receiver == variable || component;
  }
  return call.receiver == variable;
}

class Rewriter {
 public:
  Rewriter(const PythonScript& script, const PipelineSite& site, const Candidate& candidate,
           const CodeContext& ctx, const ApplyOptions& options)
      : s_(script),
        site_(site),
        c_(candidate),
        ctx_(ctx),
        options_(options),
        weights_(WriteWeightsCode(candidate, ctx)) {
    crlf_ = UsesCrlf(s_.source);
  }

  ApplyResult Run() {
    RemoveReplacedCalls();
    RemoveOldSetup();
    RewriteLoadArguments();
    InsertCode();
    AddImports();
    if (RunsUnderTorchrun(c_.parallel.kind)) GuardOutputsAndTearDown();
    ApplyResult result;
    result.rewritten = ApplyTextEdits(s_.source, edits_, crlf_, notes_);
    result.pipeline_variable = site_.variable;
    result.pipeline_line = site_.line;
    result.notes = notes_;
    return result;
  }

 private:
  const Call& Construction() const { return *site_.construction; }
  std::string_view Source(ByteRange r) const {
    return std::string_view(s_.source).substr(r.begin, r.end - r.begin);
  }

  // A statement that is only this call (`pipe.x(...)`, `pipe = pipe.to(...)`),
  // perhaps followed by a comment.
  bool StatementIsCall(const Call& call) const {
    const std::string before = Trim(
        std::string_view(s_.source).substr(call.statement.begin, call.range.begin - call.statement.begin));
    std::string after =
        Trim(std::string_view(s_.source).substr(call.range.end, call.statement.end - call.range.end));
    // `a(); b()`: the separator belongs to the statement's range.
    if (!after.empty() && after.front() == ';') after = Trim(after.substr(1));
    std::string head = before;
    if (!head.empty() && head.front() == ';') head = Trim(head.substr(1));
    if (!after.empty() && after.front() != '#') return false;
    if (head.empty()) return true;
    if (head.back() != '=') return false;
    return Trim(head.substr(0, head.size() - 1)) == site_.variable;
  }

  // Deleting every statement of a block would leave it empty: the first
  // removed statement of such a block becomes `pass` (also for
  // `if c: pipe.to("cuda")` on one line). Blank and comment lines, and the
  // other statements being removed (`removed`), are not statements.
  std::string Replacement(const Call& call, const std::vector<ByteRange>& removed,
                          std::vector<size_t>& headers_given_pass) const {
    const std::string& src = s_.source;
    const bool whole_lines = call.statement.end > 0 && src[call.statement.end - 1] == '\n' &&
                             (call.statement.begin == 0 || src[call.statement.begin - 1] == '\n');
    if (!whole_lines) {
      const std::string head = Trim(std::string_view(src).substr(
          LineStart(call.statement.begin), call.statement.begin - LineStart(call.statement.begin)));
      return !head.empty() && head.back() == ':' ? "pass" : "";
    }
    const std::optional<size_t> header = PreviousCodeLineIfBlockHeader(call.statement.begin, removed);
    if (!header) return "";
    if (std::find(headers_given_pass.begin(), headers_given_pass.end(), *header) != headers_given_pass.end())
      return "";
    // The next code line: deeper or equal indentation means the block goes on.
    size_t at = call.statement.end;
    while (at < src.size()) {
      size_t end = src.find('\n', at);
      if (end == std::string::npos) end = src.size();
      const std::string line = Trim(std::string_view(src).substr(at, end - at));
      if (!line.empty() && line.front() != '#' && !InRanges(at, removed)) {
        size_t indent = 0;
        while (at + indent < src.size() && (src[at + indent] == ' ' || src[at + indent] == '\t')) ++indent;
        if (indent >= call.indent.size()) return "";
        break;
      }
      at = end + 1;
    }
    headers_given_pass.push_back(*header);
    return call.indent + "pass" + LineEnding() + "";
  }

  static bool InRanges(size_t at, const std::vector<ByteRange>& ranges) {
    return std::any_of(ranges.begin(), ranges.end(),
                       [at](const ByteRange& r) { return at >= r.begin && at < r.end; });
  }

  size_t LineStart(size_t at) const {
    while (at > 0 && s_.source[at - 1] != '\n') --at;
    return at;
  }

  // The start of the previous code line (skipping `removed` statements)
  // when it ends with ':' (a block header), else nullopt.
  std::optional<size_t> PreviousCodeLineIfBlockHeader(size_t at,
                                                      const std::vector<ByteRange>& removed) const {
    const std::string& src = s_.source;
    while (at > 0) {
      const size_t end = at - 1;  // the '\n' ending the previous line
      const size_t start = LineStart(end);
      std::string line = Trim(std::string_view(src).substr(start, end - start));
      const size_t hash = line.find('#');
      if (hash != std::string::npos) line = Trim(line.substr(0, hash));
      if (!line.empty() && !InRanges(start, removed)) {
        if (line.back() == ':') return start;
        return std::nullopt;
      }
      at = start;
    }
    return std::nullopt;
  }

  std::string LineEnding() const { return crlf_ ? "\r\n" : "\n"; }

  void RemoveReplacedCalls() {
    std::vector<const Call*> removed;
    for (const Call* call : site_.calls) {
      if (!Replaced(*call, site_.variable, ctx_.denoiser)) continue;
      // Only in the function that builds the pipeline: a method elsewhere
      // (an offload toggle, a request handler) is the user's to change.
      if (call->scope != Construction().scope) {
        notes_.push_back("line " + std::to_string(call->line) + ": " + std::string(Source(call->range)) +
                         " is in another function; check it against the new placement");
        continue;
      }
      if (call->method == "to" && !StatementIsCall(*call) && !call->in_chain) {
        notes_.push_back("line " + std::to_string(call->line) + ": left " + std::string(Source(call->range)) +
                         " in place (part of a larger expression); check it against the new placement");
        continue;
      }
      if (!StatementIsCall(*call)) continue;
      removed.push_back(call);
    }
    std::vector<ByteRange> ranges;
    for (const Call* call : removed) ranges.push_back(call->statement);
    std::vector<size_t> headers_given_pass;
    for (const Call* call : removed)
      edits_.push_back({call->statement, Replacement(*call, ranges, headers_given_pass)});
    // `.to(...)` chained on the construction: drop the suffix.
    for (const Call& call : s_.calls) {
      if (call.method != "to" || call.assigned_to != site_.variable ||
          call.statement.begin != Construction().statement.begin ||
          call.range.begin != Construction().range.begin) {
        continue;
      }
      edits_.push_back({{Construction().range.end, call.range.end}, ""});
    }
  }

  // A quantization config or GGUF model statement this rewriter wrote
  // before (so applying twice changes nothing), right before the
  // construction.
  // Only a statement byte-identical to what this candidate writes there,
  // so user code is never removed.
  void RemoveOldSetup() {
    if (weights_.setup.empty()) return;
    const std::string expected = Indented(weights_.setup, Construction().indent, site_.variable);
    const size_t begin = Construction().statement.begin;
    if (begin >= expected.size() &&
        s_.source.compare(begin - expected.size(), expected.size(), expected) == 0) {
      setup_present_ = true;
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
      if (name == "torch_dtype" && existing == nullptr && HasSplat(load)) {
        notes_.push_back("from_pretrained takes **kwargs: check they set torch_dtype");
        continue;
      }
      if (existing != nullptr) {
        if (name == "torch_dtype" && options_.replace_dtype) {
          ReplaceDType(*existing, kwarg.substr(name.size() + 1));
          continue;
        }
        // The user's dtype and revision (literal or variable) are never replaced.
        if (name == "torch_dtype" || name == "revision") continue;
        if (existing->text != kwarg.substr(name.size() + 1)) edits_.push_back({existing->range, kwarg});
      } else {
        appended += (load.args.empty() && appended.empty() ? "" : ", ") + kwarg;
      }
    }
    if (!IsQuantized(c_.weights)) RemoveArgument(load, "quantization_config");
    // device_map="balanced" is the layout itself: kept (or replaced) above.
    if (!IsQuantized(c_.weights) && c_.parallel.kind != ParallelKind::kBalanced)
      RemoveArgument(load, "device_map");
    if (!appended.empty()) AppendArguments(load, insert_at, appended);
  }

  // New keyword arguments go where the call's layout puts them: one per
  // line (after the last argument and its trailing comma) when the call
  // lists its arguments one per line, else inline.
  void AppendArguments(const Call& load, size_t insert_at, const std::string& appended) {
    const std::string& src = s_.source;
    bool one_per_line =
        !load.args.empty() && LineOf(src, load.args.front().range.begin) != LineOf(src, load.arguments.begin);
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
      const std::string part =
          appended.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
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

  // --dtype given: the value of `torch_dtype=` (or `dtype=`) becomes `value`.
  void ReplaceDType(const Argument& existing, const std::string& value) {
    if (existing.text == value) return;
    edits_.push_back({existing.value, value});
    notes_.push_back("line " + std::to_string(LineOf(s_.source, existing.value.begin)) + ": " +
                     existing.keyword + "=" + existing.text + " is now " + value + " (--dtype)");
  }

  static bool HasSplat(const Call& call) {
    for (const Argument& arg : call.args) {
      if (arg.keyword.empty() && arg.text.starts_with("**")) return true;
    }
    return false;
  }

  void RemoveArgument(const Call& load, std::string_view name) {
    for (size_t i = 0; i < load.args.size(); ++i) {
      if (load.args[i].keyword != name) continue;
      const size_t begin = i > 0 ? load.args[i - 1].range.end : load.args[i].range.begin;
      const size_t end =
          i > 0 ? load.args[i].range.end
                : (i + 1 < load.args.size() ? load.args[i + 1].range.begin : load.args[i].range.end);
      edits_.push_back({{begin, end}, ""});
      notes_.push_back("removed " + std::string(name) + "=" + load.args[i].text +
                       " from the from_pretrained call");
    }
  }

  void InsertCode() {
    const Call& load = Construction();
    std::string before = distributed_ ? "" : ParallelSetupCode(c_, ctx_);
    if (!before.empty())
      notes_.push_back("launch the script with torchrun --nproc-per-node " +
                       std::to_string(c_.parallel.degree) + " (one process per GPU)");
    if (!weights_.setup.empty() && !setup_present_) before += weights_.setup;
    if (!before.empty()) {
      edits_.push_back(
          {{load.statement.begin, load.statement.begin}, Indented(before, load.indent, site_.variable)});
    }
    const std::string post = PostLoadCode(c_, ctx_);
    // After the construction's last line (a `; more()` on it stays first),
    // or after the setup that follows it in the same block: a component
    // swapped in (`pipe.vae = ...`), LoRA or adapter loading. Offloading
    // hooks and casting must see the final components.
    size_t at = SetupEnd(load.statement.end);
    if (at > 0 && s_.source[at - 1] != '\n') {
      while (at < s_.source.size() && s_.source[at] != '\n') ++at;
      if (at < s_.source.size()) ++at;
    }
    std::string text = Indented(post, load.indent, site_.variable);
    if (at > 0 && s_.source[at - 1] != '\n') text = "\n" + text;  // construction on the last line, no newline
    edits_.push_back({{at, at}, text});
  }

  size_t SetupEnd(size_t at) const {
    static constexpr std::array<std::string_view, 9> kSetup = {
        "load_lora_weights",      "fuse_lora",
        "set_adapters",           "unfuse_lora",
        "load_ip_adapter",        "set_ip_adapter_scale",
        "load_textual_inversion", "enable_freeu",
        "register_modules"};
    const Call& load = Construction();
    for (const Call& call : s_.calls) {
      if (call.statement.begin < at || call.scope != load.scope || call.indent != load.indent) continue;
      if (site_.generation != nullptr && call.range.begin >= site_.generation->range.begin) break;
      const bool swap = call.assigned_to.starts_with(site_.variable + ".") && !call.in_chain;
      const bool setup = call.receiver == site_.variable &&
                         std::find(kSetup.begin(), kSetup.end(), call.method) != kSetup.end();
      if (swap || setup) at = call.statement.end;
    }
    return at;
  }

  // Context parallelism runs the script once per GPU: only rank 0 writes
  // the result (every `.save(...)` and `export_to_video(...)` statement
  // after the pipeline is built), and the process group is destroyed at the
  // end. A script that sets up torch.distributed itself is left to do both.
  void GuardOutputsAndTearDown() {
    if (distributed_) {
      notes_.push_back("the script already calls init_process_group: its own rank handling is kept");
      return;
    }
    const Call& load = Construction();
    std::vector<ByteRange> guarded;
    for (const Call& call : s_.calls) {
      if (call.statement.begin < load.statement.end) continue;
      const bool output = call.method == "save" || call.callee == "export_to_video" ||
                          call.callee.ends_with(".export_to_video");
      if (!output) continue;
      if (std::any_of(guarded.begin(), guarded.end(),
                      [&](const ByteRange& r) { return r.begin == call.statement.begin; })) {
        continue;
      }
      guarded.push_back(call.statement);
      // Indent every line of the statement under `if rank == 0:`.
      const size_t first = call.statement.begin;
      edits_.push_back({{first, first}, call.indent + "if rank == 0:\n    "});
      for (size_t at = first; at + 1 < call.statement.end; ++at) {
        if (s_.source[at] == '\n') edits_.push_back({{at + 1, at + 1}, "    "});
      }
      notes_.push_back("line " + std::to_string(call.line) + ": only rank 0 writes the output");
    }
    bool seeded = false;
    if (site_.generation != nullptr) {
      for (const Argument& arg : site_.generation->args) seeded = seeded || arg.keyword == "generator";
    }
    // Every rank must start from the same latents (distributed_inference.md
    // :284): the same CPU generator on each.
    if (site_.generation != nullptr && !seeded) {
      const Call& call = *site_.generation;
      const std::string kwarg = "generator=torch.Generator(\"cpu\").manual_seed(0)";
      if (call.args.empty()) {
        edits_.push_back({{call.arguments.begin + 1, call.arguments.begin + 1}, kwarg});
      } else {
        edits_.push_back({{call.args.back().range.end, call.args.back().range.end}, ", " + kwarg});
      }
      notes_.push_back(
          "line " + std::to_string(call.line) +
          ": added the same CPU generator on every rank, so that all ranks start from the same latents");
    }
    std::string teardown = "dist.destroy_process_group()\n";
    if (!s_.source.empty() && s_.source.back() != '\n') teardown = "\n" + teardown;
    edits_.push_back({{s_.source.size(), s_.source.size()}, teardown});
  }

  void AddImports() {
    std::string lines;
    if (!IsImported(s_, "", "torch")) lines += "import torch\n";
    if (RunsUnderTorchrun(c_.parallel.kind) &&
        s_.source.find("import torch.distributed as dist") == std::string::npos)
      lines += "import torch.distributed as dist\n";
    std::vector<std::string> names;
    if (RunsUnderTorchrun(c_.parallel.kind) &&
        !IsImported(s_, "diffusers", ParallelConfigClass(c_.parallel.kind)))
      names.push_back(ParallelConfigClass(c_.parallel.kind));
    for (const std::string& name : weights_.diffusers_imports) {
      if (!IsImported(s_, "diffusers", name) && std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
      }
    }
    if (!names.empty()) {
      // Into the first top-level `from diffusers import a, b`, else a new line.
      const Import* existing = nullptr;
      for (const Import& imp : s_.imports) {
        if (existing == nullptr && imp.module == "diffusers" && !imp.star && imp.scope == 0 &&
            imp.names_end > 0) {
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
    if (c_.placement == Placement::kPartialResident &&
        !IsImported(s_, "diffusers.hooks", "apply_group_offloading"))
      lines += "from diffusers.hooks import apply_group_offloading\n";
    if (lines.empty()) return;
    size_t at = s_.import_insert_at > 0 ? s_.import_insert_at : FileHeaderEnd(s_.source);
    if (at > 0 && s_.source[at - 1] != '\n') lines = "\n" + lines;
    edits_.push_back({{at, at}, lines, 0});
  }

  const PythonScript& s_;
  const PipelineSite& site_;
  const Candidate& c_;
  const CodeContext& ctx_;
  const ApplyOptions& options_;
  const WeightsCode weights_;
  std::vector<Edit> edits_;
  std::vector<std::string> notes_;
  bool setup_present_ = false;
  // The script already initialises torch.distributed itself.
  const bool distributed_ = s_.source.find("init_process_group") != std::string::npos;
  bool crlf_ = false;  // the script's lines end in \r\n: new lines do too
};

}  // namespace

const PipelineSite* SelectPipeline(const std::vector<PipelineSite>& sites, const ApplyOptions& options) {
  for (const PipelineSite& site : sites) {
    if (!options.target.empty() && site.variable != options.target) continue;
    // Derived or assembled pipelines: no from_pretrained to rewrite.
    if (site.method == "from_pipe" || site.method == "constructor") continue;
    return &site;
  }
  return nullptr;
}

Result<ApplyResult> ApplyCandidate(const PythonScript& script, const Candidate& candidate,
                                   const CodeContext& context, const ApplyOptions& options) {
  const std::vector<PipelineSite> sites = FindPipelines(script);
  if (const PipelineSite* site = SelectPipeline(sites, options)) {
    return Rewriter(script, *site, candidate, context, options).Run();
  }
  if (!options.target.empty()) {
    return MakeErrorf(ErrorCode::kNotFound, "no pipeline bound to '{}' (found {} pipeline(s))",
                      options.target, sites.size());
  }
  return MakeErrorf(
      ErrorCode::kNotFound,
      "no diffusers pipeline construction (X.from_pretrained(...) assigned to a variable) found");
}

}  // namespace pipefit
