#include "pipefit/sources/pipeline_folder.h"

#include <simdjson.h>

#include "pipefit/base/text.h"
#include "pipefit/formats/json_object.h"
#include "pipefit/sources/component_files.h"
#include "pipefit/sources/single_file_class.h"

namespace pipefit {
namespace {

// Classes that never hold weights (diffusers schedulers, transformers
// tokenizers and processors).
bool IsWeightlessClass(std::string_view class_name) {
  for (std::string_view suffix :
       {"Scheduler", "Tokenizer", "TokenizerFast", "Processor", "FeatureExtractor", "ImageProcessor"}) {
    if (class_name.ends_with(suffix)) return true;
  }
  return false;
}

Status LoadPipelineComponent(const FileSystem& fs, const std::string& root, const std::string& variant,
                             Component& component) {
  const std::string dir = JoinPath(root, component.name);
  if (component.class_name.ends_with("Scheduler")) return ReadSchedulerConfig(fs, dir, component);
  if (IsWeightlessClass(component.class_name)) return OkStatus();
  if (!fs.IsDirectory(dir)) {
    return MakeErrorf(ErrorCode::kNotFound, "{}: folder of component '{}' ({}) is missing", dir,
                      component.name, component.class_name);
  }
  PIPEFIT_RETURN_IF_ERROR(ReadComponentConfig(fs, dir, component));
  Status status = LoadComponentWeights(fs, dir, variant, component);
  if (!status.ok()) {
    return status.error().WithContext("component '" + component.name + "'");
  }
  return OkStatus();
}

Status ParseModelIndex(const std::string& path, std::string_view json, Pipeline& pipeline) {
  simdjson::dom::parser parser;
  PIPEFIT_ASSIGN_OR_RETURN(simdjson::dom::object object, ParseJsonObject(parser, json, path));
  std::string_view text;
  if (object["_class_name"].get_string().get(text) != simdjson::SUCCESS) {
    return MakeErrorf(ErrorCode::kMalformed, "{}: missing '_class_name'", path);
  }
  pipeline.pipeline_class = std::string(text);
  for (auto field : object) {
    if (field.key.empty() || field.key.front() == '_') continue;
    simdjson::dom::array pair;
    if (field.value.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2) continue;
    if (pair.at(0).is_null() && pair.at(1).is_null()) continue;  // optional component absent
    std::string_view library, class_name;
    if (pair.at(0).get_string().get(library) != simdjson::SUCCESS ||
        pair.at(1).get_string().get(class_name) != simdjson::SUCCESS) {
      return MakeErrorf(ErrorCode::kMalformed, "{}: component '{}' must be [library, class]", path,
                        field.key);
    }
    std::string name(field.key);
    if (name.find('/') != std::string::npos || name == "..") {
      return MakeErrorf(ErrorCode::kMalformed, "{}: invalid component name '{}'", path, name);
    }
    Component component;
    component.name = name;
    component.library = std::string(library);
    component.class_name = std::string(class_name);
    pipeline.components.push_back(std::move(component));
  }
  return OkStatus();
}

}  // namespace

Result<Pipeline> LoadPipelineFolder(const FileSystem& fs, const std::string& root,
                                    const std::string& variant) {
  const std::string index_path = JoinPath(root, "model_index.json");
  PIPEFIT_ASSIGN_OR_RETURN(std::string json, fs.ReadFile(index_path, kMaxModelIndexBytes));
  Pipeline pipeline;
  pipeline.source.path = root;
  PIPEFIT_RETURN_IF_ERROR(ParseModelIndex(index_path, json, pipeline));
  pipeline.model_index_json = json;
  for (Component& component : pipeline.components) {
    PIPEFIT_RETURN_IF_ERROR(LoadPipelineComponent(fs, root, variant, component));
  }
  return pipeline;
}

Result<Pipeline> LoadComponentFolder(const FileSystem& fs, const std::string& dir,
                                     const std::string& variant) {
  Pipeline pipeline;
  pipeline.source.path = dir;
  Component component;
  component.name = BaseName(dir);
  PIPEFIT_RETURN_IF_ERROR(ReadComponentConfig(fs, dir, component));
  PIPEFIT_RETURN_IF_ERROR(LoadComponentWeights(fs, dir, variant, component));
  pipeline.components.push_back(std::move(component));
  return pipeline;
}

Result<Pipeline> LoadWeightFile(const FileSystem& fs, const std::string& path) {
  Pipeline pipeline;
  pipeline.source.path = path;
  Component component;
  component.name = "model";
  component.single_file = true;
  PIPEFIT_RETURN_IF_ERROR(LoadSingleWeightFile(fs, path, component));
  IdentifySingleFileClass(component);
  pipeline.components.push_back(std::move(component));
  return pipeline;
}

Result<Pipeline> LoadLocalModel(const FileSystem& fs, const std::string& path, const std::string& variant) {
  PIPEFIT_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (!info.is_directory) {
    if (path.ends_with(".safetensors") || path.ends_with(".gguf")) return LoadWeightFile(fs, path);
    return MakeErrorf(ErrorCode::kUnsupported, "{}: not a .safetensors or .gguf file, nor a diffusers folder",
                      path);
  }
  if (fs.IsFile(JoinPath(path, "model_index.json"))) return LoadPipelineFolder(fs, path, variant);
  if (fs.IsFile(JoinPath(path, "config.json")) || fs.IsFile(JoinPath(path, "tensors.tsv"))) {
    return LoadComponentFolder(fs, path, variant);
  }
  return MakeErrorf(ErrorCode::kNotFound,
                    "{}: folder has neither model_index.json (a pipeline) nor config.json (a component)",
                    path);
}

}  // namespace pipefit
