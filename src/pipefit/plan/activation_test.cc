#include "pipefit/plan/activation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace pipefit {
namespace {

using ::testing::HasSubstr;

// FLUX.1-dev's architecture (reference/configs): 24 heads x 128 = 3072
// wide, 2x2 latent patches, 19 + 38 blocks; AutoencoderKL with
// block_out_channels[0] 128, 4 levels (scale 8), 16 latent channels,
// sample_size 1024; T5-XXL d_model 4096, d_ff 10240.
ModelFacts FluxFacts() {
  ModelFacts f;
  f.denoiser.name = "transformer";
  f.denoiser.class_name = "FluxTransformer2DModel";
  f.denoiser.hidden = 3072;
  f.denoiser.patch = 2;
  f.denoiser.layers = 57;
  f.vae.name = "vae";
  f.vae.class_name = "AutoencoderKL";
  f.vae.base_channels = 128;
  f.vae.spatial_scale = 8;
  f.vae.latent_channels = 16;
  f.vae.sample_size = 1024;
  TextEncoderFacts clip;
  clip.name = "text_encoder";
  clip.hidden = 768;
  clip.ffn = 3072;
  TextEncoderFacts t5;
  t5.name = "text_encoder_2";
  t5.hidden = 4096;
  t5.ffn = 10240;
  f.text_encoders = {clip, t5};
  return f;
}

Workload Image(int height, int width, int batch = 1) {
  Workload w;
  w.height = height;
  w.width = width;
  w.batch = batch;
  w.text_tokens = 512;
  return w;
}

ActivationInputs Inputs(const ModelFacts& facts, const Workload& w) {
  ActivationInputs in;
  in.facts = &facts;
  in.workload = w;
  in.dtype = LoadDType::kBF16;
  return in;
}

// Decoder feature maps of one 1024^2 bf16 image: (3.047 + 7.393) x
// 1024 x 1024 x 128 x 2 = 2,802,466,160.64.
constexpr Bytes kDecode1024 = 2'802'466'161;

TEST(ActivationTest, DenoiserTokensAreLatentPatchesPlusText) {
  const ModelFacts f = FluxFacts();
  // 1024 / (8 x 2) = 64 per side: 4096 image tokens + 512 text tokens.
  EXPECT_EQ(DenoiserTokens(f, Image(1024, 1024)), 4608);
  EXPECT_EQ(DenoiserTokens(f, Image(512, 768)), 32 * 48 + 512);
  // UNets and unknown denoisers have no tokens.
  EXPECT_EQ(DenoiserTokens(ModelFacts{}, Image(1024, 1024)), 0);
  ModelFacts unet = f;
  unet.denoiser.unet = true;
  EXPECT_EQ(DenoiserTokens(unet, Image(1024, 1024)), 0);
}

TEST(ActivationTest, FluxStagesAt1024) {
  const ModelFacts f = FluxFacts();
  const StageActivations a = EstimateActivations(Inputs(f, Image(1024, 1024)));
  // 13.24 x 4608 x 3072 x 2 = 374,844,948.48 (constant refitted on rows
  // 40, 41, 43 in 95de0cb; it was 17.9 from row 40 alone).
  EXPECT_EQ(a.denoise, std::llround(13.24 * 4608 * 3072 * 2));
  EXPECT_EQ(a.denoise, 374'844'948);
  EXPECT_EQ(a.decode, std::llround((3.047 + 7.393) * 1024 * 1024 * 128 * 2));
  EXPECT_EQ(a.decode, kDecode1024);
  // The widest encoder (T5 FFN 10240), in fp32: 6 x 512 x 10240 x 4.
  EXPECT_EQ(a.text_encode, 125'829'120);
  EXPECT_EQ(a.encode, 0);  // text-to-image: no vae.encode
  EXPECT_TRUE(a.calibrated);
  EXPECT_FALSE(a.overridden);
  EXPECT_THAT(a.basis, HasSubstr("rows 40, 41, 43"));
}

TEST(ActivationTest, DenoiseScalesWithBatchAndGuidanceBatch) {
  const ModelFacts f = FluxFacts();
  Workload w = Image(1024, 1024, 4);
  w.guidance_batch = 2;
  // 374,844,948.48 x 8 = 2,998,759,587.84.
  EXPECT_EQ(EstimateActivations(Inputs(f, w)).denoise, 2'998'759'588);
}

TEST(ActivationTest, ImageToImageEncodesLikeDecode) {
  const ModelFacts f = FluxFacts();
  ActivationInputs in = Inputs(f, Image(1024, 1024));
  in.encodes_image = true;
  const StageActivations a = EstimateActivations(in);
  EXPECT_EQ(a.encode, kDecode1024);
  EXPECT_EQ(a.encode, a.decode);
}

TEST(ActivationTest, Fp32DecodeDoublesTheMaps) {
  const ModelFacts f = FluxFacts();
  ActivationInputs in = Inputs(f, Image(1024, 1024));
  in.vae_fp32_decode = true;
  // 10.44 x 1024 x 1024 x 128 x 4 = 5,604,932,321.28.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{}), 5'604'932'321);
}

TEST(ActivationTest, TilingAppliesOnlyAboveTheTile) {
  const ModelFacts f = FluxFacts();
  EXPECT_FALSE(TilingApplies(Inputs(f, Image(1024, 1024)), 0));  // sample_size 1024
  EXPECT_FALSE(TilingApplies(Inputs(f, Image(768, 1024)), 0));
  EXPECT_TRUE(TilingApplies(Inputs(f, Image(1536, 1536)), 0));
  EXPECT_TRUE(TilingApplies(Inputs(f, Image(1024, 1536)), 0));
  EXPECT_TRUE(TilingApplies(Inputs(f, Image(1032, 1024)), 0));
  // An explicit tile edge (a class's tile_sample_min) wins over sample_size.
  EXPECT_TRUE(TilingApplies(Inputs(f, Image(1024, 1024)), 512));
  EXPECT_FALSE(TilingApplies(Inputs(f, Image(1536, 1536)), 2048));
  // No tile known: never.
  ModelFacts no_tile = f;
  no_tile.vae.sample_size = 0;
  EXPECT_FALSE(TilingApplies(Inputs(no_tile, Image(4096, 4096)), 0));
}

TEST(ActivationTest, SlicingAppliesOnlyAboveBatchOne) {
  const ModelFacts f = FluxFacts();
  EXPECT_FALSE(SlicingApplies(Inputs(f, Image(1024, 1024, 1))));
  EXPECT_TRUE(SlicingApplies(Inputs(f, Image(1024, 1024, 2))));
}

TEST(ActivationTest, TilingBoundsTheMapsToOneTile) {
  const ModelFacts f = FluxFacts();
  const ActivationInputs in = Inputs(f, Image(2048, 2048));
  // Untiled: 10.44 x 2048^2 x 128 x 2 = 11,209,864,642.56.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{}), 11'209'864'643);
  // Tiled: the 1024^2 tile's maps plus the fp32 RGB output buffer
  // 2048 x 2048 x 3 x 4 = 50,331,648 that the tiles are blended into.
  const Bytes tiled = EstimateDecodeActivation(in, VaeModifiers{.tiling = true});
  EXPECT_EQ(tiled, std::llround((3.047 + 7.393) * 1024 * 1024 * 128 * 2 + 2048.0 * 2048 * 3 * 4));
  EXPECT_EQ(tiled, 2'852'797'809);
  // A 512 tile from the class's traits.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{.tiling = true, .tile_sample = 512}),
            std::llround((3.047 + 7.393) * 512 * 512 * 128 * 2 + 2048.0 * 2048 * 3 * 4));
  // 1536^2: the 1024 tile plus a 1536^2 output buffer.
  EXPECT_EQ(EstimateDecodeActivation(Inputs(f, Image(1536, 1536)), VaeModifiers{.tiling = true}),
            2'830'777'713);
}

TEST(ActivationTest, TilingChangesNothingWhenTheImageFitsTheTile) {
  const ModelFacts f = FluxFacts();
  const ActivationInputs in = Inputs(f, Image(1024, 1024));
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{.tiling = true}), kDecode1024);
}

TEST(ActivationTest, SlicingDecodesOneImageAtATime) {
  const ModelFacts f = FluxFacts();
  const ActivationInputs in = Inputs(f, Image(1024, 1024, 4));
  // Batch 4 at once: (3.047 + 7.393 x 4) x 1024^2 x 128 x 2.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{}), 8'756'096'139);
  EXPECT_EQ(EstimateActivations(in).decode, 8'756'096'139);
  // Sliced: the batch-1 maps.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{.slicing = true}), kDecode1024);
  // Slicing at batch 1 changes nothing.
  EXPECT_EQ(EstimateDecodeActivation(Inputs(f, Image(1024, 1024, 1)), VaeModifiers{.slicing = true}),
            kDecode1024);
}

TEST(ActivationTest, TilingAndSlicingTogether) {
  const ModelFacts f = FluxFacts();
  const ActivationInputs in = Inputs(f, Image(2048, 2048, 4));
  // One 1024 tile of one image, plus the output buffer of all four images.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{.tiling = true, .slicing = true}), 3'003'792'753);
  // Tiling alone keeps the batch in each tile.
  EXPECT_EQ(EstimateDecodeActivation(in, VaeModifiers{.tiling = true}), 8'957'422'731);
}

TEST(ActivationTest, UnetDenoiserUsesFeatureMaps) {
  ModelFacts f = FluxFacts();
  f.denoiser.class_name = "UNet2DConditionModel";
  f.denoiser.unet = true;
  f.denoiser.hidden = 0;
  f.denoiser.unet_channels = 320;
  const StageActivations a = EstimateActivations(Inputs(f, Image(1024, 1024)));
  // 27.4 x 128 x 128 x 320 x 2.
  EXPECT_EQ(a.denoise, std::llround(27.4 * 128 * 128 * 320 * 2));
  // UNet2DConditionModel has a row (row 47) and AutoencoderKL is fitted on
  // the FLUX rows: calibrated, with the rows named.
  EXPECT_TRUE(a.calibrated);
  EXPECT_THAT(a.basis, HasSubstr("row 47"));
  // Another UNet class has no row: the same factor, labelled uncalibrated.
  f.denoiser.class_name = "UNet3DConditionModel";
  const StageActivations other = EstimateActivations(Inputs(f, Image(1024, 1024)));
  EXPECT_EQ(other.denoise, a.denoise);
  EXPECT_FALSE(other.calibrated);
  EXPECT_THAT(other.basis, HasSubstr("UNet"));
}

TEST(ActivationTest, GenericFallbackWhenFactsAreEmpty) {
  ModelFacts empty;
  empty.vae.name = "vae";  // a VAE whose architecture is unknown
  const StageActivations a = EstimateActivations(Inputs(empty, Image(1024, 1024)));
  EXPECT_FALSE(a.calibrated);
  EXPECT_THAT(a.basis, HasSubstr("generic"));
  // memory-calculator.md: 2-4 GB per 1024^2 image, 3 GiB used.
  EXPECT_EQ(a.denoise, 3 * kGiB);
  EXPECT_EQ(a.decode, 3 * kGiB);
  EXPECT_EQ(a.text_encode, 0);
  // Scaled by pixels and batch.
  const StageActivations b = EstimateActivations(Inputs(empty, Image(2048, 1024, 2)));
  EXPECT_EQ(b.denoise, 12 * kGiB);
  EXPECT_EQ(b.decode, 12 * kGiB);
}

TEST(ActivationTest, PixelSpacePipelineHasNoDecode) {
  const ModelFacts none;  // no VAE component at all (DDPM, DeepFloyd IF)
  EXPECT_EQ(EstimateActivations(Inputs(none, Image(1024, 1024))).decode, 0);
}

// bf16 below SM 8.0: the math kernel materialises scores and softmax for
// every head (transformer) and for the VAE mid-block's single head.
TEST(ActivationTest, QuadraticAttentionAddsTheScores) {
  ModelFacts f = FluxFacts();
  f.denoiser.heads = 24;
  ActivationInputs in = Inputs(f, Image(1024, 1024));
  in.quadratic_attention = true;
  const StageActivations a = EstimateActivations(in);
  // 2 x 24 heads x 4608^2 tokens x 2 bytes = 2,038,431,744 on top.
  EXPECT_EQ(a.denoise, int64_t{374'844'948} + 2'038'431'744);
  // VAE: 2 x (128 x 128)^2 x 2 bytes = 1,073,741,824 on top of the maps.
  const Bytes maps = std::llround((3.047 + 7.393) * 1024.0 * 1024.0 * 128.0 * 2.0);
  EXPECT_EQ(a.decode, maps + int64_t{1'073'741'824});
}

TEST(ActivationTest, GenericFallbackWhenOnlyTheVaeIsUnknown) {
  ModelFacts f = FluxFacts();
  f.vae.base_channels = 0;
  const StageActivations a = EstimateActivations(Inputs(f, Image(1024, 1024)));
  EXPECT_FALSE(a.calibrated);
  EXPECT_THAT(a.basis, HasSubstr("generic"));
  EXPECT_EQ(a.denoise, 374'844'948);  // the denoiser is still known
  EXPECT_EQ(a.decode, 3 * kGiB);
}

}  // namespace
}  // namespace pipefit
