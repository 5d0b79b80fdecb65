// Host RAM the process may use: /proc/meminfo, lowered by the memory limit
// of the cgroup the process runs in (a container, a systemd slice, a batch
// job). Everything is read through FileSystem.
//
// Sources: proc(5) for /proc/meminfo and /proc/self/cgroup; the kernel's
// Documentation/admin-guide/cgroup-v2.rst (memory.max, memory.current,
// memory.stat) and Documentation/admin-guide/cgroup-v1/memory.rst
// (memory.limit_in_bytes, memory.usage_in_bytes, memory.stat).
#ifndef PIPEFIT_HARDWARE_MEMORY_INFO_H_
#define PIPEFIT_HARDWARE_MEMORY_INFO_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipefit/base/bytes.h"
#include "pipefit/base/file_system.h"
#include "pipefit/base/result.h"
#include "pipefit/hardware/hardware_info.h"

namespace pipefit {

struct Meminfo {
  Bytes mem_total = 0;
  Bytes mem_available = 0;  // MemAvailable; MemFree on kernels before 3.14
};

// Parses /proc/meminfo ("MemTotal:       24684084 kB"; kB means KiB).
// kMalformed when MemTotal is missing or a needed value is not a number.
Result<Meminfo> ParseMeminfo(std::string_view text);

// A cgroup memory limit file. v2 memory.max: bytes or "max". v1
// memory.limit_in_bytes: bytes, where "unlimited" is PAGE_COUNTER_MAX
// rounded to pages (9223372036854771712 on 4 KiB pages), so values of 2^62
// and above mean no limit. nullopt = no limit; kMalformed for other text.
Result<std::optional<Bytes>> ParseCgroupLimit(std::string_view text);

// The value of `key` in a memory.stat file ("inactive_file 339968").
std::optional<Bytes> ParseMemoryStatValue(std::string_view text, std::string_view key);

// The tightest cgroup memory limit that applies to this process.
struct CgroupMemory {
  int version = 2;
  std::string limit_file;  // where the limit was read
  Bytes limit = 0;
  std::optional<Bytes> working_set;  // usage minus inactive file cache
};

// Looks in the process's own cgroup (from /proc/self/cgroup), each of its
// ancestors, and the root of the cgroup mount (what a container sees as its
// own), for v2 and v1; nullopt when none sets a limit. `root` is "" in production; tests
// put the tree under a prefix.
std::optional<CgroupMemory> FindCgroupMemoryLimit(const FileSystem& fs, const std::string& root = "");

// MemTotal / MemAvailable, lowered to the cgroup limit and what it leaves
// (limit minus working set) when a limit below MemTotal applies.
// kNotFound / kMalformed when /proc/meminfo is unusable.
Result<RamInfo> ProbeRam(const FileSystem& fs, std::vector<std::string>& notes, const std::string& root = "");

}  // namespace pipefit

#endif  // PIPEFIT_HARDWARE_MEMORY_INFO_H_
