#include "pipefit/base/units.h"

#include <fmt/format.h>

namespace pipefit {

std::string FormatGiB(int64_t bytes) {
  return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

std::string FormatParams(int64_t params) {
  if (params >= 1'000'000'000) return fmt::format("{:.2f} B", static_cast<double>(params) / 1e9);
  if (params >= 1'000'000) return fmt::format("{:.2f} M", static_cast<double>(params) / 1e6);
  if (params >= 1'000) return fmt::format("{:.2f} K", static_cast<double>(params) / 1e3);
  return fmt::format("{}", params);
}

std::string FormatTransferBytes(int64_t bytes) {
  if (bytes < 1000) return fmt::format("{} B", bytes);
  if (bytes < 1000 * 1000) return fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3);
  if (bytes < int64_t{1000} * 1000 * 1000) return fmt::format("{:.2f} MB", static_cast<double>(bytes) / 1e6);
  return fmt::format("{:.2f} GB", static_cast<double>(bytes) / 1e9);
}

}  // namespace pipefit
