#include "pipefit/plan/calibration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace pipefit {
namespace {

using ::testing::IsSupersetOf;

// Every published measurement pipefit calibrates on or checks against is
// predicted within its stated tolerance: 10% for memory, 25% for time
// (issue 4). bench/calibration_report prints the same table.
TEST(CalibrationTest, EveryPredictionIsWithinItsTolerance) {
  auto results = RunCalibration();
  ASSERT_TRUE(results.ok()) << results.error().message;
  ASSERT_EQ(results->size(), CalibrationCases().size());
  for (const CalibrationResult& r : *results) {
    if (r.c.known_miss) {
      // Documented misses stay misses until the model is fixed (then the
      // row loses its known_miss mark).
      EXPECT_GT(std::fabs(r.error), r.c.tolerance) << "row " << r.c.field << " is no longer a miss";
      EXPECT_FALSE(r.c.note.empty()) << r.c.field;
      continue;
    }
    EXPECT_LE(std::fabs(r.error), r.c.tolerance)
        << "row " << r.c.row << r.c.field << " " << r.c.catalog << " " << r.c.strategy << " ("
        << CalibrationMetricName(r.c.metric) << "): measured " << r.c.measured << ", predicted "
        << r.predicted;
  }
}

TEST(CalibrationTest, MemoryToleranceIsTenPercentAndTimeTwentyFive) {
  for (const CalibrationCase& c : CalibrationCases()) {
    const bool time =
        c.metric == CalibrationMetric::kSeconds || c.metric == CalibrationMetric::kForwardSeconds;
    EXPECT_EQ(c.tolerance, time ? 0.25 : 0.10) << "row " << c.row;
  }
}

TEST(CalibrationTest, CoversTheRowsTheConstantsAreFittedOn) {
  std::set<int> rows;
  for (const CalibrationCase& c : CalibrationCases()) rows.insert(c.row);
  EXPECT_THAT(rows, IsSupersetOf({1, 2, 3, 5, 6, 13, 14, 16, 17, 19, 20, 21, 23, 25, 40, 41, 43}));
}

}  // namespace
}  // namespace pipefit
