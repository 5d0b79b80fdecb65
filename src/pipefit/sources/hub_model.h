// Reads a pipeline (or one component or weight file) from a Hub repo without
// downloading weights:
//   1. the revision is resolved to a commit (one small API request; none
//      when a commit is given and already cached, or offline from the
//      cached ref);
//   2. the commit's file list comes from the tree API (paginated) or cache;
//   3. fetches run concurrently (at most kHubMaxParallel), in rounds:
//      model_index.json, configs and shard indexes whole; then the first
//      bytes of every weight file the loader will read (for a shard, sized
//      from the index's tensor names so the header usually arrives in one
//      request); then the rest of any header that was longer;
//   4. the ordinary folder loader runs on a HubFileSystem holding those
//      bytes, so the numbers are the local loader's, byte for byte;
//   5. what was fetched is written to pipefit's cache (hub_cache.h).
// References: "org/name[@revision][/path/in/repo]" (a revision containing
// '/' is written URL-encoded, refs%2Fpr%2F1, as huggingface_hub's
// HfFileSystem does) or a Hub URL ".../org/name/{blob,resolve,tree}/rev/path".
#ifndef PIPEFIT_SOURCES_HUB_MODEL_H_
#define PIPEFIT_SOURCES_HUB_MODEL_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "pipefit/base/result.h"
#include "pipefit/model/pipeline.h"
#include "pipefit/net/http.h"
#include "pipefit/sources/hub_client.h"

namespace pipefit {

inline constexpr int kHubMaxParallel = 8;

struct HubModelReference {
  std::string repo;      // "org/name"
  std::string revision;  // "" = main
  std::string path;      // "" = the repo root, else a file or folder in it
};

// nullopt when `text` is not shaped like a Hub reference. URLs are accepted
// for `endpoint` and the public Hub.
std::optional<HubModelReference> ParseHubReference(std::string_view text, const std::string& endpoint);

struct HubProgress {
  int files_done = 0;
  int files_total = 0;
  int64_t bytes = 0;
};

struct HubLoadOptions {
  std::string variant;
  bool offline = false;
  std::function<void(const HubProgress&)> progress;  // called from fetching threads, serialized
};

// `transport` is used for every request (never when offline).
Result<Pipeline> LoadHubModel(const HubModelReference& ref, const HubLoadOptions& options,
                              const HubSettings& settings, HttpTransport& transport);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_MODEL_H_
