// Load-dtype rules, layerwise-casting patterns, tied weights and
// bitsandbytes sizes on small hand-built components with hand-computed bytes.
#include "pipefit/model/measure.h"

#include <gtest/gtest.h>

#include "pipefit/sources/pipeline_folder.h"
#include "pipefit/testing/gguf_builder.h"

namespace pipefit {
namespace {

TensorInfo T(const std::string& name, DType dtype, std::vector<int64_t> shape) {
  TensorInfo t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.numel = 1;
  for (int64_t d : t.shape) t.numel *= d;
  t.bytes = *DTypeBytes(dtype, t.numel);
  return t;
}

Component Make(const std::string& library, const std::string& class_name, std::vector<TensorInfo> tensors) {
  Component c;
  c.name = "transformer";
  c.library = library;
  c.class_name = class_name;
  c.format = WeightFormat::kSafetensors;
  c.tensors = std::move(tensors);
  return c;
}

TEST(LayerwisePatternTest, FollowsPythonReSearch) {
  EXPECT_TRUE(LayerwisePatternMatches("norm", "transformer_blocks.0.norm1"));
  EXPECT_TRUE(LayerwisePatternMatches("norm", "layernorm"));
  EXPECT_TRUE(LayerwisePatternMatches("^proj_out$", "proj_out"));
  EXPECT_FALSE(LayerwisePatternMatches("^proj_out$", "single_transformer_blocks.0.proj_out"));
  EXPECT_TRUE(LayerwisePatternMatches("^proj", "proj_in"));
  EXPECT_TRUE(LayerwisePatternMatches("out$", "a.proj_out"));
  EXPECT_TRUE(LayerwisePatternMatches("blocks\\.[0-9]+\\.ff", "blocks.12.ff"));
  EXPECT_FALSE(LayerwisePatternMatches("blocks\\.[0-9]+\\.ff", "blocks.x.ff"));
}

TEST(MeasureTest, LayerwiseCastingSkipsWholeSubtreesAndCastsEmbeddings) {
  Component c = Make("diffusers", "FluxTransformer2DModel",
                     {T("proj_out.weight", DType::kBF16, {8, 4}),               // ^proj_out$: skipped
                      T("blocks.0.proj_out.weight", DType::kBF16, {8, 4}),      // cast: 32 B
                      T("blocks.0.norm1.linear.weight", DType::kBF16, {8, 4}),  // "norm" prefix: skipped
                      T("blocks.0.attn.norm_q.weight", DType::kBF16, {4}),      // RMSNorm: not a layer
                      T("embed_tokens.weight", DType::kBF16, {10, 4}),          // Embedding: cast 40 B
                      T("scale_shift_table", DType::kBF16, {2, 4}),             // custom param: kept
                      T("blocks.0.ff.bias", DType::kBF16, {8}),                 // bias of a Linear: cast
                      T("blocks.0.ff.weight", DType::kBF16, {8, 4})});
  ComponentMeasurement m = MeasureComponent(c, LoadDType::kBF16);
  const int64_t bf16 = m.bytes;
  EXPECT_EQ(bf16, 2 * (32 + 32 + 32 + 4 + 40 + 8 + 8 + 32));
  EXPECT_EQ(m.layerwise_fp8_bytes, 64 + 32 + 64 + 8 + 40 + 16 + 8 + 32);
  EXPECT_EQ(m.blocks, 1);
  EXPECT_EQ(m.block_bytes, 2 * (32 + 32 + 4 + 8 + 32));
  EXPECT_EQ(m.leaf_bytes, 80);  // embed_tokens
  EXPECT_EQ(m.largest_leaf, "embed_tokens");
}

TEST(MeasureTest, WanKeepsItsFp32ModulesAtEveryDtype) {
  Component c = Make("diffusers", "WanTransformer3DModel",
                     {T("blocks.0.norm2.weight", DType::kBF16, {16}),
                      T("condition_embedder.time_embedder.linear_1.weight", DType::kBF16, {4, 4}),
                      T("blocks.0.ffn.net.0.proj.weight", DType::kBF16, {4, 4}),
                      T("blocks.0.scale_shift_table", DType::kF32, {1, 6, 4})});
  ComponentMeasurement bf16 = MeasureComponent(c, LoadDType::kBF16);
  EXPECT_EQ(bf16.bytes, 16 * 4 + 16 * 4 + 16 * 2 + 24 * 4);
  EXPECT_EQ(bf16.fp32_kept_bytes, 16 * 4 + 16 * 4 + 24 * 4);
  // condition_embedder and norm are skipped by Wan's patterns; the ffn Linear casts.
  EXPECT_EQ(bf16.layerwise_fp8_bytes, 16 * 4 + 16 * 4 + 16 + 24 * 4);
  // Under bitsandbytes keep-modules are not converted.
  EXPECT_EQ(bf16.int8_bytes, 16 * 4 + 16 * 4 + (16 + 4 * 4) + 24 * 4);
}

TEST(MeasureTest, TransformersKeepModulesOnlyUnderFp16) {
  Component c = Make("transformers", "T5EncoderModel",
                     {T("encoder.block.0.layer.1.DenseReluDense.wo.weight", DType::kBF16, {4, 8}),
                      T("encoder.block.0.layer.0.SelfAttention.q.weight", DType::kBF16, {4, 4})});
  EXPECT_EQ(MeasureComponent(c, LoadDType::kBF16).bytes, 2 * 48);
  EXPECT_EQ(MeasureComponent(c, LoadDType::kFP16).bytes, 4 * 32 + 2 * 16);
  EXPECT_EQ(MeasureComponent(c, LoadDType::kFP32).bytes, 4 * 48);
}

TEST(MeasureTest, IntegerTensorsKeepTheirDtype) {
  Component c = Make("diffusers", "FluxTransformer2DModel",
                     {T("ids", DType::kI64, {3}), T("w.weight", DType::kF32, {2, 2}),
                      T("q.weight", DType::kF8_E4M3, {2, 2})});
  ComponentMeasurement m = MeasureComponent(c, LoadDType::kBF16);
  EXPECT_EQ(m.stored_bytes, 24 + 16 + 4);
  EXPECT_EQ(m.bytes, 24 + 8 + 4);
}

TEST(MeasureTest, TiedWeightsCountOnce) {
  Component t5 = Make(
      "transformers", "T5EncoderModel",
      {T("shared.weight", DType::kBF16, {10, 4}), T("encoder.embed_tokens.weight", DType::kBF16, {10, 4})});
  ComponentMeasurement m = MeasureComponent(t5, LoadDType::kBF16);
  EXPECT_EQ(m.bytes, 80);
  EXPECT_EQ(m.tied_dropped, 1);

  Component llm = Make(
      "transformers", "Qwen3ForCausalLM",
      {T("model.embed_tokens.weight", DType::kBF16, {10, 4}), T("lm_head.weight", DType::kBF16, {10, 4})});
  EXPECT_EQ(MeasureComponent(llm, LoadDType::kBF16).bytes, 80);  // tie_word_embeddings defaults to true
  llm.config.tie_word_embeddings = false;
  EXPECT_EQ(MeasureComponent(llm, LoadDType::kBF16).bytes, 160);
  // lm_head is never quantized by transformers' bitsandbytes integration.
  EXPECT_EQ(MeasureComponent(llm, LoadDType::kBF16).nf4_bytes, 160);
}

TEST(MeasureTest, BitsandbytesBytesPerLinear) {
  // Linear 10 x 100 with bias: n = 1000.
  Component c = Make("diffusers", "FluxTransformer2DModel",
                     {T("l.weight", DType::kBF16, {10, 100}), T("l.bias", DType::kBF16, {10}),
                      T("n.weight", DType::kBF16, {100})});
  ComponentMeasurement m = MeasureComponent(c, LoadDType::kBF16);
  EXPECT_EQ(m.int8_bytes, 1000 + 4 * 10 + 20 + 200);     // CB + SCB + bias + norm
  EXPECT_EQ(m.nf4_bytes, 500 + 4 * 16 + 64 + 20 + 200);  // packed + absmax + code + bias + norm
}

TEST(MeasureTest, GgufSingleFileKeepsQuantizedBytes) {
  MemoryFileSystem fs;
  GgufBuilder builder;
  builder.AddTensor("transformer_blocks.0.attn.to_q.weight", {64, 256}, DType::kQ4_K)
      .AddTensor("single_transformer_blocks.0.proj_out.weight", {64, 256}, DType::kQ8_0)
      .AddTensor("transformer_blocks.0.attn.add_q_proj.weight", {64, 256}, DType::kQ4_0)
      .AddTensor("norm_out.linear.bias", {64}, DType::kF32);
  builder.AddTo(fs, "flux-q4.gguf");
  auto pipeline = LoadWeightFile(fs, "flux-q4.gguf");
  ASSERT_TRUE(pipeline.ok()) << pipeline.error().message;
  ASSERT_EQ(pipeline->components.size(), 1u);
  EXPECT_EQ(pipeline->components[0].class_name, "FluxTransformer2DModel");
  ComponentMeasurement m = MeasureComponent(pipeline->components[0], LoadDType::kBF16);
  EXPECT_EQ(m.format, WeightFormat::kGguf);
  const int64_t q = 64 * 256 / 256 * 144 + 64 * 256 / 32 * 34 + 64 * 256 / 32 * 18;
  EXPECT_EQ(m.stored_bytes, q + 64 * 4);
  EXPECT_EQ(m.bytes, q + 64 * 2);  // the F32 bias loads in bf16
  EXPECT_EQ(m.layerwise_fp8_bytes, m.bytes);
  EXPECT_EQ(m.params, 3 * 64 * 256 + 64);
}

}  // namespace
}  // namespace pipefit
