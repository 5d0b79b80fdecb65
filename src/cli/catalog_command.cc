// `pipefit catalog [--json]`: the built-in pipelines usable with no files.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "pipefit/base/units.h"
#include "pipefit/catalog/catalog.h"
#include "pipefit/plan/pipeline_traits.h"

namespace pipefit::cli {
namespace {

// The call an entry plans by default: the pipeline class's __call__
// defaults (pipeline_traits) with the entry's overrides.
struct DefaultCall {
  int height = 0, width = 0, frames = 1, steps = 0;
};

DefaultCall DefaultCallFor(const CatalogEntry& e) {
  DefaultCall call;
  if (const PipelineTraits* traits = FindPipelineTraits(e.pipeline_class)) {
    call = {traits->height, traits->width, traits->frames, traits->steps};
  }
  if (e.workload.height > 0) call.height = e.workload.height;
  if (e.workload.width > 0) call.width = e.workload.width;
  if (e.workload.frames > 0) call.frames = e.workload.frames;
  if (e.workload.steps > 0) call.steps = e.workload.steps;
  return call;
}

std::string DescribeCall(const DefaultCall& call) {
  if (call.height <= 0) return "unknown defaults";
  std::string text = fmt::format("{}x{}", call.width, call.height);
  if (call.frames > 1) text += fmt::format(", {} frames", call.frames);
  return text + fmt::format(", {} steps", call.steps);
}

int RunCatalog(bool json) {
  auto entries = CatalogEntries();
  if (!entries.ok()) return ReportError(entries.error());
  // Grouped by family (families sorted by name, entries by repo id within).
  std::vector<std::string> families;
  for (const CatalogEntry& e : *entries) {
    if (std::find(families.begin(), families.end(), e.family) == families.end()) families.push_back(e.family);
  }
  std::sort(families.begin(), families.end());
  // Each entry's size and default call, computed once (sizes parse every
  // manifest), then the text columns sized to them.
  std::vector<int64_t> sizes;
  std::vector<DefaultCall> calls;
  size_t repo_width = 4, alias_width = 5, size_width = 4, call_width = 8;
  for (const CatalogEntry& e : *entries) {
    auto bytes = CatalogEntryBytes(e);
    if (!bytes.ok()) return ReportError(bytes.error());
    sizes.push_back(*bytes);
    calls.push_back(DefaultCallFor(e));
    repo_width = std::max(repo_width, e.repo.size());
    if (!e.aliases.empty()) alias_width = std::max(alias_width, e.aliases.front().size());
    size_width = std::max(size_width, FormatGiB(sizes.back()).size());
    call_width = std::max(call_width, DescribeCall(calls.back()).size());
  }
  std::string out;
  nlohmann::ordered_json j;
  j["schema"] = "pipefit.catalog/1";
  j["entries"] = nlohmann::ordered_json::array();
  for (const std::string& family : families) {
    if (!json) out += fmt::format("{}\n", family.empty() ? "(no family)" : family);
    for (size_t i = 0; i < entries->size(); ++i) {
      const CatalogEntry& e = (*entries)[i];
      if (e.family != family) continue;
      const int64_t bytes = sizes[i];
      const DefaultCall& call = calls[i];
      if (json) {
        nlohmann::ordered_json components = nlohmann::ordered_json::array();
        for (const CatalogComponent& c : e.components) {
          components.push_back({{"name", c.name},
                                {"class", c.class_name},
                                {"dtype", c.dtype},
                                {"shared_manifest", c.shared_manifest},
                                {"published", {{"kind", c.published.kind}, {"source", c.published.source}}}});
        }
        j["entries"].push_back({{"repo", e.repo},
                                {"aliases", e.aliases},
                                {"family", e.family},
                                {"pipeline_class", e.pipeline_class},
                                {"default", e.is_default},
                                {"description", e.description},
                                {"weights_bytes", bytes},
                                {"default_call",
                                 {{"height", call.height},
                                  {"width", call.width},
                                  {"frames", call.frames},
                                  {"steps", call.steps}}},
                                {"components", components}});
      } else {
        out +=
            fmt::format("  {:<{}} {:<{}} {:>{}}  {:<{}} {}{}\n", e.repo, repo_width,
                        e.aliases.empty() ? "" : e.aliases.front(), alias_width, FormatGiB(bytes), size_width,
                        DescribeCall(call), call_width, e.description, e.is_default ? " [default]" : "");
      }
    }
  }
  if (json) {
    out = j.dump(2) + "\n";
  } else {
    out +=
        "\nsize: stored weights (every component, at the dtype the repo publishes); defaults: the pipeline's "
        "own call defaults, what `pipefit plan` assumes without --height/--width/--frames/--steps.\n";
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

void RegisterCatalogCommand(CLI::App& app, CommandRunner& run) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("catalog", "List the built-in pipelines (usable offline, with no files).");
  cmd->add_flag("--json", *json, "print one JSON document (schema pipefit.catalog/1)");
  cmd->callback([json, &run] { run = [json] { return RunCatalog(*json); }; });
}

}  // namespace pipefit::cli
