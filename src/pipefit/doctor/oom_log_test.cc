#include "pipefit/doctor/oom_log.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

TEST(OomLogTest, GenerationArgumentsFromSourceLines) {
  const OomReport r = ParseOomLog(
      "Traceback (most recent call last):\n"
      "  File \"/home/me/run.py\", line 14, in <module>\n"
      "    frames = pipe(prompt, height=480, width=832, num_frames=81, num_inference_steps=40).frames[0]\n"
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n");
  EXPECT_EQ(r.height, 480);
  EXPECT_EQ(r.width, 832);
  EXPECT_EQ(r.frames, 81);
  EXPECT_EQ(r.steps, 40);
  EXPECT_EQ(r.batch, std::nullopt);
  // A keyword that merely ends in "height=" is not the height.
  EXPECT_EQ(ParseOomLog("x = f(max_height=9)\nCUDA out of memory.\n").height, std::nullopt);
}

TEST(OomLogTest, UnitsAreBinaryDecimalOrExact) {
  OomReport r = ParseOomLog("CUDA out of memory. Tried to allocate 1.50 KiB.\n");
  EXPECT_EQ(r.requested, 1536);
  r = ParseOomLog("CUDA out of memory. Tried to allocate 2.5 GB.\n");
  EXPECT_EQ(r.requested, 2'500'000'000);
  r = ParseOomLog("CUDA out of memory. Tried to allocate 512 bytes.\n");
  EXPECT_EQ(r.requested, 512);
  // Rounded half up: 0.01 MiB = 10485.76 bytes.
  r = ParseOomLog("CUDA out of memory. Tried to allocate 0.01 MiB.\n");
  EXPECT_EQ(r.requested, 10486);
}

TEST(OomLogTest, PythonMemoryErrorIsHostButOutOfMemoryErrorInSourceIsNot) {
  EXPECT_EQ(ParseOomLog("MemoryError: Unable to allocate 40.0 GiB\n").kind, OomKind::kHost);
  EXPECT_EQ(ParseOomLog("    except torch.OutOfMemoryError:\nValueError: x\n").kind, OomKind::kNotOom);
}

}  // namespace
}  // namespace pipefit
