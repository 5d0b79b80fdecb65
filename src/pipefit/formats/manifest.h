// The built-in catalog's tensor manifests (data/catalog/*/COMPONENT/tensors.tsv,
// written by tools/gen_catalog.py): "#" comment lines, then one line per
// tensor: name TAB safetensors-dtype TAB comma-separated shape. A
// "# total_size: N" comment records the published index total.
#ifndef PIPEFIT_FORMATS_MANIFEST_H_
#define PIPEFIT_FORMATS_MANIFEST_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/result.h"
#include "pipefit/formats/tensor_info.h"

namespace pipefit {

struct TensorManifest {
  std::vector<TensorInfo> tensors;  // data_offset is the running byte offset
  std::optional<int64_t> total_size;
};

Result<TensorManifest> ParseTensorManifest(std::string_view text, const std::string& label);

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_MANIFEST_H_
