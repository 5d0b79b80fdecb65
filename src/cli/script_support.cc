#include "cli/script_support.h"

#include <algorithm>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/text.h"
#include "pipefit/catalog/catalog.h"

namespace pipefit::cli {

Result<PythonScript> ReadScript(const std::string& path) {
  RealFileSystem fs;
  if (!fs.IsFile(path)) return MakeErrorf(ErrorCode::kNotFound, "{}: no such file", path);
  auto text = fs.ReadFile(path, static_cast<int64_t>(kMaxScriptBytes) + 1);
  if (!text.ok()) return text.error().WithContext(path);
  auto script = ParsePythonScript(*text);
  if (!script.ok()) return script.error().WithContext(path);
  return script;
}

std::optional<std::string> CatalogRepoNamedLike(const std::string& path) {
  const bool local = path.starts_with('/') || path.starts_with("./") || path.starts_with("../") ||
                     path.starts_with('~') || std::count(path.begin(), path.end(), '/') >= 2;
  if (!local) return std::nullopt;
  std::string name = path;
  while (!name.empty() && name.back() == '/') name.pop_back();
  name = AsciiLower(name.substr(name.find_last_of('/') + 1));
  if (name.empty()) return std::nullopt;
  auto entries = CatalogEntries();
  if (!entries.ok()) return std::nullopt;
  for (const CatalogEntry& e : *entries) {
    const std::string repo_name = AsciiLower(e.repo.substr(e.repo.find('/') + 1));
    if (repo_name == name) return e.repo;
  }
  return std::nullopt;
}

std::optional<ResolvedModel> ResolveScriptModel(const ModelFlags& flags, const PythonScript& script,
                                                std::vector<std::string>& notes) {
  const std::vector<std::string> ids =
      flags.model.empty() ? ScriptModelIds(script) : std::vector<std::string>{};
  if (flags.model.empty() && ids.empty()) return std::nullopt;
  ProcessEnvironment env;
  auto resolved = ResolveModelOrReadId(flags, ids.empty() ? "" : ids.front(), env);
  if (!resolved.ok() && flags.model.empty()) {
    // A local folder that is not on this machine but is named after a
    // catalog repo ("/mnt/models/stable-diffusion-3.5-large"): that
    // entry's headers, said so.
    if (const std::optional<std::string> repo = CatalogRepoNamedLike(ids.front())) {
      auto by_name = ResolveModelOrReadId(flags, *repo, env);
      if (by_name.ok()) {
        notes.push_back("model facts from the catalog entry " + *repo + ": " + ids.front() +
                        " is not on this machine and is named after it");
        return std::move(*by_name);
      }
    }
  }
  if (!resolved.ok()) {
    notes.push_back("model facts not used: " + resolved.error().message);
    return std::nullopt;
  }
  return std::move(*resolved);
}

}  // namespace pipefit::cli
