#include "pipefit/plan/pipeline_traits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace pipefit {
namespace {

using ::testing::Contains;
using ::testing::Not;

std::vector<std::string_view> Names(std::span<const std::string_view> names) {
  return {names.begin(), names.end()};
}

std::vector<std::string_view> SplitSeq(std::string_view seq) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t arrow = seq.find("->", start);
    parts.push_back(seq.substr(start, arrow == std::string_view::npos ? seq.npos : arrow - start));
    if (arrow == std::string_view::npos) return parts;
    start = arrow + 2;
  }
}

const PipelineTraits& Pipeline(std::string_view name) {
  const PipelineTraits* row = FindPipelineTraits(name);
  EXPECT_NE(row, nullptr) << name;
  static const PipelineTraits kEmpty{};
  return row != nullptr ? *row : kEmpty;
}

const ClassTraits& Class(std::string_view name) {
  const ClassTraits* row = FindClassTraits(name);
  EXPECT_NE(row, nullptr) << name;
  static const ClassTraits kEmpty{};
  return row != nullptr ? *row : kEmpty;
}

TEST(PipelineTraitsTest, FluxDefaults) {
  const PipelineTraits& flux = Pipeline("FluxPipeline");
  EXPECT_EQ(flux.height, 1024);
  EXPECT_EQ(flux.width, 1024);
  EXPECT_EQ(flux.frames, 1);
  EXPECT_EQ(flux.steps, 28);
  EXPECT_FALSE(flux.cfg_batched);
  EXPECT_FALSE(flux.cfg_sequential);
  EXPECT_EQ(flux.text_tokens, 512);
  EXPECT_EQ(flux.offload_seq, "text_encoder->text_encoder_2->image_encoder->transformer->vae");
  EXPECT_TRUE(flux.exclude_from_offload.empty());
  EXPECT_FALSE(flux.encodes_image);
  EXPECT_FALSE(flux.upcasts_vae);
}

TEST(PipelineTraitsTest, FluxVariants) {
  EXPECT_TRUE(Pipeline("FluxImg2ImgPipeline").encodes_image);
  EXPECT_TRUE(Pipeline("FluxInpaintPipeline").encodes_image);
  EXPECT_TRUE(Pipeline("FluxKontextPipeline").encodes_image);
  EXPECT_EQ(Pipeline("FluxKontextPipeline").steps, 28);
  const PipelineTraits& fill = Pipeline("FluxFillPipeline");
  EXPECT_TRUE(fill.encodes_image);
  EXPECT_EQ(fill.steps, 50);
  EXPECT_FALSE(fill.cfg_batched);
  EXPECT_EQ(fill.offload_seq, "text_encoder->text_encoder_2->transformer->vae");
}

TEST(PipelineTraitsTest, Flux2AndChroma) {
  const PipelineTraits& flux2 = Pipeline("Flux2Pipeline");
  EXPECT_EQ(flux2.steps, 50);
  EXPECT_FALSE(flux2.cfg_batched);
  EXPECT_FALSE(flux2.cfg_sequential);
  EXPECT_EQ(flux2.offload_seq, "text_encoder->transformer->vae");
  EXPECT_TRUE(Pipeline("Flux2KleinPipeline").cfg_sequential);
  const PipelineTraits& chroma = Pipeline("ChromaPipeline");
  EXPECT_EQ(chroma.steps, 35);
  EXPECT_FALSE(chroma.cfg_batched);
  EXPECT_TRUE(chroma.cfg_sequential);
  EXPECT_EQ(chroma.offload_seq, "text_encoder->image_encoder->transformer->vae");
}

TEST(PipelineTraitsTest, StableDiffusionFamily) {
  const PipelineTraits& sd = Pipeline("StableDiffusionPipeline");
  EXPECT_EQ(sd.height, 512);
  EXPECT_EQ(sd.steps, 50);
  EXPECT_TRUE(sd.cfg_batched);
  EXPECT_EQ(sd.text_tokens, 77);
  EXPECT_EQ(Names(sd.exclude_from_offload), std::vector<std::string_view>{"safety_checker"});
  EXPECT_EQ(Names(Pipeline("StableDiffusionImg2ImgPipeline").exclude_from_offload),
            std::vector<std::string_view>{"safety_checker"});

  const PipelineTraits& sdxl = Pipeline("StableDiffusionXLPipeline");
  EXPECT_EQ(sdxl.height, 1024);
  EXPECT_EQ(sdxl.steps, 50);
  EXPECT_TRUE(sdxl.cfg_batched);
  EXPECT_EQ(sdxl.text_tokens, 77);
  EXPECT_TRUE(sdxl.upcasts_vae);
  EXPECT_EQ(sdxl.offload_seq, "text_encoder->text_encoder_2->image_encoder->unet->vae");
  EXPECT_TRUE(Pipeline("StableDiffusionXLImg2ImgPipeline").encodes_image);

  const PipelineTraits& sd3 = Pipeline("StableDiffusion3Pipeline");
  EXPECT_EQ(sd3.steps, 28);
  EXPECT_TRUE(sd3.cfg_batched);
  EXPECT_EQ(sd3.text_tokens, 256);
  EXPECT_FALSE(sd3.upcasts_vae);
}

TEST(PipelineTraitsTest, QwenImageTrueCfgIsOffByDefault) {
  const PipelineTraits& qwen = Pipeline("QwenImagePipeline");
  EXPECT_EQ(qwen.steps, 50);
  EXPECT_FALSE(qwen.cfg_batched);
  EXPECT_FALSE(qwen.cfg_sequential);
  EXPECT_TRUE(Pipeline("QwenImageEditPipeline").encodes_image);
}

TEST(PipelineTraitsTest, VideoDefaults) {
  const PipelineTraits& wan = Pipeline("WanPipeline");
  EXPECT_EQ(wan.height, 480);
  EXPECT_EQ(wan.width, 832);
  EXPECT_EQ(wan.frames, 81);
  EXPECT_FALSE(wan.cfg_batched);
  EXPECT_TRUE(wan.cfg_sequential);
  EXPECT_EQ(wan.offload_seq, "text_encoder->transformer->transformer_2->vae");
  const PipelineTraits& wan_i2v = Pipeline("WanImageToVideoPipeline");
  EXPECT_TRUE(wan_i2v.encodes_image);
  EXPECT_EQ(wan_i2v.offload_seq, "text_encoder->image_encoder->transformer->transformer_2->vae");

  const PipelineTraits& cog = Pipeline("CogVideoXPipeline");
  EXPECT_EQ(cog.frames, 49);
  EXPECT_TRUE(cog.cfg_batched);
  EXPECT_EQ(cog.text_tokens, 226);
  const PipelineTraits& ltx = Pipeline("LTXPipeline");
  EXPECT_EQ(ltx.height, 512);
  EXPECT_EQ(ltx.width, 704);
  EXPECT_EQ(ltx.frames, 161);
  EXPECT_EQ(ltx.text_tokens, 128);
  const PipelineTraits& hunyuan = Pipeline("HunyuanVideoPipeline");
  EXPECT_EQ(hunyuan.height, 720);
  EXPECT_EQ(hunyuan.width, 1280);
  EXPECT_EQ(hunyuan.frames, 129);
  EXPECT_FALSE(hunyuan.cfg_batched);
  EXPECT_EQ(hunyuan.text_tokens, 256);
}

TEST(PipelineTraitsTest, SanaAndPixArt) {
  for (std::string_view name : {"SanaPipeline", "PixArtSigmaPipeline"}) {
    const PipelineTraits& row = Pipeline(name);
    EXPECT_EQ(row.steps, 20) << name;
    EXPECT_TRUE(row.cfg_batched) << name;
    EXPECT_EQ(row.text_tokens, 300) << name;
  }
}

TEST(PipelineTraitsTest, UnknownPipelineIsNull) {
  EXPECT_EQ(FindPipelineTraits("NoSuchPipeline"), nullptr);
  EXPECT_EQ(FindPipelineTraits("fluxpipeline"), nullptr);
  EXPECT_EQ(FindPipelineTraits(""), nullptr);
}

TEST(PipelineTraitsTest, EveryRowIsWellFormed) {
  std::set<std::string_view> seen;
  for (const PipelineTraits& row : AllPipelineTraits()) {
    EXPECT_TRUE(seen.insert(row.pipeline_class).second) << "duplicate " << row.pipeline_class;
    EXPECT_FALSE(row.source.empty()) << row.pipeline_class;
    EXPECT_FALSE(row.cfg_batched && row.cfg_sequential) << row.pipeline_class;
    EXPECT_GT(row.height, 0) << row.pipeline_class;
    EXPECT_GT(row.width, 0) << row.pipeline_class;
    EXPECT_GE(row.frames, 1) << row.pipeline_class;
    EXPECT_GT(row.steps, 0) << row.pipeline_class;
    EXPECT_GT(row.text_tokens, 0) << row.pipeline_class;
    ASSERT_FALSE(row.offload_seq.empty()) << row.pipeline_class;
    std::set<std::string_view> names;
    for (std::string_view name : SplitSeq(row.offload_seq)) {
      EXPECT_FALSE(name.empty()) << row.pipeline_class << ": " << row.offload_seq;
      EXPECT_EQ(name.find_first_of("-> "), std::string_view::npos) << row.pipeline_class << ": " << name;
      names.insert(name);
    }
    // Every chain ends with the VAE and contains a denoiser.
    EXPECT_EQ(SplitSeq(row.offload_seq).back(), "vae") << row.pipeline_class;
    EXPECT_TRUE(names.count("transformer") + names.count("unet") == 1) << row.pipeline_class;
    for (std::string_view excluded : row.exclude_from_offload) {
      EXPECT_THAT(names, Not(Contains(excluded))) << row.pipeline_class << " excludes a chain member";
    }
  }
  EXPECT_GE(seen.size(), 22u);
}

TEST(ClassTraitsTest, FluxTransformer) {
  const ClassTraits& flux = Class("FluxTransformer2DModel");
  EXPECT_EQ(Names(flux.repeated_blocks),
            (std::vector<std::string_view>{"FluxTransformerBlock", "FluxSingleTransformerBlock"}));
  EXPECT_TRUE(flux.attention_dispatch);
  EXPECT_TRUE(flux.supports_group_offload);
  EXPECT_FALSE(flux.vae_tiling);
}

TEST(ClassTraitsTest, Denoisers) {
  const ClassTraits& unet = Class("UNet2DConditionModel");
  EXPECT_FALSE(unet.attention_dispatch);
  EXPECT_EQ(Names(unet.repeated_blocks), std::vector<std::string_view>{"BasicTransformerBlock"});
  EXPECT_EQ(Class("HunyuanVideoTransformer3DModel").repeated_blocks.size(), 4u);
  EXPECT_EQ(Names(Class("WanTransformer3DModel").repeated_blocks),
            std::vector<std::string_view>{"WanTransformerBlock"});
  for (std::string_view name :
       {"Flux2Transformer2DModel", "ChromaTransformer2DModel", "QwenImageTransformer2DModel",
        "WanTransformer3DModel", "LTXVideoTransformer3DModel", "HunyuanVideoTransformer3DModel"}) {
    EXPECT_TRUE(Class(name).attention_dispatch) << name;
  }
  for (std::string_view name : {"SD3Transformer2DModel", "CogVideoXTransformer3DModel",
                                "SanaTransformer2DModel", "PixArtTransformer2DModel"}) {
    EXPECT_FALSE(Class(name).attention_dispatch) << name;
    EXPECT_TRUE(Class(name).repeated_blocks.empty()) << name;
    EXPECT_TRUE(Class(name).supports_group_offload) << name;
  }
  EXPECT_FALSE(Class("HunyuanDiT2DModel").supports_group_offload);
  EXPECT_FALSE(Class("DiTTransformer2DModel").supports_group_offload);
}

TEST(ClassTraitsTest, Vaes) {
  const ClassTraits& kl = Class("AutoencoderKL");
  EXPECT_TRUE(kl.vae_tiling);
  EXPECT_TRUE(kl.vae_slicing);
  EXPECT_TRUE(kl.group_offload_block_modules);
  EXPECT_TRUE(kl.honours_force_upcast);
  EXPECT_EQ(kl.tile_sample_min, 0);
  EXPECT_EQ(kl.tile_sample_stride, 0);

  const ClassTraits& wan = Class("AutoencoderKLWan");
  EXPECT_TRUE(wan.group_offload_block_modules);
  EXPECT_EQ(wan.tile_sample_min, 256);
  EXPECT_EQ(wan.tile_sample_stride, 192);
  EXPECT_EQ(Class("AutoencoderKLQwenImage").tile_sample_min, 256);
  EXPECT_FALSE(Class("AutoencoderKLQwenImage").group_offload_block_modules);
  EXPECT_EQ(Class("AutoencoderKLLTXVideo").tile_sample_min, 512);
  EXPECT_EQ(Class("AutoencoderKLLTXVideo").tile_sample_stride, 448);
  EXPECT_EQ(Class("AutoencoderTiny").tile_sample_stride, 448);
  EXPECT_EQ(Class("AutoencoderKLFlux2").tile_sample_min, 0);
  EXPECT_FALSE(Class("AutoencoderKLFlux2").honours_force_upcast);

  const ClassTraits& svd = Class("AutoencoderKLTemporalDecoder");
  EXPECT_FALSE(svd.vae_tiling);
  EXPECT_FALSE(svd.vae_slicing);
  const ClassTraits& vq = Class("VQModel");
  EXPECT_FALSE(vq.vae_tiling);
  EXPECT_FALSE(vq.supports_group_offload);
}

TEST(ClassTraitsTest, TextEncodersAreTransformersModels) {
  for (std::string_view name :
       {"T5EncoderModel", "UMT5EncoderModel", "CLIPTextModel", "CLIPTextModelWithProjection",
        "Qwen2_5_VLForConditionalGeneration", "Mistral3ForConditionalGeneration", "Qwen3ForCausalLM"}) {
    const ClassTraits& row = Class(name);
    EXPECT_TRUE(row.supports_group_offload) << name;
    EXPECT_TRUE(row.repeated_blocks.empty()) << name;
    EXPECT_FALSE(row.attention_dispatch) << name;
    EXPECT_FALSE(row.group_offload_block_modules) << name;
    EXPECT_FALSE(row.vae_tiling) << name;
  }
}

TEST(ClassTraitsTest, UnknownClassIsNull) {
  EXPECT_EQ(FindClassTraits("NoSuchModel"), nullptr);
  EXPECT_EQ(FindClassTraits("autoencoderkl"), nullptr);
}

TEST(ClassTraitsTest, EveryRowIsWellFormed) {
  std::set<std::string_view> seen;
  for (const ClassTraits& row : AllClassTraits()) {
    EXPECT_TRUE(seen.insert(row.class_name).second) << "duplicate " << row.class_name;
    EXPECT_FALSE(row.source.empty()) << row.class_name;
    for (std::string_view block : row.repeated_blocks) {
      EXPECT_FALSE(block.empty()) << row.class_name;
    }
    // Tile sizes only make sense on tiling VAEs, and a stride never
    // exceeds its tile.
    if (!row.vae_tiling) {
      EXPECT_EQ(row.tile_sample_min, 0) << row.class_name;
    }
    EXPECT_LE(row.tile_sample_stride, row.tile_sample_min) << row.class_name;
    if (row.group_offload_block_modules) {
      EXPECT_TRUE(row.vae_tiling) << row.class_name;
    }
  }
}

}  // namespace
}  // namespace pipefit
