// The local Hugging Face cache (huggingface_hub's layout):
//   <cache>/models--ORG--NAME/refs/<ref>            a file holding a commit hash
//   <cache>/models--ORG--NAME/snapshots/<commit>/   files, usually symlinks to
//   <cache>/models--ORG--NAME/blobs/<sha>           the content
// <cache> is $HF_HUB_CACHE, else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub,
// else ~/.cache/huggingface/hub (huggingface_hub constants.py).
#ifndef PIPEFIT_SOURCES_HF_CACHE_H_
#define PIPEFIT_SOURCES_HF_CACHE_H_

#include <optional>
#include <string>
#include <string_view>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"

namespace pipefit {

struct RepoReference {
  std::string repo;      // "org/name"
  std::string revision;  // "" when not given (means "main")
};

// Parses "org/name" or "org/name@revision". nullopt when the text is not
// shaped like a repo id (so it can be tried as something else).
std::optional<RepoReference> ParseRepoReference(std::string_view text);

// One half of a repo id: 1-96 of [A-Za-z0-9._-], not "." or "..".
bool IsRepoIdPart(std::string_view part);
// A full commit hash: 40 lower-case hex digits.
bool IsCommitHash(std::string_view text);

std::optional<std::string> HfHubCacheDir(const Environment& env);

struct HfCacheSnapshot {
  std::string path;    // the snapshot folder
  std::string commit;  // its commit hash
};

// nullopt when the repo is not in the cache; an error when it is but the
// revision cannot be resolved (the message says which refs exist).
Result<std::optional<HfCacheSnapshot>> FindHfCacheSnapshot(const FileSystem& fs, const Environment& env,
                                                           const RepoReference& ref);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HF_CACHE_H_
