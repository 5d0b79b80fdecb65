// Talks to one Hub repo over an HttpClient: resolves a revision to its
// commit, lists the commit's files (following the tree API's pagination),
// and fetches byte ranges of files (HubFetcher). Settings come from the
// environment as huggingface_hub reads them:
//   HF_ENDPOINT               the Hub or a mirror (default https://huggingface.co)
//   HF_TOKEN                  the token, else the file HF_TOKEN_PATH, else
//                             HF_HOME/token (~/.cache/huggingface/token)
//   HF_HUB_DOWNLOAD_TIMEOUT   seconds per request (default 10, as there)
// The token is only ever put in an Authorization header to the endpoint's
// own host; it is never printed, logged or cached.
#ifndef PIPEFIT_SOURCES_HUB_CLIENT_H_
#define PIPEFIT_SOURCES_HUB_CLIENT_H_

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/net/http_client.h"
#include "pipefit/sources/hub_file_system.h"
#include "pipefit/sources/hub_protocol.h"

namespace pipefit {

struct HubSettings {
  std::string endpoint = kDefaultHubEndpoint;  // no trailing '/'
  std::string token;                           // "" = anonymous
  std::chrono::milliseconds timeout{10000};
  std::string cache_dir;                        // pipefit's cache root; "" = no cache
  int64_t max_fetch_bytes = kMaxHubFetchBytes;  // per model; kLimit beyond
};

// kUsage for an HF_ENDPOINT that is not an http(s) URL or a timeout that is
// not a positive number of seconds.
Result<HubSettings> HubSettingsFromEnvironment(const Environment& env, const FileSystem& fs);
// $PIPEFIT_CACHE, else $XDG_CACHE_HOME/pipefit, else $HOME/.cache/pipefit.
std::string PipefitCacheDir(const Environment& env);

class HubRepoClient : public HubFetcher {
 public:
  HubRepoClient(HttpClient& http, HubSettings settings, std::string repo);

  // Resolves a branch, tag or commit (revision "" means "main"). With
  // `with_files`, the same request asks for every file and its size
  // (HubRevision::files), saving the tree listing's round trip.
  Result<HubRevision> ResolveRevision(const std::string& revision, bool with_files = false);
  // Every file of the commit, in the Hub's order.
  Result<std::vector<HubFile>> ListFiles(const std::string& commit);
  // Must be called before FetchRange: the commit files are read at.
  void set_commit(std::string commit) { commit_ = std::move(commit); }

  Result<std::string> FetchRange(const std::string& path, int64_t offset, int64_t length,
                                 int64_t size) override;

  const HubSettings& settings() const { return settings_; }
  const std::string& repo() const { return repo_; }

 private:
  Result<HttpResponse> GetJson(const std::string& url, const std::string& what);
  // Charges `bytes` against max_fetch_bytes before they are asked for, so
  // concurrent fetches cannot overrun it together; kLimit when it would.
  Status Reserve(int64_t bytes, const std::string& what);

  HttpClient& http_;
  HubSettings settings_;
  std::string repo_;
  std::string commit_;
  std::atomic<int64_t> spent_{0};  // bytes reserved: Range lengths and JSON answers
};

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_HUB_CLIENT_H_
