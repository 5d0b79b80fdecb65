#include "pipefit/sources/hf_cache.h"

#include <algorithm>
#include <cctype>

#include "pipefit/base/text.h"

namespace pipefit {
namespace {

bool IsRepoChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

}  // namespace

bool IsRepoIdPart(std::string_view part) {
  return !part.empty() && part.size() <= 96 && part != "." && part != ".." &&
         std::all_of(part.begin(), part.end(), IsRepoChar);
}

bool IsCommitHash(std::string_view text) {
  return text.size() == 40 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

std::optional<RepoReference> ParseRepoReference(std::string_view text) {
  RepoReference ref;
  size_t at = text.find('@');
  if (at != std::string_view::npos) {
    ref.revision = std::string(text.substr(at + 1));
    text = text.substr(0, at);
    if (ref.revision.empty() || ref.revision.find("..") != std::string::npos) return std::nullopt;
  }
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || text.find('/', slash + 1) != std::string_view::npos)
    return std::nullopt;
  if (!IsRepoIdPart(text.substr(0, slash)) || !IsRepoIdPart(text.substr(slash + 1))) return std::nullopt;
  ref.repo = std::string(text);
  return ref;
}

std::optional<std::string> HfHubCacheDir(const Environment& env) {
  if (auto dir = env.GetNonEmpty("HF_HUB_CACHE")) return *dir;
  if (auto home = env.GetNonEmpty("HF_HOME")) return JoinPath(*home, "hub");
  if (auto xdg = env.GetNonEmpty("XDG_CACHE_HOME")) return JoinPath(*xdg, "huggingface/hub");
  if (auto home = env.GetNonEmpty("HOME")) return JoinPath(*home, ".cache/huggingface/hub");
  return std::nullopt;
}

Result<std::optional<HfCacheSnapshot>> FindHfCacheSnapshot(const FileSystem& fs, const Environment& env,
                                                           const RepoReference& ref) {
  auto cache = HfHubCacheDir(env);
  if (!cache) return std::optional<HfCacheSnapshot>();
  const size_t slash = ref.repo.find('/');
  const std::string folder = "models--" + ref.repo.substr(0, slash) + "--" + ref.repo.substr(slash + 1);
  const std::string repo_dir = JoinPath(*cache, folder);
  if (!fs.IsDirectory(repo_dir)) return std::optional<HfCacheSnapshot>();
  const std::string revision = ref.revision.empty() ? "main" : ref.revision;
  HfCacheSnapshot snapshot;
  if (IsCommitHash(revision) && fs.IsDirectory(JoinPath(repo_dir, "snapshots/" + revision))) {
    snapshot.commit = revision;
  } else {
    const std::string ref_path = JoinPath(repo_dir, "refs/" + revision);
    auto commit = fs.ReadFile(ref_path, 4096);
    if (!commit.ok()) {
      auto refs = fs.ListDirectory(JoinPath(repo_dir, "refs"));
      std::string known;
      if (refs.ok()) {
        for (const std::string& r : *refs) known += (known.empty() ? "" : ", ") + r;
      }
      return MakeErrorf(ErrorCode::kNotFound, "{}: revision '{}' is not in the cache (refs: {})", repo_dir,
                        revision, known.empty() ? "none" : known);
    }
    snapshot.commit = std::string(TrimTrailingWhitespace(*commit));
    if (!IsCommitHash(snapshot.commit)) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: does not hold a commit hash", ref_path);
    }
  }
  snapshot.path = JoinPath(repo_dir, "snapshots/" + snapshot.commit);
  if (!fs.IsDirectory(snapshot.path)) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: snapshot folder is missing", snapshot.path);
  }
  return std::optional<HfCacheSnapshot>(snapshot);
}

}  // namespace pipefit
