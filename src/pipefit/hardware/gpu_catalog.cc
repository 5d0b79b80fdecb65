#include "pipefit/hardware/gpu_catalog.h"

#include <cctype>
#include <map>

#include "pipefit/hardware/gpu_rows.h"

namespace pipefit {
namespace {

// Words that name the vendor or brand rather than the GPU: NVML says
// "NVIDIA GeForce RTX 4090" and "Tesla T4", users say "4090" and "T4".
bool IsNoiseWord(std::string_view word) {
  static constexpr std::string_view kNoise[] = {"nvidia",     "geforce", "tesla",      "quadro",
                                                "rtx",        "amd",     "radeon",     "instinct",
                                                "generation", "edition", "workstation"};
  for (std::string_view noise : kNoise) {
    if (word == noise) return true;
  }
  return false;
}

enum class CharKind { kOther, kLetter, kDigit };

CharKind KindOf(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (std::isdigit(u)) return CharKind::kDigit;
  if (std::isalpha(u)) return CharKind::kLetter;
  return CharKind::kOther;
}

// Tokens split at non-alphanumerics and at letter/digit boundaries.
std::vector<std::string> Tokens(std::string_view name) {
  std::vector<std::string> tokens;
  std::string current;
  CharKind previous = CharKind::kOther;
  for (char c : name) {
    CharKind kind = KindOf(c);
    if (kind != previous && !current.empty()) {
      tokens.push_back(current);
      current.clear();
    }
    if (kind != CharKind::kOther) {
      current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    previous = kind;
  }
  if (!current.empty()) tokens.push_back(current);
  return tokens;
}

// Normalised name -> row, built once. The first row to claim a name wins;
// gpu_catalog_test checks that no two rows claim the same one.
const std::map<std::string, const GpuSpec*>& NameIndex() {
  static const auto* index = [] {
    auto* map = new std::map<std::string, const GpuSpec*>();
    for (const GpuSpec& spec : GpuCatalog()) {
      map->emplace(NormalizeGpuName(spec.id), &spec);
      map->emplace(NormalizeGpuName(spec.name), &spec);
      for (const std::string& alias : spec.aliases) map->emplace(NormalizeGpuName(alias), &spec);
    }
    return map;
  }();
  return *index;
}

}  // namespace

const char* GpuVendorName(GpuVendor vendor) {
  switch (vendor) {
    case GpuVendor::kNvidia:
      return "nvidia";
    case GpuVendor::kAmd:
      return "amd";
  }
  return "unknown";
}

const char* GpuSegmentName(GpuSegment segment) {
  switch (segment) {
    case GpuSegment::kConsumer:
      return "consumer";
    case GpuSegment::kWorkstation:
      return "workstation";
    case GpuSegment::kDataCenter:
      return "datacenter";
  }
  return "unknown";
}

const std::vector<GpuSpec>& GpuCatalog() {
  static const auto* rows = [] {
    auto* all = new std::vector<GpuSpec>(gpu_rows::ConsumerRows());
    for (auto part : {gpu_rows::WorkstationRows(), gpu_rows::DataCenterRows()}) {
      all->insert(all->end(), part.begin(), part.end());
    }
    return all;
  }();
  return *rows;
}

std::string NormalizeGpuName(std::string_view name) {
  std::string out;
  for (const std::string& token : Tokens(name)) {
    if (IsNoiseWord(token)) continue;
    if (!out.empty()) out += ' ';
    out += token;
  }
  return out;
}

const GpuSpec* FindGpu(std::string_view query) {
  std::string key = NormalizeGpuName(query);
  if (key.empty()) return nullptr;
  const auto& index = NameIndex();
  auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

const GpuSpec* MatchDetectedGpu(std::string_view name, Bytes vram_total) {
  const GpuSpec* spec = FindGpu(name);
  if (spec == nullptr) return nullptr;
  // Drivers reserve memory (ECC, firmware): a T4 shows 15 of 16 GiB, an
  // H100 79.6 of 80. Below 85% it is a different board with the same name.
  double ratio = static_cast<double>(vram_total) / static_cast<double>(spec->vram);
  return (ratio >= 0.85 && ratio <= 1.05) ? spec : nullptr;
}

std::optional<int> ComputeCapabilityValue(std::string_view cc) {
  const size_t dot = cc.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 2 != cc.size() || dot > 2) return std::nullopt;
  int major = 0;
  for (size_t i = 0; i < dot; ++i) {
    if (cc[i] < '0' || cc[i] > '9') return std::nullopt;
    major = major * 10 + (cc[i] - '0');
  }
  const char minor = cc[dot + 1];
  if (minor < '0' || minor > '9') return std::nullopt;
  return major * 10 + (minor - '0');
}

}  // namespace pipefit
