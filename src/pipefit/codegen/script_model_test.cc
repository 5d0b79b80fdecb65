#include "pipefit/codegen/script_model.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

PipelineSite Site(const std::string& class_name, const std::string& model_id = "",
                  const std::string& dtype = "") {
  PipelineSite site;
  site.class_name = class_name;
  site.model_id = model_id;
  site.dtype = dtype;
  return site;
}

TEST(ScriptModelTest, DenoiserComesFromTheTraitsRowsOffloadSequence) {
  EXPECT_EQ(ScriptDenoiser(Site("FluxPipeline")), "transformer");
  EXPECT_EQ(ScriptDenoiser(Site("StableDiffusionXLPipeline")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("StableDiffusion3Pipeline")), "transformer");
  EXPECT_EQ(ScriptDenoiser(Site("WanPipeline")), "transformer");
}

TEST(ScriptModelTest, DenoiserOfClassesWithoutATraitsRowComesFromTheFamilyRows) {
  EXPECT_EQ(ScriptDenoiser(Site("StableDiffusionXLControlNetPipeline")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("StableDiffusion3Img2ImgPipeline")), "transformer");
  EXPECT_EQ(ScriptDenoiser(Site("StableVideoDiffusionPipeline")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("KandinskyV22Pipeline")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("Kandinsky5T2VPipeline")), "transformer");
  EXPECT_EQ(ScriptDenoiser(Site("IFSuperResolutionPipeline")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("AnimateDiffSDXLPipeline")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("SomeNewPipeline")), "transformer");
}

TEST(ScriptModelTest, GenericClassesAskTheRepoId) {
  EXPECT_EQ(ScriptDenoiser(Site("DiffusionPipeline", "stabilityai/stable-diffusion-xl-base-1.0")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("AutoPipelineForText2Image", "Org/SDXL-Turbo")), "unet");
  EXPECT_EQ(ScriptDenoiser(Site("DiffusionPipeline", "stabilityai/stable-diffusion-3-medium-diffusers")),
            "transformer");
  EXPECT_EQ(ScriptDenoiser(Site("DiffusionPipeline", "black-forest-labs/FLUX.1-dev")), "transformer");
  // A named class is never second-guessed by its repo id.
  EXPECT_EQ(ScriptDenoiser(Site("FluxPipeline", "someone/sdxl-look-alike")), "transformer");
}

TEST(ScriptModelTest, VaeTilingFromTheResolvedVaeElseThePipelineFamily) {
  EXPECT_TRUE(ScriptVaeTiles(Site("FluxPipeline"), {}));
  EXPECT_FALSE(ScriptVaeTiles(Site("StableVideoDiffusionPipeline"), {}));
  EXPECT_TRUE(ScriptVaeTiles(Site("I2VGenXLPipeline"), {}));
  ScriptModelFacts facts;
  facts.known = true;
  facts.vae_class = "AutoencoderKLTemporalDecoder";
  EXPECT_FALSE(ScriptVaeTiles(Site("DiffusionPipeline"), facts));
  facts.vae_class = "AutoencoderKL";
  EXPECT_TRUE(ScriptVaeTiles(Site("StableVideoDiffusionPipeline"), facts));
}

TEST(ScriptModelTest, LoadDTypeIsTheRequestElseTheScriptsElseBf16) {
  EXPECT_EQ(ScriptLoadDType(Site("FluxPipeline", "", "fp16"), std::nullopt), LoadDType::kFP16);
  EXPECT_EQ(ScriptLoadDType(Site("FluxPipeline", "", "fp16"), LoadDType::kBF16), LoadDType::kBF16);
  EXPECT_EQ(ScriptLoadDType(Site("FluxPipeline"), std::nullopt), LoadDType::kBF16);
}

}  // namespace
}  // namespace pipefit
