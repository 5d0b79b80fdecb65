#include "pipefit/model/module_tree.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace pipefit {

std::vector<std::string_view> SplitDotted(std::string_view name) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool IsLayerwiseCastable(LayerKind kind) {
  return kind == LayerKind::kLinear || kind == LayerKind::kConv || kind == LayerKind::kEmbedding;
}

namespace {

std::string_view LastPart(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

std::string_view OwnerOf(std::string_view tensor_name) {
  size_t dot = tensor_name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : tensor_name.substr(0, dot);
}

bool IsNumber(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

bool IsEmbeddingName(std::string_view leaf, const ModelFamily* family) {
  for (std::string_view name : CommonEmbeddingNames()) {
    if (leaf == name) return true;
  }
  if (family) {
    for (std::string_view name : family->embeddings) {
      if (leaf == name) return true;
    }
  }
  return false;
}

LayerKind InferKind(const ModuleInfo& module, const ModelFamily* family) {
  const std::string weight_name = module.path.empty() ? "weight" : module.path + ".weight";
  for (const TensorInfo* t : module.tensors) {
    if (t->name != weight_name) continue;
    const size_t rank = t->shape.size();
    if (rank >= 3) return LayerKind::kConv;
    if (rank == 2) {
      return IsEmbeddingName(LastPart(module.path), family) ? LayerKind::kEmbedding : LayerKind::kLinear;
    }
    if (rank == 1) return LayerKind::kNorm;
  }
  return LayerKind::kOther;
}

// "transformer_blocks.7" for "transformer_blocks.7.attn.to_q", else "".
std::string BlockOf(std::string_view module_path) {
  size_t first = module_path.find('.');
  if (first == std::string_view::npos || first == 0) return "";
  size_t second = module_path.find('.', first + 1);
  std::string_view index = module_path.substr(
      first + 1, second == std::string_view::npos ? std::string_view::npos : second - first - 1);
  if (!IsNumber(index)) return "";
  return std::string(module_path.substr(0, second));
}

}  // namespace

bool IsWeightOrBias(std::string_view tensor_name) {
  std::string_view last = LastPart(tensor_name);
  return last == "weight" || last == "bias";
}

ModuleTree BuildModuleTree(const std::vector<const TensorInfo*>& tensors, const ModelFamily* family) {
  ModuleTree tree;
  std::unordered_map<std::string_view, size_t> index;
  for (const TensorInfo* t : tensors) {
    std::string_view owner = OwnerOf(t->name);
    auto [it, inserted] = index.emplace(owner, tree.modules.size());
    if (inserted) {
      ModuleInfo module;
      module.path = std::string(owner);
      module.block = BlockOf(owner);
      tree.modules.push_back(std::move(module));
    }
    tree.modules[it->second].tensors.push_back(t);
  }
  for (ModuleInfo& module : tree.modules) module.kind = InferKind(module, family);
  return tree;
}

}  // namespace pipefit
