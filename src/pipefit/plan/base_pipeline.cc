#include "pipefit/plan/base_pipeline.h"

#include <algorithm>

#include "pipefit/catalog/catalog.h"
#include "pipefit/model/family_table.h"
#include "pipefit/sources/pipeline_folder.h"

namespace pipefit {
namespace {

bool IsSingleDenoiser(const Pipeline& p) {
  if (!p.pipeline_class.empty() || p.components.size() != 1) return false;
  const Component& c = p.components.front();
  const ModelFamily* family = FindModelFamily(c.class_name);
  return c.single_file && family != nullptr && family->role == ModelRole::kDenoiser;
}

}  // namespace

Result<std::optional<ComposedPipeline>> ComposeWithBasePipeline(const Pipeline& single) {
  if (!IsSingleDenoiser(single)) return std::optional<ComposedPipeline>();
  const Component& file = single.components.front();
  PIPEFIT_ASSIGN_OR_RETURN(std::vector<CatalogEntry> entries, CatalogEntries());
  // The default entry first, so FLUX.1-dev (not schnell) backs a FLUX file.
  std::stable_partition(entries.begin(), entries.end(), [](const CatalogEntry& e) { return e.is_default; });
  for (const CatalogEntry& entry : entries) {
    PIPEFIT_ASSIGN_OR_RETURN(Pipeline base, LoadPipelineFolder(CatalogFileSystem(), entry.root, ""));
    for (Component& c : base.components) {
      if (c.class_name != file.class_name) continue;
      const std::string name = c.name;
      c = file;
      c.name = name;
      base.source = single.source;
      base.notes.push_back(name + " from " + single.source.path + "; the other components from " +
                           entry.repo + " (pipefit's catalog), as from_pretrained(\"" + entry.repo + "\", " +
                           name + "=...) " + "would load them");
      return std::optional<ComposedPipeline>(ComposedPipeline{std::move(base), entry.repo});
    }
  }
  return std::optional<ComposedPipeline>();
}

}  // namespace pipefit
