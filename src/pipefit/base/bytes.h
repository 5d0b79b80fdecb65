// Memory sizes are Bytes everywhere in the library; GiB appears only in
// report/. Overflow-checked helpers serve the parsers, which multiply
// untrusted dimensions.
#ifndef PIPEFIT_BASE_BYTES_H_
#define PIPEFIT_BASE_BYTES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipefit/base/result.h"

namespace pipefit {

using Bytes = int64_t;

constexpr Bytes kKiB = 1024;
constexpr Bytes kMiB = 1024 * kKiB;
constexpr Bytes kGiB = 1024 * kMiB;

// a * b for non-negative operands, or nullopt on int64 overflow.
std::optional<int64_t> CheckedMul(int64_t a, int64_t b);
// a + b for non-negative operands, or nullopt on int64 overflow.
std::optional<int64_t> CheckedAdd(int64_t a, int64_t b);

// "23.80 GB"-style rendering is in report/; this one is for messages:
// "24,000,000 B".
std::string FormatByteCount(int64_t bytes);

// Parses a size flag as CONTRACT.md defines it: "24GiB", "24GB" (decimal),
// "24000MiB", "24000MB", "512KiB", "100B", or a bare number meaning GiB.
// Fractions are allowed ("11.5GiB"). Errors are kUsage.
Result<Bytes> ParseSize(std::string_view text);

}  // namespace pipefit

#endif  // PIPEFIT_BASE_BYTES_H_
