// Writes a sparse on-disk diffusers folder with FLUX.1-dev's real layout:
// model_index.json, configs, three transformer shards and two T5 shards
// split by the real index files (tests/data/flux1-dev), single files for
// CLIP and the VAE. Tensors come from the built-in catalog's manifests.
#ifndef PIPEFIT_TESTING_PIPELINE_FIXTURE_H_
#define PIPEFIT_TESTING_PIPELINE_FIXTURE_H_

#include <string>

namespace pipefit::testkit {

struct FixtureOptions {
  std::string variant;       // "" or e.g. "fp16": file names get the variant
  std::string stored_dtype;  // "" keeps the manifest dtype (BF16), else e.g. "F16"
};

// `source_dir` is the repository root (for tests/data). Returns the number
// of files written.
int WriteFluxDevFixture(const std::string& root, const std::string& source_dir,
                        const FixtureOptions& options = {});

}  // namespace pipefit::testkit

#endif  // PIPEFIT_TESTING_PIPELINE_FIXTURE_H_
