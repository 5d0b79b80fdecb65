#include "pipefit/doctor/traceback.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

std::vector<TraceFrame> Frames(const std::string& log) {
  const std::vector<std::string> lines = SplitLogLines(log);
  return FramesBefore(lines, lines.size() - 1);
}

TEST(TracebackTest, CPythonFramesWithSourceLines) {
  const auto frames = Frames(
      "Traceback (most recent call last):\n"
      "  File \"/home/u/run.py\", line 9, in <module>\n"
      "    image = pipe(prompt).images[0]\n"
      "  File \"/venv/diffusers/models/autoencoders/vae.py\", line 320, in forward\n"
      "    sample = up_block(sample)\n"
      "torch.OutOfMemoryError: CUDA out of memory.\n");
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1].path, "/venv/diffusers/models/autoencoders/vae.py");
  EXPECT_EQ(frames[1].function, "forward");
  EXPECT_EQ(frames[1].source, "sample = up_block(sample)");
  EXPECT_EQ(frames[0].source, "image = pipe(prompt).images[0]");
}

TEST(TracebackTest, IPython8FramesTakeTheMarkedLineAndTheBareFunctionName) {
  const auto frames = Frames(
      "---------------------------------------------------------------------------\n"
      "OutOfMemoryError                          Traceback (most recent call last)\n"
      "Cell In[4], line 2\n"
      "      1 prompt = \"a fox\"\n"
      "----> 2 video = pipe(prompt, num_frames=81).frames[0]\n"
      "\n"
      "File /opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py:1340, in Module.to(self, *args, "
      "**kwargs)\n"
      "   1338     return t.to(device)\n"
      "-> 1340 return self._apply(convert)\n"
      "\n"
      "OutOfMemoryError: CUDA out of memory.\n");
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].path, "Cell In[4]");
  EXPECT_EQ(frames[0].source, "video = pipe(prompt, num_frames=81).frames[0]");
  EXPECT_EQ(frames[1].path, "/opt/conda/lib/python3.11/site-packages/torch/nn/modules/module.py");
  EXPECT_EQ(frames[1].function, "to");
  EXPECT_EQ(frames[1].source, "return self._apply(convert)");
}

TEST(TracebackTest, ColabLinksAndElisionsAndOldIPythonPaths) {
  const auto frames = Frames(
      "OutOfMemoryError                          Traceback (most recent call last)\n"
      "<ipython-input-7-3f2a> in <cell line: 3>()\n"
      "      2 \n"
      "----> 3 image = pipe(prompt, height=1024, width=1024).images[0]\n"
      "\n"
      "11 frames\n"
      "[/usr/local/lib/python3.10/dist-packages/diffusers/models/autoencoders/vae.py](https://localhost:8080/#) "
      "in forward(self, sample, latent_embeds)\n"
      "    291 \n"
      "--> 292         sample = self.conv_in(sample)\n"
      "\n"
      "/usr/local/lib/python3.10/dist-packages/torch/nn/functional.py in group_norm(input, num_groups)\n"
      "   2557 \n"
      "-> 2558     return torch.group_norm(input, num_groups)\n"
      "\n"
      "OutOfMemoryError: CUDA out of memory.\n");
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].path, "<ipython-input-7-3f2a>");
  EXPECT_EQ(frames[0].function, "<cell line: 3>");
  EXPECT_EQ(frames[1].path, "/usr/local/lib/python3.10/dist-packages/diffusers/models/autoencoders/vae.py");
  EXPECT_EQ(frames[1].function, "forward");
  EXPECT_EQ(frames[1].source, "sample = self.conv_in(sample)");
  EXPECT_EQ(frames[2].function, "group_norm");
}

TEST(TracebackTest, RichFramesIncludingMangledBoxCharacters) {
  const auto frames = Frames(
      "╭───────────────────── Traceback (most recent call last) ─────────────────────╮\n"
      "│ /app/modules/processing_diffusers.py:385 in process_decode                  │\n"
      "│                                                                              │\n"
      "│   384 │   else:                                                              │\n"
      "│ ❱ 385 │   │   results = processing_vae.vae_decode(                             │\n"
      "¦ C:/sdnext/modules/processing_vae.py:295 in vae_decode                        ¦\n"
      "¦ ? 295 ¦   latents = model._unpack_latents(latents)                           ¦\n"
      "╰──────────────────────────────────────────────────────────────────────────────╯\n"
      "OutOfMemoryError: CUDA out of memory.\n");
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].path, "/app/modules/processing_diffusers.py");
  EXPECT_EQ(frames[0].function, "process_decode");
  EXPECT_EQ(frames[0].source, "results = processing_vae.vae_decode(");
  EXPECT_EQ(frames[1].path, "C:/sdnext/modules/processing_vae.py");
  EXPECT_EQ(frames[1].source, "latents = model._unpack_latents(latents)");
}

TEST(TracebackTest, CleanLineKeepsTheLastProgressUpdateAndDropsRankPrefixes) {
  EXPECT_EQ(CleanLogLine("  0%|     | 0/4 [00:00<?, ?it/s]\r 50%|##   | 2/4 [00:01<00:01]\r"),
            " 50%|##   | 2/4 [00:01<00:01]");
  EXPECT_EQ(CleanLogLine("[rank1]:   File \"C:\\x\\y.py\", line 3, in f"),
            "   File \"C:/x/y.py\", line 3, in f");
  EXPECT_EQ(CleanLogLine("\x1b[31mError\x1b[0m"), "Error");
}

TEST(TracebackTest, ProseWithInIsNotAFrame) {
  EXPECT_TRUE(Frames("Traceback (most recent call last):\n"
                     "the error happens in forward(x) when I run it\n"
                     "/tmp/x.py:12: UserWarning: something in forward(x)\n"
                     "CUDA out of memory.\n")
                  .empty());
}

}  // namespace
}  // namespace pipefit
