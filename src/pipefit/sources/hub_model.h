// Reads a pipeline (or one component or weight file) from a Hub repo without
// downloading weights:
//   1. one model-info request (?blobs=true) resolves the revision to a
//      commit and lists every file with its size (none when a commit is
//      given and its listing is cached; only "did it move?" when the last
//      commit's listing is cached; offline from the cached ref);
//   2. the file list comes from that answer or the cache, else from the
//      paginated tree API (a server without sizes in the model info);
//   3. fetches run concurrently (at most kHubMaxParallel), in one round:
//      model_index.json, configs and shard indexes whole, and with them the
//      first bytes of every weight file the loader will most likely read,
//      guessed from names and sized without the index (hub_prefetch.h);
//      a later round only for a guess that missed or a longer header. So a
//      remote inspect is 3 dependent round trips: model info, then resolve
//      (302) and CDN for every file at once;
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

// Concurrent transfers: FLUX.1-dev's first round is 14 (7 small files, 7
// headers), so one round fits; huggingface_hub downloads with 8 workers.
inline constexpr int kHubMaxParallel = 16;

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
