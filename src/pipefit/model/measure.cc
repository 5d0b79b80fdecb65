#include "pipefit/model/measure.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>
#include <utility>

#include "pipefit/model/module_tree.h"
#include "pipefit/model/quantized_bytes.h"

namespace pipefit {

const char* LoadDTypeName(LoadDType dtype) {
  switch (dtype) {
    case LoadDType::kBF16:
      return "bf16";
    case LoadDType::kFP16:
      return "fp16";
    case LoadDType::kFP32:
      return "fp32";
  }
  return "bf16";
}

std::optional<LoadDType> ParseLoadDType(std::string_view text) {
  if (text == "bf16" || text == "bfloat16" || text == "torch.bfloat16") return LoadDType::kBF16;
  if (text == "fp16" || text == "float16" || text == "half" || text == "torch.float16")
    return LoadDType::kFP16;
  if (text == "fp32" || text == "float32" || text == "float" || text == "torch.float32")
    return LoadDType::kFP32;
  return std::nullopt;
}

DType LoadDTypeStorage(LoadDType dtype) {
  switch (dtype) {
    case LoadDType::kBF16:
      return DType::kBF16;
    case LoadDType::kFP16:
      return DType::kF16;
    case LoadDType::kFP32:
      return DType::kF32;
  }
  return DType::kBF16;
}

bool LayerwisePatternMatches(std::string_view pattern, std::string_view text) {
  const bool has_meta = pattern.find_first_of(".*+?()[]{}|\\") != std::string_view::npos;
  std::string_view body = pattern;
  bool anchored_start = false, anchored_end = false;
  if (!body.empty() && body.front() == '^') {
    anchored_start = true;
    body.remove_prefix(1);
  }
  if (!body.empty() && body.back() == '$') {
    anchored_end = true;
    body.remove_suffix(1);
  }
  if (!has_meta && body.find_first_of("^$") == std::string_view::npos) {
    if (anchored_start && anchored_end) return text == body;
    if (anchored_start) return text.starts_with(body);
    if (anchored_end) return text.ends_with(body);
    return text.find(body) != std::string_view::npos;
  }
  try {
    return std::regex_search(std::string(text), std::regex(std::string(pattern)));
  } catch (const std::regex_error&) {
    return false;  // a pattern Python would accept but ECMAScript rejects: no skip
  }
}

namespace {

// internals §1.3 (diffusers, dotted-component match) and §1.4 (transformers
// regex (^|\.)module($|\.), the same thing).
bool MatchesKeepModule(std::string_view name, std::span<const std::string_view> keep) {
  if (keep.empty()) return false;
  for (std::string_view part : SplitDotted(name)) {
    for (std::string_view k : keep) {
      if (part == k) return true;
    }
  }
  return false;
}

// Resident dtype of one tensor once loaded (internals §1.3, §1.4).
DType ResidentDType(const TensorInfo& tensor, const Component& component, const ModelFamily* family,
                    LoadDType load, bool under_bnb) {
  if (!IsConvertibleFloat(tensor.dtype)) return tensor.dtype;
  const bool transformers = component.library == "transformers";
  std::span<const std::string_view> keep =
      family ? family->keep_in_fp32 : std::span<const std::string_view>();
  bool keep_applies;
  if (transformers) {
    keep_applies = load == LoadDType::kFP16 || under_bnb;
  } else if (component.single_file) {
    // from_single_file honours keep-modules only under fp16 or a quantizer,
    // and casts everything afterwards otherwise (internals §1.3).
    keep_applies = load == LoadDType::kFP16 || under_bnb || component.format == WeightFormat::kGguf;
  } else {
    keep_applies = true;
  }
  if (keep_applies && MatchesKeepModule(tensor.name, keep)) return DType::kF32;
  return LoadDTypeStorage(load);
}

int64_t BytesAs(const TensorInfo& tensor, DType dtype) {
  if (dtype == tensor.dtype) return tensor.bytes;
  return DTypeBytes(dtype, tensor.numel).value_or(tensor.bytes);
}

// Tied weights count once (internals §1.5).
std::vector<const TensorInfo*> DropTiedDuplicates(const Component& component, int64_t& dropped) {
  std::set<std::string_view> names;
  for (const TensorInfo& t : component.tensors) names.insert(t.name);
  const bool has_shared = names.count("shared.weight") > 0;
  const bool tie_lm_head = component.config.tie_word_embeddings.value_or(true);
  std::vector<const TensorInfo*> kept;
  for (const TensorInfo& t : component.tensors) {
    bool duplicate =
        has_shared && (t.name == "encoder.embed_tokens.weight" || t.name == "decoder.embed_tokens.weight");
    if (t.name == "lm_head.weight" && tie_lm_head && component.library == "transformers") {
      for (std::string_view embed : {"model.embed_tokens.weight", "shared.weight",
                                     "model.language_model.embed_tokens.weight", "transformer.wte.weight"}) {
        if (names.count(embed)) duplicate = true;
      }
    }
    if (duplicate) {
      ++dropped;
    } else {
      kept.push_back(&t);
    }
  }
  return kept;
}

std::vector<std::string_view> SkipPatterns(const Component& component, const ModelFamily* family) {
  std::vector<std::string_view> patterns(DefaultLayerwiseSkipPatterns().begin(),
                                         DefaultLayerwiseSkipPatterns().end());
  if (family && component.library == "diffusers") {
    for (auto list : {family->keep_in_fp32, family->skip_layerwise_casting}) {
      for (std::string_view p : list) {
        if (std::find(patterns.begin(), patterns.end(), p) == patterns.end()) patterns.push_back(p);
      }
    }
  }
  return patterns;
}

// internals §5: skipped when any prefix of the module path matches.
class LayerwiseSkipper {
 public:
  explicit LayerwiseSkipper(std::vector<std::string_view> patterns) : patterns_(std::move(patterns)) {}
  bool Skipped(std::string_view module_path) {
    size_t pos = 0;
    while (true) {
      size_t dot = module_path.find('.', pos);
      std::string_view prefix = module_path.substr(0, dot);
      if (PrefixMatches(prefix)) return true;
      if (dot == std::string_view::npos) return false;
      pos = dot + 1;
    }
  }

 private:
  bool PrefixMatches(std::string_view prefix) {
    auto it = cache_.find(std::string(prefix));
    if (it != cache_.end()) return it->second;
    bool matched = false;
    for (std::string_view p : patterns_) matched = matched || LayerwisePatternMatches(p, prefix);
    cache_.emplace(std::string(prefix), matched);
    return matched;
  }
  std::vector<std::string_view> patterns_;
  std::unordered_map<std::string, bool> cache_;
};

// bitsandbytes converts nn.Linear not listed in modules_to_not_convert
// (internals §6.1): keep-modules, and lm_head in transformers.
bool BnbConverts(const ModuleInfo& module, const Component& component, const ModelFamily* family) {
  if (module.kind != LayerKind::kLinear) return false;
  std::vector<std::string_view> skip;
  if (family) skip.assign(family->keep_in_fp32.begin(), family->keep_in_fp32.end());
  if (component.library == "transformers") skip.push_back("lm_head");
  std::string_view path = module.path;
  std::string_view leaf = path.substr(path.rfind('.') == std::string_view::npos ? 0 : path.rfind('.') + 1);
  for (std::string_view k : skip) {
    if (leaf == k || path == k) return false;
    if (path.find(std::string(k) + ".") != std::string_view::npos) return false;
  }
  return true;
}

// "transformer_blocks.12" -> {"transformer_blocks", 12}.
std::pair<std::string_view, int64_t> SplitBlockName(std::string_view block) {
  const size_t dot = block.rfind('.');
  int64_t index = 0;
  for (char c : block.substr(dot + 1)) index = index * 10 + (c - '0');
  return {block.substr(0, dot), index};
}

void MeasureTensors(const Component& component, const ModelFamily* family, LoadDType load,
                    ComponentMeasurement& m) {
  std::vector<const TensorInfo*> tensors = DropTiedDuplicates(component, m.tied_dropped);
  ModuleTree tree = BuildModuleTree(tensors, family);
  LayerwiseSkipper skipper(SkipPatterns(component, family));
  const bool gguf = component.format == WeightFormat::kGguf;
  const int64_t load_itemsize = DTypeBytes(LoadDTypeStorage(load), 1).value_or(2);
  std::map<std::string, BlockMeasurement> blocks;
  for (const ModuleInfo& module : tree.modules) {
    int64_t leaf = 0, leaf_fp8 = 0;
    const bool castable = IsLayerwiseCastable(module.kind) && !skipper.Skipped(module.path);
    const bool quantizable = !gguf && BnbConverts(module, component, family);
    for (const TensorInfo* t : module.tensors) {
      const DType resident_dtype = ResidentDType(*t, component, family, load, false);
      const int64_t resident = BytesAs(*t, resident_dtype);
      const int64_t under_bnb = BytesAs(*t, ResidentDType(*t, component, family, load, true));
      const bool is_param = IsWeightOrBias(t->name);
      const bool is_weight = t->name == module.path + ".weight";
      ++m.tensors;
      m.params += t->numel;
      m.stored_bytes += t->bytes;
      m.bytes += resident;
      m.allocated_bytes += CudaAllocationBytes(resident);
      m.pinned_bytes += PinnedHostBytes(resident);
      leaf += resident;
      if (resident_dtype == DType::kF32 && load != LoadDType::kFP32) m.fp32_kept_bytes += resident;
      const bool cast = castable && is_param && IsConvertibleFloat(t->dtype) && !gguf;
      const int64_t fp8 = cast ? t->numel : resident;
      m.layerwise_fp8_bytes += fp8;
      leaf_fp8 += fp8;
      if (IsLayerwiseCastable(module.kind) && is_weight) {
        m.largest_layer_params = std::max(m.largest_layer_params, t->numel);
      }
      if (quantizable && is_weight) {
        m.int8_bytes += BnbInt8WeightBytes(*t);
        m.nf4_bytes += BnbNf4WeightBytes(*t);
        m.torchao_int8_bytes += TorchaoInt8WeightBytes(*t);
        m.torchao_fp8_bytes += TorchaoFp8WeightBytes(*t);
        m.torchao_int4_bytes += TorchaoInt4WeightBytes(*t, resident, load_itemsize);
      } else {
        m.int8_bytes += under_bnb;
        m.nf4_bytes += under_bnb;
        m.torchao_int8_bytes += resident;
        m.torchao_fp8_bytes += resident;
        m.torchao_int4_bytes += resident;
      }
      if (!module.block.empty()) {
        BlockMeasurement& block = blocks[module.block];
        block.bytes += resident;
        block.fp8_bytes += fp8;
        block.allocated_bytes += CudaAllocationBytes(resident);
        block.pinned_bytes += PinnedHostBytes(resident);
        if (module.path == module.block) block.own_tensors = true;
      }
    }
    if (leaf > m.leaf_bytes) {
      m.leaf_bytes = leaf;
      m.largest_leaf = module.path;
    }
    m.leaf_fp8_bytes = std::max(m.leaf_fp8_bytes, leaf_fp8);
  }
  m.blocks = static_cast<int64_t>(blocks.size());
  for (auto& [block, totals] : blocks) {
    m.block_total_bytes += totals.bytes;
    m.block_total_fp8_bytes += totals.fp8_bytes;
    m.block_fp8_bytes = std::max(m.block_fp8_bytes, totals.fp8_bytes);
    if (totals.bytes > m.block_bytes) {
      m.block_bytes = totals.bytes;
      m.largest_block = block;
    }
    totals.name = block;
    m.block_list.push_back(std::move(totals));
  }
  std::sort(m.block_list.begin(), m.block_list.end(),
            [](const BlockMeasurement& a, const BlockMeasurement& b) {
              const auto [list_a, index_a] = SplitBlockName(a.name);
              const auto [list_b, index_b] = SplitBlockName(b.name);
              if (list_a != list_b) return BlockListCalledBefore(list_a, list_b);
              return index_a < index_b;
            });
  for (const BlockMeasurement& block : m.block_list) {
    const std::string list(SplitBlockName(block.name).first);
    if (m.block_lists.empty() || m.block_lists.back() != list) m.block_lists.push_back(list);
  }
}

}  // namespace

bool BlockListCalledBefore(std::string_view a, std::string_view b) {
  const bool single_a = a.substr(0, 7) == "single_";
  const bool single_b = b.substr(0, 7) == "single_";
  if (single_a != single_b) return single_b;
  return a < b;
}

ComponentMeasurement MeasureComponent(const Component& component, LoadDType dtype) {
  ComponentMeasurement m;
  m.name = component.name;
  m.class_name = component.class_name;
  m.library = component.library;
  m.format = component.format;
  m.notes = component.notes;
  const ModelFamily* family = FindModelFamily(component.class_name);
  if (family) m.role = family->role;
  if (component.format == WeightFormat::kNone) return m;
  if (component.format == WeightFormat::kPickle) {
    m.stored_bytes = m.bytes = m.layerwise_fp8_bytes = m.int8_bytes = m.nf4_bytes = component.file_bytes;
    m.torchao_int8_bytes = m.torchao_fp8_bytes = m.torchao_int4_bytes = component.file_bytes;
    m.allocated_bytes = m.pinned_bytes = component.file_bytes;
    m.notes.push_back("weights are pickle files (.bin/.pt): size is the file size, no per-tensor analysis");
    return m;
  }
  if (!family && component.library != "transformers") {
    if (!component.class_name.empty()) {
      m.notes.push_back("class " + component.class_name +
                        " is not in pipefit's family table: fp8 skip patterns and fp32-kept modules "
                        "are diffusers' defaults only");
    }
  }
  MeasureTensors(component, family, dtype, m);
  if (component.format == WeightFormat::kGguf) {
    m.notes.push_back("GGUF weights are already quantized: fp8 casting and bitsandbytes do not apply");
  }
  if (m.tied_dropped > 0) {
    m.notes.push_back(std::to_string(m.tied_dropped) + " tied tensor(s) counted once");
  }
  return m;
}

namespace {

int DenoiserIndex(const std::vector<ComponentMeasurement>& components) {
  for (const char* name : {"transformer", "unet"}) {
    for (size_t i = 0; i < components.size(); ++i) {
      if (components[i].name == name && components[i].has_weights()) return static_cast<int>(i);
    }
  }
  for (size_t i = 0; i < components.size(); ++i) {
    if (components[i].role == ModelRole::kDenoiser && components[i].has_weights()) return static_cast<int>(i);
  }
  int weighted = -1, count = 0;
  for (size_t i = 0; i < components.size(); ++i) {
    if (components[i].has_weights()) {
      weighted = static_cast<int>(i);
      ++count;
    }
  }
  return count == 1 ? weighted : -1;
}

}  // namespace

PipelineMeasurement MeasurePipeline(const Pipeline& pipeline, LoadDType dtype) {
  PipelineMeasurement result;
  result.load_dtype = dtype;
  for (const Component& component : pipeline.components) {
    result.components.push_back(MeasureComponent(component, dtype));
  }
  SeedQuantities& seed = result.seed;
  const int denoiser = DenoiserIndex(result.components);
  for (size_t i = 0; i < result.components.size(); ++i) {
    const ComponentMeasurement& c = result.components[i];
    const int64_t lc = static_cast<int>(i) == denoiser ? c.layerwise_fp8_bytes : c.bytes;
    seed.s_total += c.bytes;
    seed.s_max = std::max(seed.s_max, c.bytes);
    seed.s_total_lc += lc;
    seed.s_max_lc = std::max(seed.s_max_lc, lc);
  }
  if (denoiser >= 0) {
    const ComponentMeasurement& d = result.components[static_cast<size_t>(denoiser)];
    seed.denoiser = d.name;
    seed.s_block = d.block_bytes;
    seed.s_leaf = d.leaf_bytes;
  }
  return result;
}

}  // namespace pipefit
