#include "pipefit/plan/rules.h"

#include <algorithm>

namespace pipefit {
namespace {

using W = WeightsKind;
using P = Placement;

constexpr WeightsKind kBnbInt8[] = {W::kBnbInt8};
constexpr WeightsKind kBnb[] = {W::kBnbInt8, W::kBnbNf4};
constexpr WeightsKind kTorchao[] = {W::kTorchaoInt8wo, W::kTorchaoFp8wo, W::kTorchaoInt4wo};
constexpr WeightsKind kGguf[] = {W::kGguf};
constexpr WeightsKind kCast[] = {W::kFp8Layerwise};
constexpr WeightsKind kTorchaoInt4[] = {W::kTorchaoInt4wo};
// GGUF and torchao int4 have their own rules for every offloading placement.
constexpr WeightsKind kPartialRejected[] = {W::kBnbInt8, W::kBnbNf4, W::kTorchaoInt8wo, W::kTorchaoFp8wo};

constexpr Placement kModelOffload[] = {P::kModelOffload};
constexpr Placement kSequential[] = {P::kSequentialOffload};
constexpr Placement kAllButGpu[] = {P::kModelOffload,      P::kGroupBlock,      P::kGroupBlockStream,
                                    P::kGroupLeaf,         P::kGroupLeafStream, P::kGroupLeafStreamLowmem,
                                    P::kSequentialOffload, P::kPartialResident};
constexpr Placement kGroup[] = {P::kGroupBlock, P::kGroupBlockStream, P::kGroupLeaf, P::kGroupLeafStream,
                                P::kGroupLeafStreamLowmem};
constexpr Placement kPartial[] = {P::kPartialResident};
constexpr Placement kGgufUnverified[] = {P::kGroupBlockStream, P::kGroupLeafStream, P::kGroupLeafStreamLowmem,
                                         P::kSequentialOffload, P::kPartialResident};

constexpr CompatibilityRule kRules[] = {
    {.id = "bnb-int8-model-offload",
     .weights = kBnbInt8,
     .placements = kModelOffload,
     .action = RuleAction::kQuantizedStaysResident,
     .message =
         "enable_model_cpu_offload() skips the hook of bitsandbytes 8-bit components when "
         "transformers < 4.58 or bitsandbytes < 0.48: the 8-bit component is loaded onto the GPU and "
         "stays there for the whole call, the other components are offloaded (with bitsandbytes >= 0.48 "
         "and transformers >= 4.58 it is offloaded like the others and needs less VRAM than planned; "
         "with bitsandbytes >= 0.48 but transformers < 4.58, pipe.to(\"cpu\") moves it off the GPU and "
         "no hook brings it back: upgrade transformers)",
     .source = "diffusers pipelines/pipeline_utils.py enable_model_cpu_offload (_check_bnb_status, "
               "is_transformers_version(\"<\", \"4.58.0\") or is_bitsandbytes_version(\"<\", \"0.48.0\")) "
               "and DiffusionPipeline.to; internals §2"},
    {.id = "bnb-sequential-offload",
     .weights = kBnb,
     .placements = kSequential,
     .action = RuleAction::kReject,
     .message = "sequential offload moves parameters to the meta device and back per module; bitsandbytes "
                "quant states do not survive it",
     .source = "internals §4 (AlignDevicesHook init_hook moves direct params to meta), §6.1 quant_state"},
    {.id = "bnb-group-offload-excluded",
     .weights = kBnb,
     .placements = kGroup,
     .action = RuleAction::kExcludeQuantized,
     .message = "group offloading sets param.data and leaves bitsandbytes quant states behind: keep the "
                "quantized components on the GPU with exclude_modules and group-offload the rest",
     .source = "memory-calculator.md Compatibility rules (int8: exclude_modules); internals §6.1 Offload "
               "interplay"},
    {.id = "torchao-sequential-offload",
     .weights = kTorchao,
     .placements = kSequential,
     .action = RuleAction::kReject,
     .message = "sequential offload re-creates parameters from a CPU state dict per module; torchao tensor "
                "subclasses are only moved by swap_tensors (group offloading)",
     .source = "internals §3.6 (TorchAO tensors moved with swap_tensors), §4"},
    {.id = "torchao-int4-gpu-only",
     .weights = kTorchaoInt4,
     .placements = kAllButGpu,
     .action = RuleAction::kReject,
     .message = "torchao int4 runs only in the tile_packed_to_4d layout, packed on the GPU at load "
                "(device_map=\"cuda\"); its tensors have no pinned-memory support for streams and the plain "
                "layout needs mslk kernels on SM 9.0, so pipefit offers it all on GPU only",
     .source = "internals §6.2; torchao int4_tensor.py, int4_tile_packed_to_4d_tensor.py; diffusers "
               "tests/models/testing_utils/quantization.py (pins tile_packed_to_4d)"},
    {.id = "gguf-stream-or-sequential",
     .weights = kGguf,
     .placements = kGgufUnverified,
     .action = RuleAction::kReject,
     .message =
         "GGUF parameters are raw byte tensors dequantized per forward; diffusers exercises them with "
         "leaf-level group offloading without streams (and model offload), not with pinned stream copies "
         "or sequential offload's meta-device round trip, so pipefit does not offer those",
     .source =
         "diffusers tests/models/testing_utils/quantization.py test_gguf_torch_compile_with_group_offload "
         "(leaf_level, use_stream=False); internals §6.4, §3.6, §4"},
    {.id = "partial-residency-quantized",
     .weights = kPartialRejected,
     .placements = kPartial,
     .action = RuleAction::kReject,
     .message =
         "partial residency streams some of the denoiser's blocks with group offloading applied block by block; "
         "bitsandbytes quant states are left behind by group offloading, and torchao tensors are not exercised "
         "that way in diffusers' tests, so pipefit offers it with full or fp8_layerwise weights only (a "
         "quantized denoiser usually fits whole)",
     .source = "internals §6.1 Offload interplay, §6.2; docs/partial-residency.md"},
    {.id = "layerwise-casting-sequential",
     .weights = kCast,
     .placements = kSequential,
     .action = RuleAction::kReject,
     .message = "layerwise casting combines with model or group offloading (apply casting first), not with "
                "the legacy sequential offload",
     .source = "memory-calculator.md Compatibility rules (layerwise casting combines with group or model "
               "offloading)"},
};

bool Contains(std::span<const WeightsKind> list, WeightsKind w) {
  return std::find(list.begin(), list.end(), w) != list.end();
}
bool Contains(std::span<const Placement> list, Placement p) {
  return std::find(list.begin(), list.end(), p) != list.end();
}

}  // namespace

std::span<const CompatibilityRule> CompatibilityRules() { return kRules; }

const CompatibilityRule* QuantizedStaysResidentRule(WeightsKind weights, Placement placement) {
  for (const CompatibilityRule& rule : kRules) {
    if (rule.action == RuleAction::kQuantizedStaysResident && Contains(rule.weights, weights) &&
        Contains(rule.placements, placement)) {
      return &rule;
    }
  }
  return nullptr;
}

LoadDeviceMap LoadDeviceMapFor(const Candidate& c) {
  switch (c.weights) {
    case WeightsKind::kFull:
    case WeightsKind::kFp8Layerwise:
    case WeightsKind::kGguf:
      return LoadDeviceMap::kNone;
    // torchao int4's tile_packed_to_4d packing is CUDA-only (rules
    // torchao-int4-gpu-only; codegen weights_code.cc kTorchaoRows).
    case WeightsKind::kTorchaoInt4wo:
      return LoadDeviceMap::kCuda;
    // The 8-bit component must be on the GPU when enable_model_cpu_offload()
    // skips its hook: no device_map, so bitsandbytes maps it to the GPU.
    case WeightsKind::kBnbInt8:
      return QuantizedStaysResidentRule(c.weights, c.placement) != nullptr ? LoadDeviceMap::kNone
                                                                           : LoadDeviceMap::kCpu;
    case WeightsKind::kBnbNf4:
    case WeightsKind::kTorchaoInt8wo:
    case WeightsKind::kTorchaoFp8wo:
      return LoadDeviceMap::kCpu;
  }
  return LoadDeviceMap::kNone;
}

const char* LoadDeviceMapValue(LoadDeviceMap map) {
  switch (map) {
    case LoadDeviceMap::kNone:
      return "";
    case LoadDeviceMap::kCpu:
      return "cpu";
    case LoadDeviceMap::kCuda:
      return "cuda";
  }
  return "";
}

const CompatibilityRule* FindRejection(WeightsKind weights, Placement placement) {
  for (const CompatibilityRule& rule : kRules) {
    if (rule.action == RuleAction::kReject && Contains(rule.weights, weights) &&
        Contains(rule.placements, placement)) {
      return &rule;
    }
  }
  return nullptr;
}

bool MustExcludeQuantized(WeightsKind weights, Placement placement) {
  for (const CompatibilityRule& rule : kRules) {
    if (rule.action == RuleAction::kExcludeQuantized && Contains(rule.weights, weights) &&
        Contains(rule.placements, placement)) {
      return true;
    }
  }
  return false;
}

}  // namespace pipefit
