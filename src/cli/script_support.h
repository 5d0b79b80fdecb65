// Shared by `check` and `apply`: reading a script (bounded), resolving the
// model it loads (offline: local path, HF cache, catalog). The model facts
// the checker's class-dependent rules use are codegen/script_model's.
#ifndef PIPEFIT_CLI_SCRIPT_SUPPORT_H_
#define PIPEFIT_CLI_SCRIPT_SUPPORT_H_

#include <optional>
#include <string>

#include "cli/model_options.h"
#include "pipefit/base/result.h"
#include "pipefit/codegen/python_script.h"
#include "pipefit/codegen/script_check.h"

namespace pipefit::cli {

Result<PythonScript> ReadScript(const std::string& path);

// The catalog repo whose name ("stable-diffusion-3.5-large") is the last
// component of a local path ("/mnt/models/stable-diffusion-3.5-large"),
// case-insensitive; nullopt for repo ids and unmatched names.
std::optional<std::string> CatalogRepoNamedLike(const std::string& path);

// --model when given, else the first model id the script loads; nullopt
// (with a note) when neither resolves.
std::optional<ResolvedModel> ResolveScriptModel(const ModelFlags& flags, const PythonScript& script,
                                                std::vector<std::string>& notes);

}  // namespace pipefit::cli

#endif  // PIPEFIT_CLI_SCRIPT_SUPPORT_H_
