// Reads a pipeline from a folder in a FileSystem: a diffusers pipeline
// folder (model_index.json), a single component folder (config.json and
// weights), or a single .safetensors / .gguf file.
#ifndef PIPEFIT_SOURCES_PIPELINE_FOLDER_H_
#define PIPEFIT_SOURCES_PIPELINE_FOLDER_H_

#include <string>

#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

inline constexpr int64_t kMaxModelIndexBytes = 1024 * 1024;

// model_index.json: `"name": [library, class]` entries become components in
// file order; `[null, null]` entries and `_`-prefixed keys are skipped.
// Non-weight components (schedulers, tokenizers, processors) are listed
// without weights. A model component whose folder or weights are missing is
// an error naming it.
Result<Pipeline> LoadPipelineFolder(const FileSystem& fs, const std::string& root,
                                    const std::string& variant);

// A folder with config.json and weights: one component named after the folder.
Result<Pipeline> LoadComponentFolder(const FileSystem& fs, const std::string& dir,
                                     const std::string& variant);

// A .safetensors or .gguf file: one component named "model", loaded the way
// from_single_file loads it.
Result<Pipeline> LoadWeightFile(const FileSystem& fs, const std::string& path);

// Dispatches on what `path` is. kNotFound when it is none of the above.
Result<Pipeline> LoadLocalModel(const FileSystem& fs, const std::string& path, const std::string& variant);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_PIPELINE_FOLDER_H_
