#include "pipefit/catalog/catalog.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>

#include "pipefit/base/text.h"
#include "pipefit/catalog/embedded_data.h"
#include "pipefit/formats/json_object.h"
#include "pipefit/formats/manifest.h"

namespace pipefit {
namespace {

std::string StringField(simdjson::dom::object object, std::string_view key) {
  std::string_view text;
  if (object[key].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  return {};
}

int64_t IntField(simdjson::dom::object object, std::string_view key) {
  int64_t value = 0;
  if (object[key].get_int64().get(value) == simdjson::SUCCESS) return value;
  return 0;
}

Result<CatalogComponent> ParseComponent(const std::string& label, std::string_view name,
                                        simdjson::dom::object object) {
  CatalogComponent c;
  c.name = std::string(name);
  c.class_name = StringField(object, "class");
  c.dtype = StringField(object, "dtype");
  c.config_source = StringField(object, "config_source");
  c.shared_manifest = StringField(object, "manifest");
  if (c.dtype.empty())
    return MakeErrorf(ErrorCode::kMalformed, "{}: component {} has no 'dtype'", label, name);
  simdjson::dom::object published;
  if (object["published"].get_object().get(published) == simdjson::SUCCESS) {
    PublishedSize& p = c.published;
    p.kind = StringField(published, "kind");
    p.bytes = IntField(published, "bytes");
    p.params = IntField(published, "params");
    p.value = StringField(published, "value");
    p.unit = StringField(published, "unit");
    p.source = StringField(published, "source");
    const int64_t files = IntField(published, "files");
    p.files = files > 0 && files < 10000 ? static_cast<int>(files) : 1;
  }
  return c;
}

Result<CatalogEntry> ParseEntry(const std::string& id, std::string_view json) {
  const std::string label = "catalog entry " + id + "/entry.json";
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object root, ParseJsonObject(parser, json, label));
  CatalogEntry entry;
  entry.id = id;
  entry.root = "catalog/" + id;
  entry.repo = StringField(root, "repo");
  if (entry.repo.empty()) return MakeErrorf(ErrorCode::kMalformed, "{}: missing 'repo'", label);
  entry.revision = StringField(root, "revision");
  entry.description = StringField(root, "description");
  entry.family = StringField(root, "family");
  bool is_default = false;
  if (root["default"].get_bool().get(is_default) == simdjson::SUCCESS) entry.is_default = is_default;
  simdjson::dom::array aliases;
  if (root["aliases"].get_array().get(aliases) == simdjson::SUCCESS) {
    for (auto alias : aliases) {
      std::string_view text;
      if (alias.get_string().get(text) == simdjson::SUCCESS) entry.aliases.emplace_back(text);
    }
  }
  simdjson::dom::object workload;
  if (root["workload"].get_object().get(workload) == simdjson::SUCCESS) {
    entry.workload.height = static_cast<int>(IntField(workload, "height"));
    entry.workload.width = static_cast<int>(IntField(workload, "width"));
    entry.workload.frames = static_cast<int>(IntField(workload, "frames"));
    entry.workload.steps = static_cast<int>(IntField(workload, "steps"));
  }
  simdjson::dom::object components;
  if (root["components"].get_object().get(components) == simdjson::SUCCESS) {
    for (auto field : components) {
      simdjson::dom::object object;
      if (field.value.get_object().get(object) != simdjson::SUCCESS)
        return MakeErrorf(ErrorCode::kMalformed, "{}: component {} is not an object", label, field.key);
      PIPEFIT_ASSIGN_OR_RETURN(CatalogComponent c, ParseComponent(label, field.key, object));
      entry.components.push_back(std::move(c));
    }
  }
  return entry;
}

const EmbeddedFile* FindEmbedded(std::string_view path) {
  for (const EmbeddedFile& file : EmbeddedDataFiles()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

// A shared manifest (stored as BF16) with every tensor's dtype column set to
// `dtype`.
std::string WithDType(std::string_view manifest, std::string_view dtype) {
  if (dtype == "BF16") return std::string(manifest);
  std::string out;
  out.reserve(manifest.size() + manifest.size() / 16);
  size_t pos = 0;
  while (pos < manifest.size()) {
    size_t end = manifest.find('\n', pos);
    if (end == std::string_view::npos) end = manifest.size();
    std::string_view line = manifest.substr(pos, end - pos);
    const size_t tab1 = line.find('\t');
    const size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (line.starts_with("#") || tab2 == std::string_view::npos) {
      out += line;
    } else {
      out += line.substr(0, tab1 + 1);
      out += dtype;
      out += line.substr(tab2);
    }
    out += '\n';
    pos = end + 1;
  }
  return out;
}

}  // namespace

const FileSystem& CatalogFileSystem() {
  static const MemoryFileSystem* fs = [] {
    auto* memory = new MemoryFileSystem();
    for (const EmbeddedFile& file : EmbeddedDataFiles()) {
      memory->AddStaticFile(std::string(file.path), file.data);
    }
    // Each entry's shared components appear in its own folder. A malformed
    // entry or a missing shared manifest is reported by CatalogEntries()
    // and by the catalog test; here the component is simply left out.
    auto entries = CatalogEntries();
    if (entries.ok()) {
      for (const CatalogEntry& entry : *entries) {
        for (const CatalogComponent& c : entry.components) {
          if (c.shared_manifest.empty()) continue;
          const EmbeddedFile* shared = FindEmbedded("catalog/" + c.shared_manifest + "/tensors.tsv");
          if (shared == nullptr) continue;
          memory->AddFile(entry.root + "/" + c.name + "/tensors.tsv", WithDType(shared->data, c.dtype));
        }
      }
    }
    return memory;
  }();
  return *fs;
}

namespace {

Result<std::vector<CatalogEntry>> ParseCatalogEntries() {
  std::vector<CatalogEntry> entries;
  for (const EmbeddedFile& file : EmbeddedDataFiles()) {
    constexpr std::string_view kPrefix = "catalog/";
    constexpr std::string_view kSuffix = "/entry.json";
    std::string_view path = file.path;
    if (path.substr(0, kPrefix.size()) != kPrefix || path.size() <= kPrefix.size() + kSuffix.size() ||
        path.substr(path.size() - kSuffix.size()) != kSuffix)
      continue;
    std::string id(path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size()));
    if (id.find('/') != std::string::npos || id == "shared") continue;
    PIPEFIT_ASSIGN_OR_RETURN(CatalogEntry entry, ParseEntry(id, file.data));
    if (const EmbeddedFile* index = FindEmbedded(entry.root + "/model_index.json")) {
      simdjson::dom::parser parser;
      PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object root,
                               ParseJsonObject(parser, index->data, entry.root + "/model_index.json"));
      entry.pipeline_class = StringField(root, "_class_name");
    }
    for (const CatalogComponent& c : entry.components) {
      if (!c.shared_manifest.empty() &&
          FindEmbedded("catalog/" + c.shared_manifest + "/tensors.tsv") == nullptr)
        return MakeErrorf(ErrorCode::kMalformed, "catalog entry {}: component {} names missing manifest {}",
                          id, c.name, c.shared_manifest);
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const CatalogEntry& a, const CatalogEntry& b) { return a.repo < b.repo; });
  return entries;
}

}  // namespace

// The embedded data never changes, so it is parsed once per process (plan,
// resolve and the catalog file system all ask for it).
Result<std::vector<CatalogEntry>> CatalogEntries() {
  static const Result<std::vector<CatalogEntry>> entries = ParseCatalogEntries();
  return entries;
}

Result<int64_t> CatalogEntryBytes(const CatalogEntry& entry) {
  int64_t total = 0;
  for (const CatalogComponent& c : entry.components) {
    const std::string path = entry.root + "/" + c.name + "/tensors.tsv";
    PIPEFIT_ASSIGN_OR_RETURN(std::string text, CatalogFileSystem().ReadFile(path, int64_t{256} << 20));
    PIPEFIT_ASSIGN_OR_RETURN(TensorManifest manifest, ParseTensorManifest(text, path));
    for (const TensorInfo& info : manifest.tensors) total += info.bytes;
  }
  return total;
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
