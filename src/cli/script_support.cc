#include "cli/script_support.h"

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"

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

std::optional<ResolvedModel> ResolveScriptModel(const ModelFlags& flags, const PythonScript& script,
                                                std::vector<std::string>& notes) {
  const std::vector<std::string> ids =
      flags.model.empty() ? ScriptModelIds(script) : std::vector<std::string>{};
  if (flags.model.empty() && ids.empty()) return std::nullopt;
  ProcessEnvironment env;
  auto resolved = ResolveModelOrReadId(flags, ids.empty() ? "" : ids.front(), env);
  if (!resolved.ok()) {
    notes.push_back("model facts not used: " + resolved.error().message);
    return std::nullopt;
  }
  return std::move(*resolved);
}

}  // namespace pipefit::cli
