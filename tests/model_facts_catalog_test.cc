// Architecture facts read from real catalog configs (plan/model_facts.h),
// where a config's keys differ from the common AutoencoderKL layout.
#include <gtest/gtest.h>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/plan/activation.h"
#include "pipefit/plan/model_facts.h"
#include "pipefit/sources/resolve.h"
#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

// The facts of a catalog entry, read offline with an empty cache.
ModelFacts CatalogFacts(const char* alias) {
  testkit::TempDir dir;
  RealFileSystem fs;
  FakeEnvironment env;
  env.Set("HF_HUB_CACHE", dir.path() + "/none");
  env.Set("HOME", dir.path());
  auto pipeline = ResolveModel(alias, {.offline = true}, fs, env);
  EXPECT_TRUE(pipeline.ok()) << pipeline.error().message;
  if (!pipeline.ok()) return {};
  return ReadModelFacts(*pipeline, MeasurePipeline(*pipeline, LoadDType::kBF16));
}

TEST(ModelFactsCatalogTest, LtxVideoVaeCompressesBy32And8AndDecodesAtAQuarter) {
  const ModelFacts facts = CatalogFacts("ltx-video");
  // AutoencoderKLLTXVideo.__init__: patch_size 4 x 2^3 scaling stages, and
  // patch_size_t 1 x 2^3 (the 0.9.0 config leaves both ratios unset).
  EXPECT_EQ(facts.vae.spatial_scale, 32);
  EXPECT_EQ(facts.vae.temporal_scale, 8);
  EXPECT_EQ(facts.vae.output_patch, 4);
  // 704x512, 161 frames: 22 x 16 x 21 latent patches + 128 text tokens.
  Workload w;
  w.height = 512;
  w.width = 704;
  w.frames = 161;
  w.text_tokens = 128;
  EXPECT_EQ(DenoiserTokens(facts, w), 22 * 16 * 21 + 128);
}

TEST(ModelFactsCatalogTest, AutoencoderKlKeepsItsDerivedScaleAndNoPatch) {
  const ModelFacts facts = CatalogFacts("flux.1-dev");
  EXPECT_EQ(facts.vae.spatial_scale, 8);
  EXPECT_EQ(facts.vae.temporal_scale, 1);
  EXPECT_EQ(facts.vae.output_patch, 1);
}

TEST(ModelFactsCatalogTest, HunyuanVideoDecodesFiveLatentFramesPerCall) {
  // use_framewise_decoding is on by default (autoencoder_kl_hunyuan_video.py
  // :712): the decoder's maps do not grow with the video's length, only the
  // finished video held twice does.
  const ModelFacts facts = CatalogFacts("hunyuanvideo");
  ASSERT_EQ(facts.vae.temporal_scale, 4);
  ActivationInputs in;
  in.facts = &facts;
  in.workload.height = 720;
  in.workload.width = 1280;
  in.workload.video = true;
  in.workload.frames = 129;  // 33 latent frames
  const Bytes long_video = EstimateDecodeActivation(in, VaeModifiers{});
  in.workload.frames = 33;  // 9 latent frames: still more than one call's 5
  const Bytes short_video = EstimateDecodeActivation(in, VaeModifiers{});
  const double video_twice = 2.0 * 720 * 1280 * 3 * (129 - 33) * 2;  // bf16
  EXPECT_NEAR(static_cast<double>(long_video - short_video), video_twice, 1024.0);
}

}  // namespace
}  // namespace pipefit
