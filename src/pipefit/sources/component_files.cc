#include "pipefit/sources/component_files.h"

#include <simdjson.h>

#include <map>

#include "pipefit/base/text.h"
#include "pipefit/formats/gguf.h"
#include "pipefit/formats/json_object.h"
#include "pipefit/formats/manifest.h"
#include "pipefit/formats/safetensors.h"
#include "pipefit/formats/sharded_index.h"

namespace pipefit {
namespace {

constexpr int64_t kMaxConfigBytes = 16 * 1024 * 1024;
constexpr const char* kStems[] = {"diffusion_pytorch_model", "model"};

std::string WithVariant(const std::string& stem, const std::string& variant, const std::string& ext) {
  return variant.empty() ? stem + ext : stem + "." + variant + ext;
}

std::string IndexName(const std::string& stem, const std::string& variant) {
  return variant.empty() ? stem + ".safetensors.index.json"
                         : stem + ".safetensors.index." + variant + ".json";
}

Status LoadSharded(const FileSystem& fs, const std::string& dir, const std::string& index_name,
                   Component& component) {
  const std::string index_path = JoinPath(dir, index_name);
  PIPEFIT_ASSIGN_OR_RETURN(std::string json, fs.ReadFile(index_path, kMaxIndexFileBytes));
  PIPEFIT_ASSIGN_OR_RETURN(ShardedIndex index, ParseShardedIndex(json, index_path));
  component.files.push_back(index_path);
  std::map<std::string, const TensorInfo*> found;
  int64_t tensor_bytes = 0;
  for (const std::string& shard : index.shards) {
    const std::string shard_path = JoinPath(dir, shard);
    if (!fs.IsFile(shard_path)) {
      return MakeErrorf(ErrorCode::kNotFound, "{}: shard {} is listed in weight_map but missing", index_path,
                        shard);
    }
    PIPEFIT_ASSIGN_OR_RETURN(SafetensorsHeader header, ReadSafetensorsHeader(fs, shard_path));
    component.files.push_back(shard_path);
    component.file_bytes += 8 + header.header_length + header.data_size;
    for (TensorInfo& t : header.tensors) {
      tensor_bytes += t.bytes;
      component.tensors.push_back(std::move(t));
    }
  }
  for (const TensorInfo& t : component.tensors) found[t.name] = &t;
  for (const auto& [name, shard] : index.weight_map) {
    auto it = found.find(name);
    if (it == found.end()) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: tensor '{}' is mapped to {} but not in it", index_path,
                        name, shard);
    }
  }
  if (index.total_size && *index.total_size != tensor_bytes) {
    component.notes.push_back(index_path + ": metadata.total_size " + std::to_string(*index.total_size) +
                              " differs from the shards' tensor bytes " + std::to_string(tensor_bytes));
  }
  return OkStatus();
}

Status LoadManifest(const FileSystem& fs, const std::string& path, Component& component) {
  PIPEFIT_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path, kMaxIndexFileBytes));
  PIPEFIT_ASSIGN_OR_RETURN(TensorManifest manifest, ParseTensorManifest(text, path));
  component.format = WeightFormat::kManifest;
  component.files.push_back(path);
  for (TensorInfo& t : manifest.tensors) {
    component.file_bytes += t.bytes;
    component.tensors.push_back(std::move(t));
  }
  return OkStatus();
}

// First existing file among the standard names for `variant`.
enum class Found { kNone, kIndex, kSingle, kPickle };
Found FindWeights(const FileSystem& fs, const std::string& dir, const std::string& variant,
                  std::string& name) {
  for (const char* stem : kStems) {
    name = IndexName(stem, variant);
    if (fs.IsFile(JoinPath(dir, name))) return Found::kIndex;
  }
  for (const char* stem : kStems) {
    name = WithVariant(stem, variant, ".safetensors");
    if (fs.IsFile(JoinPath(dir, name))) return Found::kSingle;
  }
  for (const char* stem : {"diffusion_pytorch_model", "pytorch_model"}) {
    name = WithVariant(stem, variant, ".bin");
    if (fs.IsFile(JoinPath(dir, name))) return Found::kPickle;
  }
  return Found::kNone;
}

// Names of files in `dir` that look like weights of some variant.
std::string VariantsPresent(const FileSystem& fs, const std::string& dir) {
  auto names = fs.ListDirectory(dir);
  if (!names.ok()) return "";
  std::string variants;
  for (const std::string& n : *names) {
    for (const char* stem : kStems) {
      const std::string prefix = std::string(stem) + ".";
      if (n.starts_with(prefix) && n.ends_with(".safetensors") && n.size() > prefix.size() + 12) {
        std::string v = n.substr(prefix.size(), n.size() - prefix.size() - 12);
        if (v.find('.') == std::string::npos && v.find('-') == std::string::npos &&
            variants.find(v) == std::string::npos)
          variants += (variants.empty() ? "" : ", ") + v;
      }
    }
  }
  return variants;
}

}  // namespace

Status LoadSingleWeightFile(const FileSystem& fs, const std::string& path, Component& component) {
  if (path.ends_with(".gguf")) {
    PIPEFIT_ASSIGN_OR_RETURN(GgufHeader header, ReadGgufHeader(fs, path));
    component.format = WeightFormat::kGguf;
    component.file_bytes = header.file_size;
    component.tensors = std::move(header.tensors);
  } else {
    PIPEFIT_ASSIGN_OR_RETURN(SafetensorsHeader header, ReadSafetensorsHeader(fs, path));
    component.format = WeightFormat::kSafetensors;
    component.file_bytes = 8 + header.header_length + header.data_size;
    component.tensors = std::move(header.tensors);
  }
  component.files.push_back(path);
  return OkStatus();
}

ComponentWeightPaths FindComponentWeightPaths(const FileSystem& fs, const std::string& dir,
                                              const std::string& variant) {
  ComponentWeightPaths paths;
  if (fs.IsFile(JoinPath(dir, "tensors.tsv"))) return paths;
  std::string name;
  Found found = FindWeights(fs, dir, variant, name);
  if (found == Found::kNone && !variant.empty()) found = FindWeights(fs, dir, "", name);
  if (found == Found::kSingle) paths.files.push_back(JoinPath(dir, name));
  if (found == Found::kIndex) {
    paths.index = JoinPath(dir, name);
    auto json = fs.ReadFile(paths.index, kMaxIndexFileBytes);
    auto index = json.ok() ? ParseShardedIndex(*json, paths.index) : Result<ShardedIndex>(json.error());
    if (index.ok()) {
      for (const std::string& shard : index->shards) paths.files.push_back(JoinPath(dir, shard));
      paths.index_contents = std::move(*index);
    }
  }
  return paths;
}

std::vector<std::string> GuessComponentWeightFiles(const FileSystem& fs, const std::string& dir,
                                                   const std::string& variant) {
  std::vector<std::string> files;
  if (fs.IsFile(JoinPath(dir, "tensors.tsv"))) return files;
  std::string name;
  std::string used_variant = variant;
  Found found = FindWeights(fs, dir, variant, name);
  if (found == Found::kNone && !variant.empty()) {
    used_variant.clear();
    found = FindWeights(fs, dir, "", name);
  }
  if (found == Found::kSingle) files.push_back(JoinPath(dir, name));
  if (found != Found::kIndex) return files;
  const std::string stem = name.substr(0, name.find('.'));  // "model", "diffusion_pytorch_model"
  auto names = fs.ListDirectory(dir);
  if (!names.ok()) return files;
  constexpr std::string_view kSuffix = ".safetensors";
  for (const std::string& n : *names) {
    if (!n.starts_with(stem) || !n.ends_with(kSuffix) || n.find("-of-") == std::string::npos) continue;
    // What sits between the stem and ".safetensors": "-00001-of-00002",
    // ".fp16-00001-of-00002" or "-00001-of-00002.fp16".
    const std::string middle = n.substr(stem.size(), n.size() - stem.size() - kSuffix.size());
    const bool matches =
        used_variant.empty()
            ? middle.starts_with("-") && middle.find('.') == std::string::npos
            : middle.starts_with("." + used_variant + "-") || middle.ends_with("." + used_variant);
    if (matches) files.push_back(JoinPath(dir, n));
  }
  return files;
}

Status LoadComponentWeights(const FileSystem& fs, const std::string& dir, const std::string& variant,
                            Component& component) {
  const std::string manifest = JoinPath(dir, "tensors.tsv");
  if (fs.IsFile(manifest)) return LoadManifest(fs, manifest, component);
  std::string name;
  Found found = FindWeights(fs, dir, variant, name);
  if (found == Found::kNone && !variant.empty()) {
    found = FindWeights(fs, dir, "", name);
    if (found != Found::kNone) {
      component.notes.push_back("no '" + variant + "' variant files: using " + name);
    }
  }
  switch (found) {
    case Found::kIndex:
      component.format = WeightFormat::kSafetensors;
      return LoadSharded(fs, dir, name, component);
    case Found::kSingle:
      return LoadSingleWeightFile(fs, JoinPath(dir, name), component);
    case Found::kPickle: {
      PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(JoinPath(dir, name)));
      component.format = WeightFormat::kPickle;
      component.files.push_back(JoinPath(dir, name));
      component.file_bytes = info.size;
      return OkStatus();
    }
    case Found::kNone:
      break;
  }
  const std::string variants = VariantsPresent(fs, dir);
  if (!variants.empty() && variant.empty()) {
    return MakeErrorf(ErrorCode::kNotFound,
                      "{}: only variant weight files ({}) are present; pass --variant {}", dir, variants,
                      variants.substr(0, variants.find(',')));
  }
  return MakeErrorf(ErrorCode::kNotFound,
                    "{}: no weights found (expected diffusion_pytorch_model.safetensors, "
                    "model.safetensors, a *.safetensors.index.json or a .bin file)",
                    dir);
}

Status ReadSchedulerConfig(const FileSystem& fs, const std::string& dir, Component& component) {
  const std::string path = JoinPath(dir, "scheduler_config.json");
  if (fs.FetchesOnRead() || !fs.IsDirectory(dir) || !fs.IsFile(path)) return OkStatus();
  PIPEFIT_ASSIGN_OR_RETURN(std::string json, fs.ReadFile(path, kMaxConfigBytes));
  simdjson::dom::parser parser;
  if (auto parsed = ParseJsonObject(parser, json, path); !parsed.ok()) return parsed.error();
  component.config.json = std::move(json);
  return OkStatus();
}

Status ReadComponentConfig(const FileSystem& fs, const std::string& dir, Component& component) {
  const std::string path = JoinPath(dir, "config.json");
  if (!fs.IsFile(path)) return OkStatus();
  PIPEFIT_ASSIGN_OR_RETURN(std::string json, fs.ReadFile(path, kMaxConfigBytes));
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object root, ParseJsonObject(parser, json, path));
  std::string_view text;
  if (component.class_name.empty()) {
    if (root["_class_name"].get_string().get(text) == simdjson::SUCCESS) {
      component.class_name = std::string(text);
      if (component.library.empty()) component.library = "diffusers";
    } else if (root["architectures"].at(0).get_string().get(text) == simdjson::SUCCESS) {
      component.class_name = std::string(text);
      if (component.library.empty()) component.library = "transformers";
    }
  }
  bool tie = false;
  if (root["tie_word_embeddings"].get_bool().get(tie) == simdjson::SUCCESS) {
    component.config.tie_word_embeddings = tie;
  }
  if (root["torch_dtype"].get_string().get(text) == simdjson::SUCCESS) {
    component.config.torch_dtype = std::string(text);
  }
  component.config.json = std::move(json);
  return OkStatus();
}

}  // namespace pipefit
