// The real runner, exercised with POSIX utilities only (never nvidia-smi).
#include "pipefit/hardware/program_runner.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

TEST(RealProgramRunnerTest, CapturesStdout) {
  RealProgramRunner runner;
  auto out = runner.Run({"printf", "0, GPU, 1024\\n"}, 10'000);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->exit_code, 0);
  EXPECT_EQ(out->stdout_text, "0, GPU, 1024\n");
}

TEST(RealProgramRunnerTest, ReportsExitStatusAndDropsStderr) {
  RealProgramRunner runner;
  auto out = runner.Run({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10'000);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->exit_code, 3);
  EXPECT_EQ(out->stdout_text, "out\n");
}

TEST(RealProgramRunnerTest, MissingProgramIsNotFound) {
  RealProgramRunner runner;
  auto out = runner.Run({"pipefit-no-such-program-xyz"}, 10'000);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kNotFound);
}

TEST(RealProgramRunnerTest, HangingProgramIsStopped) {
  RealProgramRunner runner;
  auto out = runner.Run({"sleep", "30"}, 200);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kIo);
  EXPECT_EQ(out.error().message, "sleep: timed out and was stopped");
}

TEST(RealProgramRunnerTest, EmptyCommandIsUsageError) {
  RealProgramRunner runner;
  EXPECT_EQ(runner.Run({}, 100).error().code, ErrorCode::kUsage);
}

}  // namespace
}  // namespace pipefit
