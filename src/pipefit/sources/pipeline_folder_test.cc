// End-to-end measurement of a sparse on-disk FLUX.1-dev folder with the real
// shard layout, against published sizes and seed quantities computed by hand.
#include "pipefit/sources/pipeline_folder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "pipefit/model/measure.h"
#include "pipefit/testing/pipeline_fixture.h"
#include "pipefit/testing/safetensors_builder.h"
#include "pipefit/testing/temp_dir.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kTransformerBytes = 23'802'816'640;  // index.json total_size (pipelines.md)
constexpr int64_t kT5Bytes = 9'524'621'312;            // index.json total_size (pipelines.md)
constexpr int64_t kClipBytes = 246'120'960;            // 123,060,480 params x 2
constexpr int64_t kVaeBytes = 167'639'366;             // 83,819,683 params x 2

// FLUX.1-dev transformer by hand (config: 24 heads x 128 = 3072, mlp 4x).
constexpr int64_t D = 3072, kMlp = 4 * D;
constexpr int64_t Linear(int64_t in, int64_t out) { return in * out + out; }
constexpr int64_t kDoubleBlockParams =
    2 * Linear(D, 6 * D) + 8 * Linear(D, D) + 4 * 128 + 2 * (Linear(D, kMlp) + Linear(kMlp, D));
// fp8 layerwise casting skips "norm" (norm1.linear, norm1_context.linear,
// norm.linear, norm_out.linear, RMSNorms) and "^proj_out$" (internals §5).
constexpr int64_t kDoubleCastParams = 8 * Linear(D, D) + 2 * (Linear(D, kMlp) + Linear(kMlp, D));
constexpr int64_t kSingleCastParams = 3 * Linear(D, D) + Linear(D, kMlp) + Linear(D + kMlp, D);
constexpr int64_t kTopCastParams =
    Linear(64, D) + Linear(4096, D) + 2 * (Linear(256, D) + Linear(D, D)) + Linear(768, D) + Linear(D, D);
constexpr int64_t kCastParams = kTopCastParams + 19 * kDoubleCastParams + 38 * kSingleCastParams;

class FluxFolderTest : public ::testing::Test {
 protected:
  void SetUp() override { testkit::WriteFluxDevFixture(dir_.path() + "/flux", PIPEFIT_SOURCE_DIR); }
  std::string root() const { return dir_.path() + "/flux"; }
  PipelineMeasurement Measure(LoadDType dtype, const std::string& variant = "") {
    auto pipeline = LoadLocalModel(fs_, root(), variant);
    EXPECT_TRUE(pipeline.ok()) << pipeline.error().message;
    return MeasurePipeline(*pipeline, dtype);
  }
  static const ComponentMeasurement& Get(const PipelineMeasurement& m, const std::string& name) {
    for (const auto& c : m.components) {
      if (c.name == name) return c;
    }
    throw std::runtime_error("no component " + name);
  }
  testkit::TempDir dir_;
  RealFileSystem fs_;
};

TEST_F(FluxFolderTest, ReadsTheRealLayout) {
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  EXPECT_EQ(pipeline->pipeline_class, "FluxPipeline");
  std::vector<std::string> names;
  for (const Component& c : pipeline->components) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"scheduler", "text_encoder", "text_encoder_2", "tokenizer",
                                             "tokenizer_2", "transformer", "vae"}));
  EXPECT_EQ(pipeline->components[5].files.size(), 4u);  // index + 3 shards
  EXPECT_EQ(pipeline->components[2].files.size(), 3u);  // index + 2 shards
  EXPECT_EQ(pipeline->components[0].format, WeightFormat::kNone);
  EXPECT_EQ(pipeline->components[2].library, "transformers");
  EXPECT_TRUE(pipeline->components[5].notes.empty());  // total_size agrees with the shards
}

TEST_F(FluxFolderTest, Bf16BytesAndSeedQuantitiesAreExact) {
  PipelineMeasurement m = Measure(LoadDType::kBF16);
  const auto& transformer = Get(m, "transformer");
  EXPECT_EQ(transformer.bytes, kTransformerBytes);
  EXPECT_EQ(transformer.stored_bytes, kTransformerBytes);
  EXPECT_EQ(transformer.params, 11'901'408'320);
  EXPECT_EQ(transformer.tensors, 1160);
  EXPECT_EQ(transformer.blocks, 57);
  EXPECT_EQ(transformer.block_bytes, 2 * kDoubleBlockParams);
  EXPECT_EQ(transformer.largest_block, "transformer_blocks.0");
  EXPECT_EQ(transformer.leaf_bytes, 2 * Linear(D, 6 * D));
  EXPECT_EQ(transformer.layerwise_fp8_bytes, kTransformerBytes - kCastParams);
  EXPECT_EQ(Get(m, "text_encoder_2").bytes, kT5Bytes);
  EXPECT_EQ(Get(m, "text_encoder_2").tensors, 219);
  EXPECT_EQ(Get(m, "text_encoder_2").blocks, 0);  // encoder.block is not a direct child
  EXPECT_EQ(Get(m, "text_encoder").bytes, kClipBytes);
  EXPECT_EQ(Get(m, "vae").bytes, kVaeBytes);
  EXPECT_EQ(Get(m, "scheduler").bytes, 0);

  const int64_t total = kTransformerBytes + kT5Bytes + kClipBytes + kVaeBytes;
  EXPECT_EQ(m.seed.denoiser, "transformer");
  EXPECT_EQ(m.seed.s_total, total);
  EXPECT_EQ(m.seed.s_max, kTransformerBytes);
  EXPECT_EQ(m.seed.s_block, 679'662'592);
  EXPECT_EQ(m.seed.s_block, 2 * kDoubleBlockParams);
  EXPECT_EQ(m.seed.s_leaf, 113'283'072);
  EXPECT_EQ(m.seed.s_total_lc, total - kCastParams);
  EXPECT_EQ(m.seed.s_max_lc, kTransformerBytes - kCastParams);
}

TEST_F(FluxFolderTest, Fp32DoublesEveryComponent) {
  PipelineMeasurement bf16 = Measure(LoadDType::kBF16);
  PipelineMeasurement fp32 = Measure(LoadDType::kFP32);
  for (size_t i = 0; i < bf16.components.size(); ++i) {
    EXPECT_EQ(fp32.components[i].bytes, 2 * bf16.components[i].bytes) << bf16.components[i].name;
  }
  EXPECT_EQ(fp32.seed.s_total, 2 * bf16.seed.s_total);
}

TEST_F(FluxFolderTest, Fp16KeepsT5WoInFp32) {
  PipelineMeasurement m = Measure(LoadDType::kFP16);
  // 24 DenseReluDense.wo of 4096 x 10240 stay fp32 (internals §1.4).
  EXPECT_EQ(Get(m, "text_encoder_2").bytes, 11'537'887'232);
  EXPECT_EQ(Get(m, "text_encoder_2").bytes - kT5Bytes, int64_t{24} * 4096 * 10240 * 2);
  EXPECT_EQ(Get(m, "text_encoder_2").fp32_kept_bytes, int64_t{24} * 4096 * 10240 * 4);
  EXPECT_EQ(Get(m, "transformer").bytes, kTransformerBytes);  // no keep-modules in Flux
}

TEST_F(FluxFolderTest, BitsandbytesSizes) {
  PipelineMeasurement m = Measure(LoadDType::kBF16);
  // Every transformer Linear converts (Flux has no keep-modules); norms stay bf16.
  const auto& transformer = Get(m, "transformer");
  EXPECT_LT(transformer.int8_bytes, transformer.bytes * 52 / 100);
  EXPECT_GT(transformer.int8_bytes, transformer.bytes * 50 / 100);
  // T5 under bnb keeps wo in fp32 and unquantized (internals §1.4, §6.1).
  const int64_t wo_fp32 = int64_t{24} * 4096 * 10240 * 4;
  const int64_t quantized_linear_params = int64_t{24} * (4 * 4096 * 4096 + 2 * 4096 * 10240);
  const int64_t other_bf16 = (32128 * 4096 + 24 * 2 * 4096 + 32 * 64 + 4096) * int64_t{2};
  const int64_t scb = int64_t{24} * 4 * (4 * 4096 + 2 * 10240);
  EXPECT_EQ(Get(m, "text_encoder_2").int8_bytes, quantized_linear_params + scb + wo_fp32 + other_bf16);
}

TEST_F(FluxFolderTest, VariantFilesAreSelectedByVariant) {
  testkit::TempDir dir;
  testkit::WriteFluxDevFixture(dir.path() + "/v", PIPEFIT_SOURCE_DIR,
                               {.variant = "fp16", .stored_dtype = "F16"});
  auto with_variant = LoadLocalModel(fs_, dir.path() + "/v", "fp16");
  ASSERT_TRUE(with_variant.ok()) << with_variant.error().message;
  PipelineMeasurement m = MeasurePipeline(*with_variant, LoadDType::kBF16);
  EXPECT_EQ(Get(m, "transformer").stored_bytes, kTransformerBytes);
  EXPECT_EQ(with_variant->components[6].files.front(),
            dir.path() + "/v/vae/diffusion_pytorch_model.fp16.safetensors");
  EXPECT_EQ(with_variant->components[5].files.front(),
            dir.path() + "/v/transformer/diffusion_pytorch_model.safetensors.index.fp16.json");

  auto without = LoadLocalModel(fs_, dir.path() + "/v", "");
  ASSERT_FALSE(without.ok());
  EXPECT_EQ(without.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(without.error().message,
              HasSubstr("only variant weight files (fp16) are present; pass --variant fp16"))
      << without.error().message;
}

TEST_F(FluxFolderTest, MissingVariantFallsBackWithANote) {
  auto pipeline = LoadLocalModel(fs_, root(), "fp16");
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  ASSERT_EQ(pipeline->components[6].notes.size(), 1u);
  EXPECT_EQ(pipeline->components[6].notes[0],
            "no 'fp16' variant files: using diffusion_pytorch_model.safetensors");
}

TEST_F(FluxFolderTest, MissingShardIsAnErrorNamingIt) {
  std::filesystem::remove(root() + "/transformer/diffusion_pytorch_model-00002-of-00003.safetensors");
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(pipeline.error().message,
            "component 'transformer': " + root() +
                "/transformer/diffusion_pytorch_model.safetensors.index.json: shard "
                "diffusion_pytorch_model-00002-of-00003.safetensors is listed in weight_map but missing");
}

TEST_F(FluxFolderTest, CorruptShardIsAnErrorNamingTheFile) {
  const std::string shard = root() + "/text_encoder_2/model-00001-of-00002.safetensors";
  std::filesystem::resize_file(shard, 100);
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().code, ErrorCode::kMalformed);
  EXPECT_THAT(pipeline.error().message, HasSubstr(shard + ": header length"));
}

TEST_F(FluxFolderTest, TensorMissingFromItsShardIsAnError) {
  testkit::WriteTextFile(
      root() + "/vae/diffusion_pytorch_model.safetensors.index.json",
      R"({"metadata":{"total_size":4},"weight_map":{"x":"a.safetensors","y":"a.safetensors"}})");
  testkit::WriteSparseSafetensors(root() + "/vae/a.safetensors", {{"x", "BF16", {2}}});
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_THAT(pipeline.error().message, HasSubstr("tensor 'y' is mapped to a.safetensors but not in it"))
      << pipeline.error().message;
}

TEST_F(FluxFolderTest, TotalSizeMismatchIsANote) {
  testkit::WriteTextFile(
      root() + "/text_encoder_2/model.safetensors.index.json",
      R"({"metadata":{"total_size":5},"weight_map":{"shared.weight":"model-00001-of-00002.safetensors"}})");
  std::filesystem::remove(root() + "/text_encoder_2/model-00002-of-00002.safetensors");
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  ASSERT_EQ(pipeline->components[2].notes.size(), 1u);
  EXPECT_THAT(pipeline->components[2].notes[0],
              HasSubstr("metadata.total_size 5 differs from the shards' tensor bytes"));
}

TEST_F(FluxFolderTest, MissingComponentFolderIsAnError) {
  std::filesystem::remove_all(root() + "/vae");
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_FALSE(pipeline.ok());
  EXPECT_EQ(pipeline.error().message, root() + "/vae: folder of component 'vae' (AutoencoderKL) is missing");
}

TEST_F(FluxFolderTest, PickleWeightsAreReportedWithANote) {
  std::filesystem::remove(root() + "/vae/diffusion_pytorch_model.safetensors");
  testkit::WriteSparseFile(root() + "/vae/diffusion_pytorch_model.bin", "PK", 335'304'388);
  PipelineMeasurement m = Measure(LoadDType::kBF16);
  const auto& vae = Get(m, "vae");
  EXPECT_EQ(vae.format, WeightFormat::kPickle);
  EXPECT_EQ(vae.bytes, 335'304'388);
  ASSERT_FALSE(vae.notes.empty());
  EXPECT_EQ(vae.notes.back(),
            "weights are pickle files (.bin/.pt): size is the file size, no per-tensor analysis");
}

TEST_F(FluxFolderTest, NullComponentsAreSkipped) {
  testkit::WriteTextFile(
      root() + "/model_index.json",
      R"({"_class_name":"FluxPipeline","feature_extractor":[null,null],"image_encoder":[null,null],)"
      R"("transformer":["diffusers","FluxTransformer2DModel"],"force_zeros":true})");
  auto pipeline = LoadLocalModel(fs_, root(), "");
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  ASSERT_EQ(pipeline->components.size(), 1u);
  EXPECT_EQ(pipeline->components[0].name, "transformer");
}

TEST_F(FluxFolderTest, SingleComponentFolderAndSingleFile) {
  auto component = LoadLocalModel(fs_, root() + "/vae", "");
  ASSERT_TRUE(component.ok()) << component.error().message;
  ASSERT_EQ(component->components.size(), 1u);
  EXPECT_EQ(component->components[0].name, "vae");
  EXPECT_EQ(component->components[0].class_name, "AutoencoderKL");
  EXPECT_EQ(MeasurePipeline(*component, LoadDType::kBF16).seed.s_total, kVaeBytes);

  auto file = LoadLocalModel(fs_, root() + "/text_encoder/model.safetensors", "");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ(file->components[0].class_name, "CLIPTextModel");
  EXPECT_EQ(MeasurePipeline(*file, LoadDType::kBF16).components[0].bytes, kClipBytes);
}

}  // namespace
}  // namespace pipefit
