// RunSubprocess: stdin, both outputs, working directory, environment, and the
// time and output bounds.
#include "pipefit/base/subprocess.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

class SubprocessTest : public ::testing::Test {
 protected:
  void SetUp() override { signal(SIGPIPE, SIG_IGN); }  // as the header asks of callers that pass stdin
};

TEST_F(SubprocessTest, FeedsStdinAndCapturesBothOutputs) {
  auto r = RunSubprocess({.argv = {"sh", "-c", "cat; echo oops >&2; exit 3"}, .stdin_text = "hello\n"});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->stdout_text, "hello\n");
  EXPECT_EQ(r->stderr_text, "oops\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
}

TEST_F(SubprocessTest, LargeStdinIsWrittenWhileOutputIsRead) {
  const std::string big(3 << 20, 'x');
  auto r = RunSubprocess({.argv = {"cat"}, .stdin_text = big, .max_output = 4 << 20});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_text.size(), big.size());
}

TEST_F(SubprocessTest, AChildThatIgnoresStdinDoesNotHurtUs) {
  auto r = RunSubprocess({.argv = {"true"}, .stdin_text = std::string(1 << 20, 'x')});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->exit_code, 0);
}

TEST_F(SubprocessTest, WorkingDirectoryAndEnvironment) {
  testkit::TempDir dir;
  auto r = RunSubprocess({.argv = {"sh", "-c", "pwd; echo $PIPEFIT_X"},
                          .working_directory = dir.path(),
                          .extra_environment = {"PIPEFIT_X=42"}});
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->stdout_text, ::testing::EndsWith("\n42\n"));
  EXPECT_THAT(r->stdout_text, ::testing::HasSubstr(dir.path().substr(dir.path().rfind('/'))));
}

TEST_F(SubprocessTest, TimeAndOutputAreBounded) {
  auto slow = RunSubprocess({.argv = {"sleep", "5"}, .timeout_ms = 100});
  ASSERT_TRUE(slow.ok());
  EXPECT_TRUE(slow->timed_out);
  EXPECT_EQ(slow->exit_code, 128 + SIGKILL);
  auto loud = RunSubprocess({.argv = {"yes"}, .max_output = 1000});
  ASSERT_TRUE(loud.ok());
  EXPECT_TRUE(loud->output_limited);
  EXPECT_EQ(loud->stdout_text.size(), 1000u);
}

TEST_F(SubprocessTest, MissingProgramIsNotFound) {
  auto r = RunSubprocess({.argv = {"pipefit-no-such-program"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace pipefit
