// Resolves a MODEL reference in CONTRACT.md's order and loads its pipeline:
//   1. a local path (pipeline folder, component folder, .safetensors/.gguf)
//   2. org/name[@revision] in the local Hugging Face cache
//   3. a built-in catalog entry (repo id or alias)
//   4. the Hub over HTTP (hub_model.h), unless offline — also for
//      org/name@revision when the cache lacks it and the revision is not the
//      catalog's, and for org/name[@rev]/path/in/repo and Hub URLs
#ifndef PIPEFIT_SOURCES_RESOLVE_H_
#define PIPEFIT_SOURCES_RESOLVE_H_

#include <functional>
#include <string>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/model/pipeline.h"
#include "pipefit/net/http.h"
#include "pipefit/sources/hub_model.h"

namespace pipefit {

struct ResolveOptions {
  std::string variant;   // --variant
  bool offline = false;  // --offline or HF_HUB_OFFLINE=1
  // The Hub's transport; null means libcurl (tests pass a fake or point
  // HF_ENDPOINT at a local server).
  HttpTransport* transport = nullptr;
  std::function<void(const HubProgress&)> progress;  // while fetching from the Hub
};

Result<Pipeline> ResolveModel(const std::string& reference, const ResolveOptions& options,
                              const FileSystem& fs, const Environment& env);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_RESOLVE_H_
