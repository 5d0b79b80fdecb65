#include "pipefit/plan/parallel_calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace pipefit {
namespace {

int RowNumber(std::string_view row) { return std::stoi(std::string(row.substr(1))); }

TEST(ParallelCalibrationTest, EveryRowNotHeldOutIsWithinItsTolerance) {
  auto results = RunParallelCalibration();
  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(results->size(), ParallelCalibrationCases().size());
  for (const ParallelCalibrationResult& r : *results) {
    if (r.c.held_out) continue;  // scored apart, in the report only
    EXPECT_LE(std::fabs(r.error), r.c.tolerance)
        << r.c.row << " " << r.c.catalog << " measured " << r.c.measured << " predicted " << r.predicted;
  }
}

TEST(ParallelCalibrationTest, TheSplitIsByRowNumberAndReservedSourcesAreAbsent) {
  int fitted = 0, checked = 0, held = 0, memory = 0;
  for (const ParallelCalibrationCase& c : ParallelCalibrationCases()) {
    EXPECT_EQ(c.held_out, RowNumber(c.row) % 4 == 0) << c.row;
    EXPECT_FALSE(c.held_out && c.fitted) << c.row;
    // Reserved for independent validation (issue 15): never a case.
    EXPECT_EQ(c.source.find("distributed_inference"), std::string_view::npos) << c.row;
    EXPECT_EQ(c.source.find("HYBRID_PARALLEL"), std::string_view::npos) << c.row;
    EXPECT_DOUBLE_EQ(c.tolerance, c.memory ? 0.10 : 0.25) << c.row;
    (c.held_out ? held : (c.fitted ? fitted : checked)) += 1;
    memory += c.memory ? 1 : 0;
  }
  EXPECT_EQ(fitted, 7);
  EXPECT_EQ(checked, 9);
  EXPECT_EQ(held, 2);
  EXPECT_EQ(memory, 2);
}

}  // namespace
}  // namespace pipefit
