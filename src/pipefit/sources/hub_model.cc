#include "pipefit/sources/hub_model.h"

#include <chrono>
#include <mutex>

#include "pipefit/sources/hf_cache.h"
#include "pipefit/sources/hub_cache.h"
#include "pipefit/sources/hub_file_system.h"
#include "pipefit/sources/hub_prefetch.h"
#include "pipefit/sources/pipeline_folder.h"

namespace pipefit {
namespace {

// "org/name/blob/REV/PATH" (after the endpoint) -> reference.
std::optional<HubModelReference> FromUrlPath(std::string_view rest) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= rest.size()) {
    size_t end = rest.find('/', start);
    parts.push_back(rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (parts.size() < 2 || !IsRepoIdPart(parts[0]) || !IsRepoIdPart(parts[1])) return std::nullopt;
  HubModelReference ref{std::string(parts[0]) + "/" + std::string(parts[1]), "", ""};
  if (parts.size() == 2) return ref;
  if (parts.size() < 4 || (parts[2] != "blob" && parts[2] != "resolve" && parts[2] != "tree"))
    return std::nullopt;
  ref.revision = PercentDecode(parts[3]);
  for (size_t i = 4; i < parts.size(); ++i)
    ref.path += (ref.path.empty() ? "" : "/") + PercentDecode(parts[i]);
  if (ref.revision.empty() || (!ref.path.empty() && !IsSafeRepoPath(ref.path))) return std::nullopt;
  return ref;
}

// "org/name[@rev][/path]".
std::optional<HubModelReference> FromShortForm(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  size_t name_end = text.find_first_of("@/", slash + 1);
  HubModelReference ref;
  ref.repo = std::string(text.substr(0, name_end));
  if (!IsRepoIdPart(text.substr(0, slash)) || !IsRepoIdPart(std::string_view(ref.repo).substr(slash + 1))) {
    return std::nullopt;
  }
  if (name_end == std::string_view::npos) return ref;
  std::string_view rest = text.substr(name_end);
  if (rest.front() == '@') {
    size_t path_start = rest.find('/');
    ref.revision = PercentDecode(
        rest.substr(1, path_start == std::string_view::npos ? std::string_view::npos : path_start - 1));
    if (ref.revision.empty() || ref.revision.find("..") != std::string::npos) return std::nullopt;
    rest = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);
  }
  if (!rest.empty()) {
    ref.path = std::string(rest.substr(1));
    while (!ref.path.empty() && ref.path.back() == '/') ref.path.pop_back();
    if (!ref.path.empty() && !IsSafeRepoPath(ref.path)) return std::nullopt;
  }
  return ref;
}

Error NotCached(const HubModelReference& ref, const HubCache& cache, const std::string& what) {
  std::string where = cache.enabled() ? " (" + cache.root() + ")" : " (no cache folder: set PIPEFIT_CACHE)";
  return MakeErrorf(
      ErrorCode::kNotFound,
      "{}@{}: {} is not in pipefit's cache{} and the network is off (--offline or HF_HUB_OFFLINE=1)",
      ref.repo, (ref.revision.empty() ? "main" : ref.revision), what, where);
}

}  // namespace

std::optional<HubModelReference> ParseHubReference(std::string_view text, const std::string& endpoint) {
  for (const std::string& base : {endpoint, std::string(kDefaultHubEndpoint)}) {
    const std::string prefix = base + "/";
    if (text.size() > prefix.size() && text.substr(0, prefix.size()) == prefix) {
      // "?download=true" and "#L1" are the browser's, not part of the path.
      std::string_view rest = text.substr(prefix.size());
      return FromUrlPath(rest.substr(0, rest.find_first_of("?#")));
    }
  }
  if (text.find("://") != std::string_view::npos) return std::nullopt;
  return FromShortForm(text);
}

Result<Pipeline> LoadHubModel(const HubModelReference& ref, const HubLoadOptions& options,
                              const HubSettings& settings, HttpTransport& transport) {
  const auto start = std::chrono::steady_clock::now();
  HttpClientOptions http_options;
  http_options.timeout = settings.timeout;
  HttpClient http(transport, http_options);
  HubRepoClient client(http, settings, ref.repo);
  HubCache cache(settings.cache_dir, settings.endpoint, ref.repo);
  const std::string revision = ref.revision.empty() ? "main" : ref.revision;

  // 1. The commit and, in the same request, every file with its size (a
  // cached listing of the last commit seen only needs "did it move?").
  std::string commit = IsCommitHash(revision) ? revision : cache.ReadRef(revision).value_or("");
  std::optional<std::vector<HubFile>> files;
  if (!commit.empty()) files = cache.ReadTree(commit);
  if (options.offline) {
    // Resolution tried the local paths, the HF cache and the catalog first.
    if (commit.empty()) {
      return NotCached(ref, cache,
                       "not a local path, not in the Hugging Face cache or the catalog, and the revision");
    }
  } else if (!IsCommitHash(revision) || !files) {
    PIPEFIT_ASSIGN_OR_RETURN(HubRevision resolved, client.ResolveRevision(revision, /*with_files=*/!files));
    if (!resolved.gated.empty() && settings.token.empty()) {
      return MakeErrorf(
          ErrorCode::kNotFound,
          "{} is a gated repo: accept its conditions at {}/{}, then set HF_TOKEN (or run `hf auth login`)",
          ref.repo, settings.endpoint, ref.repo);
    }
    if (resolved.sha != commit) files = cache.ReadTree(resolved.sha);
    if (!files) files = std::move(resolved.files);
    commit = resolved.sha;
  }
  client.set_commit(commit);
  // 2. The file list, when the answer did not carry it (the revision moved
  // away from a cached listing, or a server without ?blobs=true sizes).
  if (!files) {
    if (options.offline) return NotCached(ref, cache, "the file list of " + commit);
    PIPEFIT_ASSIGN_OR_RETURN(files, client.ListFiles(commit));
  }
  // 3. The bytes.
  HubFileSystem fs(ref.repo, *files, options.offline ? nullptr : &client);
  const int cached_files = cache.LoadData(commit, fs);
  if (!ref.path.empty() && !fs.Exists(JoinPath(ref.repo, ref.path))) {
    // "org/name@refs/pr/1" reads as revision "refs" and path "pr/1".
    const std::string hint =
        ref.revision == "refs" ? " (write a revision containing '/' URL-encoded: @refs%2Fpr%2F1)" : "";
    return MakeErrorf(ErrorCode::kNotFound, "{}@{}: no file or folder '{}'{}", ref.repo, revision, ref.path,
                      hint);
  }
  std::mutex progress_mutex;
  auto on_fetched = [&](int done, int total) {
    if (!options.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    options.progress(HubProgress{done, total, http.stats().body_bytes});
  };
  Status fetched = PrefetchHeaders(fs, ref.path, options.variant, kHubMaxParallel, on_fetched);
  // A failed transfer stops here (retrying it lazily would only repeat it);
  // a miss (offline, or a file the loader may not need) is left to the
  // loader, whose message says which file it needed.
  if (!fetched.ok() && fetched.error().code != ErrorCode::kNotFound) return fetched.error();
  // 4. The ordinary loader.
  auto pipeline = LoadLocalModel(fs, JoinPath(ref.repo, ref.path), options.variant);
  if (!pipeline.ok()) return pipeline.error();
  // 5. The cache, and what it all cost.
  std::vector<std::string> cache_notes;
  if (!options.offline) {
    for (Status status :
         {cache.WriteRef(revision, commit), cache.WriteTree(commit, *files), cache.SaveData(commit, fs)}) {
      if (!status.ok()) cache_notes.push_back("could not write pipefit's cache: " + status.error().message);
    }
  }
  pipeline->source.kind = SourceKind::kHub;
  pipeline->source.path = settings.endpoint + "/" + ref.repo + (ref.path.empty() ? "" : "/" + ref.path);
  pipeline->source.repo = ref.repo;
  pipeline->source.revision = commit;
  pipeline->source.pinned = !ref.revision.empty();
  HttpStats stats = http.stats();
  pipeline->source.fetch =
      FetchSummary{settings.endpoint, stats.requests, stats.body_bytes, cached_files,
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
  if (!cache_notes.empty()) pipeline->notes.push_back(cache_notes.front());
  return pipeline;
}

}  // namespace pipefit
