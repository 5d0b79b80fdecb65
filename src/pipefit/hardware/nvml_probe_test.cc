#include "pipefit/hardware/nvml_probe.h"

#include <dlfcn.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "pipefit/hardware/fake_nvml_libraries.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;

// The exact values tests/fake_nvml/fake_nvml.c reports.
constexpr Bytes kRtx4090Total = 25757220864;  // 24564 MiB
constexpr Bytes kRtx4090Free = 25223495680;   // 24055 MiB
constexpr Bytes kT4Total = 16106127360;       // 15360 MiB
constexpr Bytes kT4Free = 15642656768;        // 14918 MiB

#define REQUIRE_LIBRARY(expr)                                        \
  std::optional<std::string> maybe_library = (expr);                 \
  if (!maybe_library) GTEST_SKIP() << "fake NVML library not built"; \
  const std::string& library = *maybe_library

TEST(NvmlProbeTest, ReadsEveryGpuExactly) {
  REQUIRE_LIBRARY(fake_nvml::FullLibrary());
  auto reading = ReadGpusWithNvml(library);
  ASSERT_TRUE(reading.ok()) << reading.error().message;
  ASSERT_EQ(reading->gpus.size(), 2u);
  const DetectedGpu& rtx = reading->gpus[0];
  EXPECT_EQ(rtx.index, 0);
  EXPECT_EQ(rtx.name, "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(rtx.vram_total, kRtx4090Total);
  EXPECT_EQ(rtx.vram_free, kRtx4090Free);
  EXPECT_EQ(rtx.compute_capability, "8.9");
  EXPECT_EQ(rtx.pcie_generation, 4);
  EXPECT_EQ(rtx.pcie_width, 16);
  EXPECT_EQ(rtx.source, GpuSource::kNvml);
  const DetectedGpu& t4 = reading->gpus[1];
  EXPECT_EQ(t4.index, 1);
  EXPECT_EQ(t4.name, "Tesla T4");
  EXPECT_EQ(t4.vram_total, kT4Total);
  EXPECT_EQ(t4.vram_free, kT4Free);
  EXPECT_EQ(t4.compute_capability, "7.5");
  EXPECT_EQ(t4.pcie_generation, 3);
  EXPECT_EQ(t4.pcie_width, 16);
  EXPECT_EQ(reading->driver_version, "550.54.15");
  EXPECT_TRUE(reading->notes.empty());
}

TEST(NvmlProbeTest, ShutsNvmlDownAfterReading) {
  REQUIRE_LIBRARY(fake_nvml::FullLibrary());
  // Holding our own reference keeps the library's state alive across the
  // probe's dlopen/dlclose, so the session counter can be read afterwards.
  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(handle, nullptr) << dlerror();
  auto active = reinterpret_cast<int (*)()>(dlsym(handle, "fake_nvml_active_sessions"));
  ASSERT_NE(active, nullptr);
  ASSERT_TRUE(ReadGpusWithNvml(library).ok());
  ASSERT_TRUE(ReadGpusWithNvml(library).ok());
  EXPECT_EQ(active(), 0);
  dlclose(handle);
}

TEST(NvmlProbeTest, OptionalSymbolsMissingLeaveFieldsEmpty) {
  REQUIRE_LIBRARY(fake_nvml::NoOptionalLibrary());
  auto reading = ReadGpusWithNvml(library);
  ASSERT_TRUE(reading.ok()) << reading.error().message;
  ASSERT_EQ(reading->gpus.size(), 2u);
  EXPECT_EQ(reading->gpus[0].name, "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(reading->gpus[0].vram_total, kRtx4090Total);
  EXPECT_EQ(reading->gpus[0].vram_free, kRtx4090Free);
  EXPECT_EQ(reading->gpus[1].name, "Tesla T4");
  EXPECT_EQ(reading->gpus[1].vram_total, kT4Total);
  EXPECT_EQ(reading->gpus[1].vram_free, kT4Free);
  for (const DetectedGpu& gpu : reading->gpus) {
    EXPECT_FALSE(gpu.compute_capability.has_value());
    EXPECT_FALSE(gpu.pcie_generation.has_value());
    EXPECT_FALSE(gpu.pcie_width.has_value());
  }
  EXPECT_FALSE(reading->driver_version.has_value());
}

TEST(NvmlProbeTest, MissingRequiredSymbolIsUnsupported) {
  REQUIRE_LIBRARY(fake_nvml::NoMemoryInfoLibrary());
  auto reading = ReadGpusWithNvml(library);
  ASSERT_FALSE(reading.ok());
  EXPECT_EQ(reading.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(reading.error().message,
            library + ": not a usable NVML library: symbol nvmlDeviceGetMemoryInfo is missing");
}

TEST(NvmlProbeTest, InitFailureNamesTheNvmlError) {
  REQUIRE_LIBRARY(fake_nvml::InitFailsLibrary());
  auto reading = ReadGpusWithNvml(library);
  ASSERT_FALSE(reading.ok());
  EXPECT_EQ(reading.error().code, ErrorCode::kIo);
  EXPECT_EQ(reading.error().message, library + ": nvmlInit_v2 failed: Driver Not Loaded (NVML error 9)");
}

TEST(NvmlProbeTest, MissingLibraryIsNotFound) {
  auto reading = ReadGpusWithNvml("/nonexistent/dir/libnvidia-ml.so.1");
  ASSERT_FALSE(reading.ok());
  EXPECT_EQ(reading.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(reading.error().message, HasSubstr("cannot load NVML (/nonexistent/dir/libnvidia-ml.so.1)"))
      << reading.error().message;
}

TEST(NvmlProbeTest, LibraryWithoutNvmlSymbolsIsUnsupported) {
  // A real shared library that is not NVML at all.
  auto reading = ReadGpusWithNvml("libm.so.6");
  ASSERT_FALSE(reading.ok());
  EXPECT_EQ(reading.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(reading.error().message, "libm.so.6: not a usable NVML library: symbol nvmlInit_v2 is missing");
}

}  // namespace
}  // namespace pipefit
