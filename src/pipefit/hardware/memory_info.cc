#include "pipefit/hardware/memory_info.h"

#include <algorithm>

#include "pipefit/hardware/pseudo_file.h"

namespace pipefit {
namespace {

// v1 reports "no limit" as PAGE_COUNTER_MAX * PAGE_SIZE (about 2^63); no
// machine has 2^62 bytes (4 EiB) of RAM, so anything above is unlimited.
constexpr Bytes kUnlimitedThreshold = Bytes{1} << 62;

// Calls `fn(line)` for each line of `text`.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    fn(text.substr(start, end - start));
    start = end + 1;
  }
}

// "   24684084 kB" -> bytes; nullopt unless a number with an optional kB.
std::optional<Bytes> ParseMeminfoValue(std::string_view value) {
  value = TrimWhitespace(value);
  int64_t multiplier = 1;
  if (value.ends_with("kB")) {
    multiplier = kKiB;
    value.remove_suffix(2);
  }
  std::optional<int64_t> number = ParseDecimal(value);
  return number ? CheckedMul(*number, multiplier) : std::nullopt;
}

struct CgroupPaths {
  std::optional<std::string> v2;  // "0::/path"
  std::optional<std::string> v1;  // "N:...memory...:/path"
};

// Which cgroup the process is in, per hierarchy (proc(5), /proc/pid/cgroup).
CgroupPaths ParseProcSelfCgroup(std::string_view text) {
  CgroupPaths paths;
  ForEachLine(text, [&](std::string_view line) {
    size_t first = line.find(':');
    size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) return;
    std::string_view id = line.substr(0, first);
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    std::string path(TrimWhitespace(line.substr(second + 1)));
    if (id == "0" && controllers.empty()) {
      paths.v2 = path;
      return;
    }
    size_t at = 0;
    while (at <= controllers.size()) {
      size_t comma = controllers.find(',', at);
      if (comma == std::string_view::npos) comma = controllers.size();
      if (controllers.substr(at, comma - at) == "memory") paths.v1 = path;
      at = comma + 1;
    }
  });
  return paths;
}

struct CgroupLayout {
  int version;
  const char* mount;         // where the hierarchy is mounted
  const char* limit_file;    // memory.max / memory.limit_in_bytes
  const char* usage_file;    // memory.current / memory.usage_in_bytes
  const char* inactive_key;  // in memory.stat: file cache the kernel can drop
};

// docker stats and the kubelet's working set subtract the same inactive
// file cache from usage.
constexpr CgroupLayout kV2 = {2, "/sys/fs/cgroup", "memory.max", "memory.current", "inactive_file"};
constexpr CgroupLayout kV1 = {1, "/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes",
                              "total_inactive_file"};

// The limit set in one cgroup directory, with its working set.
std::optional<CgroupMemory> ReadCgroupDir(const FileSystem& fs, const CgroupLayout& layout,
                                          const std::string& dir) {
  CgroupMemory memory;
  memory.version = layout.version;
  memory.limit_file = JoinPath(dir, layout.limit_file);
  auto text = ReadPseudoFile(fs, memory.limit_file, 4096);
  if (!text.ok()) return std::nullopt;
  auto limit = ParseCgroupLimit(*text);
  if (!limit.ok() || !limit->has_value()) return std::nullopt;
  memory.limit = **limit;
  auto usage_text = ReadPseudoFile(fs, JoinPath(dir, layout.usage_file), 4096);
  std::optional<int64_t> usage = usage_text.ok() ? ParseDecimal(*usage_text) : std::nullopt;
  if (usage) {
    auto stat = ReadPseudoFile(fs, JoinPath(dir, "memory.stat"), 1 << 20);
    Bytes inactive = 0;
    if (stat.ok()) inactive = ParseMemoryStatValue(*stat, layout.inactive_key).value_or(0);
    memory.working_set = std::max<Bytes>(0, *usage - inactive);
  }
  return memory;
}

// The process's own cgroup and each of its ancestors up to the mount root
// (a limit on a parent slice caps its children too; in a container the root
// is the container's own cgroup). Paths with ".." are not followed.
std::vector<std::string> CandidateDirs(const std::string& root, const CgroupLayout& layout,
                                       const std::optional<std::string>& own) {
  const std::string mount = root + layout.mount;
  std::vector<std::string> dirs;
  if (own && !own->empty() && own->front() == '/' && own->find("..") == std::string::npos) {
    std::string path = *own;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    while (path.size() > 1) {
      dirs.push_back(mount + path);
      path = path.substr(0, path.rfind('/'));
    }
  }
  dirs.push_back(mount);
  return dirs;
}

}  // namespace

Result<Meminfo> ParseMeminfo(std::string_view text) {
  std::optional<Bytes> total, available, free;
  bool bad = false;
  ForEachLine(text, [&](std::string_view line) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return;
    std::string_view key = line.substr(0, colon);
    std::optional<Bytes>* slot = key == "MemTotal"       ? &total
                                 : key == "MemAvailable" ? &available
                                 : key == "MemFree"      ? &free
                                                         : nullptr;
    if (slot == nullptr) return;
    *slot = ParseMeminfoValue(line.substr(colon + 1));
    if (!slot->has_value()) bad = true;
  });
  if (bad) {
    return MakeErrorf(ErrorCode::kMalformed,
                      "/proc/meminfo: a MemTotal, MemAvailable or MemFree "
                      "value is not a number of kB");
  }
  if (!total || *total == 0) {
    return MakeErrorf(ErrorCode::kMalformed, "/proc/meminfo: no MemTotal line");
  }
  Meminfo info;
  info.mem_total = *total;
  info.mem_available = std::min(*total, available ? *available : free.value_or(0));
  return info;
}

Result<std::optional<Bytes>> ParseCgroupLimit(std::string_view text) {
  text = TrimWhitespace(text);
  if (text == "max") return std::optional<Bytes>();
  std::optional<int64_t> value = ParseDecimal(text);
  if (!value) {
    return MakeErrorf(ErrorCode::kMalformed, "cgroup memory limit is '{}', expected bytes or max", text);
  }
  if (*value >= kUnlimitedThreshold) return std::optional<Bytes>();
  return std::optional<Bytes>(*value);
}

std::optional<Bytes> ParseMemoryStatValue(std::string_view text, std::string_view key) {
  std::optional<Bytes> result;
  ForEachLine(text, [&](std::string_view line) {
    if (result || line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ' ') {
      return;
    }
    result = ParseDecimal(line.substr(key.size() + 1));
  });
  return result;
}

std::optional<CgroupMemory> FindCgroupMemoryLimit(const FileSystem& fs, const std::string& root) {
  CgroupPaths own;
  if (auto text = ReadPseudoFile(fs, root + "/proc/self/cgroup"); text.ok()) {
    own = ParseProcSelfCgroup(*text);
  }
  std::optional<CgroupMemory> tightest;
  for (const auto& [layout, path] : {std::pair{kV2, own.v2}, std::pair{kV1, own.v1}}) {
    for (const std::string& dir : CandidateDirs(root, layout, path)) {
      std::optional<CgroupMemory> found = ReadCgroupDir(fs, layout, dir);
      if (found && (!tightest || found->limit < tightest->limit)) tightest = std::move(found);
    }
  }
  return tightest;
}

Result<RamInfo> ProbeRam(const FileSystem& fs, std::vector<std::string>& notes, const std::string& root) {
  PIPEFIT_ASSIGN_OR_RETURN(std::string text, ReadPseudoFile(fs, root + "/proc/meminfo"));
  auto meminfo = ParseMeminfo(text);
  if (!meminfo.ok()) return meminfo.error();
  RamInfo ram;
  ram.total = meminfo->mem_total;
  ram.available = meminfo->mem_available;
  ram.source = RamSource::kMeminfo;
  std::optional<CgroupMemory> cgroup = FindCgroupMemoryLimit(fs, root);
  if (!cgroup || cgroup->limit >= ram.total) return ram;
  ram.total = cgroup->limit;
  Bytes left = cgroup->working_set ? std::max<Bytes>(0, cgroup->limit - *cgroup->working_set) : cgroup->limit;
  ram.available = std::min(ram.available, left);
  ram.source = RamSource::kCgroup;
  std::string file = cgroup->limit_file.substr(root.size());
  notes.push_back("RAM is limited by the cgroup v" + std::to_string(cgroup->version) + " memory limit in " +
                  file + " (below the machine's MemTotal)");
  return ram;
}

}  // namespace pipefit
