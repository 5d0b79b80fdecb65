// `pipefit catalog [--json]`: the built-in pipelines usable with no files.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "pipefit/catalog/catalog.h"

namespace pipefit::cli {
namespace {

int RunCatalog(bool json) {
  auto entries = CatalogEntries();
  if (!entries.ok()) return ReportError(entries.error());
  std::string out;
  if (json) {
    nlohmann::ordered_json j;
    j["schema"] = "pipefit.catalog/1";
    j["entries"] = nlohmann::ordered_json::array();
    for (const CatalogEntry& e : *entries) {
      j["entries"].push_back({{"repo", e.repo},
                              {"aliases", e.aliases},
                              {"default", e.is_default},
                              {"description", e.description}});
    }
    out = j.dump(2) + "\n";
  } else {
    out = fmt::format("{:<34} {:<16} {}\n", "repo", "alias", "description");
    for (const CatalogEntry& e : *entries) {
      out += fmt::format("{:<34} {:<16} {}{}\n", e.repo, e.aliases.empty() ? "" : e.aliases.front(),
                         e.description, e.is_default ? " [default]" : "");
    }
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
