#include "pipefit/formats/dtype.h"

#include <cassert>

#include "pipefit/base/bytes.h"
#include "pipefit/base/enum_table.h"

namespace pipefit {
namespace {

using K = DTypeKind;

// Sources:
//  - safetensors dtypes and their bit widths: safetensors/src/tensor.rs
//    (`Dtype::bitsize`); F4 packs two elements per byte, F6 four per 3 bytes.
//  - ggml ids, block sizes and bytes per block: ggml/include/ggml.h
//    (`enum ggml_type`) and ggml/src/ggml-common.h static_asserts, restated
//    in shared/reference/diffusers-internals.md §6.3.
//  - diffusers support: quantizers/gguf/utils.py SUPPORTED_GGUF_QUANT_TYPES
//    (internals §6.3; F32/F16 load as plain tensors).
// clang-format off
constexpr DTypeInfo kDTypes[] = {
    {.dtype = DType::kBool, .name = "BOOL", .safetensors_name = "BOOL", .ggml_id = -1, .kind = K::kInteger, .block_elements = 1, .block_bytes = 1},
    {.dtype = DType::kU8, .name = "U8", .safetensors_name = "U8", .ggml_id = -1, .kind = K::kInteger, .block_elements = 1, .block_bytes = 1},
    {.dtype = DType::kI8, .name = "I8", .safetensors_name = "I8", .ggml_id = 24, .kind = K::kInteger, .block_elements = 1, .block_bytes = 1},
    {.dtype = DType::kU16, .name = "U16", .safetensors_name = "U16", .ggml_id = -1, .kind = K::kInteger, .block_elements = 1, .block_bytes = 2},
    {.dtype = DType::kI16, .name = "I16", .safetensors_name = "I16", .ggml_id = 25, .kind = K::kInteger, .block_elements = 1, .block_bytes = 2},
    {.dtype = DType::kU32, .name = "U32", .safetensors_name = "U32", .ggml_id = -1, .kind = K::kInteger, .block_elements = 1, .block_bytes = 4},
    {.dtype = DType::kI32, .name = "I32", .safetensors_name = "I32", .ggml_id = 26, .kind = K::kInteger, .block_elements = 1, .block_bytes = 4},
    {.dtype = DType::kU64, .name = "U64", .safetensors_name = "U64", .ggml_id = -1, .kind = K::kInteger, .block_elements = 1, .block_bytes = 8},
    {.dtype = DType::kI64, .name = "I64", .safetensors_name = "I64", .ggml_id = 27, .kind = K::kInteger, .block_elements = 1, .block_bytes = 8},
    {.dtype = DType::kF16, .name = "F16", .safetensors_name = "F16", .ggml_id = 1, .kind = K::kFloat, .block_elements = 1, .block_bytes = 2, .diffusers_gguf_supported = true},
    {.dtype = DType::kBF16, .name = "BF16", .safetensors_name = "BF16", .ggml_id = 30, .kind = K::kFloat, .block_elements = 1, .block_bytes = 2, .diffusers_gguf_supported = true},
    {.dtype = DType::kF32, .name = "F32", .safetensors_name = "F32", .ggml_id = 0, .kind = K::kFloat, .block_elements = 1, .block_bytes = 4, .diffusers_gguf_supported = true},
    {.dtype = DType::kF64, .name = "F64", .safetensors_name = "F64", .ggml_id = 28, .kind = K::kFloat, .block_elements = 1, .block_bytes = 8},
    {.dtype = DType::kC64, .name = "C64", .safetensors_name = "C64", .ggml_id = -1, .kind = K::kComplex, .block_elements = 1, .block_bytes = 8},
    {.dtype = DType::kF8_E4M3, .name = "F8_E4M3", .safetensors_name = "F8_E4M3", .ggml_id = -1, .kind = K::kFloat8, .block_elements = 1, .block_bytes = 1},
    {.dtype = DType::kF8_E5M2, .name = "F8_E5M2", .safetensors_name = "F8_E5M2", .ggml_id = -1, .kind = K::kFloat8, .block_elements = 1, .block_bytes = 1},
    {.dtype = DType::kF8_E8M0, .name = "F8_E8M0", .safetensors_name = "F8_E8M0", .ggml_id = -1, .kind = K::kFloat8, .block_elements = 1, .block_bytes = 1},
    {.dtype = DType::kF6_E2M3, .name = "F6_E2M3", .safetensors_name = "F6_E2M3", .ggml_id = -1, .kind = K::kFloat8, .block_elements = 4, .block_bytes = 3},
    {.dtype = DType::kF6_E3M2, .name = "F6_E3M2", .safetensors_name = "F6_E3M2", .ggml_id = -1, .kind = K::kFloat8, .block_elements = 4, .block_bytes = 3},
    {.dtype = DType::kF4, .name = "F4", .safetensors_name = "F4", .ggml_id = -1, .kind = K::kFloat8, .block_elements = 2, .block_bytes = 1},
    {.dtype = DType::kQ4_0, .name = "Q4_0", .ggml_id = 2, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 18, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ4_1, .name = "Q4_1", .ggml_id = 3, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 20, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ5_0, .name = "Q5_0", .ggml_id = 6, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 22, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ5_1, .name = "Q5_1", .ggml_id = 7, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 24, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ8_0, .name = "Q8_0", .ggml_id = 8, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 34, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ8_1, .name = "Q8_1", .ggml_id = 9, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 36},
    {.dtype = DType::kQ2_K, .name = "Q2_K", .ggml_id = 10, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 84, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ3_K, .name = "Q3_K", .ggml_id = 11, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 110, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ4_K, .name = "Q4_K", .ggml_id = 12, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 144, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ5_K, .name = "Q5_K", .ggml_id = 13, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 176, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ6_K, .name = "Q6_K", .ggml_id = 14, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 210, .diffusers_gguf_supported = true},
    {.dtype = DType::kQ8_K, .name = "Q8_K", .ggml_id = 15, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 292},
    {.dtype = DType::kIQ2_XXS, .name = "IQ2_XXS", .ggml_id = 16, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 66},
    {.dtype = DType::kIQ2_XS, .name = "IQ2_XS", .ggml_id = 17, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 74},
    {.dtype = DType::kIQ3_XXS, .name = "IQ3_XXS", .ggml_id = 18, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 98},
    {.dtype = DType::kIQ1_S, .name = "IQ1_S", .ggml_id = 19, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 50},
    {.dtype = DType::kIQ4_NL, .name = "IQ4_NL", .ggml_id = 20, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 18, .diffusers_gguf_supported = true},
    {.dtype = DType::kIQ3_S, .name = "IQ3_S", .ggml_id = 21, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 110},
    {.dtype = DType::kIQ2_S, .name = "IQ2_S", .ggml_id = 22, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 82},
    {.dtype = DType::kIQ4_XS, .name = "IQ4_XS", .ggml_id = 23, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 136, .diffusers_gguf_supported = true},
    {.dtype = DType::kIQ1_M, .name = "IQ1_M", .ggml_id = 29, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 56},
    {.dtype = DType::kTQ1_0, .name = "TQ1_0", .ggml_id = 34, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 54},
    {.dtype = DType::kTQ2_0, .name = "TQ2_0", .ggml_id = 35, .kind = K::kQuantized, .block_elements = 256, .block_bytes = 66},
    {.dtype = DType::kMXFP4, .name = "MXFP4", .ggml_id = 39, .kind = K::kQuantized, .block_elements = 32, .block_bytes = 17},
};
// clang-format on

// Row i is the DType with value i, one row per DType (kMXFP4 is the last).
static_assert(RowsFollowEnum(kDTypes, &DTypeInfo::dtype, static_cast<size_t>(DType::kMXFP4) + 1));

}  // namespace

std::span<const DTypeInfo> AllDTypes() { return kDTypes; }

const DTypeInfo& GetDTypeInfo(DType dtype) { return RowFor(kDTypes, dtype); }

std::optional<DType> DTypeFromSafetensorsName(std::string_view name) {
  for (const DTypeInfo& info : kDTypes) {
    if (!info.safetensors_name.empty() && info.safetensors_name == name) return info.dtype;
  }
  return std::nullopt;
}

std::optional<DType> DTypeFromGgmlId(int64_t id) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.ggml_id >= 0 && info.ggml_id == id) return info.dtype;
  }
  return std::nullopt;
}

std::optional<DType> DTypeFromName(std::string_view name) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.name == name) return info.dtype;
  }
  return std::nullopt;
}

std::optional<int64_t> DTypeBytes(DType dtype, int64_t numel) {
  const DTypeInfo& info = GetDTypeInfo(dtype);
  if (numel < 0 || numel % info.block_elements != 0) return std::nullopt;
  return CheckedMul(numel / info.block_elements, info.block_bytes);
}

bool IsConvertibleFloat(DType dtype) { return GetDTypeInfo(dtype).kind == DTypeKind::kFloat; }

}  // namespace pipefit
