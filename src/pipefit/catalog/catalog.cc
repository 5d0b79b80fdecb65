#include "pipefit/catalog/catalog.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include "pipefit/base/text.h"
#include "pipefit/catalog/embedded_data.h"
#include "pipefit/formats/json_object.h"

namespace pipefit {
namespace {

Result<CatalogEntry> ParseEntry(const std::string& id, std::string_view json) {
  const std::string label = "catalog entry " + id + "/entry.json";
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object root, ParseJsonObject(parser, json, label));
  CatalogEntry entry;
  entry.id = id;
  entry.root = "catalog/" + id;
  std::string_view text;
  if (root["repo"].get_string().get(text) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: missing 'repo'", label);
  }
  entry.repo = std::string(text);
  if (root["revision"].get_string().get(text) == simdjson::SUCCESS) entry.revision = std::string(text);
  if (root["description"].get_string().get(text) == simdjson::SUCCESS) entry.description = std::string(text);
  bool is_default = false;
  if (root["default"].get_bool().get(is_default) == simdjson::SUCCESS) entry.is_default = is_default;
  simdjson::dom::array aliases;
  if (root["aliases"].get_array().get(aliases) == simdjson::SUCCESS) {
    for (auto alias : aliases) {
      if (alias.get_string().get(text) == simdjson::SUCCESS) entry.aliases.emplace_back(text);
    }
  }
  return entry;
}

}  // namespace

const FileSystem& CatalogFileSystem() {
  static const MemoryFileSystem* fs = [] {
    auto* memory = new MemoryFileSystem();
    for (const EmbeddedFile& file : EmbeddedDataFiles()) {
      memory->AddFile(std::string(file.path), std::string(file.data));
    }
    return memory;
  }();
  return *fs;
}

Result<std::vector<CatalogEntry>> CatalogEntries() {
  std::vector<CatalogEntry> entries;
  for (const EmbeddedFile& file : EmbeddedDataFiles()) {
    constexpr std::string_view kPrefix = "catalog/";
    constexpr std::string_view kSuffix = "/entry.json";
    std::string_view path = file.path;
    if (path.substr(0, kPrefix.size()) != kPrefix || path.size() <= kPrefix.size() + kSuffix.size() ||
        path.substr(path.size() - kSuffix.size()) != kSuffix)
      continue;
    std::string id(path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size()));
    if (id.find('/') != std::string::npos) continue;
    PIPEFIT_ASSIGN_OR_RETURN(CatalogEntry entry, ParseEntry(id, file.data));
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const CatalogEntry& a, const CatalogEntry& b) { return a.repo < b.repo; });
  return entries;
}

Result<std::optional<CatalogEntry>> FindCatalogEntry(std::string_view name) {
  PIPEFIT_ASSIGN_OR_RETURN(std::vector<CatalogEntry> entries, CatalogEntries());
  const std::string wanted = AsciiLower(name);
  for (CatalogEntry& entry : entries) {
    bool match = AsciiLower(entry.repo) == wanted || AsciiLower(entry.id) == wanted;
    for (const std::string& alias : entry.aliases) match = match || AsciiLower(alias) == wanted;
    if (match) return std::optional<CatalogEntry>(std::move(entry));
  }
  return std::optional<CatalogEntry>();
}

Result<CatalogEntry> DefaultCatalogEntry() {
  PIPEFIT_ASSIGN_OR_RETURN(std::vector<CatalogEntry> entries, CatalogEntries());
  for (CatalogEntry& entry : entries) {
    if (entry.is_default) return std::move(entry);
  }
  return MakeErrorf(ErrorCode::kNotFound, "the built-in catalog has no default entry");
}

}  // namespace pipefit
