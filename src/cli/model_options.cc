#include "cli/model_options.h"

#include "pipefit/base/file_system.h"
#include "pipefit/catalog/catalog.h"
#include "pipefit/sources/resolve.h"

namespace pipefit::cli {

void AddModelOptions(CLI::App& command, ModelFlags& flags, const std::string& model_help) {
  command.add_option("MODEL", flags.model, model_help);
  command.add_option("--dtype", flags.dtype, "torch_dtype the pipeline will be loaded with: bf16, fp16, fp32")
      ->capture_default_str();
  command.add_option("--variant", flags.variant, "weight variant, like diffusers' variant= (e.g. fp16)");
  command.add_flag("--offline", flags.offline, "never use the network (also HF_HUB_OFFLINE=1)");
}

Result<ResolvedModel> ResolveModelFlags(const ModelFlags& flags, const Environment& env) {
  ResolvedModel resolved;
  auto dtype = ParseLoadDType(flags.dtype);
  if (!dtype) return MakeError(ErrorCode::kUsage, "--dtype must be bf16, fp16 or fp32, not '" + flags.dtype + "'");
  resolved.dtype = *dtype;
  resolved.reference = flags.model;
  if (resolved.reference.empty()) {
    PIPEFIT_ASSIGN_OR_RETURN(CatalogEntry entry, DefaultCatalogEntry());
    resolved.reference = entry.repo;
  }
  ResolveOptions options;
  options.variant = flags.variant;
  options.offline = flags.offline || env.Get("HF_HUB_OFFLINE").value_or("") == "1";
  RealFileSystem fs;
  PIPEFIT_ASSIGN_OR_RETURN(resolved.pipeline, ResolveModel(resolved.reference, options, fs, env));
  return resolved;
}

}  // namespace pipefit::cli
