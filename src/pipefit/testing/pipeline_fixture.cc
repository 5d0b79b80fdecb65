#include "pipefit/testing/pipeline_fixture.h"

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "pipefit/catalog/catalog.h"
#include "pipefit/formats/manifest.h"
#include "pipefit/formats/sharded_index.h"
#include "pipefit/testing/safetensors_builder.h"
#include "pipefit/testing/temp_dir.h"

namespace pipefit::testkit {
namespace {

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string Embedded(const std::string& path) {
  auto text = CatalogFileSystem().ReadFile("catalog/flux1-dev/" + path, 1 << 20);
  if (!text.ok()) throw std::runtime_error(text.error().message);
  return *text;
}

std::vector<FakeTensor> ManifestTensors(const std::string& component, const FixtureOptions& options) {
  auto manifest = ParseTensorManifest(Embedded(component + "/tensors.tsv"), component);
  if (!manifest.ok()) throw std::runtime_error(manifest.error().message);
  std::vector<FakeTensor> tensors;
  for (const TensorInfo& t : manifest->tensors) {
    FakeTensor fake = ToFakeTensor(t);
    if (!options.stored_dtype.empty()) fake.dtype = options.stored_dtype;
    tensors.push_back(fake);
  }
  return tensors;
}

std::string VariantName(const std::string& name, const std::string& variant) {
  if (variant.empty()) return name;
  size_t dot = name.rfind('.');
  return name.substr(0, dot) + "." + variant + name.substr(dot);
}

// Splits the component's tensors by the real index and writes the shards
// and the (variant-named) index.
int WriteSharded(const std::string& dir, const std::string& component, const std::string& index_name,
                 const std::string& source_dir, const FixtureOptions& options) {
  const std::string index_text =
      ReadHostFile(source_dir + "/tests/data/flux1-dev/" + component + "/" + index_name);
  auto index = ParseShardedIndex(index_text, index_name);
  if (!index.ok()) throw std::runtime_error(index.error().message);
  std::map<std::string, std::vector<FakeTensor>> shards;
  for (const FakeTensor& t : ManifestTensors(component, options))
    shards[index->weight_map.at(t.name)].push_back(t);
  int files = 0;
  for (const auto& [shard, tensors] : shards) {
    WriteSparseSafetensors(dir + "/" + shard, tensors);
    ++files;
  }
  std::string written_index = index_name;
  if (!options.variant.empty())
    written_index = written_index.substr(0, written_index.size() - 5) + "." + options.variant + ".json";
  WriteTextFile(dir + "/" + written_index, index_text);
  return files + 1;
}

}  // namespace

int WriteFluxDevFixture(const std::string& root, const std::string& source_dir,
                        const FixtureOptions& options) {
  int files = 0;
  for (const char* path : {"model_index.json", "scheduler/scheduler_config.json", "transformer/config.json",
                           "vae/config.json", "text_encoder/config.json", "text_encoder_2/config.json"}) {
    WriteTextFile(root + "/" + path, Embedded(path));
    ++files;
  }
  files += WriteSharded(root + "/transformer", "transformer",
                        "diffusion_pytorch_model.safetensors.index.json", source_dir, options);
  files += WriteSharded(root + "/text_encoder_2", "text_encoder_2", "model.safetensors.index.json",
                        source_dir, options);
  WriteSparseSafetensors(root + "/text_encoder/" + VariantName("model.safetensors", options.variant),
                         ManifestTensors("text_encoder", options));
  WriteSparseSafetensors(root + "/vae/" + VariantName("diffusion_pytorch_model.safetensors", options.variant),
                         ManifestTensors("vae", options));
  WriteTextFile(root + "/tokenizer/vocab.json", "{}");
  return files + 3;
}

}  // namespace pipefit::testkit
