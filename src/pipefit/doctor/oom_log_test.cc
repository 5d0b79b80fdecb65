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

// PyTorch's message when a memory fraction is set (ComfyUI sets one), as
// ComfyUI prints it: announced before the traceback, repeated at its end,
// then the allocator's table.
TEST(OomLogTest, AllocatorFractionMessageWithItsTable) {
  const OomReport r = ParseOomLog(
      "Requested to load AutoencoderKL\n"
      "!!! Exception during processing !!! Allocation on device 0 would exceed allowed memory. (out of memory)\n"
      "Traceback (most recent call last):\n"
      "  File \"C:\\ComfyUI\\nodes.py\", line 287, in decode\n"
      "    images = vae.decode(samples[\"samples\"])\n"
      "torch.OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory)\n"
      "Currently allocated     : 10.91 GiB\n"
      "Requested               : 3.38 GiB\n"
      "Device limit            : 11.99 GiB\n"
      "Free (according to CUDA): 0 bytes\n"
      "PyTorch limit (set by user-supplied memory fraction)\n"
      "                        : 17179869184.00 GiB\n");
  EXPECT_EQ(r.kind, OomKind::kCuda);
  EXPECT_EQ(r.oom_messages, 1);
  EXPECT_EQ(r.line, 6);
  EXPECT_EQ(r.allocated_by_pytorch, 11714523300);  // 10.91 GiB
  EXPECT_EQ(r.requested, 3629247365);              // 3.38 GiB
  EXPECT_EQ(r.gpu_total, 12874164470);             // 11.99 GiB
  EXPECT_EQ(r.gpu_free, 0);
  EXPECT_FALSE(r.truncated);
  EXPECT_EQ(r.stage, OomStage::kVaeDecode);
  EXPECT_EQ(r.vae_call, "decode");
}

TEST(OomLogTest, UiModelManagerLinesDecideWithoutFrames) {
  EXPECT_EQ(
      ParseOomLog("Requested to load FluxClipModel_\nloaded completely 9.5 GB\nAllocation on device\n").stage,
      OomStage::kTextEncoding);
  EXPECT_EQ(ParseOomLog("Requested to load WanVAE\nAllocation on device\n").stage, OomStage::kVaeDecode);
  EXPECT_EQ(ParseOomLog("Requested to load Flux\nCUDA out of memory.\n").stage, OomStage::kLoading);
  EXPECT_EQ(ParseOomLog("[Memory Management] Target: IntegratedAutoencoderKL, Free GPU: 812.00 MB\n"
                        "CUDA out of memory.\n")
                .stage,
            OomStage::kVaeDecode);
  // A denoising bar that reached its total: the VAE decodes next.
  const OomReport done =
      ParseOomLog(" 100%|##########| 20/20 [00:09<00:00,  2.10it/s]\nCUDA out of memory.\n");
  EXPECT_EQ(done.stage, OomStage::kVaeDecode);
  EXPECT_EQ(done.vae_call, "decode");
  EXPECT_EQ(ParseOomLog(" 45%|####      | 9/20 [00:04<00:05,  2.10it/s]\nCUDA out of memory.\n").stage,
            OomStage::kDenoising);
  // A finished loading bar is still loading.
  EXPECT_EQ(
      ParseOomLog("Loading checkpoint shards: 100%|####| 3/3 [00:02<00:00,  1.2it/s]\nCUDA out of memory.\n")
          .stage,
      OomStage::kLoading);
  EXPECT_EQ(ParseOomLog("CUDA out of memory.\n").stage, OomStage::kUnknown);
}

}  // namespace
}  // namespace pipefit
