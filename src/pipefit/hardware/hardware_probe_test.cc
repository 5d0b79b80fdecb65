#include "pipefit/hardware/hardware_probe.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "pipefit/hardware/fake_nvml_libraries.h"
#include "pipefit/hardware/gpu_catalog.h"
#include "pipefit/hardware/nvidia_smi.h"
#include "pipefit/hardware/nvml_probe.h"

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMeminfo[] = "MemTotal:       65741572 kB\nMemAvailable:   58765432 kB\n";
constexpr Bytes kMemTotal = 67319369728;

// Hands out canned nvidia-smi output; counts runs so tests can see whether
// the fallback was taken.
class CannedRunner : public ProgramRunner {
 public:
  explicit CannedRunner(Result<ProgramOutput> output) : output_(std::move(output)) {}
  Result<ProgramOutput> Run(const std::vector<std::string>&, int) const override {
    ++runs;
    return output_;
  }
  mutable int runs = 0;

 private:
  Result<ProgramOutput> output_;
};

CannedRunner NoNvidiaSmi() {
  return CannedRunner(MakeErrorf(ErrorCode::kNotFound, "nvidia-smi: cannot run: No such file or directory"));
}

FakeEnvironment NvmlAt(const std::string& library) {
  FakeEnvironment env;
  env.Set("PIPEFIT_NVML_LIBRARY", library);
  return env;
}

MemoryFileSystem MachineFiles() {
  MemoryFileSystem fs;
  fs.AddFile("/proc/meminfo", kMeminfo);
  return fs;
}

TEST(HardwareProbeTest, NvmlThroughTheEnvironmentVariable) {
  auto library = fake_nvml::FullLibrary();
  if (!library) GTEST_SKIP() << "fake NVML library not built";
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt(*library);
  CannedRunner runner = NoNvidiaSmi();
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_EQ(info->gpus.size(), 2u);
  EXPECT_EQ(info->gpus[0].name, "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(info->gpus[0].vram_total, 25757220864);
  ASSERT_NE(info->gpus[0].catalog_match, nullptr);
  EXPECT_EQ(info->gpus[0].catalog_match->id, "rtx-4090");
  EXPECT_EQ(info->gpus[1].name, "Tesla T4");
  ASSERT_NE(info->gpus[1].catalog_match, nullptr);
  EXPECT_EQ(info->gpus[1].catalog_match->id, "t4");
  EXPECT_EQ(info->driver_version, "550.54.15");
  EXPECT_EQ(info->ram.total, kMemTotal);
  EXPECT_EQ(info->ram.source, RamSource::kMeminfo);
  EXPECT_TRUE(info->notes.empty()) << info->notes.front();
  EXPECT_EQ(runner.runs, 0);  // NVML worked: nvidia-smi is not run
}

TEST(HardwareProbeTest, MissingNvmlFallsBackToNvidiaSmi) {
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt("/nonexistent/libnvidia-ml.so.1");
  CannedRunner runner(ProgramOutput{0, "0, NVIDIA L4, 23034, 22700, 8.9, 4, 16\n"});
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_EQ(info->gpus.size(), 1u);
  EXPECT_EQ(info->gpus[0].source, GpuSource::kNvidiaSmi);
  EXPECT_EQ(info->gpus[0].vram_total, 23034 * kMiB);
  EXPECT_EQ(info->gpus[0].catalog_match->id, "l4");
  EXPECT_EQ(runner.runs, 1);
  EXPECT_THAT(info->notes, Contains(HasSubstr("NVML unavailable: cannot load NVML "
                                              "(/nonexistent/libnvidia-ml.so.1)")));
  EXPECT_THAT(info->notes, Contains(HasSubstr("NVIDIA GPUs read with nvidia-smi instead")));
}

TEST(HardwareProbeTest, NvmlMissingARequiredSymbolFallsBack) {
  auto library = fake_nvml::NoMemoryInfoLibrary();
  if (!library) GTEST_SKIP() << "fake NVML library not built";
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt(*library);
  CannedRunner runner = NoNvidiaSmi();
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_TRUE(info->gpus.empty());
  EXPECT_EQ(runner.runs, 1);
  EXPECT_THAT(info->notes, Contains(HasSubstr("symbol nvmlDeviceGetMemoryInfo is missing")));
  EXPECT_THAT(info->notes, Contains(HasSubstr("nvidia-smi unavailable")));
  EXPECT_THAT(info->notes, Contains(HasSubstr("no GPU found")));
}

TEST(HardwareProbeTest, NvmlWithoutDriverFallsBack) {
  auto library = fake_nvml::InitFailsLibrary();
  if (!library) GTEST_SKIP() << "fake NVML library not built";
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt(*library);
  CannedRunner runner = NoNvidiaSmi();
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->gpus.empty());
  EXPECT_THAT(info->notes, Contains(HasSubstr("Driver Not Loaded")));
}

// Answers by the command: the GPU query, or `nvidia-smi topo -m`.
class ScriptedRunner : public ProgramRunner {
 public:
  ScriptedRunner(std::string query, Result<ProgramOutput> topology)
      : query_(std::move(query)), topology_(std::move(topology)) {}
  Result<ProgramOutput> Run(const std::vector<std::string>& argv, int) const override {
    if (argv == NvidiaSmiTopologyCommand()) {
      ++topology_runs;
      return topology_;
    }
    return ProgramOutput{0, query_};
  }
  mutable int topology_runs = 0;

 private:
  std::string query_;
  Result<ProgramOutput> topology_;
};

std::string LinkLabels(const GpuTopology& topology) {
  std::string out;
  for (const GpuLink& link : topology.links) {
    out += std::to_string(link.a) + "-" + std::to_string(link.b) + " " + GpuLinkLabel(link) + ";";
  }
  return out;
}

TEST(HardwareProbeTest, TopologyFromNvml) {
  auto plain = fake_nvml::FullLibrary();
  auto bridged = fake_nvml::NvLinkLibrary();
  if (!plain || !bridged) GTEST_SKIP() << "fake NVML library not built";
  MemoryFileSystem fs = MachineFiles();
  CannedRunner runner = NoNvidiaSmi();
  FakeEnvironment pcie_env = NvmlAt(*plain);
  auto pcie = ProbeHardware({fs, pcie_env, runner, ""});
  ASSERT_TRUE(pcie.ok());
  ASSERT_TRUE(pcie->topology.has_value());
  EXPECT_EQ(pcie->topology->source, "nvml");
  EXPECT_EQ(LinkLabels(*pcie->topology), "0-1 PHB;");
  FakeEnvironment nvlink_env = NvmlAt(*bridged);
  auto nvlink = ProbeHardware({fs, nvlink_env, runner, ""});
  ASSERT_TRUE(nvlink.ok());
  ASSERT_TRUE(nvlink->topology.has_value());
  EXPECT_EQ(LinkLabels(*nvlink->topology), "0-1 NV4;");
  EXPECT_EQ(runner.runs, 0);  // NVML answered: nvidia-smi is not run
}

TEST(HardwareProbeTest, TopologyFromNvidiaSmiWhenNvmlHasNoTopologyCalls) {
  auto library = fake_nvml::NoOptionalLibrary();
  if (!library) GTEST_SKIP() << "fake NVML library not built";
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt(*library);
  ScriptedRunner runner(
      "", ProgramOutput{0, "\tGPU0\tGPU1\tCPU Affinity\nGPU0\t X \tNV4\t0-23\nGPU1\tNV4\t X \t0-23\n"});
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok());
  ASSERT_TRUE(info->topology.has_value());
  EXPECT_EQ(info->topology->source, "nvidia-smi topo -m");
  EXPECT_EQ(LinkLabels(*info->topology), "0-1 NV4;");
  EXPECT_EQ(runner.topology_runs, 1);

  ScriptedRunner broken("", ProgramOutput{0, "garbage\n"});
  auto unknown = ProbeHardware({fs, env, broken, ""});
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->topology.has_value());
  EXPECT_THAT(unknown->notes,
              Contains(HasSubstr("how the GPUs connect is unknown: nvidia-smi topo -m: no GPU0")));
}

TEST(HardwareProbeTest, CudaVisibleDevicesKeepsAndRenumbersGpus) {
  auto library = fake_nvml::NvLinkLibrary();
  if (!library) GTEST_SKIP() << "fake NVML library not built";
  MemoryFileSystem fs = MachineFiles();
  CannedRunner runner = NoNvidiaSmi();
  struct Case {
    std::string visible;
    std::vector<std::string> names;
    std::string links;
  };
  const Case cases[] = {
      {"1", {"Tesla T4"}, ""},
      {"1,0", {"Tesla T4", "NVIDIA GeForce RTX 4090"}, "0-1 NV4;"},
      {"0,7,1", {"NVIDIA GeForce RTX 4090"}, ""},  // CUDA stops at the first invalid entry
      {"", {}, ""},
      {"0,0", {"NVIDIA GeForce RTX 4090"}, ""},
  };
  for (const Case& c : cases) {
    FakeEnvironment env = NvmlAt(*library);
    env.Set("CUDA_VISIBLE_DEVICES", c.visible);
    auto info = ProbeHardware({fs, env, runner, ""});
    ASSERT_TRUE(info.ok());
    std::vector<std::string> names;
    for (const DetectedGpu& gpu : info->gpus) {
      EXPECT_EQ(gpu.index, static_cast<int>(names.size())) << c.visible;
      names.push_back(gpu.name);
    }
    EXPECT_EQ(names, c.names) << c.visible;
    EXPECT_EQ(info->topology ? LinkLabels(*info->topology) : "", c.links) << c.visible;
  }
  FakeEnvironment uuid = NvmlAt(*library);
  uuid.Set("CUDA_VISIBLE_DEVICES", "GPU-8a3c5e1f-0000-0000-0000-000000000000");
  auto all = ProbeHardware({fs, uuid, runner, ""});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->gpus.size(), 2u);
  EXPECT_THAT(all->notes, Contains(HasSubstr("names GPUs by UUID")));
  FakeEnvironment swapped = NvmlAt(*library);
  swapped.Set("CUDA_VISIBLE_DEVICES", "1,0");
  auto renumbered = ProbeHardware({fs, swapped, runner, ""});
  ASSERT_TRUE(renumbered.ok());
  EXPECT_EQ(renumbered->gpus[0].physical_index, 1);
}

TEST(HardwareProbeTest, NoGpuAtAllIsAnEmptyListNotAnError) {
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt("/nonexistent/libnvidia-ml.so.1");
  CannedRunner runner = NoNvidiaSmi();
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok());
  EXPECT_TRUE(info->gpus.empty());
  EXPECT_FALSE(info->driver_version.has_value());
  EXPECT_EQ(info->ram.total, kMemTotal);
  EXPECT_THAT(info->notes, Contains(HasSubstr("no GPU found")));
}

TEST(HardwareProbeTest, AmdGpusFromSysfsUnderARoot) {
  MemoryFileSystem fs;
  fs.AddFile("/m/proc/meminfo", kMeminfo);
  fs.AddFile("/m/sys/class/drm/card0/device/mem_info_vram_total", "206141652992\n");
  fs.AddFile("/m/sys/class/drm/card0/device/mem_info_vram_used", "293601280\n");
  fs.AddFile("/m/sys/class/drm/card0/device/product_name", "AMD Instinct MI300X\n");
  FakeEnvironment env = NvmlAt("/nonexistent/libnvidia-ml.so.1");
  CannedRunner runner = NoNvidiaSmi();
  auto info = ProbeHardware({fs, env, runner, "/m"});
  ASSERT_TRUE(info.ok()) << info.error().message;
  ASSERT_EQ(info->gpus.size(), 1u);
  EXPECT_EQ(info->gpus[0].source, GpuSource::kSysfs);
  EXPECT_EQ(info->gpus[0].catalog_match->id, "mi300x");
  EXPECT_THAT(info->notes, Not(Contains(HasSubstr("no GPU found"))));
}

TEST(HardwareProbeTest, UnknownGpuGetsANote) {
  MemoryFileSystem fs = MachineFiles();
  FakeEnvironment env = NvmlAt("/nonexistent/libnvidia-ml.so.1");
  CannedRunner runner(ProgramOutput{0, "0, NVIDIA GeForce GTX 1080, 8192, 8000, 6.1, 3, 16\n"});
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->gpus.size(), 1u);
  EXPECT_EQ(info->gpus[0].catalog_match, nullptr);
  EXPECT_THAT(info->notes, Contains(HasSubstr("GPU 0 (NVIDIA GeForce GTX 1080) is not in the GPU catalog")));
}

TEST(HardwareProbeTest, MissingMeminfoIsTheOnlyError) {
  MemoryFileSystem fs;
  FakeEnvironment env = NvmlAt("/nonexistent/libnvidia-ml.so.1");
  CannedRunner runner = NoNvidiaSmi();
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.error().code, ErrorCode::kNotFound);
}

// --- This machine ------------------------------------------------------------

bool MachineHasGpuDriver() {
  if (void* handle = dlopen(kDefaultNvmlLibrary, RTLD_NOW | RTLD_LOCAL)) {
    dlclose(handle);
    return true;
  }
  RealFileSystem fs;
  auto cards = fs.ListDirectory("/sys/class/drm");
  if (!cards.ok()) return false;
  return std::any_of(cards->begin(), cards->end(), [&](const std::string& card) {
    return fs.Exists("/sys/class/drm/" + card + "/device/mem_info_vram_total");
  });
}

TEST(HardwareProbeTest, ThisMachineThroughTheRealProbe) {
  RealFileSystem fs;
  ProcessEnvironment env;
  CannedRunner runner = NoNvidiaSmi();  // tests never run nvidia-smi
  auto info = ProbeHardware({fs, env, runner, ""});
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_GT(info->ram.total, 0);
  EXPECT_LE(info->ram.available, info->ram.total);
  if (MachineHasGpuDriver() || env.GetNonEmpty("PIPEFIT_NVML_LIBRARY")) {
    GTEST_SKIP() << "this machine has a GPU driver; the no-GPU expectation does not apply";
  }
  EXPECT_TRUE(info->gpus.empty());
  EXPECT_THAT(info->notes, Contains(HasSubstr("no GPU found")));
}

}  // namespace
}  // namespace pipefit
