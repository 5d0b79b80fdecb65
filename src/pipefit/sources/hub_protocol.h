// The Hugging Face Hub's HTTP protocol as pure functions (no I/O), so every
// parser is fuzzed and every error mapping is a table-driven test:
//   GET {endpoint}/api/models/{repo}/revision/{rev}   -> {"sha": ..., "gated": ...}
//   GET {endpoint}/api/models/{repo}/revision/{rev}?blobs=true
//       -> the same plus "siblings": [{"rfilename": ..., "size": N, "lfs": {...}}],
//          every file of the commit with its size (huggingface_hub's
//          model_info(files_metadata=True)): the commit and the listing in one
//          round trip
//   GET {endpoint}/api/models/{repo}/tree/{rev}?recursive=true
//       -> [{"type": "file"|"directory", "path": ..., "size": N, "lfs": {...}}]
//          paginated with `Link: <next-url>; rel="next"`
//   GET {endpoint}/{repo}/resolve/{rev}/{path}        -> the file (LFS files
//       redirect to a CDN); errors carry X-Error-Code / X-Error-Message.
// Sources: huggingface_hub hf_api.py (model_info, list_repo_tree),
// file_download.py (hf_hub_url), utils/_http.py (hf_raise_for_status).
#ifndef PIPEFIT_SOURCES_HUB_PROTOCOL_H_
#define PIPEFIT_SOURCES_HUB_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/net/http.h"

namespace pipefit {

inline constexpr const char* kDefaultHubEndpoint = "https://huggingface.co";
// Limits on what a Hub (or something pretending to be one) can make us hold.
inline constexpr int64_t kMaxHubJsonBytes = 16 * 1024 * 1024;  // one API response
inline constexpr int kMaxTreePages = 200;
inline constexpr int64_t kMaxTreeEntries = 200'000;
inline constexpr size_t kMaxRepoPathBytes = 1024;
// A model info listing this many siblings or more may be truncated; the tree
// listing is asked instead (huggingface_hub snapshot_download does the same).
inline constexpr size_t kMaxTrustedSiblings = 1000;
// Everything one model may make us receive (API answers, configs, headers).
// FLUX.1-dev needs 0.5 MB; a header is at most 100 MB (safetensors' own
// limit), so a legitimate pipeline stays far below.
inline constexpr int64_t kMaxHubFetchBytes = 256 * 1024 * 1024;

struct HubFile {
  std::string path;  // repo-relative, validated by IsSafeRepoPath
  int64_t size = 0;
};

struct HubRevision {
  std::string sha;    // 40 hex digits
  std::string gated;  // "" when not gated, else "auto" / "manual"
  // Every file of the commit with its size, when the answer listed siblings
  // with sizes (asked with ?blobs=true); nullopt otherwise, and then the
  // paginated tree listing gives them.
  std::optional<std::vector<HubFile>> files;
};

// `with_files`: add ?blobs=true, so the answer lists every file with its size.
std::string RevisionInfoUrl(const std::string& endpoint, const std::string& repo, const std::string& revision,
                            bool with_files = false);
std::string TreeUrl(const std::string& endpoint, const std::string& repo, const std::string& revision);
std::string ResolveUrl(const std::string& endpoint, const std::string& repo, const std::string& revision,
                       const std::string& path);

// {"sha": "<40 hex>", "gated": false | "auto" | "manual", "siblings": [...], ...}
// `files` is set when every sibling has a string "rfilename" and a
// non-negative "size"; a sibling without a size leaves it unset (the caller
// lists the tree instead); an unsafe path or more than kMaxTreeEntries
// siblings is kMalformed / kLimit, as in the tree listing.
Result<HubRevision> ParseRevisionInfo(std::string_view json, const std::string& label);
// One page of the tree listing: files only (directories are implied by
// paths). kMalformed for a non-array, a file without path/size, a negative
// size or an unsafe path (absolute, "..", empty segment, control bytes).
Result<std::vector<HubFile>> ParseTreePage(std::string_view json, const std::string& label);

// True for a relative path of plain segments: no "", ".", ".." segment, no
// leading '/', no backslash or control byte, at most kMaxRepoPathBytes.
bool IsSafeRepoPath(std::string_view path);

// What a failed Hub response means, in the user's words. `what` names the
// request ("black-forest-labs/FLUX.1-dev@main", or the file URL); `has_token`
// changes the advice. Follows hf_raise_for_status: X-Error-Code first
// (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo), then status.
Error HubResponseError(const HttpResponse& response, const std::string& what, const std::string& repo,
                       const std::string& endpoint, bool has_token);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_PROTOCOL_H_
