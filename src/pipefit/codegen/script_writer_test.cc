#include "pipefit/codegen/script_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "pipefit/codegen/weights_code.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CodeContext FluxContext() {
  CodeContext context;
  context.pipeline_class = "FluxPipeline";
  context.model_id = "black-forest-labs/FLUX.1-dev";
  context.denoiser = "transformer";
  context.denoiser_class = "FluxTransformer2DModel";
  context.compile_repeated_blocks = true;
  context.attention_backend = "_flash_3_hub";
  context.gguf_file = "https://huggingface.co/city96/FLUX.1-dev-gguf/blob/main/flux1-dev-Q4_K_S.gguf";
  context.base_repo = "black-forest-labs/FLUX.1-dev";
  context.denoiser_block_lists = {"transformer_blocks", "single_transformer_blocks"};
  context.denoiser_blocks = 57;
  return context;
}

CodeContext WanContext() {
  CodeContext context;
  context.pipeline_class = "WanPipeline";
  context.model_id = "Wan-AI/Wan2.1-T2V-14B-Diffusers";
  context.denoiser_class = "WanTransformer3DModel";
  context.compile_repeated_blocks = true;
  context.attention_backend = "sage";
  context.gguf_file = "/models/wan2.1-t2v-14b-Q8_0.gguf";
  context.base_repo = "Wan-AI/Wan2.1-T2V-14B-Diffusers";
  context.workload = {.height = 480, .width = 832, .frames = 81, .batch = 1, .steps = 50, .video = true};
  context.video = true;
  context.denoiser_block_lists = {"blocks"};
  context.denoiser_blocks = 40;
  return context;
}

Candidate Make(WeightsKind weights, Placement placement, std::vector<std::string> components = {}) {
  Candidate candidate;
  candidate.weights = weights;
  candidate.placement = placement;
  candidate.quantized_components = std::move(components);
  return candidate;
}

// A candidate as the planner builds it, for every knob combination.
Candidate Typical(WeightsKind weights, Placement placement) {
  Candidate candidate = Make(weights, placement);
  if (weights != WeightsKind::kFull) candidate.quantized_components = {"transformer"};
  if (IsQuantized(weights) && weights != WeightsKind::kGguf) {
    candidate.quantized_components.push_back("text_encoder_2");
  }
  if (placement == Placement::kGroupBlock) candidate.num_blocks_per_group = 2;
  if (placement == Placement::kPartialResident) candidate.resident_blocks = 20;
  if (IsGroupOffload(placement) && weights == WeightsKind::kBnbInt8) {
    candidate.group_offload_exclude = {"transformer", "text_encoder_2"};
  }
  candidate.vae_tiling = true;
  candidate.vae_slicing = true;
  return candidate;
}

int Count(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

TEST(CandidateCodeTest, FullGpu) {
  EXPECT_EQ(
      CandidateCode(Make(WeightsKind::kFull, Placement::kGpu), FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.to(\"cuda\")\n");
}

TEST(CandidateCodeTest, FullModelOffload) {
  EXPECT_EQ(
      CandidateCode(Make(WeightsKind::kFull, Placement::kModelOffload), FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.enable_model_cpu_offload()\n");
}

TEST(CandidateCodeTest, LayerwiseCastingBeforeModelOffload) {
  EXPECT_EQ(
      CandidateCode(Make(WeightsKind::kFp8Layerwise, Placement::kModelOffload, {"transformer"}),
                    FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.transformer.enable_layerwise_casting(storage_dtype=torch.float8_e4m3fn, "
      "compute_dtype=torch.bfloat16)\n"
      "pipe.enable_model_cpu_offload()\n");
}

TEST(CandidateCodeTest, LayerwiseCastingComputesInLoadDType) {
  CodeContext context = FluxContext();
  context.dtype = LoadDType::kFP16;
  const std::string code = CandidateCode(Make(WeightsKind::kFp8Layerwise, Placement::kGpu), context);
  EXPECT_THAT(code, HasSubstr("torch_dtype=torch.float16)"));
  EXPECT_THAT(code, HasSubstr("compute_dtype=torch.float16)\npipe.to(\"cuda\")\n"));
}

TEST(CandidateCodeTest, FullGroupLeafStream) {
  EXPECT_EQ(
      CandidateCode(Make(WeightsKind::kFull, Placement::kGroupLeafStream), FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.enable_group_offload(\n"
      "    onload_device=torch.device(\"cuda\"),\n"
      "    offload_device=torch.device(\"cpu\"),\n"
      "    offload_type=\"leaf_level\",\n"
      "    use_stream=True,\n"
      ")\n");
}

TEST(CandidateCodeTest, PartialResidencyStreamsTheBlocksAfterTheFirstK) {
  Candidate candidate = Make(WeightsKind::kFull, Placement::kPartialResident);
  candidate.resident_blocks = 30;
  EXPECT_EQ(
      CandidateCode(candidate, FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "# Partial residency: the transformer's first 30 of 57 blocks and its other modules stay on the GPU; "
      "the other 27\n"
      "# blocks are streamed from pinned CPU memory at every step.\n"
      "blocks = [*pipe.transformer.transformer_blocks, *pipe.transformer.single_transformer_blocks]\n"
      "streamed = blocks[30:]\n"
      "streamed_modules = {id(module) for block in streamed for module in block.modules()}\n"
      "for module in pipe.transformer.modules():\n"
      "    if id(module) not in streamed_modules:\n"
      "        for tensor in [*module.parameters(recurse=False), *module.buffers(recurse=False)]:\n"
      "            tensor.data = tensor.data.to(\"cuda\")\n"
      "for block in streamed:\n"
      "    apply_group_offloading(\n"
      "        block,\n"
      "        onload_device=torch.device(\"cuda\"),\n"
      "        offload_device=torch.device(\"cpu\"),\n"
      "        offload_type=\"leaf_level\",\n"
      "        use_stream=True,\n"
      "        exclude_kwargs=pipe.transformer._skip_keys,\n"
      "    )\n"
      "# The other models: streamed leaf by leaf.\n"
      "for name, component in pipe.components.items():\n"
      "    if not isinstance(component, torch.nn.Module) or name == \"transformer\":\n"
      "        continue\n"
      "    apply_group_offloading(\n"
      "        component,\n"
      "        onload_device=torch.device(\"cuda\"),\n"
      "        offload_device=torch.device(\"cpu\"),\n"
      "        offload_type=\"leaf_level\",\n"
      "        use_stream=True,\n"
      "    )\n");
  // A component group offloading cannot take goes to the GPU whole; fp8
  // casting comes first.
  candidate.weights = WeightsKind::kFp8Layerwise;
  candidate.quantized_components = {"transformer"};
  candidate.group_offload_exclude = {"vae"};
  const std::string code = CandidateCode(candidate, FluxContext());
  EXPECT_THAT(code, HasSubstr("compute_dtype=torch.bfloat16)\n# Partial residency"));
  EXPECT_THAT(code,
              HasSubstr("# The other models: streamed leaf by leaf, except [\"vae\"] (on the GPU whole).\n"
                        "for name, component in pipe.components.items():\n"
                        "    if not isinstance(component, torch.nn.Module) or name == \"transformer\":\n"
                        "        continue\n"
                        "    if name in [\"vae\"]:\n"
                        "        component.to(\"cuda\")\n"
                        "        continue\n"));
  const std::string script = EmitScript(candidate, FluxContext());
  EXPECT_THAT(script, HasSubstr("from diffusers.hooks import apply_group_offloading\n"));
  EXPECT_THAT(script, HasSubstr("# Generated by pipefit: strategy fp8_layerwise+resident30 for"));
  EXPECT_THAT(script, Not(HasSubstr("pipe.to(")));
  EXPECT_THAT(script, Not(HasSubstr("enable_model_cpu_offload")));
  // Only the resident blocks are compiled: the streamed ones carry
  // compiler-disabled hooks.
  EXPECT_THAT(script, HasSubstr("if COMPILE:\n    for block in blocks[:30]:\n        block.compile()\n"));
  EXPECT_THAT(script, Not(HasSubstr("compile_repeated_blocks")));
  // FLUX's blocks own no tensors themselves: no blocking copy for them.
  EXPECT_THAT(script, Not(HasSubstr("non_blocking")));
}

TEST(CandidateCodeTest, PartialResidencyCopiesABlocksOwnTensorsBlocking) {
  // Wan's blocks own scale_shift_table, read before any layer runs.
  CodeContext context = WanContext();
  context.denoiser_blocks_own_tensors = true;
  Candidate candidate = Make(WeightsKind::kFull, Placement::kPartialResident);
  candidate.resident_blocks = 12;
  const std::string code = CandidateCode(candidate, context);
  EXPECT_THAT(code, HasSubstr("blocks = [*pipe.transformer.blocks]\nstreamed = blocks[12:]\n"));
  EXPECT_THAT(
      code, HasSubstr("        exclude_kwargs=pipe.transformer._skip_keys,\n"
                      "    )\n"
                      "    # The block's own tensors are read before its first layer: copy them blocking, "
                      "or the first\n"
                      "    # call can read them before the side stream's copy lands.\n"
                      "    block._diffusers_hook.get_hook(\"group_offloading\").group.non_blocking = False\n"
                      "# The other models"));
}

TEST(CandidateCodeTest, FullGroupLeafStreamLowmem) {
  const std::string code =
      CandidateCode(Make(WeightsKind::kFull, Placement::kGroupLeafStreamLowmem), FluxContext());
  EXPECT_THAT(
      code,
      HasSubstr("    offload_type=\"leaf_level\",\n    use_stream=True,\n    low_cpu_mem_usage=True,\n)\n"));
}

TEST(CandidateCodeTest, FullGroupBlockWithFourBlocks) {
  Candidate candidate = Make(WeightsKind::kFull, Placement::kGroupBlock);
  candidate.num_blocks_per_group = 4;
  EXPECT_EQ(
      CandidateCode(candidate, FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.enable_group_offload(\n"
      "    onload_device=torch.device(\"cuda\"),\n"
      "    offload_device=torch.device(\"cpu\"),\n"
      "    offload_type=\"block_level\",\n"
      "    num_blocks_per_group=4,\n"
      ")\n");
}

TEST(CandidateCodeTest, GroupBlockStreamForcesOneBlock) {
  Candidate candidate = Make(WeightsKind::kFull, Placement::kGroupBlockStream);
  candidate.num_blocks_per_group = 4;
  const std::string code = CandidateCode(candidate, FluxContext());
  EXPECT_THAT(
      code,
      HasSubstr("    offload_type=\"block_level\",\n    num_blocks_per_group=1,\n    use_stream=True,\n)\n"));
}

TEST(CandidateCodeTest, BnbNf4ModelOffloadWithTextEncoder) {
  EXPECT_EQ(
      CandidateCode(Make(WeightsKind::kBnbNf4, Placement::kModelOffload, {"transformer", "text_encoder_2"}),
                    FluxContext()),
      "pipeline_quant_config = PipelineQuantizationConfig(\n"
      "    quant_backend=\"bitsandbytes_4bit\",\n"
      "    quant_kwargs={\"load_in_4bit\": True, \"bnb_4bit_quant_type\": \"nf4\", "
      "\"bnb_4bit_compute_dtype\": torch.bfloat16},\n"
      "    components_to_quantize=[\"transformer\", \"text_encoder_2\"],\n"
      ")\n"
      "pipe = FluxPipeline.from_pretrained(\n"
      "    \"black-forest-labs/FLUX.1-dev\",\n"
      "    quantization_config=pipeline_quant_config,\n"
      "    torch_dtype=torch.bfloat16,\n"
      "    device_map=\"cpu\",\n"
      ")\n"
      "pipe.enable_model_cpu_offload()\n");
}

TEST(CandidateCodeTest, BnbInt8GroupLeafExcludesInt8Components) {
  Candidate candidate = Make(WeightsKind::kBnbInt8, Placement::kGroupLeaf, {"transformer", "text_encoder_2"});
  candidate.group_offload_exclude = {"transformer", "text_encoder_2"};
  EXPECT_EQ(CandidateCode(candidate, FluxContext()),
            "pipeline_quant_config = PipelineQuantizationConfig(\n"
            "    quant_backend=\"bitsandbytes_8bit\",\n"
            "    quant_kwargs={\"load_in_8bit\": True},\n"
            "    components_to_quantize=[\"transformer\", \"text_encoder_2\"],\n"
            ")\n"
            "pipe = FluxPipeline.from_pretrained(\n"
            "    \"black-forest-labs/FLUX.1-dev\",\n"
            "    quantization_config=pipeline_quant_config,\n"
            "    torch_dtype=torch.bfloat16,\n"
            "    device_map=\"cpu\",\n"
            ")\n"
            "pipe.enable_group_offload(\n"
            "    onload_device=torch.device(\"cuda\"),\n"
            "    offload_device=torch.device(\"cpu\"),\n"
            "    offload_type=\"leaf_level\",\n"
            "    exclude_modules=[\"transformer\", \"text_encoder_2\"],\n"
            ")\n");
}

TEST(CandidateCodeTest, TorchaoInt8GpuUsesQuantMapping) {
  EXPECT_EQ(
      CandidateCode(Make(WeightsKind::kTorchaoInt8wo, Placement::kGpu, {"transformer", "text_encoder_2"}),
                    FluxContext()),
      "pipeline_quant_config = PipelineQuantizationConfig(\n"
      "    quant_mapping={\n"
      "        \"transformer\": TorchAoConfig(Int8WeightOnlyConfig()),\n"
      "        \"text_encoder_2\": TransformersTorchAoConfig(Int8WeightOnlyConfig()),\n"
      "    },\n"
      ")\n"
      "pipe = FluxPipeline.from_pretrained(\n"
      "    \"black-forest-labs/FLUX.1-dev\",\n"
      "    quantization_config=pipeline_quant_config,\n"
      "    torch_dtype=torch.bfloat16,\n"
      "    device_map=\"cpu\",\n"
      ")\n"
      "pipe.to(\"cuda\")\n");
}

TEST(CandidateCodeTest, TorchaoInt4HasGroupSizeTileLayoutAndLoadsOnTheGpu) {
  const std::string code = CandidateCode(Make(WeightsKind::kTorchaoInt4wo, Placement::kGpu), FluxContext());
  EXPECT_THAT(code, HasSubstr("\"transformer\": TorchAoConfig(Int4WeightOnlyConfig(group_size=128, "
                              "int4_packing_format=\"tile_packed_to_4d\")),\n"))
      << code;
  EXPECT_THAT(code, HasSubstr("device_map=\"cuda\""));
  EXPECT_THAT(code, Not(HasSubstr("TransformersTorchAoConfig")));
}

TEST(CandidateCodeTest, GgufModelOffload) {
  EXPECT_EQ(CandidateCode(Make(WeightsKind::kGguf, Placement::kModelOffload, {"transformer"}), FluxContext()),
            "transformer = FluxTransformer2DModel.from_single_file(\n"
            "    \"https://huggingface.co/city96/FLUX.1-dev-gguf/blob/main/flux1-dev-Q4_K_S.gguf\",\n"
            "    quantization_config=GGUFQuantizationConfig(compute_dtype=torch.bfloat16),\n"
            "    torch_dtype=torch.bfloat16,\n"
            ")\n"
            "pipe = FluxPipeline.from_pretrained(\n"
            "    \"black-forest-labs/FLUX.1-dev\",\n"
            "    transformer=transformer,\n"
            "    torch_dtype=torch.bfloat16,\n"
            ")\n"
            "pipe.enable_model_cpu_offload()\n");
}

TEST(CandidateCodeTest, VaeTilingAndSlicing) {
  Candidate candidate = Make(WeightsKind::kFull, Placement::kModelOffload);
  candidate.vae_tiling = true;
  candidate.vae_slicing = true;
  EXPECT_EQ(
      CandidateCode(candidate, FluxContext()),
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.enable_model_cpu_offload()\n"
      "pipe.vae.enable_tiling()\n"
      "pipe.vae.enable_slicing()\n");
  CodeContext no_vae = FluxContext();
  no_vae.has_vae = false;
  EXPECT_THAT(CandidateCode(candidate, no_vae), Not(HasSubstr("pipe.vae")));
}

TEST(CandidateCodeTest, DefaultPipelineClassAndEscapedPath) {
  CodeContext context;
  context.model_id = "/models/my \"flux\"\\dir";
  context.dtype = LoadDType::kFP32;
  EXPECT_EQ(CandidateCode(Make(WeightsKind::kFull, Placement::kSequentialOffload), context),
            "pipe = DiffusionPipeline.from_pretrained(\"/models/my \\\"flux\\\"\\\\dir\", "
            "torch_dtype=torch.float32)\n"
            "pipe.enable_sequential_cpu_offload()\n");
}

TEST(ScriptWriterTest, NeverWritesRemovedOrCastingCalls) {
  for (const CodeContext& context : {FluxContext(), WanContext()}) {
    for (WeightsKind weights : kAllWeights) {
      for (Placement placement : kAllPlacements) {
        const Candidate candidate = Typical(weights, placement);
        for (const std::string& text : {CandidateCode(candidate, context), EmitScript(candidate, context)}) {
          EXPECT_THAT(text, Not(HasSubstr("enable_vae_tiling"))) << candidate.Id();
          EXPECT_THAT(text, Not(HasSubstr("enable_vae_slicing"))) << candidate.Id();
          EXPECT_THAT(text, Not(HasSubstr(".to(\"cuda\", torch."))) << candidate.Id();
          EXPECT_THAT(text, Not(HasSubstr("int8wo\""))) << candidate.Id();
        }
      }
    }
  }
}

TEST(ScriptWriterTest, ScriptHasOneLoadAndTheSpeedUps) {
  for (WeightsKind weights : kAllWeights) {
    const Candidate candidate = Typical(weights, Placement::kModelOffload);
    const std::string script = EmitScript(candidate, FluxContext());
    EXPECT_EQ(Count(script, "from_pretrained("), 1) << candidate.Id();
    EXPECT_THAT(script, HasSubstr("# Generated by pipefit: strategy " + candidate.Id()));
    const std::string dynamo = weights == WeightsKind::kBnbInt8
                                   ? "    torch._dynamo.config.capture_dynamic_output_shape_ops = True\n"
                                   : "";
    EXPECT_THAT(script, HasSubstr("COMPILE = True\nif COMPILE:\n" + dynamo +
                                  "    pipe.transformer.compile_repeated_blocks(fullgraph=True)\n"))
        << script;
    EXPECT_THAT(script,
                HasSubstr("    pipe.transformer.set_attention_backend(ATTENTION_BACKEND)\nexcept Exception"));
  }
}

TEST(ScriptWriterTest, ImportsWhatItUses) {
  const CodeContext flux = FluxContext();
  const std::string full = EmitScript(Make(WeightsKind::kFull, Placement::kGpu), flux);
  EXPECT_THAT(full, HasSubstr("import torch\nfrom diffusers import FluxPipeline\n\n"));
  const std::string nf4 = EmitScript(Typical(WeightsKind::kBnbNf4, Placement::kGpu), flux);
  EXPECT_THAT(nf4, HasSubstr("from diffusers import FluxPipeline, PipelineQuantizationConfig\n"));
  const std::string ao = EmitScript(Typical(WeightsKind::kTorchaoFp8wo, Placement::kGpu), flux);
  EXPECT_THAT(ao, HasSubstr("from diffusers import FluxPipeline, PipelineQuantizationConfig, TorchAoConfig\n"
                            "from torchao.quantization import Float8WeightOnlyConfig\n"
                            "from transformers import TorchAoConfig as TransformersTorchAoConfig\n"));
  const std::string gguf = EmitScript(Typical(WeightsKind::kGguf, Placement::kGpu), flux);
  EXPECT_THAT(
      gguf,
      HasSubstr("from diffusers import FluxPipeline, FluxTransformer2DModel, GGUFQuantizationConfig\n"));
  CodeContext plain = flux;
  plain.compile_repeated_blocks = false;
  plain.attention_backend.clear();
  const std::string bare = EmitScript(Make(WeightsKind::kFull, Placement::kGpu), plain);
  EXPECT_THAT(bare, Not(HasSubstr("COMPILE")));
  EXPECT_THAT(bare, Not(HasSubstr("set_attention_backend")));
}

TEST(ScriptWriterTest, ImageGenerationCall) {
  CodeContext context = FluxContext();
  context.workload.batch = 2;
  const std::string script = EmitScript(Make(WeightsKind::kFull, Placement::kGpu), context);
  EXPECT_THAT(script, HasSubstr("image = pipe(\n    prompt,\n    height=1024,\n    width=1024,\n"
                                "    num_inference_steps=28,\n    num_images_per_prompt=2,\n"
                                "    generator=torch.Generator(\"cpu\").manual_seed(0),\n"
                                ").images[0]\nimage.save(\"output.png\")\n"));
}

TEST(ScriptWriterTest, VideoGenerationCall) {
  const std::string script = EmitScript(Make(WeightsKind::kFull, Placement::kModelOffload), WanContext());
  EXPECT_THAT(script, HasSubstr("from diffusers.utils import export_to_video\n"));
  EXPECT_THAT(script,
              HasSubstr("frames = pipe(\n    prompt,\n    height=480,\n    width=832,\n    num_frames=81,\n"
                        "    num_inference_steps=50,\n    num_videos_per_prompt=1,\n"
                        "    generator=torch.Generator(\"cpu\").manual_seed(0),\n"
                        ").frames[0]\nexport_to_video(frames, \"output.mp4\", fps=16)\n"));
}

// Every knob combination, image and video, parses as Python.
TEST(ScriptWriterTest, EveryScriptCompilesWithPython) {
  if (std::system("python3 -c pass >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 not found";
  char pattern[] = "/tmp/pipefit_codegen_XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::filesystem::path dir = pattern;
  std::string files;
  int index = 0;
  for (const CodeContext& context : {FluxContext(), WanContext()}) {
    for (WeightsKind weights : kAllWeights) {
      for (Placement placement : kAllPlacements) {
        const std::filesystem::path path = dir / ("script_" + std::to_string(index++) + ".py");
        std::ofstream(path) << EmitScript(Typical(weights, placement), context);
        files += " " + path.string();
      }
    }
  }
  CodeContext unknown_class = FluxContext();
  unknown_class.denoiser_class.clear();
  std::ofstream(dir / "unknown_class.py")
      << EmitScript(Make(WeightsKind::kGguf, Placement::kGpu), unknown_class);
  files += " " + (dir / "unknown_class.py").string();
  const int status = std::system(("python3 -m py_compile" + files).c_str());
  std::filesystem::remove_all(dir);
  EXPECT_EQ(status, 0);
}

TEST(PythonTextTest, Escapes) {
  EXPECT_EQ(PythonString("a\"b\\c\nd\te"), "\"a\\\"b\\\\c\\nd\\x09e\"");
  EXPECT_EQ(PythonList({}), "[]");
  EXPECT_EQ(PythonList({"vae", "transformer"}), "[\"vae\", \"transformer\"]");
  EXPECT_EQ(CommentSafe("a\nb\rc"), "a b c");
}

}  // namespace
}  // namespace pipefit

namespace pipefit {
namespace {

// Group and sequential offloading put torch.compiler.disable()d hooks inside
// the compiled blocks: fullgraph=True would fail there.
TEST(ScriptWriterTest, FullgraphOnlyWithoutHooksInsideTheBlocks) {
  for (Placement p : {Placement::kGroupBlock, Placement::kGroupLeafStream, Placement::kSequentialOffload}) {
    const std::string script = EmitScript(Make(WeightsKind::kFull, p), FluxContext());
    EXPECT_THAT(script, HasSubstr("    pipe.transformer.compile_repeated_blocks()\n"));
    EXPECT_THAT(script, Not(HasSubstr("fullgraph=True"))) << PlacementId(p);
    // Group offloading recompiles every block: the limit diffusers' recipe sets.
    EXPECT_EQ(script.find("torch._dynamo.config.cache_size_limit = 1000") != std::string::npos,
              IsGroupOffload(p))
        << PlacementId(p);
  }
}

TEST(ScriptWriterTest, UnknownCallSignaturePassesOnlyPromptAndSteps) {
  CodeContext context = FluxContext();
  context.known_call = false;
  const std::string script = EmitScript(Make(WeightsKind::kFull, Placement::kGpu), context);
  EXPECT_THAT(script, HasSubstr("result = pipe(prompt, num_inference_steps=28)\n"));
  EXPECT_THAT(script, Not(HasSubstr("height=")));
}

}  // namespace
}  // namespace pipefit
