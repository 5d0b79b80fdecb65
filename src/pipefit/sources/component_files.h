// Finds and reads a component's weight files in its folder, the way
// diffusers and transformers choose them (internals §1.2):
//   sharded index   {diffusion_pytorch_model|model}.safetensors.index[.VARIANT].json
//   single file     {diffusion_pytorch_model|model}[.VARIANT].safetensors
//   catalog         tensors.tsv (the built-in catalog's manifest)
//   pickle          {diffusion_pytorch_model|pytorch_model}[.VARIANT].bin, *.pt, *.ckpt
// A requested variant that a component lacks falls back to the plain files
// with a note, as diffusers does for pipelines; a folder holding only
// variant files without --variant is an error that says which to pass.
#ifndef PIPEFIT_SOURCES_COMPONENT_FILES_H_
#define PIPEFIT_SOURCES_COMPONENT_FILES_H_

#include <string>
#include <vector>

#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/formats/sharded_index.h"
#include "pipefit/model/pipeline.h"

namespace pipefit {

// Fills component.format/files/file_bytes/tensors/notes from the folder
// `dir` (a path in `fs`). `display_dir` prefixes messages and file names.
Status LoadComponentWeights(const FileSystem& fs, const std::string& dir, const std::string& variant,
                            Component& component);

// The safetensors files LoadComponentWeights would read for `dir` (shards
// listed by the index, or the single file) and the index path when sharded;
// empty when the component has no safetensors weights or they cannot be
// found. Lets a remote source fetch their headers ahead, concurrently.
struct ComponentWeightPaths {
  std::string index;            // "" unless sharded
  ShardedIndex index_contents;  // the parsed index when sharded (its weight_map sizes first reads)
  std::vector<std::string> files;
};
ComponentWeightPaths FindComponentWeightPaths(const FileSystem& fs, const std::string& dir,
                                              const std::string& variant);

// The safetensors files of `dir` the loader will most likely read, from file
// names alone (no file is read, so a remote source can ask for their headers
// in the same round as the index): the single file, or the listed files named
// like shards of the index's stem and variant ("model-00001-of-00002.
// safetensors", "diffusion_pytorch_model.fp16-00001-of-00002.safetensors").
// A guess: FindComponentWeightPaths, after the index is read, is exact.
std::vector<std::string> GuessComponentWeightFiles(const FileSystem& fs, const std::string& dir,
                                                   const std::string& variant);

// Reads the tensors of one .safetensors or .gguf file as a component.
Status LoadSingleWeightFile(const FileSystem& fs, const std::string& path, Component& component);

// Reads `dir/config.json` when present: class name (`_class_name` or
// `architectures[0]`), tie_word_embeddings, torch_dtype.
// A scheduler's scheduler_config.json, whole, into component.config.json
// (what `measure --random-weights` builds the scheduler from); nothing when
// the folder has none, or when reading it would cost a Hub request (plans
// do not need it).
Status ReadSchedulerConfig(const FileSystem& fs, const std::string& dir, Component& component);

Status ReadComponentConfig(const FileSystem& fs, const std::string& dir, Component& component);

}  // namespace pipefit

#endif  // PIPEFIT_SOURCES_COMPONENT_FILES_H_
