#include "cli/model_options.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "pipefit/base/file_system.h"
#include "pipefit/base/units.h"
#include "pipefit/catalog/catalog.h"
#include "pipefit/sources/resolve.h"

namespace pipefit::cli {

void AddModelOptions(CLI::App& command, ModelFlags& flags, const std::string& model_help) {
  command.add_option("MODEL", flags.model, model_help);
  command
      .add_option("--dtype", flags.dtype, "torch_dtype the pipeline will be loaded with: bf16, fp16, fp32")
      ->capture_default_str();
  command.add_option("--variant", flags.variant, "weight variant, like diffusers' variant= (e.g. fp16)");
  command.add_flag("--offline", flags.offline, "never use the network (also HF_HUB_OFFLINE=1)");
}

Result<ResolvedModel> ResolveModelOrReadId(const ModelFlags& flags, const std::string& read_id,
                                           const Environment& env) {
  if (!flags.model.empty()) return ResolveModelFlags(flags, env);
  ModelFlags model = flags;
  model.model = read_id;
  model.offline = true;
  auto resolved = ResolveModelFlags(model, env);
  if (resolved.ok() || flags.offline) return resolved;
  return MakeErrorf(resolved.error().code, "{}; pass --model {} to read it from the Hub",
                    resolved.error().message, read_id);
}

std::string HubFetchSummaryLine(const SourceInfo& source) {
  const FetchSummary& fetch = *source.fetch;
  return fmt::format(
      "pipefit: read {}@{} from {}: {} request{}, {} received, {} file{} from the cache, {:.2f} s",
      source.repo, source.revision.substr(0, 12), fetch.endpoint, fetch.requests,
      fetch.requests == 1 ? "" : "s", FormatTransferBytes(fetch.bytes), fetch.cached_files,
      fetch.cached_files == 1 ? "" : "s", fetch.seconds);
}

Result<ResolvedModel> ResolveModelFlags(const ModelFlags& flags, const Environment& env) {
  ResolvedModel resolved;
  auto dtype = ParseLoadDType(flags.dtype);
  if (!dtype)
    return MakeErrorf(ErrorCode::kUsage, "--dtype must be bf16, fp16 or fp32, not '{}'", flags.dtype);
  resolved.dtype = *dtype;
  resolved.reference = flags.model;
  if (resolved.reference.empty()) {
    PIPEFIT_ASSIGN_OR_RETURN(CatalogEntry entry, DefaultCatalogEntry());
    resolved.reference = entry.repo;
  }
  ResolveOptions options;
  options.variant = flags.variant;
  options.offline = flags.offline || env.Get("HF_HUB_OFFLINE").value_or("") == "1";
  // A progress line while fetching from the Hub, only when a person watches.
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  if (show_progress) {
    options.progress = [reference = resolved.reference](const HubProgress& p) {
      std::fprintf(stderr, "\r\033[Kpipefit: reading %s: %d/%d fetches, %s", reference.c_str(), p.files_done,
                   p.files_total, FormatTransferBytes(p.bytes).c_str());
      std::fflush(stderr);
    };
  }
  RealFileSystem fs;
  auto pipeline = ResolveModel(resolved.reference, options, fs, env);
  if (show_progress && pipeline.ok() && pipeline->source.kind == SourceKind::kHub)
    std::fprintf(stderr, "\r\033[K");
  if (!pipeline.ok()) {
    if (show_progress) std::fprintf(stderr, "\r\033[K");
    return pipeline.error();
  }
  resolved.pipeline = std::move(*pipeline);
  if (resolved.pipeline.source.fetch) {
    // Always said (on stderr): what reading a remote model cost.
    std::fprintf(stderr, "%s\n", HubFetchSummaryLine(resolved.pipeline.source).c_str());
  }
  return resolved;
}

}  // namespace pipefit::cli
