#include "pipefit/hardware/memory_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace pipefit {
namespace {

using ::testing::HasSubstr;

// A 64 GB host (captured /proc/meminfo, trimmed).
constexpr char kHostMeminfo[] =
    "MemTotal:       65741572 kB\n"
    "MemFree:        30123456 kB\n"
    "MemAvailable:   58765432 kB\n"
    "Buffers:          123456 kB\n"
    "Cached:         27000000 kB\n"
    "SwapTotal:       2097148 kB\n"
    "HugePages_Total:       0\n"
    "Hugepagesize:       2048 kB\n";
constexpr Bytes kHostTotal = 67319369728;      // 65741572 KiB
constexpr Bytes kHostAvailable = 60175802368;  // 58765432 KiB

TEST(MeminfoTest, ParsesTotalAndAvailableAsKiB) {
  auto info = ParseMeminfo(kHostMeminfo);
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_EQ(info->mem_total, kHostTotal);
  EXPECT_EQ(info->mem_available, kHostAvailable);
}

TEST(MeminfoTest, OldKernelsWithoutMemAvailableUseMemFree) {
  auto info = ParseMeminfo("MemTotal: 1000 kB\nMemFree: 400 kB\n");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mem_total, 1024000);
  EXPECT_EQ(info->mem_available, 409600);
}

TEST(MeminfoTest, CorruptInputs) {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"", "/proc/meminfo: no MemTotal line"},
      {"MemFree: 10 kB\n", "/proc/meminfo: no MemTotal line"},
      {"MemTotal: lots kB\n",
       "/proc/meminfo: a MemTotal, MemAvailable or MemFree value is not a number of kB"},
      {"MemTotal: 99999999999999999 kB\n",
       "/proc/meminfo: a MemTotal, MemAvailable or MemFree value is not a number of kB"},
  };
  for (const Case& c : cases) {
    auto info = ParseMeminfo(c.text);
    ASSERT_FALSE(info.ok()) << c.text;
    EXPECT_EQ(info.error().code, ErrorCode::kMalformed);
    EXPECT_EQ(info.error().message, c.message);
  }
}

TEST(CgroupLimitTest, ParsesLimitsAndUnlimitedForms) {
  EXPECT_EQ(ParseCgroupLimit("max\n").value(), std::nullopt);
  EXPECT_EQ(ParseCgroupLimit("17179869184\n").value(), std::optional<Bytes>(16 * kGiB));
  EXPECT_EQ(ParseCgroupLimit("9223372036854771712\n").value(), std::nullopt);  // v1, 4K pages
  EXPECT_EQ(ParseCgroupLimit("9223372036854710272\n").value(), std::nullopt);  // v1, 64K pages
  auto bad = ParseCgroupLimit("lots");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "cgroup memory limit is 'lots', expected bytes or max");
}

TEST(CgroupLimitTest, MemoryStatValues) {
  const char stat[] =
      "cache 10309632\nrss 5255168\ninactive_file 339968\n"
      "total_inactive_file 161320960\n";
  EXPECT_EQ(ParseMemoryStatValue(stat, "inactive_file"), 339968);
  EXPECT_EQ(ParseMemoryStatValue(stat, "total_inactive_file"), 161320960);
  EXPECT_EQ(ParseMemoryStatValue(stat, "active_file"), std::nullopt);
}

MemoryFileSystem HostWithMeminfo() {
  MemoryFileSystem fs;
  fs.AddFile("/proc/meminfo", kHostMeminfo);
  return fs;
}

TEST(ProbeRamTest, NoCgroupMeansMeminfo) {
  MemoryFileSystem fs = HostWithMeminfo();
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok()) << ram.error().message;
  EXPECT_EQ(ram->total, kHostTotal);
  EXPECT_EQ(ram->available, kHostAvailable);
  EXPECT_EQ(ram->source, RamSource::kMeminfo);
  EXPECT_TRUE(notes.empty());
}

TEST(ProbeRamTest, CgroupV2ContainerLimit) {
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "0::/\n");
  fs.AddFile("/sys/fs/cgroup/memory.max", "17179869184\n");     // 16 GiB
  fs.AddFile("/sys/fs/cgroup/memory.current", "4294967296\n");  // 4 GiB used
  fs.AddFile("/sys/fs/cgroup/memory.stat",
             "anon 2147483648\nfile 2147483648\nactive_file 1073741824\n"
             "inactive_file 1073741824\n");  // 1 GiB of it droppable cache
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok()) << ram.error().message;
  EXPECT_EQ(ram->total, 16 * kGiB);
  EXPECT_EQ(ram->available, 13 * kGiB);  // 16 - (4 - 1)
  EXPECT_EQ(ram->source, RamSource::kCgroup);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0],
            "RAM is limited by the cgroup v2 memory limit in /sys/fs/cgroup/memory.max "
            "(below the machine's MemTotal)");
}

TEST(ProbeRamTest, CgroupV2MaxMeansUnlimited) {
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "0::/\n");
  fs.AddFile("/sys/fs/cgroup/memory.max", "max\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, kHostTotal);
  EXPECT_EQ(ram->source, RamSource::kMeminfo);
}

TEST(ProbeRamTest, CgroupV2OwnCgroupOnAHost) {
  // A systemd slice with MemoryMax=8G: the process's own cgroup directory.
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "0::/user.slice/user-1000.slice/job.scope\n");
  fs.AddFile("/sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
  fs.AddFile("/sys/fs/cgroup/user.slice/user-1000.slice/job.scope/memory.max", "8589934592\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, 8 * kGiB);
  EXPECT_EQ(ram->available, 8 * kGiB);  // no usage file: the limit itself
  EXPECT_EQ(ram->source, RamSource::kCgroup);
}

TEST(ProbeRamTest, CgroupV2LimitOnAParentSlice) {
  // MemoryMax=6G on user.slice caps every scope below it.
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "0::/user.slice/user-1000.slice/job.scope\n");
  fs.AddFile("/sys/fs/cgroup/user.slice/memory.max", "6442450944\n");
  fs.AddFile("/sys/fs/cgroup/user.slice/user-1000.slice/memory.max", "max\n");
  fs.AddFile("/sys/fs/cgroup/user.slice/user-1000.slice/job.scope/memory.max", "max\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, 6 * kGiB);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_THAT(notes[0], HasSubstr("/sys/fs/cgroup/user.slice/memory.max"));
}

TEST(ProbeRamTest, CgroupV1ContainerLimit) {
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "12:memory:/docker/0123abcd\n11:cpu,cpuacct:/docker/0123abcd\n0::/\n");
  fs.AddFile("/sys/fs/cgroup/memory/memory.limit_in_bytes", "8589934592\n");
  fs.AddFile("/sys/fs/cgroup/memory/memory.usage_in_bytes", "2147483648\n");
  fs.AddFile("/sys/fs/cgroup/memory/memory.stat",
             "cache 1073741824\ninactive_file 1\ntotal_inactive_file 536870912\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, 8 * kGiB);
  EXPECT_EQ(ram->available, 8 * kGiB - (2 * kGiB - 512 * kMiB));
  EXPECT_EQ(ram->source, RamSource::kCgroup);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0],
            "RAM is limited by the cgroup v1 memory limit in "
            "/sys/fs/cgroup/memory/memory.limit_in_bytes (below the machine's MemTotal)");
}

TEST(ProbeRamTest, CgroupV1HugeLimitMeansUnlimited) {
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "4:memory:/process_api/4d3c\n0::/\n");
  fs.AddFile("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
  fs.AddFile("/sys/fs/cgroup/memory/process_api/4d3c/memory.limit_in_bytes", "9223372036854771712\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, kHostTotal);
  EXPECT_EQ(ram->available, kHostAvailable);
  EXPECT_EQ(ram->source, RamSource::kMeminfo);
  EXPECT_TRUE(notes.empty());
}

TEST(ProbeRamTest, TightestOfOwnAndRootLimitsWins) {
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/proc/self/cgroup", "4:memory:/jobs/42\n");
  fs.AddFile("/sys/fs/cgroup/memory/memory.limit_in_bytes", "34359738368\n");  // 32 GiB
  fs.AddFile("/sys/fs/cgroup/memory/jobs/42/memory.limit_in_bytes", "4294967296\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, 4 * kGiB);
}

TEST(ProbeRamTest, LimitAboveMemTotalIsIgnored) {
  MemoryFileSystem fs = HostWithMeminfo();
  fs.AddFile("/sys/fs/cgroup/memory.max", "137438953472\n");  // 128 GiB > 64 GB host
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, kHostTotal);
  EXPECT_EQ(ram->source, RamSource::kMeminfo);
}

TEST(ProbeRamTest, WorksUnderARootPrefix) {
  MemoryFileSystem fs;
  fs.AddFile("/machine/proc/meminfo", kHostMeminfo);
  fs.AddFile("/machine/sys/fs/cgroup/memory.max", "1073741824\n");
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes, "/machine");
  ASSERT_TRUE(ram.ok());
  EXPECT_EQ(ram->total, kGiB);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_THAT(notes[0], HasSubstr(" /sys/fs/cgroup/memory.max "));
}

TEST(ProbeRamTest, MissingMeminfoIsAnError) {
  MemoryFileSystem fs;
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_FALSE(ram.ok());
  EXPECT_EQ(ram.error().code, ErrorCode::kNotFound);
}

// --- This machine, through the real file system -----------------------------

std::optional<std::string> Slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// An independent reading of the same facts: MemTotal by stream extraction,
// and every cgroup limit file that can apply, by plain ifstream.
Bytes ExpectedRamTotal() {
  std::istringstream meminfo(Slurp("/proc/meminfo").value_or(""));
  std::string key;
  long long kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit && key != "MemTotal:") {
  }
  Bytes expected = static_cast<Bytes>(kib) * 1024;
  std::vector<std::string> limit_files = {"/sys/fs/cgroup/memory.max",
                                          "/sys/fs/cgroup/memory/memory.limit_in_bytes"};
  std::istringstream cgroups(Slurp("/proc/self/cgroup").value_or(""));
  for (std::string line; std::getline(cgroups, line);) {
    std::string path = line.substr(line.rfind(':') + 1);
    // The cgroup and every ancestor: "/a/b" -> "/a/b", "/a".
    for (size_t end = path.size(); end > 1 && end != std::string::npos; end = path.rfind('/', end - 1)) {
      std::string dir = path.substr(0, end);
      if (line.starts_with("0::")) limit_files.push_back("/sys/fs/cgroup" + dir + "/memory.max");
      if (line.find(":memory:") != std::string::npos) {
        limit_files.push_back("/sys/fs/cgroup/memory" + dir + "/memory.limit_in_bytes");
      }
    }
  }
  for (const std::string& file : limit_files) {
    std::istringstream text(Slurp(file).value_or(""));
    long long limit = 0;
    if (text >> limit && limit > 0 && limit < expected) expected = limit;
  }
  return expected;
}

TEST(ProbeRamTest, ThisMachineMatchesAnIndependentReading) {
  RealFileSystem fs;
  std::vector<std::string> notes;
  auto ram = ProbeRam(fs, notes);
  ASSERT_TRUE(ram.ok()) << ram.error().message;
  Bytes expected = ExpectedRamTotal();
  ASSERT_GT(expected, 0);
  EXPECT_EQ(ram->total, expected);
  EXPECT_EQ(ram->source == RamSource::kCgroup, notes.size() == 1u);
  EXPECT_GT(ram->available, 0);
  EXPECT_LE(ram->available, ram->total);
}

}  // namespace
}  // namespace pipefit
