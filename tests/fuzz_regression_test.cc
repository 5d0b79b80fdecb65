// Replays every input the fuzzers found a problem with
// (tests/data/fuzz_regressions/<target>/<file>, copied from
// build-fuzz/artifacts/) through the same harness the fuzz target runs.
// Under the CI's ASan+UBSan build a regression fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../fuzz/harnesses.h"
#include "pipefit/doctor/oom_log.h"

namespace pipefit {
namespace {

TEST(FuzzRegressionTest, EveryFoundInputRunsCleanly) {
  const std::filesystem::path root =
      std::filesystem::path(PIPEFIT_SOURCE_DIR) / "tests/data/fuzz_regressions";
  int replayed = 0;
  for (const auto& target : std::filesystem::directory_iterator(root)) {
    const fuzz::Harness harness = fuzz::FindHarness(target.path().filename().string());
    ASSERT_NE(harness, nullptr) << "no harness for " << target.path();
    for (const auto& input : std::filesystem::directory_iterator(target.path())) {
      std::ifstream in(input.path(), std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      const std::string data = bytes.str();
      SCOPED_TRACE(input.path().string());
      harness(reinterpret_cast<const uint8_t*>(data.data()), data.size());
      ++replayed;
    }
  }
  EXPECT_GE(replayed, 1);
}

// The oom_log finding: a quantity with 25+ digits overflowed the exact
// (__int128) byte arithmetic; now it is not a number pipefit reads.
TEST(FuzzRegressionTest, HugeQuantityIsNotANumber) {
  const OomReport r =
      ParseOomLog("CUDA out of memory. Tried to allocate 9999999999999999999999999999.5 GB.\n");
  EXPECT_EQ(r.kind, OomKind::kCuda);
  EXPECT_EQ(r.requested, std::nullopt);
  const OomReport ok = ParseOomLog("CUDA out of memory. Tried to allocate 99999999999999999999 B.\n");
  EXPECT_EQ(ok.requested, std::nullopt);  // beyond int64: nullopt, not wrapped
}

}  // namespace
}  // namespace pipefit
