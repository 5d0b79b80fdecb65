#include "cli/script_support.h"


#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/model/family_table.h"
#include "pipefit/plan/pipeline_traits.h"

namespace pipefit::cli {

Result<PythonScript> ReadScript(const std::string& path) {
  RealFileSystem fs;
  if (!fs.IsFile(path)) return MakeError(ErrorCode::kNotFound, path + ": no such file");
  auto text = fs.ReadFile(path, static_cast<int64_t>(kMaxScriptBytes) + 1);
  if (!text.ok()) return text.error().WithContext(path);
  auto script = ParsePythonScript(*text);
  if (!script.ok()) return script.error().WithContext(path);
  return script;
}

std::optional<ResolvedModel> ResolveScriptModel(const ModelFlags& flags, const PythonScript& script,
                                                std::vector<std::string>& notes) {
  const std::vector<std::string> ids = flags.model.empty() ? ScriptModelIds(script) : std::vector<std::string>{};
  if (flags.model.empty() && ids.empty()) return std::nullopt;
  ProcessEnvironment env;
  auto resolved = ResolveModelOrReadId(flags, ids.empty() ? "" : ids.front(), env);
  if (!resolved.ok()) {
    notes.push_back("model facts not used: " + resolved.error().message);
    return std::nullopt;
  }
  return std::move(*resolved);
}

ScriptModelFacts FactsFromPipeline(const Pipeline& pipeline) {
  ScriptModelFacts facts;
  facts.known = true;
  for (const Component& c : pipeline.components) {
    const ModelFamily* family = FindModelFamily(c.class_name);
    const ModelRole role = family ? family->role : ModelRole::kOther;
    if (role == ModelRole::kVae || c.name == "vae") facts.vae_class = c.class_name;
    if (role != ModelRole::kDenoiser && c.name != "transformer" && c.name != "unet") continue;
    facts.denoiser_class = c.class_name;
    if (const ClassTraits* t = FindClassTraits(c.class_name)) facts.has_repeated_blocks = !t->repeated_blocks.empty();
    const std::optional<DType> stored = DominantDType(c, false);
    if (stored == DType::kBF16) facts.preferred_dtype = "bf16";
    if (stored == DType::kF16) facts.preferred_dtype = "fp16";
  }
  return facts;
}

}  // namespace pipefit::cli
