// The module tree recovered from tensor names: a tensor "a.b.c.weight" is
// owned by module "a.b.c". A module's layer kind (Linear, Conv, Embedding,
// norm) is inferred from its `weight` tensor's rank and the family table's
// embedding names; blocks are the numbered children of the root's direct
// ModuleList/Sequential children ("transformer_blocks.7").
#ifndef PIPEFIT_MODEL_MODULE_TREE_H_
#define PIPEFIT_MODEL_MODULE_TREE_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipefit/formats/tensor_info.h"
#include "pipefit/model/family_table.h"

namespace pipefit {

enum class LayerKind { kLinear, kConv, kEmbedding, kNorm, kOther };

struct ModuleInfo {
  std::string path;  // owner module path ("" for tensors at the root)
  LayerKind kind = LayerKind::kOther;
  std::string block;  // "transformer_blocks.7", or "" when not inside a block
  std::vector<const TensorInfo*> tensors;
};

struct ModuleTree {
  std::vector<ModuleInfo> modules;  // in order of first appearance
};

// `tensors` must outlive the tree.
ModuleTree BuildModuleTree(const std::vector<const TensorInfo*>& tensors, const ModelFamily* family);

// Linear, Conv and Embedding: diffusers' _GO_LC_SUPPORTED_PYTORCH_LAYERS
// (hooks/_common.py; internals §3.4, §5).
bool IsLayerwiseCastable(LayerKind kind);
// True for "...weight" and "...bias" tensors (module parameters that
// layerwise casting converts), false for custom parameters and buffers.
bool IsWeightOrBias(std::string_view tensor_name);
std::vector<std::string_view> SplitDotted(std::string_view name);

}  // namespace pipefit

#endif  // PIPEFIT_MODEL_MODULE_TREE_H_
