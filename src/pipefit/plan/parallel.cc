#include "pipefit/plan/parallel.h"

#include <fmt/format.h>

#include <algorithm>

#include "pipefit/formats/tensor_info.h"
#include "pipefit/model/quantized_bytes.h"
#include "pipefit/plan/estimator.h"
#include "pipefit/plan/time_model.h"

namespace pipefit {
namespace {

// diffusers main 58eb52c, `_cp_plan = {...}` in src/diffusers/models/
// transformers/ (diffusers-parallelism.md §2). splits_text: the plan shards
// encoder_hidden_states along the sequence, so the text length must divide.
constexpr ContextParallelClass kContextParallelClasses[] = {
    {"FluxTransformer2DModel", true, false, "transformer_flux.py:573"},
    {"Flux2Transformer2DModel", true, false, "transformer_flux2.py:1103"},
    {"QwenImageTransformer2DModel", true, true, "transformer_qwenimage.py:824"},
    {"WanTransformer3DModel", false, false, "transformer_wan.py:552"},
    {"LTXVideoTransformer3DModel", true, false, "transformer_ltx.py:417"},
    {"LTX2VideoTransformer3DModel", true, false, "transformer_ltx2.py:1125"},
    {"ChronoEditTransformer3DModel", false, false, "transformer_chronoedit.py:568"},
    {"HeliosTransformer3DModel", false, false, "transformer_helios.py:560"},
    {"MiniMaxH3Transformer3DModel", false, false, "transformer_minimax_h3.py:463"},
};

// `_tp_plan` at diffusers main 58eb52c (diffusers-parallelism.md §2):
// module globs ("*" is one block index) and whether the layer is row-wise
// (its output all-reduced; its bias replicated) or column-wise.
struct TpLayer {
  const char* glob;
  bool rowwise;
};
struct TensorParallelClass {
  const char* class_name;
  const char* source;
  std::vector<TpLayer> layers;
};
// The joint (MMDiT) attention of a double-stream block, the same in the
// three plans: Q/K/V and their text-stream twins column-wise, both outputs
// row-wise.
const std::vector<TpLayer> kDoubleStreamAttention = {
    {"transformer_blocks.*.attn.to_q", false},       {"transformer_blocks.*.attn.to_k", false},
    {"transformer_blocks.*.attn.to_v", false},       {"transformer_blocks.*.attn.to_out.0", true},
    {"transformer_blocks.*.attn.add_q_proj", false}, {"transformer_blocks.*.attn.add_k_proj", false},
    {"transformer_blocks.*.attn.add_v_proj", false}, {"transformer_blocks.*.attn.to_add_out", true},
};

std::vector<TpLayer> Concat(const std::vector<TpLayer>& a, std::vector<TpLayer> b) {
  std::vector<TpLayer> out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

const std::vector<TensorParallelClass>& TensorParallelClasses() {
  static const std::vector<TensorParallelClass> classes = {
      {"FluxTransformer2DModel", "transformer_flux.py:589",
       Concat(kDoubleStreamAttention, {{"transformer_blocks.*.ff.net.0.proj", false},
                                       {"transformer_blocks.*.ff.net.2", true},
                                       {"transformer_blocks.*.ff_context.net.0.proj", false},
                                       {"transformer_blocks.*.ff_context.net.2", true},
                                       {"single_transformer_blocks.*.attn.to_q", false},
                                       {"single_transformer_blocks.*.attn.to_k", false},
                                       {"single_transformer_blocks.*.attn.to_v", false},
                                       {"single_transformer_blocks.*.proj_mlp", false},
                                       {"single_transformer_blocks.*.proj_out", true}})},
      {"Flux2Transformer2DModel", "transformer_flux2.py:1121",
       Concat(kDoubleStreamAttention, {{"transformer_blocks.*.ff.linear_in", false},
                                       {"transformer_blocks.*.ff.linear_out", true},
                                       {"transformer_blocks.*.ff_context.linear_in", false},
                                       {"transformer_blocks.*.ff_context.linear_out", true},
                                       {"single_transformer_blocks.*.attn.to_qkv_mlp_proj", false},
                                       {"single_transformer_blocks.*.attn.to_out", true}})},
      {"QwenImageTransformer2DModel", "transformer_qwenimage.py:843",
       Concat(kDoubleStreamAttention, {{"transformer_blocks.*.img_mlp.net.0.proj", false},
                                       {"transformer_blocks.*.img_mlp.net.2", true},
                                       {"transformer_blocks.*.txt_mlp.net.0.proj", false},
                                       {"transformer_blocks.*.txt_mlp.net.2", true}})},
  };
  return classes;
}

const TensorParallelClass* FindTensorParallelClass(std::string_view class_name) {
  for (const TensorParallelClass& row : TensorParallelClasses()) {
    if (class_name == row.class_name) return &row;
  }
  return nullptr;
}

// "transformer_blocks.*.attn.to_q" against a module path
// ("transformer_blocks.12.attn.to_q"): "*" matches one run of digits.
bool GlobMatches(std::string_view glob, std::string_view path) {
  size_t g = 0, p = 0;
  while (g < glob.size() && p < path.size()) {
    if (glob[g] == '*') {
      const size_t start = p;
      while (p < path.size() && path[p] >= '0' && path[p] <= '9') ++p;
      if (p == start) return false;
      ++g;
      continue;
    }
    if (glob[g] != path[p]) return false;
    ++g;
    ++p;
  }
  return g == glob.size() && p == path.size();
}

// NCCL reaches about this fraction of a link's one-way bandwidth in the
// all-to-alls and all-gathers of context parallelism. Fitted with the
// Ulysses compute efficiency below on cache-dit's FLUX.1-dev L20 rows m02 and
// m03 (docs/multi-gpu/published-measurements.md; calibration.md).
constexpr double kCollectiveLinkEfficiency = 0.9;
// A fixed cost per collective (kernel launch, NCCL protocol): guessed, the
// order NCCL's own tests show for small messages.
constexpr double kNvLinkLatencySeconds = 15e-6;
constexpr double kPcieLatencySeconds = 30e-6;
// GeForce cards have no peer-to-peer over PCIe: NCCL stages every transfer
// through host memory, which about halves the bandwidth (guessed).
constexpr double kNoPeerToPeerFactor = 0.5;
// One NVLink of a bridge (RTX 3090, RTX A6000: 112.5 GB/s over 4 links,
// both directions): the per-link, per-direction rate for GPUs whose catalog
// row has no NVLink figure.
constexpr double kBridgeLinkBytesPerSecond = 14.0625e9;

// Compute kept when the sequence is split: Ulysses fitted on m02/m03 (1.0:
// the all-to-alls explain the whole gap to 1/d), Ring on m99 (ParaAttention
// FLUX.1-dev on 2 × A100: 0.88, the partial-attention merge in fp32).
constexpr double kUlyssesComputeEfficiency = 1.0;
// Tensor parallelism splits only the attention and MLP matmuls; fitted on
// cache-dit's TP-2 FLUX.1-dev row m05 (native PyTorch DTensor on L20s),
// checked on the TP-4 row m06.
constexpr double kTensorComputeEfficiency = 0.95;
constexpr double kRingComputeEfficiency = 0.88;
// Eager PyTorch launches every kernel from Python: a step cannot take less
// than the CPU's dispatch time, about this much per transformer block. It
// bounds a split step on fast GPUs (FLUX.1-dev on 2 and 4 H100s barely
// differs: rows m42, m58, m61, where it is fitted); on slower GPUs the GPU
// time stays above it.
constexpr double kEagerDispatchSecondsPerBlock = 2.7e-3;

int ItemBytes(const PlanContext& ctx) { return ctx.measurement.load_dtype == LoadDType::kFP32 ? 4 : 2; }

int64_t ImageTokens(const PlanContext& ctx) {
  const int64_t tokens = DenoiserTokens(ctx.facts, ctx.workload);
  return tokens > 0 ? tokens - ctx.workload.text_tokens : 0;
}

// The attention sequence each rank shards.
int64_t ShardedSequence(const PlanContext& ctx, const ContextParallelClass& row) {
  return ImageTokens(ctx) + (row.splits_text ? ctx.workload.text_tokens : 0);
}

// The same card: the catalog row when both have one, else name and VRAM.
bool SameGpus(const PlanHardware& hw, int count) {
  const PlanGpu& first = hw.gpus[0];
  for (int i = 1; i < count; ++i) {
    const PlanGpu& g = hw.gpus[static_cast<size_t>(i)];
    const bool same = !first.gpu_id.empty() && !g.gpu_id.empty()
                          ? g.gpu_id == first.gpu_id
                          : g.name == first.name && g.vram == first.vram;
    if (!same) return false;
  }
  return true;
}

// Degrees offered: powers of two up to the GPU count, and the count itself.
std::vector<int> Degrees(int gpus) {
  std::vector<int> degrees;
  for (int d = 2; d <= gpus; d *= 2) degrees.push_back(d);
  if (gpus >= 2 && (degrees.empty() || degrees.back() != gpus)) degrees.push_back(gpus);
  return degrees;
}

}  // namespace

const ContextParallelClass* FindContextParallelClass(std::string_view class_name) {
  for (const ContextParallelClass& row : kContextParallelClasses) {
    if (class_name == row.class_name) return &row;
  }
  return nullptr;
}

TensorParallelFacts ReadTensorParallelFacts(const Component& denoiser) {
  TensorParallelFacts facts;
  const TensorParallelClass* row = FindTensorParallelClass(denoiser.class_name);
  if (row == nullptr) return facts;
  facts.has_plan = true;
  int64_t total = 0, sharded = 0;
  for (const TensorInfo& t : denoiser.tensors) {
    total += t.numel;
    const size_t dot = t.name.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string_view module = std::string_view(t.name).substr(0, dot);
    const std::string_view leaf = std::string_view(t.name).substr(dot + 1);
    for (const TpLayer& layer : row->layers) {
      if (!GlobMatches(layer.glob, module)) continue;
      // Row-wise layers keep their bias whole (added after the all-reduce).
      if (!(layer.rowwise && leaf == "bias")) sharded += t.numel;
      if (layer.rowwise && leaf == "weight" && !t.shape.empty()) {
        int stream = 0;
        if (module.find("context") != std::string_view::npos ||
            module.find("add_out") != std::string_view::npos ||
            module.find("txt_") != std::string_view::npos) {
          stream = 1;
        } else if (module.starts_with("single_transformer_blocks")) {
          stream = 2;
        }
        facts.rowwise.push_back({t.shape[0], stream});
      }
      break;
    }
  }
  facts.sharded_fraction = total > 0 ? static_cast<double>(sharded) / static_cast<double>(total) : 0;
  return facts;
}

double TensorParallelBytesPerStep(const PlanContext& ctx, int degree) {
  if (degree < 2) return 0;
  const double images =
      static_cast<double>(ctx.workload.batch) * ctx.workload.guidance_batch * ctx.workload.guidance_passes;
  const double image_tokens = static_cast<double>(ImageTokens(ctx));
  const double text_tokens = ctx.workload.text_tokens;
  double elements = 0;
  for (const TensorParallelFacts::RowwiseLayer& layer : ctx.tensor_parallel.rowwise) {
    const double tokens = layer.stream == 0   ? image_tokens
                          : layer.stream == 1 ? text_tokens
                                              : image_tokens + text_tokens;
    elements += static_cast<double>(layer.out_features) * tokens;
  }
  // A ring all-reduce sends 2 (d-1)/d of the tensor from every rank.
  return elements * ItemBytes(ctx) * images * 2.0 * (degree - 1) / degree;
}

LinkSpeed CollectiveLinkSpeed(const PlanContext& ctx, int degree) {
  LinkSpeed link;
  const PlanHardware& hw = ctx.hardware;
  const GpuSpec* gpu = ctx.gpu;
  const size_t used = std::min(hw.gpus.size(), static_cast<size_t>(std::max(degree, 0)));
  std::optional<GpuLinkKind> kind;
  int nvlinks = 0;
  if (hw.topology) {
    std::vector<int> devices;
    for (size_t i = 0; i < used; ++i) devices.push_back(hw.gpus[i].index);
    if (const GpuLink* slowest = SlowestLink(*hw.topology, devices)) {
      kind = slowest->kind;
      nvlinks = slowest->nvlinks;
    }
  }
  if (!kind) {
    // Nothing detected (--gpu cards): SXM parts, whose catalog rows carry an
    // NVLink figure, come on NVLink boards; anything else talks over PCIe
    // through the host.
    bool sxm = used >= 2;
    for (size_t i = 0; i < used; ++i) {
      const GpuSpec* row = FindGpu(hw.gpus[i].gpu_id);
      sxm = sxm && row != nullptr && row->nvlink_gbs > 0;
    }
    kind = sxm ? GpuLinkKind::kNvLink : GpuLinkKind::kHostBridge;
    link.assumed = true;
  }
  if (*kind == GpuLinkKind::kNvLink) {
    double raw = gpu != nullptr ? gpu->nvlink_gbs * 1e9 : 0;
    std::string what =
        raw > 0 ? fmt::format("NVLink {:.0f} GB/s per direction ({})", gpu->nvlink_gbs, gpu->name) : "";
    if (raw <= 0) {
      const int links = std::max(1, nvlinks);
      raw = links * kBridgeLinkBytesPerSecond;
      what = fmt::format("NVLink, {} link(s) at 14.06 GB/s per direction (bridge rate, guessed)", links);
    }
    link.bytes_per_second = raw * kCollectiveLinkEfficiency;
    link.latency_seconds = kNvLinkLatencySeconds;
    link.basis = what;
  } else {
    const int generation = gpu != nullptr && gpu->pcie_generation > 0 ? gpu->pcie_generation : 4;
    const int width = gpu != nullptr ? gpu->pcie_width : 16;
    double raw = PcieBytesPerSecond(generation, width);
    std::string what = fmt::format("PCIe gen{} x{} {:.1f} GB/s per direction", generation, width, raw / 1e9);
    if (gpu != nullptr && gpu->segment == GpuSegment::kConsumer && gpu->vendor == GpuVendor::kNvidia) {
      raw *= kNoPeerToPeerFactor;
      what += ", halved: GeForce cards have no peer-to-peer, NCCL goes through host memory (guessed)";
    }
    link.bytes_per_second = raw * kCollectiveLinkEfficiency;
    link.latency_seconds = kPcieLatencySeconds;
    link.basis = what;
  }
  link.basis += fmt::format(", x{} reached by NCCL (fitted)", kCollectiveLinkEfficiency);
  if (link.assumed) link.basis += "; the link is assumed (no topology detected for these GPUs)";
  return link;
}

double ContextParallelBytesPerStep(const PlanContext& ctx, ParallelLayout layout) {
  const ContextParallelClass* row = FindContextParallelClass(ctx.facts.denoiser.class_name);
  if (row == nullptr || !IsContextParallel(layout.kind) || layout.degree < 2) return 0;
  const double d = layout.degree;
  const double images =
      static_cast<double>(ctx.workload.batch) * ctx.workload.guidance_batch * ctx.workload.guidance_passes;
  // One rank's shard of Q (or K, V, the output): its tokens x hidden.
  const double shard = static_cast<double>(ShardedSequence(ctx, *row)) / d * ctx.facts.denoiser.hidden *
                       ItemBytes(ctx) * images;
  const double per_attention = layout.kind == ParallelKind::kUlysses
                                   ? 4.0 * shard * (d - 1) / d  // Q, K, V, out
                                   : 2.0 * shard * (d - 1);     // K, V gathered
  return per_attention * ctx.facts.denoiser.layers;
}

int ContextParallelCollectivesPerStep(const PlanContext& ctx, ParallelLayout layout) {
  const int per_attention = layout.kind == ParallelKind::kUlysses ? 4 : 1;
  return per_attention * ctx.facts.denoiser.layers * ctx.workload.guidance_passes;
}

double EagerStepFloorSeconds(const PlanContext& ctx) {
  return kEagerDispatchSecondsPerBlock * ctx.facts.denoiser.layers * ctx.workload.guidance_passes;
}

double ContextParallelComputeEfficiency(ParallelKind kind) {
  if (kind == ParallelKind::kTensor) return kTensorComputeEfficiency;
  return kind == ParallelKind::kRing ? kRingComputeEfficiency : kUlyssesComputeEfficiency;
}

ParallelTime ContextParallelTime(const ContextParallelTimeInputs& in, const LinkSpeed& link) {
  ParallelTime t;
  // The text encoders, the VAE and any weight transfers run on every rank
  // as on one GPU; only the denoiser's compute is divided.
  const double rest = in.single_seconds - in.compute_seconds;
  const int steps = std::max(1, in.steps);
  double link_step = 0;
  if (link.bytes_per_second > 0) {
    link_step = in.bytes_per_step / link.bytes_per_second + in.collectives_per_step * link.latency_seconds;
  }
  t.communication_seconds = in.steps * link_step;
  const double single_step = in.compute_seconds / steps;
  const double gpu_step = single_step / (in.degree * in.efficiency) + link_step;
  // The floor bounds the split step, never above the single GPU's own step
  // (the single-GPU time model, calibrated on its own rows, has no floor).
  t.seconds = rest + in.steps * std::max(gpu_step, std::min(in.floor_step_seconds, single_step));
  return t;
}

std::vector<std::pair<std::string, int>> BalancedDeviceMap(
    const std::vector<std::pair<std::string, Bytes>>& component_bytes, const std::vector<Bytes>& budgets) {
  std::vector<std::pair<std::string, Bytes>> sorted = component_bytes;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  // The GPUs by budget, largest first (pipeline_loading_utils.py:732-733).
  std::vector<int> order;
  for (size_t i = 0; i < budgets.size(); ++i) order.push_back(static_cast<int>(i));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return budgets[static_cast<size_t>(a)] > budgets[static_cast<size_t>(b)];
  });
  std::vector<int> cycle = order;
  cycle.insert(cycle.end(), order.rbegin(), order.rend());
  std::vector<Bytes> left = budgets;
  std::vector<std::pair<std::string, int>> map;
  size_t next = 0;
  for (const auto& [name, bytes] : sorted) {
    if (cycle.empty()) {
      map.emplace_back(name, -1);
      continue;
    }
    const int device = cycle[next % cycle.size()];
    if (bytes > left[static_cast<size_t>(device)]) {
      map.emplace_back(name, -1);  // "cpu"; the cycle does not advance
      continue;
    }
    left[static_cast<size_t>(device)] -= bytes;
    map.emplace_back(name, device);
    ++next;
  }
  return map;
}

namespace {

// The memory a CP rank adds to the denoiser's activations: Ulysses keeps
// the all-to-all outputs of Q, K, V beside their inputs (3 shards); Ring
// gathers every rank's K and V (2 x d shards). Derived from the collectives
// (attention_dispatch.py, §7), not measured.
Bytes CommunicationBuffers(const PlanContext& ctx, ParallelLayout layout) {
  const ContextParallelClass* row = FindContextParallelClass(ctx.facts.denoiser.class_name);
  if (row == nullptr) return 0;
  const double images = static_cast<double>(ctx.workload.batch) * ctx.workload.guidance_batch;
  const double shard = static_cast<double>(ShardedSequence(ctx, *row)) / layout.degree *
                       ctx.facts.denoiser.hidden * ItemBytes(ctx) * images;
  const double buffers = layout.kind == ParallelKind::kUlysses ? 3.0 * shard : 2.0 * shard * layout.degree;
  return static_cast<Bytes>(buffers);
}

Candidate OneGpu(Candidate c) {
  c.parallel = {};
  return c;
}

// One process per GPU, each the same: the time from the single-GPU one
// with the denoiser's compute split and the collectives added, and a
// per-GPU row for each of the first `degree` GPUs holding every component.
LinkSpeed AddTorchrunTimeAndShares(const PlanContext& ctx, const Candidate& c, double bytes_per_step,
                                   int collectives_per_step, Estimate* e) {
  const int d = c.parallel.degree;
  const TimeEstimate single = EstimateTime(ctx, OneGpu(c));
  const LinkSpeed link = CollectiveLinkSpeed(ctx, d);
  const ParallelTime time =
      ContextParallelTime({.single_seconds = single.seconds,
                           .compute_seconds = single.compute_seconds,
                           .degree = d,
                           .efficiency = ContextParallelComputeEfficiency(c.parallel.kind),
                           .bytes_per_step = bytes_per_step,
                           .collectives_per_step = collectives_per_step,
                           .steps = ctx.workload.steps,
                           .floor_step_seconds = EagerStepFloorSeconds(ctx)},
                          link);
  e->seconds = time.seconds;
  e->communication_seconds = time.communication_seconds;
  std::vector<std::string> holds;
  for (const ComponentMeasurement& m : ctx.measurement.components) {
    if (m.has_weights()) holds.push_back(m.name);
  }
  for (int i = 0; i < d; ++i) {
    e->gpus.push_back(
        GpuShare{ctx.hardware.gpus[static_cast<size_t>(i)].index, e->vram, e->vram_allocated, holds});
  }
  return link;
}

// Every rank holds the whole pipeline and runs every stage; the denoiser's
// activations shrink with its sequence shard.
Estimate EstimateContextParallel(const PlanContext& ctx, const Candidate& c) {
  PlanContext rank = ctx;
  const Bytes denoise = ctx.activations.denoise;
  rank.activations.denoise = denoise / c.parallel.degree + CommunicationBuffers(ctx, c.parallel);
  Estimate e = EstimateMemory(rank, OneGpu(c));
  const int d = c.parallel.degree;
  // Each process materialises its own copy while loading, and model offload
  // keeps one copy per process in host memory.
  e.ram *= d;
  const LinkSpeed link = AddTorchrunTimeAndShares(ctx, c, ContextParallelBytesPerStep(ctx, c.parallel),
                                                  ContextParallelCollectivesPerStep(ctx, c.parallel), &e);
  e.notes.push_back(fmt::format(
      "every one of the {} GPUs holds all the weights (context parallelism replicates them) and runs the text "
      "encoders and the VAE; only the denoiser's sequence is split; host RAM counts {} processes",
      d, d));
  e.notes.push_back("communication over " + link.basis);
  return e;
}

// device_map="balanced": each GPU holds whole components and runs their
// stages; the budget of each is its capacity (accelerate's default
// max_memory is the free memory, about this less the CUDA context).
Estimate EstimateBalanced(const PlanContext& ctx, const Candidate& c) {
  Estimate single = EstimateMemory(ctx, OneGpu(c));
  Estimate e;
  e.ram = single.ram;
  e.notes = single.notes;
  const int n = c.parallel.degree;
  std::vector<std::pair<std::string, Bytes>> sizes;
  for (const ComponentMeasurement& m : ctx.measurement.components) {
    if (m.has_weights()) sizes.emplace_back(m.name, m.bytes);
  }
  std::vector<Bytes> budgets;
  for (int i = 0; i < n; ++i)
    budgets.push_back(GpuCapacity(ctx.hardware, static_cast<size_t>(i)) - kCudaContextBytes);
  const auto map = BalancedDeviceMap(sizes, budgets);
  auto device_of = [&](const std::string& name) {
    for (const auto& [component, device] : map) {
      if (component == name) return device;
    }
    return -1;
  };
  for (int g = 0; g < n; ++g) {
    GpuShare share;
    share.index = ctx.hardware.gpus[static_cast<size_t>(g)].index;
    Bytes weights = 0;
    for (size_t i = 0; i < ctx.measurement.components.size(); ++i) {
      const ComponentMeasurement& m = ctx.measurement.components[i];
      if (!m.has_weights() || device_of(m.name) != g) continue;
      share.holds.push_back(m.name);
      weights += ComponentWeights(ctx, OneGpu(c), static_cast<int>(i));
    }
    // device_map loads straight onto the GPU at the load dtype; casting
    // comes after, so the load is a floor on this GPU's peak.
    Bytes loaded = 0;
    for (const ComponentMeasurement& m : ctx.measurement.components) {
      if (m.has_weights() && device_of(m.name) == g) loaded += m.allocated_bytes;
    }
    Bytes peak = std::max(weights, loaded), peak_activation = 0;
    for (const StagePeak& stage : single.stages) {
      if (stage.stage == Stage::kLoad || device_of(stage.component) != g) continue;
      const Bytes during = weights + stage.activations + stage.transient;
      if (during > peak) {
        peak = during;
        peak_activation = stage.activations;
      }
    }
    share.vram_allocated = peak;
    share.vram = peak + static_cast<Bytes>(kReserveSlackFactor * static_cast<double>(peak_activation)) +
                 kCudaContextBytes;
    e.gpus.push_back(std::move(share));
  }
  // The busiest GPU stands for the candidate in the single-number columns.
  const int busiest = static_cast<int>(
      std::max_element(e.gpus.begin(), e.gpus.end(),
                       [](const GpuShare& a, const GpuShare& b) { return a.vram < b.vram; }) -
      e.gpus.begin());
  e.vram = e.gpus[static_cast<size_t>(busiest)].vram;
  e.vram_allocated = e.gpus[static_cast<size_t>(busiest)].vram_allocated;
  // Its stages, with the weights resident on it.
  Bytes busiest_weights = 0;
  for (size_t i = 0; i < ctx.measurement.components.size(); ++i) {
    if (device_of(ctx.measurement.components[i].name) == busiest)
      busiest_weights += ComponentWeights(ctx, OneGpu(c), static_cast<int>(i));
  }
  e.stages.push_back(StagePeak{.stage = Stage::kLoad, .component = "pipeline", .weights = busiest_weights});
  e.peak_stage = Stage::kLoad;
  Bytes top = busiest_weights;
  for (StagePeak stage : single.stages) {
    if (stage.stage == Stage::kLoad || device_of(stage.component) != busiest) continue;
    stage.weights = busiest_weights;
    if (stage.allocated() > top) {
      top = stage.allocated();
      e.peak_stage = stage.stage;
    }
    e.stages.push_back(stage);
  }
  std::string overflow;
  for (const auto& [component, device] : map) {
    if (device < 0) overflow += (overflow.empty() ? "" : ", ") + component;
  }
  if (!overflow.empty()) {
    e.notes.push_back("device_map=\"balanced\" leaves " + overflow +
                      " on the CPU (larger than what is left on the next GPU): it would run there");
  }
  const TimeEstimate time = EstimateTime(ctx, OneGpu(c));
  e.seconds = time.seconds;
  e.notes.push_back(
      "device_map=\"balanced\" places whole components on different GPUs of one process: it makes the pipeline "
      "fit, it does not make it faster");
  return e;
}

// Tensor parallelism: each rank holds the denoiser's replicated weights and
// its share of the split ones, and the whole text encoders and VAE; the
// activations are taken unsplit (an upper bound: the residual stream is
// whole on every rank, only attention and MLP intermediates split).
Estimate EstimateTensorParallel(const PlanContext& ctx, const Candidate& c) {
  const int d = c.parallel.degree;
  PlanContext rank = ctx;
  ComponentMeasurement& m = rank.measurement.components[static_cast<size_t>(ctx.denoiser)];
  const double keep = 1.0 - ctx.tensor_parallel.sharded_fraction * (d - 1) / d;
  for (int64_t* bytes : {&m.bytes, &m.allocated_bytes, &m.pinned_bytes}) {
    *bytes = static_cast<int64_t>(static_cast<double>(*bytes) * keep);
  }
  Estimate e = EstimateMemory(rank, OneGpu(c));
  e.ram *= d;
  const LinkSpeed link = AddTorchrunTimeAndShares(
      ctx, c, TensorParallelBytesPerStep(ctx, d),
      static_cast<int>(ctx.tensor_parallel.rowwise.size()) * ctx.workload.guidance_passes, &e);
  e.notes.push_back(fmt::format(
      "tensor parallelism splits {:.0f}% of the {}'s weights over the {} GPUs (its _tp_plan); the text encoders, the "
      "VAE and the rest stay whole on every GPU; activations are counted unsplit (an upper bound)",
      100 * ctx.tensor_parallel.sharded_fraction, ctx.facts.denoiser.name, d));
  e.notes.push_back(
      "TensorParallelConfig is on diffusers main only (after 0.39.0): install diffusers from source");
  e.notes.push_back("communication over " + link.basis);
  return e;
}

}  // namespace

Estimate EstimateParallel(const PlanContext& ctx, const Candidate& c) {
  if (c.parallel.kind == ParallelKind::kBalanced) return EstimateBalanced(ctx, c);
  if (c.parallel.kind == ParallelKind::kTensor) return EstimateTensorParallel(ctx, c);
  return EstimateContextParallel(ctx, c);
}

void FillSingleGpuShare(const PlanContext& ctx, Estimate* e) {
  GpuShare share;
  share.index = ctx.hardware.gpus.empty() ? 0 : ctx.hardware.gpus[0].index;
  share.vram = e->vram;
  share.vram_allocated = e->vram_allocated;
  for (const StagePeak& stage : e->stages) {
    if (stage.stage == Stage::kLoad || stage.weights == 0) continue;
    if (std::find(share.holds.begin(), share.holds.end(), stage.component) == share.holds.end())
      share.holds.push_back(stage.component);
  }
  e->gpus.push_back(std::move(share));
}

std::vector<Candidate> EnumerateParallelCandidates(const PlanContext& ctx,
                                                   const std::vector<Candidate>& single,
                                                   std::vector<RejectedCombination>* rejected) {
  std::vector<Candidate> out;
  const int gpus = static_cast<int>(ctx.hardware.gpus.size());
  if (gpus < 2) return out;
  const ContextParallelClass* cp = FindContextParallelClass(ctx.facts.denoiser.class_name);
  const int heads = ctx.facts.denoiser.heads;
  const bool same_gpus = SameGpus(ctx.hardware, gpus);
  auto reject = [&](const std::string& id, const char* rule, std::string reason) {
    if (rejected == nullptr) return;
    for (const RejectedCombination& r : *rejected) {
      if (r.id == id) return;
    }
    rejected->push_back({id, rule, std::move(reason)});
  };
  for (const Candidate& base : single) {
    const bool casting = base.weights == WeightsKind::kFull || base.weights == WeightsKind::kFp8Layerwise;
    if (!casting) continue;
    // device_map="balanced": no offloading after it (pipeline_utils.py:1212-1216).
    if (base.placement == Placement::kGpu) {
      Candidate c = base;
      c.parallel = {ParallelKind::kBalanced, gpus};
      out.push_back(c);
    }
    if (base.placement != Placement::kGpu && base.placement != Placement::kModelOffload) continue;
    for (int d : Degrees(gpus)) {
      for (ParallelKind kind : {ParallelKind::kUlysses, ParallelKind::kRing}) {
        Candidate c = base;
        c.parallel = {kind, d};
        const std::string id = std::string(WeightsId(c.weights)) + "+" + PlacementId(c.placement) + "+" +
                               ParallelKindId(kind) + std::to_string(d);
        if (cp == nullptr) {
          reject(
              id, "cp_plan_required",
              ctx.facts.denoiser.class_name +
                  " has no _cp_plan in diffusers: enable_parallelism raises \"`cp_plan` must be provided\" "
                  "(modeling_utils.py:1700-1703)");
          continue;
        }
        if (!same_gpus) {
          reject(id, "cp_same_gpus",
                 "context parallelism runs in lock-step: pipefit plans it only over identical GPUs");
          continue;
        }
        if (cp->variable_text && kind == ParallelKind::kRing) {
          reject(
              id, "cp_variable_text_ring",
              "the pipeline pads the prompt only to its own length, so the text does not split evenly; only "
              "Ulysses \"anything\" runs uneven splits, and Ring \"anything\" rejects the attention mask "
              "this model passes (attention_dispatch.py:2623-2627)");
          continue;
        }
        // Every tensor the _cp_plan splits must divide by the degree, each
        // on its own (hooks/context_parallel.py:206-217); the "anything"
        // mode writes uneven splits and pads the heads instead.
        const int64_t image = ImageTokens(ctx);
        if (!cp->variable_text) {
          const bool text_splits = !cp->splits_text || ctx.workload.text_tokens % d == 0;
          if (image <= 0 || image % d != 0 || !text_splits) {
            reject(
                id, "cp_sequence_divisible",
                fmt::format(
                    "{} image tokens{} do not divide by {}: diffusers asserts \"Tensor size along "
                    "dimension to be sharded must be divisible by mesh size\" "
                    "(hooks/context_parallel.py:206-217)",
                    image,
                    cp->splits_text ? fmt::format(" and {} text tokens", ctx.workload.text_tokens) : "", d));
            continue;
          }
          if (kind == ParallelKind::kUlysses && (heads <= 0 || heads % d != 0)) {
            reject(id, "ulysses_heads_divisible",
                   fmt::format("{} attention heads do not divide by {}: Ulysses reshapes heads across ranks "
                               "(attention_dispatch.py:2529-2534)",
                               heads, d));
            continue;
          }
        } else if (image < d) {
          reject(id, "cp_sequence_divisible",
                 fmt::format("{} image tokens are fewer than the {} ranks", image, d));
          continue;
        }
        if (kind == ParallelKind::kRing && PlannedComputeCapability(ctx).value_or(0) < 80) {
          reject(id, "ring_needs_cudnn_attention",
                 "Ring attention needs a backend that returns the log-sum-exp (native SDPA does not, "
                 "attention_dispatch.py:833-835); pipefit writes _native_cudnn, which needs compute "
                 "capability 8.0 or newer");
          continue;
        }
        out.push_back(c);
      }
    }
    // Tensor parallelism: the whole pipeline on each rank's GPU (the docs'
    // recipe moves every component to the rank's device), full weights.
    if (base.placement != Placement::kGpu || base.weights != WeightsKind::kFull) continue;
    for (int d : Degrees(gpus)) {
      Candidate c = base;
      c.parallel = {ParallelKind::kTensor, d};
      const std::string id = std::string("full+gpu+tp") + std::to_string(d);
      if (!ctx.tensor_parallel.has_plan) {
        reject(
            id, "tp_plan_required",
            ctx.facts.denoiser.class_name +
                " has no _tp_plan in diffusers: enable_parallelism raises \"`_tp_plan` must be set on the model "
                "class\" (modeling_utils.py:1708-1712)");
        continue;
      }
      if (ctx.tensor_parallel.rowwise.empty()) {
        reject(
            id, "tp_plan_unmatched",
            "none of the checkpoint's tensor names matches the class's _tp_plan (an original-format single file "
            "or no tensor list): what would split is unknown");
        continue;
      }
      if (!same_gpus) {
        reject(id, "tp_same_gpus",
               "tensor parallelism runs in lock-step: pipefit plans it only over identical GPUs");
        continue;
      }
      if (heads <= 0 || heads % d != 0) {
        reject(id, "tp_heads_divisible",
               fmt::format("`tp_degree` ({}) must divide the number of attention heads ({}) "
                           "(modeling_utils.py:1713-1716)",
                           d, heads));
        continue;
      }
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace pipefit
