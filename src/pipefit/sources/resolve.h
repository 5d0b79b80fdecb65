// Resolves a MODEL reference in CONTRACT.md's order and loads its pipeline:
//   1. a local path (pipeline folder, component folder, .safetensors/.gguf)
//   2. org/name[@revision] in the local Hugging Face cache
//   3. a built-in catalog entry (repo id or alias)
//   4. the Hub (not available in this build: a clear error says so)
#ifndef PIPEFIT_SOURCES_RESOLVE_H_
#define PIPEFIT_SOURCES_RESOLVE_H_

#include <string>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

struct ResolveOptions {
  std::string variant;   // --variant
  bool offline = false;  // --offline or HF_HUB_OFFLINE=1
};

Result<Pipeline> ResolveModel(const std::string& reference, const ResolveOptions& options,
                              const FileSystem& fs, const Environment& env);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_RESOLVE_H_
