#include "pipefit/base/bytes.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "pipefit/base/text.h"

namespace pipefit {

std::optional<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t out = 0;
  if (a < 0 || b < 0 || __builtin_mul_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::optional<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t out = 0;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &out)) return std::nullopt;
  return out;
}

std::string FormatByteCount(int64_t bytes) {
  std::string digits = std::to_string(bytes < 0 ? -bytes : bytes);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (bytes < 0 ? "-" : "") + out + " B";
}

namespace {

struct SizeUnit {
  std::string_view suffix;  // compared case-insensitively
  double multiplier;
};

// Longest suffixes first so "GiB" wins over "B".
constexpr SizeUnit kSizeUnits[] = {
    {"TiB", 1024.0 * 1024 * 1024 * 1024},
    {"GiB", 1024.0 * 1024 * 1024},
    {"MiB", 1024.0 * 1024},
    {"KiB", 1024.0},
    {"TB", 1e12},
    {"GB", 1e9},
    {"MB", 1e6},
    {"KB", 1e3},
    {"B", 1.0},
};

}  // namespace

Result<Bytes> ParseSize(std::string_view text) {
  const std::string original(text);
  double multiplier = static_cast<double>(kGiB);  // bare number means GiB
  const std::string lower = AsciiLower(text);
  for (const SizeUnit& unit : kSizeUnits) {
    if (std::string_view(lower).ends_with(AsciiLower(unit.suffix))) {
      multiplier = unit.multiplier;
      text.remove_suffix(unit.suffix.size());
      break;
    }
  }
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(number) ||
      number < 0) {
    return MakeErrorf(ErrorCode::kUsage, "invalid size '{}' (expected e.g. 24GiB, 24GB, 24000MiB or 24)",
                      original);
  }
  double bytes = std::round(number * multiplier);
  if (bytes > static_cast<double>(std::numeric_limits<int64_t>::max() / 2)) {
    return MakeErrorf(ErrorCode::kUsage, "size '{}' is too large", original);
  }
  return static_cast<Bytes>(bytes);
}

}  // namespace pipefit
