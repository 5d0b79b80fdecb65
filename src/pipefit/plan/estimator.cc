#include "pipefit/plan/estimator.h"

#include <algorithm>
#include <cmath>

#include "pipefit/model/quantized_bytes.h"
#include "pipefit/plan/rules.h"

namespace pipefit {

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::kTextEncode:
      return "text_encode";
    case Stage::kEncode:
      return "encode";
    case Stage::kDenoise:
      return "denoise";
    case Stage::kDecode:
      return "decode";
    case Stage::kLoad:
      return "load";
  }
  return "?";  // unreachable: the switch covers every Stage (-Wswitch)
}

std::optional<int> PlannedComputeCapability(const PlanContext& context) {
  return ComputeCapabilityValue(context.gpu != nullptr ? context.gpu->compute_capability
                                                       : context.hardware.compute_capability);
}

ActivationInputs MakeActivationInputs(const PlanContext& context) {
  ActivationInputs in;
  in.facts = &context.facts;
  in.workload = context.workload;
  in.dtype = context.measurement.load_dtype;
  in.vae_fp32_decode = context.vae_fp32_decode;
  in.encodes_image = context.traits != nullptr && context.traits->encodes_image;
  in.quadratic_attention = context.quadratic_attention;
  return in;
}

namespace {

bool Contains(const std::vector<std::string>& list, const std::string& name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

const ComponentMeasurement& At(const PlanContext& ctx, int index) {
  return ctx.measurement.components[static_cast<size_t>(index)];
}

bool IsQuantizedComponent(const Candidate& c, const std::string& name) {
  return c.weights != WeightsKind::kFull && Contains(c.quantized_components, name);
}

int ItemSize(LoadDType dtype) { return dtype == LoadDType::kFP32 ? 4 : 2; }

Bytes Scale(Bytes value, Bytes part, Bytes whole) {
  if (whole <= 0) return value;
  return static_cast<Bytes>(static_cast<double>(value) * static_cast<double>(part) /
                            static_cast<double>(whole));
}

// Bytes of the component under the weights knob, before allocator rounding.
Bytes RawWeights(const ComponentMeasurement& m, WeightsKind weights, bool quantized) {
  if (!quantized) return m.bytes;
  switch (weights) {
    case WeightsKind::kFull:
      return m.bytes;
    case WeightsKind::kFp8Layerwise:
      return m.layerwise_fp8_bytes;
    case WeightsKind::kBnbInt8:
      return m.int8_bytes;
    case WeightsKind::kBnbNf4:
      return m.nf4_bytes;
    case WeightsKind::kTorchaoInt8wo:
      return m.torchao_int8_bytes;
    case WeightsKind::kTorchaoFp8wo:
      return m.torchao_fp8_bytes;
    case WeightsKind::kTorchaoInt4wo:
      return m.torchao_int4_bytes;
    case WeightsKind::kGguf:
      return m.bytes;
  }
  return m.bytes;
}

// One layer materialised in the compute dtype while it runs (internals §12
// step 4): layerwise casting, bnb 4-bit dequant, torchao weight-only
// without compile, GGUF dequant (fp16 then the compute dtype).
Bytes LayerTransient(const PlanContext& ctx, const Candidate& c, int index) {
  const ComponentMeasurement& m = At(ctx, index);
  if (!IsQuantizedComponent(c, m.name)) return 0;
  const int64_t params = m.largest_layer_params;
  const int item = ItemSize(ctx.measurement.load_dtype);
  switch (c.weights) {
    case WeightsKind::kFull:
    case WeightsKind::kBnbInt8:
      return 0;  // LLM.int8: activation-sized, not weight-sized (§6.1)
    case WeightsKind::kGguf:
      return CudaAllocationBytes(params * (2 + item));
    default:
      return CudaAllocationBytes(params * item);
  }
}

struct GroupShape {
  Bytes whole = 0, unmatched = 0, block = 0, leaf = 0;
};

// Block/leaf sizes of a component under the weights knob: exact for fp8
// casting (measured per block), scaled by the component's quantized/full
// ratio for quantizers.
GroupShape ShapeOf(const PlanContext& ctx, const Candidate& c, int index) {
  const ComponentMeasurement& m = At(ctx, index);
  GroupShape s;
  s.whole = ComponentWeights(ctx, c, index);
  const bool q = IsQuantizedComponent(c, m.name);
  if (q && c.weights == WeightsKind::kFp8Layerwise) {
    s.block = m.block_fp8_bytes;
    s.unmatched = s.whole - m.block_total_fp8_bytes;
    s.leaf = m.leaf_fp8_bytes;
  } else {
    const Bytes raw = RawWeights(m, c.weights, q);
    s.block = Scale(m.block_bytes, raw, m.bytes);
    s.unmatched = s.whole - Scale(m.block_total_bytes, raw, m.bytes);
    s.leaf = Scale(m.leaf_bytes, raw, m.bytes);
  }
  if (m.blocks == 0) s.unmatched = s.whole;
  s.unmatched = std::max<Bytes>(0, s.unmatched);
  return s;
}

// Weights of the active component during its own call under group offload
// (internals §3.7); under partial residency, of the denoiser's streamed part
// only (its resident part is on the GPU throughout, Residency adds it).
Bytes GroupActiveWeights(const PlanContext& ctx, const Candidate& c, int index, const PartialSplit& partial) {
  const GroupShape s = ShapeOf(ctx, c, index);
  const int64_t blocks = At(ctx, index).blocks;
  switch (c.placement) {
    case Placement::kGroupBlock:
      if (blocks == 0) return s.whole;
      return std::min(s.whole, s.unmatched + c.num_blocks_per_group.value_or(1) * s.block);
    case Placement::kGroupBlockStream:
      if (blocks == 0) return s.whole;
      return std::min(s.whole, s.unmatched + 2 * s.block);
    case Placement::kGroupLeaf:
      return std::min(s.whole, s.leaf);
    case Placement::kGroupLeafStream:
    case Placement::kGroupLeafStreamLowmem:
      return std::min(s.whole, 2 * s.leaf);
    case Placement::kPartialResident:
      // Two of the streamed blocks' leaves (the running one and the one
      // prefetched); the other models as leaf_level with streams.
      return std::min(index == ctx.denoiser ? partial.streamed : s.whole, 2 * s.leaf);
    default:
      return s.whole;
  }
}

Bytes StageActivation(const PlanContext& ctx, const Candidate& c, Stage stage) {
  if (ctx.activation_override) return *ctx.activation_override;
  switch (stage) {
    case Stage::kLoad:
      return 0;
    case Stage::kTextEncode:
      return ctx.activations.text_encode;
    case Stage::kDenoise:
      return ctx.activations.denoise;
    case Stage::kEncode:
      return ctx.activations.encode;
    case Stage::kDecode: {
      VaeModifiers mod{.tiling = c.vae_tiling, .slicing = c.vae_slicing};
      if (ctx.vae >= 0) {
        if (const ClassTraits* t = FindClassTraits(At(ctx, ctx.vae).class_name))
          mod.tile_sample = t->tile_sample_min;
      }
      return EstimateDecodeActivation(MakeActivationInputs(ctx), mod);
    }
  }
  return 0;
}

// Resident weights while `call` runs, for each placement.
class Residency {
 public:
  Residency(const PlanContext& ctx, const Candidate& c)
      : ctx_(ctx), c_(c), chain_(ctx.offload_chain), partial_(SplitForPartialResidency(ctx, c)) {
    for (const std::string& name : ctx.offload_excluded) resident_.push_back(name);
    // Components whose hook enable_model_cpu_offload() skips stay where
    // they were loaded (the GPU) and drop out of the chain (internals §2).
    if (c.placement == Placement::kModelOffload && QuantizedStaysResidentRule(c.weights, c.placement)) {
      for (const std::string& name : c.quantized_components) {
        resident_.push_back(name);
        chain_.erase(std::remove(chain_.begin(), chain_.end(), name), chain_.end());
      }
    }
  }

  Bytes WeightsDuring(const ModelCall& call) {
    const std::string& name = At(ctx_, call.component).name;
    switch (c_.placement) {
      case Placement::kGpu:
        return AllWeights();
      case Placement::kModelOffload:
        return ModelOffload(name);
      case Placement::kSequentialOffload:
        return Pinned() +
               std::min(ComponentWeights(ctx_, c_, call.component), At(ctx_, call.component).leaf_bytes);
      default: {
        // Partial residency's resident part is on the GPU in every call.
        const Bytes excluded = Excluded() + partial_.resident;
        if (Contains(c_.group_offload_exclude, name)) return excluded;
        return excluded + GroupActiveWeights(ctx_, c_, call.component, partial_);
      }
    }
  }

  const PartialSplit& partial() const { return partial_; }

  // What the setup lines leave on the GPU before the first call:
  // `.to("cuda")` everything, model offload the excluded components and the
  // quantized ones whose hook it skips, group offload its excluded
  // components, sequential offload the excluded ones.
  Bytes AfterSetup() const {
    switch (c_.placement) {
      case Placement::kGpu:
        return AllWeights();
      case Placement::kModelOffload:
        return Sum(resident_);
      case Placement::kSequentialOffload:
        return Pinned();
      default:
        return Excluded() + partial_.resident;
    }
  }

 private:
  Bytes AllWeights() const {
    Bytes total = 0;
    for (size_t i = 0; i < ctx_.measurement.components.size(); ++i) {
      total += ComponentWeights(ctx_, c_, static_cast<int>(i));
    }
    return total;
  }
  Bytes Sum(const std::vector<std::string>& names) const {
    Bytes total = 0;
    for (size_t i = 0; i < ctx_.measurement.components.size(); ++i) {
      if (Contains(names, ctx_.measurement.components[i].name))
        total += ComponentWeights(ctx_, c_, static_cast<int>(i));
    }
    return total;
  }
  Bytes Pinned() const { return Sum(ctx_.offload_excluded); }
  Bytes Excluded() const {
    std::vector<std::string> names = c_.group_offload_exclude;
    for (const std::string& n : ctx_.offload_excluded) names.push_back(n);
    return Sum(names);
  }
  // internals §2 "Residency algorithm for the estimator".
  Bytes ModelOffload(const std::string& name) {
    const auto& chain = chain_;
    auto it = std::find(chain.begin(), chain.end(), name);
    if (it != chain.end() && it != chain.begin()) {
      const std::string& pred = *(it - 1);
      resident_.erase(std::remove(resident_.begin(), resident_.end(), pred), resident_.end());
    }
    if (!Contains(resident_, name)) resident_.push_back(name);
    return Sum(resident_);
  }

  const PlanContext& ctx_;
  const Candidate& c_;
  std::vector<std::string> chain_;
  std::vector<std::string> resident_;
  const PartialSplit partial_;  // all zero unless partial residency
};

}  // namespace

Bytes ComponentWeights(const PlanContext& ctx, const Candidate& c, int index) {
  const ComponentMeasurement& m = At(ctx, index);
  const Bytes raw = RawWeights(m, c.weights, IsQuantizedComponent(c, m.name));
  // Allocator rounding measured at the load dtype, carried over pro rata.
  const Bytes rounding = std::max<Bytes>(0, m.allocated_bytes - m.bytes);
  return raw + Scale(rounding, raw, m.bytes);
}

PartialSplit SplitForPartialResidency(const PlanContext& ctx, const Candidate& c) {
  PartialSplit split;
  if (c.placement != Placement::kPartialResident || ctx.denoiser < 0) return split;
  const ComponentMeasurement& m = At(ctx, ctx.denoiser);
  const Bytes whole = ComponentWeights(ctx, c, ctx.denoiser);
  const bool fp8 = c.weights == WeightsKind::kFp8Layerwise && IsQuantizedComponent(c, m.name);
  Bytes raw = 0, allocated = 0, pinned = 0, load_dtype = 0;
  const size_t first = static_cast<size_t>(std::max(0, c.resident_blocks));
  for (size_t i = first; i < m.block_list.size(); ++i) {
    const BlockMeasurement& b = m.block_list[i];
    raw += fp8 ? b.fp8_bytes : b.bytes;
    allocated += b.allocated_bytes;
    pinned += b.pinned_bytes;
    load_dtype += b.bytes;
    ++split.streamed_blocks;
  }
  // fp8 storage: the load dtype's rounding and pinned sizes carried over
  // pro rata (as ComponentWeights does).
  split.streamed = std::min(whole, fp8 ? Scale(allocated, raw, load_dtype) : allocated);
  split.streamed_pinned = fp8 ? Scale(pinned, raw, load_dtype) : pinned;
  split.resident = whole - split.streamed;
  split.streamed_share = m.bytes > 0 ? static_cast<double>(load_dtype) / static_cast<double>(m.bytes) : 0;
  return split;
}

namespace {

// Pinned bytes a stream placement keeps for component `index`: every
// stream group's tensors rounded to a power of two (§3.6). block_level
// pins only the blocks (the unmatched group has stream=None, §3.3), so a
// component without blocks pins nothing; leaf_level pins every group.
Bytes StreamPinned(const PlanContext& ctx, const Candidate& c, int index) {
  const ComponentMeasurement& m = At(ctx, index);
  const Bytes w = ComponentWeights(ctx, c, index);
  const Bytes pinned = Scale(m.pinned_bytes, w, std::max<Bytes>(1, m.allocated_bytes));
  if (IsLeafLevel(c.placement)) return pinned;
  return Scale(pinned, m.block_total_bytes, std::max<Bytes>(1, m.bytes));
}

Bytes HostRam(const PlanContext& ctx, const Candidate& c) {
  const auto& comps = ctx.measurement.components;
  Bytes load_peak = 0, host = 0, pinned = 0, largest_leaf = 0, loaded = 0;
  for (size_t i = 0; i < comps.size(); ++i) {
    const int index = static_cast<int>(i);
    const ComponentMeasurement& m = comps[i];
    // Components are loaded one at a time at the load dtype; quantizers
    // start from that copy too (memory-calculator.md "load peak: the
    // largest bf16 component"); a GGUF file is copied whole (§6.4).
    load_peak = std::max(load_peak, m.format == WeightFormat::kGguf ? m.stored_bytes : m.bytes);
    if (Contains(c.group_offload_exclude, m.name) || Contains(ctx.offload_excluded, m.name)) continue;
    loaded += m.bytes;
    if (c.placement == Placement::kPartialResident && index == ctx.denoiser) {
      // Only the streamed blocks stay in host memory (pageable, then pinned).
      const PartialSplit split = SplitForPartialResidency(ctx, c);
      host += split.streamed;
      pinned += split.streamed_pinned;
    } else {
      host += ComponentWeights(ctx, c, index);
      pinned += StreamPinned(ctx, c, index);
    }
    largest_leaf = std::max(largest_leaf, ShapeOf(ctx, c, index).leaf);
  }
  // fp8 casting is applied after from_pretrained has loaded the offloaded
  // components at the load dtype, so they were all in RAM at full size
  // (memory-calculator.md: casting + model offload needs S_total RAM).
  if (c.weights == WeightsKind::kFp8Layerwise && c.placement != Placement::kGpu) {
    load_peak = std::max(load_peak, loaded);
  }
  switch (c.placement) {
    case Placement::kGpu:
      return load_peak;
    case Placement::kModelOffload:
    case Placement::kSequentialOffload:
    case Placement::kGroupBlock:
    case Placement::kGroupLeaf:
      return std::max(load_peak, host);
    // Pre-pinning keeps pageable and pinned copies at apply time (§3.6).
    case Placement::kGroupBlockStream:
    case Placement::kGroupLeafStream:
    case Placement::kPartialResident:
      return std::max(load_peak, host + pinned);
    // Pinned on the fly: about two groups' (leaves') pow2-rounded bytes (§3.6).
    case Placement::kGroupLeafStreamLowmem:
      return std::max(load_peak, host + 2 * PinnedHostBytes(largest_leaf));
  }
  return host;
}

// What from_pretrained puts on the GPU for component `index` (LoadDeviceMap
// in rules.h): every component under device_map="cuda", bitsandbytes
// components when no device_map is passed.
bool LoadsOntoGpu(const PlanContext& ctx, const Candidate& c, int index, LoadDeviceMap map) {
  if (map == LoadDeviceMap::kCuda) return true;
  const bool bnb = c.weights == WeightsKind::kBnbInt8 || c.weights == WeightsKind::kBnbNf4;
  return map == LoadDeviceMap::kNone && bnb && IsQuantizedComponent(c, At(ctx, index).name);
}

// The caching-allocator warmup before a device-mapped component's weights
// arrive: torch.empty(numel // factor, dtype=torch_dtype) — factor 2
// unquantized, 4 for quantizers, 8 for torchao int4 (internals §1.3 step
// 7). Freed at once, but it counts in max_memory_allocated.
Bytes WarmupBytes(const PlanContext& ctx, const Candidate& c, int index) {
  const ComponentMeasurement& m = At(ctx, index);
  int factor = 2;
  if (IsQuantizedComponent(c, m.name)) factor = c.weights == WeightsKind::kTorchaoInt4wo ? 8 : 4;
  return CudaAllocationBytes(m.params / factor * ItemSize(ctx.measurement.load_dtype));
}

// Quantizing on the GPU materialises each weight at the load dtype before
// packing it (bnb: data.to(device, float16), §6.1; torchao with
// device_map="cuda": one layer in bf16, §6.2): one layer's copy.
Bytes QuantizeTransient(const PlanContext& ctx, const Candidate& c, int index) {
  const ComponentMeasurement& m = At(ctx, index);
  if (!IsQuantizedComponent(c, m.name)) return 0;
  return CudaAllocationBytes(m.largest_layer_params * ItemSize(ctx.measurement.load_dtype));
}

// The load stage (issue: from_pretrained plus the generated code's setup
// lines). Components load one at a time in the pipeline's order; those
// loaded onto the GPU stay there until the setup lines run. The stage's
// peak is the larger of (a) the worst moment of from_pretrained — earlier
// GPU components + the warmup, or + the component itself and its
// quantization transient — and (b) what the setup lines leave resident:
// everything for `.to("cuda")`, the skipped 8-bit and excluded components
// for model offload, the excluded components for group offload, the
// pinned ones for sequential offload.
StagePeak LoadStage(const PlanContext& ctx, const Candidate& c) {
  const LoadDeviceMap map = LoadDeviceMapFor(c);
  StagePeak best{.stage = Stage::kLoad, .component = "pipeline"};
  Bytes on_gpu = 0;
  for (size_t i = 0; i < ctx.measurement.components.size(); ++i) {
    const int index = static_cast<int>(i);
    if (!At(ctx, index).has_weights() || !LoadsOntoGpu(ctx, c, index, map)) continue;
    const Bytes weights = ComponentWeights(ctx, c, index);
    const Bytes warmup = WarmupBytes(ctx, c, index);
    const Bytes quantize = QuantizeTransient(ctx, c, index);
    StagePeak during{.stage = Stage::kLoad, .component = At(ctx, index).name};
    if (warmup > weights + quantize) {
      during.weights = on_gpu;
      during.transient = warmup;
    } else {
      during.weights = on_gpu + weights;
      during.transient = quantize;
    }
    if (during.allocated() > best.allocated()) best = during;
    on_gpu += weights;
  }
  const Bytes after = Residency(ctx, c).AfterSetup();
  if (after > best.allocated())
    best = StagePeak{.stage = Stage::kLoad, .component = "pipeline", .weights = after};
  return best;
}

}  // namespace

Estimate EstimateMemory(const PlanContext& ctx, const Candidate& c) {
  Estimate e;
  Residency residency(ctx, c);
  Bytes peak_activation = 0;
  {
    StagePeak load = LoadStage(ctx, c);
    e.vram_allocated = load.allocated();
    e.peak_stage = Stage::kLoad;
    e.stages.push_back(std::move(load));
  }
  if (const CompatibilityRule* rule = QuantizedStaysResidentRule(c.weights, c.placement)) {
    e.notes.push_back(std::string(rule->message));
  }
  if (c.placement == Placement::kPartialResident) {
    e.notes.push_back(
        "partial residency: " + std::to_string(residency.partial().streamed_blocks) +
        " block(s) streamed every step; the code follows diffusers' source but has not run on a "
        "GPU yet, and its time rests on a guessed overlap rule (docs/partial-residency.md)");
  }
  for (const ModelCall& call : ctx.calls) {
    StagePeak s;
    s.stage = call.stage;
    s.component = At(ctx, call.component).name;
    s.weights = residency.WeightsDuring(call);
    // force_upcast: vae.to(float32) for the decode (internals §9, §12 step 4).
    if (call.stage == Stage::kDecode && ctx.vae_fp32_decode)
      s.weights += ComponentWeights(ctx, c, call.component);
    s.activations = CudaAllocationBytes(StageActivation(ctx, c, call.stage));
    s.transient = LayerTransient(ctx, c, call.component);
    if (s.allocated() > e.vram_allocated) {
      e.vram_allocated = s.allocated();
      e.peak_stage = s.stage;
      peak_activation = s.activations;
    }
    e.stages.push_back(s);
  }
  const Bytes slack = static_cast<Bytes>(kReserveSlackFactor * static_cast<double>(peak_activation));
  e.vram = e.vram_allocated + slack + kCudaContextBytes;
  e.ram = HostRam(ctx, c);
  return e;
}

}  // namespace pipefit
