#include "pipefit/sources/resolve.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "pipefit/catalog/catalog.h"
#include "pipefit/net/curl_transport.h"
#include "pipefit/net/http.h"
#include "pipefit/sources/hf_cache.h"
#include "pipefit/sources/hub_client.h"
#include "pipefit/sources/pipeline_folder.h"

namespace pipefit {
namespace {

bool LooksLikeLocalPath(const std::string& reference) {
  return reference.starts_with("/") || reference.starts_with("./") || reference.starts_with("../") ||
         reference.starts_with("~");
}

bool HasWeightSuffix(const std::string& reference) {
  return reference.find(".safetensors") != std::string::npos || reference.find(".gguf") != std::string::npos;
}

Result<Pipeline> FromCatalog(const CatalogEntry& entry, const ResolveOptions& options) {
  PIPEFIT_ASSIGN_OR_RETURN(Pipeline pipeline, LoadPipelineFolder(CatalogFileSystem(), entry.root, ""));
  pipeline.source = SourceInfo{SourceKind::kCatalog, entry.root, entry.repo, entry.revision, std::nullopt};
  if (!options.variant.empty()) {
    pipeline.notes.push_back("--variant is ignored for catalog entries (their tensors are bf16)");
  }
  return pipeline;
}

Result<Pipeline> FromHub(const std::string& reference, const ResolveOptions& options, const FileSystem& fs,
                         const Environment& env) {
  PIPEFIT_ASSIGN_OR_RETURN(HubSettings settings, HubSettingsFromEnvironment(env, fs));
  auto ref = ParseHubReference(reference, settings.endpoint);
  if (!ref) {
    return MakeErrorf(
        ErrorCode::kNotFound,
        "{}: not a local path, not in the Hugging Face cache, not a built-in catalog entry (see "
        "`pipefit catalog`), and not a Hub repo id (org/name[@revision][/path])",
        reference);
  }
  HubLoadOptions hub_options{options.variant, options.offline, options.progress};
  if (options.transport != nullptr) return LoadHubModel(*ref, hub_options, settings, *options.transport);
  CurlTransportOptions curl_options;
  if (auto bundle = env.GetNonEmpty("SSL_CERT_FILE")) curl_options.ca_bundle = *bundle;
  if (auto bundle = env.GetNonEmpty("CURL_CA_BUNDLE")) curl_options.ca_bundle = *bundle;
  // libcurl is loaded on the first request; tests point this at a missing file.
  if (auto library = env.GetNonEmpty("PIPEFIT_CURL_LIBRARY")) curl_options.library = *library;
  CurlTransport transport(curl_options);
  return LoadHubModel(*ref, hub_options, settings, transport);
}

// PIPEFIT_LOCAL_ROOT (set by `pipefit serve` for the commands it runs): a
// local reference must lie inside that folder once links and ".." are
// resolved; "-" forbids local references altogether.
Status CheckLocalRoot(const std::string& reference, const Environment& env) {
  auto root = env.Get("PIPEFIT_LOCAL_ROOT");
  if (!root) return OkStatus();
  if (*root == "-" || root->empty()) {
    return MakeErrorf(
        ErrorCode::kUsage,
        "{}: local paths are not served (start pipefit serve with --root DIR to allow a folder)", reference);
  }
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path allowed = fs::weakly_canonical(fs::path(*root), error);
  if (error) return MakeErrorf(ErrorCode::kIo, "--root {}: {}", *root, error.message());
  const fs::path wanted = fs::weakly_canonical(fs::absolute(fs::path(reference), error), error);
  if (error) return MakeErrorf(ErrorCode::kUsage, "{}: {}", reference, error.message());
  auto [root_end, ignored] = std::mismatch(allowed.begin(), allowed.end(), wanted.begin(), wanted.end());
  if (root_end != allowed.end()) {
    return MakeErrorf(ErrorCode::kUsage, "{}: outside the folder this server may read (--root)", reference);
  }
  return OkStatus();
}

}  // namespace

Result<Pipeline> ResolveModel(const std::string& reference, const ResolveOptions& options,
                              const FileSystem& fs, const Environment& env) {
  if (reference.empty()) return MakeErrorf(ErrorCode::kUsage, "empty model reference");
  if (fs.Exists(reference) || LooksLikeLocalPath(reference)) {
    if (Status inside = CheckLocalRoot(reference, env); !inside.ok()) return inside.error();
  }
  if (fs.Exists(reference)) {
    PIPEFIT_ASSIGN_OR_RETURN(Pipeline pipeline, LoadLocalModel(fs, reference, options.variant));
    pipeline.source.kind = SourceKind::kLocal;
    return pipeline;
  }
  if (LooksLikeLocalPath(reference) ||
      (HasWeightSuffix(reference) && reference.find('/') == std::string::npos)) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: no such file or directory", reference);
  }
  // The HF cache first. When it lacks the revision, or holds only part of
  // the repo (a single hf_hub_download, another variant), the catalog and
  // then the Hub are asked instead, unless the network is off.
  std::string cache_note;
  if (auto ref = ParseRepoReference(reference)) {
    RepoReference cache_ref{ref->repo, PercentDecode(ref->revision)};
    // The encoded form must not get around ParseRepoReference's guard.
    if (cache_ref.revision.find("..") != std::string::npos || cache_ref.revision.starts_with("/")) {
      return MakeErrorf(ErrorCode::kUsage, "{}: a revision must not contain '..' or start with '/'",
                        reference);
    }
    auto snapshot = FindHfCacheSnapshot(fs, env, cache_ref);
    if (!snapshot.ok() && (options.offline || snapshot.error().code != ErrorCode::kNotFound))
      return snapshot.error();
    if (snapshot.ok() && *snapshot) {
      auto pipeline = LoadLocalModel(fs, (*snapshot)->path, options.variant);
      if (pipeline.ok()) {
        pipeline->source = SourceInfo{SourceKind::kHfCache, (*snapshot)->path, ref->repo,
                                      (*snapshot)->commit,  std::nullopt,      !ref->revision.empty()};
        return pipeline;
      }
      if (options.offline || pipeline.error().code != ErrorCode::kNotFound) return pipeline.error();
      cache_note =
          "the Hugging Face cache holds only part of " + ref->repo + " (" + pipeline.error().message + ")";
    }
  }
  // The catalog holds one revision of each entry: a reference to another
  // revision, or to a file inside the repo, goes to the Hub.
  PIPEFIT_ASSIGN_OR_RETURN(std::optional<CatalogEntry> entry, FindCatalogEntry(reference));
  auto repo_ref = ParseRepoReference(reference);
  if (!entry && repo_ref) {
    PIPEFIT_ASSIGN_OR_RETURN(entry, FindCatalogEntry(repo_ref->repo));
    if (entry && repo_ref->revision != entry->revision) entry.reset();
  }
  auto pipeline = entry ? FromCatalog(*entry, options) : FromHub(reference, options, fs, env);
  // "models/flux" where ./models exists is more likely a mistyped path than
  // a Hub repo: say so next to the Hub's answer.
  const std::string first_segment = reference.substr(0, reference.find('/'));
  if (!pipeline.ok() && pipeline.error().code == ErrorCode::kNotFound && first_segment != reference &&
      fs.IsDirectory(first_segment)) {
    return MakeErrorf(ErrorCode::kNotFound,
                      "{} (and there is no local path '{}', although the folder '{}' exists)",
                      pipeline.error().message, reference, first_segment);
  }
  if (!cache_note.empty()) {
    if (!pipeline.ok()) return pipeline.error().WithContext(cache_note + ", and reading it elsewhere failed");
    pipeline->notes.push_back(cache_note + "; read elsewhere instead");
  }
  return pipeline;
}

}  // namespace pipefit
