// One table of every tensor storage type pipefit reads: the dtypes the
// safetensors format defines and the ggml types GGUF files use. A row says
// how many elements make a block and how many bytes a block takes, so
// sub-byte and block-quantized types size exactly:
//   bytes(numel) = numel / block_elements * block_bytes
// (numel must be a multiple of block_elements; for GGUF the row length must).
#ifndef PIPEFIT_FORMATS_DTYPE_H_
#define PIPEFIT_FORMATS_DTYPE_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace pipefit {

enum class DType : uint8_t {
  // safetensors dtypes (safetensors/src/tensor.rs `Dtype`)
  kBool,
  kU8,
  kI8,
  kU16,
  kI16,
  kU32,
  kI32,
  kU64,
  kI64,
  kF16,
  kBF16,
  kF32,
  kF64,
  kC64,
  kF8_E4M3,
  kF8_E5M2,
  kF8_E8M0,
  kF6_E2M3,
  kF6_E3M2,
  kF4,
  // ggml quantized types (ggml/include/ggml.h `enum ggml_type`)
  kQ4_0,
  kQ4_1,
  kQ5_0,
  kQ5_1,
  kQ8_0,
  kQ8_1,
  kQ2_K,
  kQ3_K,
  kQ4_K,
  kQ5_K,
  kQ6_K,
  kQ8_K,
  kIQ2_XXS,
  kIQ2_XS,
  kIQ3_XXS,
  kIQ1_S,
  kIQ4_NL,
  kIQ3_S,
  kIQ2_S,
  kIQ4_XS,
  kIQ1_M,
  kTQ1_0,
  kTQ2_0,
  kMXFP4,  // kMXFP4 last: dtype.cc's row table is checked against it
};

enum class DTypeKind : uint8_t {
  kFloat,      // converted by torch_dtype at load (F16, BF16, F32, F64)
  kFloat8,     // fp8/fp6/fp4 storage: floating but kept as stored
  kInteger,    // integer and bool tensors: never converted
  kComplex,    // complex: never converted
  kQuantized,  // ggml block-quantized weights
};

struct DTypeInfo {
  DType dtype;
  std::string_view name;              // pipefit's name, e.g. "BF16", "Q4_K"
  std::string_view safetensors_name;  // "" when safetensors has no such dtype
  int ggml_id;                        // -1 when ggml has no such type
  DTypeKind kind;
  int block_elements;
  int block_bytes;
  bool diffusers_gguf_supported;  // in diffusers' SUPPORTED_GGUF_QUANT_TYPES
};

std::span<const DTypeInfo> AllDTypes();
const DTypeInfo& GetDTypeInfo(DType dtype);
std::optional<DType> DTypeFromSafetensorsName(std::string_view name);
std::optional<DType> DTypeFromGgmlId(int64_t id);
std::optional<DType> DTypeFromName(std::string_view name);  // pipefit names

// Bytes for `numel` elements, or nullopt if numel is not a whole number of
// blocks or the product overflows int64.
std::optional<int64_t> DTypeBytes(DType dtype, int64_t numel);

// True for F16/BF16/F32/F64: the tensors `torch_dtype` converts.
bool IsConvertibleFloat(DType dtype);

}  // namespace pipefit

#endif  // PIPEFIT_FORMATS_DTYPE_H_
