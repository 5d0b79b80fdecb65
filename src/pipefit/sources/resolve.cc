#include "pipefit/sources/resolve.h"

#include "pipefit/catalog/catalog.h"
#include "pipefit/sources/hf_cache.h"
#include "pipefit/sources/pipeline_folder.h"

namespace pipefit {
namespace {

bool LooksLikePath(const std::string& reference) {
  return reference.rfind("/", 0) == 0 || reference.rfind("./", 0) == 0 ||
         reference.rfind("../", 0) == 0 || reference.rfind("~", 0) == 0 ||
         reference.find(".safetensors") != std::string::npos || reference.find(".gguf") != std::string::npos;
}

Result<Pipeline> FromCatalog(const std::string& reference, const ResolveOptions& options) {
  PIPEFIT_ASSIGN_OR_RETURN(std::optional<CatalogEntry> entry, FindCatalogEntry(reference));
  if (!entry) {
    std::string message = reference + ": not a local path, not in the Hugging Face cache, and not a "
                          "built-in catalog entry (see `pipefit catalog`)";
    if (!options.offline) {
      message += "; reading headers from the Hub is not available in this build";
    }
    return MakeError(ErrorCode::kNotFound, message);
  }
  PIPEFIT_ASSIGN_OR_RETURN(Pipeline pipeline, LoadPipelineFolder(CatalogFileSystem(), entry->root, ""));
  pipeline.source = SourceInfo{SourceKind::kCatalog, entry->root, entry->repo, entry->revision};
  if (!options.variant.empty()) {
    pipeline.notes.push_back("--variant is ignored for catalog entries (their tensors are bf16)");
  }
  return pipeline;
}

}  // namespace

Result<Pipeline> ResolveModel(const std::string& reference, const ResolveOptions& options,
                              const FileSystem& fs, const Environment& env) {
  if (reference.empty()) return MakeError(ErrorCode::kUsage, "empty model reference");
  if (fs.Exists(reference)) {
    PIPEFIT_ASSIGN_OR_RETURN(Pipeline pipeline, LoadLocalModel(fs, reference, options.variant));
    pipeline.source.kind = SourceKind::kLocal;
    return pipeline;
  }
  if (LooksLikePath(reference)) {
    return MakeError(ErrorCode::kNotFound, reference + ": no such file or directory");
  }
  if (auto ref = ParseRepoReference(reference)) {
    PIPEFIT_ASSIGN_OR_RETURN(std::optional<HfCacheSnapshot> snapshot, FindHfCacheSnapshot(fs, env, *ref));
    if (snapshot) {
      PIPEFIT_ASSIGN_OR_RETURN(Pipeline pipeline, LoadLocalModel(fs, snapshot->path, options.variant));
      pipeline.source = SourceInfo{SourceKind::kHfCache, snapshot->path, ref->repo, snapshot->commit};
      return pipeline;
    }
    if (!ref->revision.empty()) {
      // A pinned revision cannot come from the catalog, which has one version.
      auto entry = FindCatalogEntry(ref->repo);
      if (entry.ok() && entry->has_value()) {
        return MakeError(ErrorCode::kNotFound, reference + ": revision '" + ref->revision +
                                                   "' is not in the Hugging Face cache; the built-in "
                                                   "catalog has only " + ref->repo);
      }
    }
  }
  return FromCatalog(reference, options);
}

}  // namespace pipefit
