// Files under the repository's data/ folder, embedded in the library by
// cmake/embed_data.cmake (the generated embedded_data.cc defines the table).
#ifndef PIPEFIT_CATALOG_EMBEDDED_DATA_H_
#define PIPEFIT_CATALOG_EMBEDDED_DATA_H_

#include <span>
#include <string_view>

namespace pipefit {

struct EmbeddedFile {
  std::string_view path;  // relative to data/, e.g. "catalog/flux1-dev/model_index.json"
  std::string_view data;
};

std::span<const EmbeddedFile> EmbeddedDataFiles();

}  // namespace pipefit

#endif  // PIPEFIT_CATALOG_EMBEDDED_DATA_H_
