// Multi-GPU plans (issue 15) on built-in catalog entries, planned offline:
// which layouts are offered and which rules reject the others, the per-GPU
// table, the bytes the collectives move, diffusers' balanced placement on a
// real pipeline, and the CLI's text, JSON, --emit and apply for a layout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "pipefit/base/environment.h"
#include "pipefit/base/file_system.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/model/quantized_bytes.h"
#include "pipefit/plan/parallel.h"
#include "pipefit/plan/planner.h"
#include "pipefit/sources/resolve.h"
#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ParallelPlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_.Set("HF_HUB_CACHE", dir_.path() + "/empty-cache");
    env_.Set("HOME", dir_.path() + "/home");
  }

  // The plan of catalog entry `model` on `gpus` (--gpu values).
  PlanResult PlanOn(const std::string& model, std::vector<std::string> gpus,
                    WorkloadOverrides workload = {}) {
    auto pipeline = ResolveModel(model, {.offline = true}, fs_, env_);
    EXPECT_TRUE(pipeline.ok()) << pipeline.error().message;
    if (!pipeline.ok()) return {};
    PlanRequest request;
    request.model = model;
    request.workload = workload;
    HardwareFlags flags;
    flags.gpus = std::move(gpus);
    flags.ram = 1024 * kGiB;
    auto hardware = ResolvePlanHardware(nullptr, flags, &request.gpu);
    EXPECT_TRUE(hardware.ok()) << hardware.error().message;
    if (!hardware.ok()) return {};
    request.hardware = *hardware;
    auto context = BuildPlanContext(*pipeline, request);
    EXPECT_TRUE(context.ok()) << context.error().message;
    if (!context.ok()) return {};
    context_ = *context;
    return Plan(*pipeline, request, *context);
  }

  static const PlannedCandidate* Find(const PlanResult& plan, const std::string& id) {
    for (const PlannedCandidate& p : plan.candidates) {
      if (p.candidate.Id() == id) return &p;
    }
    return nullptr;
  }
  static const RejectedCandidate* Rejected(const PlanResult& plan, const std::string& id) {
    for (const RejectedCandidate& r : plan.rejected) {
      if (r.id == id) return &r;
    }
    return nullptr;
  }

  testkit::TempDir dir_;
  RealFileSystem fs_;
  FakeEnvironment env_;
  PlanContext context_;
};

// FLUX.1-dev, 1024x1024: 4096 image + 512 text tokens (the _cp_plan splits
// both), width 3072 (24 heads x 128), 19 + 38 = 57 blocks, bf16.
constexpr int64_t kFluxSequence = 4096 + 512;
constexpr int64_t kFluxShard2 = kFluxSequence / 2 * 3072 * 2;  // one rank's Q at degree 2: 14,155,776 bytes

TEST_F(ParallelPlanTest, CollectivesMoveTheShardsOfEveryAttention) {
  PlanOn("flux.1-dev", {"2xH100"});
  EXPECT_EQ(kFluxShard2, 14'155'776);
  // Ulysses: 4 all-to-alls (Q, K, V, out) per block, each moving (d-1)/d.
  EXPECT_DOUBLE_EQ(ContextParallelBytesPerStep(context_, {ParallelKind::kUlysses, 2}),
                   4.0 * kFluxShard2 / 2 * 57);
  EXPECT_DOUBLE_EQ(ContextParallelBytesPerStep(context_, {ParallelKind::kUlysses, 4}),
                   4.0 * (kFluxShard2 / 2) * 3 / 4 * 57);
  // Ring (all-gather): the other ranks' K and V shards.
  EXPECT_DOUBLE_EQ(ContextParallelBytesPerStep(context_, {ParallelKind::kRing, 4}),
                   2.0 * (kFluxShard2 / 2) * 3 * 57);
  EXPECT_EQ(ContextParallelCollectivesPerStep(context_, {ParallelKind::kUlysses, 2}), 4 * 57);
  EXPECT_EQ(ContextParallelCollectivesPerStep(context_, {ParallelKind::kRing, 2}), 57);
}

TEST_F(ParallelPlanTest, ContextParallelReplicatesTheWeightsAndSplitsTheDenoiserActivations) {
  const PlanResult plan = PlanOn("flux.1-dev", {"2xH100"});
  const PlannedCandidate* one = Find(plan, "full+gpu");
  const PlannedCandidate* cp = Find(plan, "full+gpu+ulysses2");
  ASSERT_NE(one, nullptr);
  ASSERT_NE(cp, nullptr);
  ASSERT_EQ(cp->estimate.gpus.size(), 2u);
  for (const GpuShare& share : cp->estimate.gpus) {
    EXPECT_EQ(share.vram, cp->estimate.vram);
    EXPECT_EQ(share.holds,
              (std::vector<std::string>{"text_encoder", "text_encoder_2", "transformer", "vae"}));
  }
  EXPECT_EQ(cp->estimate.gpus[1].index, 1);
  // Same weights per stage; the denoise stage's activation is half the
  // single GPU's plus the all-to-all outputs of Q, K and V (3 shards).
  ASSERT_EQ(cp->estimate.stages.size(), one->estimate.stages.size());
  for (size_t i = 0; i < cp->estimate.stages.size(); ++i) {
    const StagePeak& a = one->estimate.stages[i];
    const StagePeak& b = cp->estimate.stages[i];
    EXPECT_EQ(a.weights, b.weights) << StageName(a.stage);
    if (a.stage == Stage::kDenoise) {
      EXPECT_EQ(b.activations, CudaAllocationBytes(plan.activation.denoise / 2 + 3 * kFluxShard2));
    } else {
      EXPECT_EQ(a.activations, b.activations) << StageName(a.stage);
    }
  }
  EXPECT_EQ(cp->estimate.ram, 2 * one->estimate.ram);  // one process per GPU
  EXPECT_GT(cp->estimate.communication_seconds, 0);
  EXPECT_LT(cp->estimate.seconds, one->estimate.seconds);  // NVLink: the split pays
  EXPECT_TRUE(cp->fits);
}

TEST_F(ParallelPlanTest, BalancedPlacesWholeComponentsAndTheVaeOomsBesideTheTransformer) {
  const PlanResult plan = PlanOn("flux.1-dev", {"2xRTX 4090"});
  const PlannedCandidate* full = Find(plan, "full+gpu+balanced2");
  ASSERT_NE(full, nullptr);
  ASSERT_EQ(full->estimate.gpus.size(), 2u);
  EXPECT_EQ(full->estimate.gpus[0].holds, (std::vector<std::string>{"transformer", "vae"}));
  EXPECT_EQ(full->estimate.gpus[1].holds, (std::vector<std::string>{"text_encoder", "text_encoder_2"}));
  // 22.2 GiB of transformer leaves no room for the 1024x1024 decode on GPU 0.
  EXPECT_FALSE(full->fits);
  EXPECT_EQ(full->estimate.peak_stage, Stage::kDecode);
  EXPECT_GT(full->vram_over, 0);
  // With the transformer in fp8 storage, both GPUs hold their share.
  const PlannedCandidate* fp8 = Find(plan, "fp8_layerwise+gpu+balanced2");
  ASSERT_NE(fp8, nullptr);
  EXPECT_TRUE(fp8->fits);
  EXPECT_LT(fp8->estimate.gpus[1].vram, fp8->estimate.gpus[0].vram);
  // No offloading after a balanced map (pipeline_utils.py:1212-1216).
  EXPECT_EQ(Find(plan, "full+model_offload+balanced2"), nullptr);
}

TEST_F(ParallelPlanTest, DivisibilityRulesRejectLayoutsDiffusersWouldFailOn) {
  // 1008x1008: 63 x 63 = 3969 image tokens, odd.
  PlanResult plan = PlanOn("flux.1-dev", {"2xH100"}, {.height = 1008, .width = 1008});
  const RejectedCandidate* odd = Rejected(plan, "full+gpu+ulysses2");
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->rule, "cp_sequence_divisible");
  EXPECT_THAT(odd->reason, HasSubstr("3969 image tokens and 512 text tokens do not divide by 2"));
  EXPECT_EQ(Find(plan, "full+gpu+ring2"), nullptr);
  EXPECT_NE(Find(plan, "full+gpu+balanced2"), nullptr);  // placement has no sequence rule
  // Each split tensor divides on its own: on 3 GPUs 4096 + 512 = 4608
  // divides by 3, but neither part does.
  plan = PlanOn("flux.1-dev", {"3xH100"});
  ASSERT_NE(Rejected(plan, "full+gpu+ring3"), nullptr);
  EXPECT_EQ(Rejected(plan, "full+gpu+ring3")->rule, "cp_sequence_divisible");
  // 16 GPUs: 4096 and 512 divide by 16, FLUX's 24 heads do not (Ulysses only).
  plan = PlanOn("flux.1-dev", {"16xH100"});
  const RejectedCandidate* heads = Rejected(plan, "full+gpu+ulysses16");
  ASSERT_NE(heads, nullptr);
  EXPECT_EQ(heads->rule, "ulysses_heads_divisible");
  EXPECT_NE(Find(plan, "full+gpu+ring16"), nullptr);
  EXPECT_NE(Find(plan, "full+gpu+ulysses8"), nullptr);  // powers of two up to the count, then the count
  EXPECT_EQ(Find(plan, "full+gpu+ulysses3"), nullptr);
}

TEST_F(ParallelPlanTest, QwenImageTextVariesSoOnlyUlyssesAnythingRuns) {
  // The Qwen-Image pipeline pads the prompt only to its own length: Ring is
  // refused, Ulysses is written with ulysses_anything and a gloo group.
  const PlanResult plan = PlanOn("qwen-image", {"2xH100"});
  ASSERT_NE(Rejected(plan, "full+gpu+ring2"), nullptr);
  EXPECT_EQ(Rejected(plan, "full+gpu+ring2")->rule, "cp_variable_text_ring");
  const PlannedCandidate* ulysses = Find(plan, "full+gpu+ulysses2");
  ASSERT_NE(ulysses, nullptr);
  const std::string code = CandidateCode(ulysses->candidate, plan.code_context);
  EXPECT_THAT(code, HasSubstr("dist.init_process_group(\"cpu:gloo,cuda:nccl\")"));
  EXPECT_THAT(code, HasSubstr("ContextParallelConfig(ulysses_degree=2, ulysses_anything=True)"));
}

TEST_F(ParallelPlanTest, VramFlagAppliesToEveryCardAndBalancedTakesTheLargestFirst) {
  PlanOn("flux.1-dev", {"2xH100"});
  HardwareFlags flags;
  flags.gpus = {"2xH100"};
  flags.vram = 20 * kGiB;
  const GpuSpec* row = nullptr;
  auto hw = ResolvePlanHardware(nullptr, flags, &row);
  ASSERT_TRUE(hw.ok());
  for (const PlanGpu& gpu : hw->gpus) EXPECT_EQ(gpu.vram, 20 * kGiB);
  EXPECT_EQ(GpuCapacity(*hw, 1), 20 * kGiB);
  // A 24 GiB card listed before an 80 GiB one: diffusers sorts the GPUs by
  // memory, so the transformer goes to the H100 (position 1).
  const PlanResult mixed = PlanOn("flux.1-dev", {"RTX 4090", "H100"});
  const PlannedCandidate* balanced = Find(mixed, "full+gpu+balanced2");
  ASSERT_NE(balanced, nullptr);
  ASSERT_EQ(balanced->estimate.gpus.size(), 2u);
  // Cycle over positions 1, 0, 0, 1: transformer, T5, CLIP, VAE.
  EXPECT_EQ(balanced->estimate.gpus[1].holds, (std::vector<std::string>{"transformer", "vae"}));
  EXPECT_EQ(balanced->estimate.gpus[0].holds, (std::vector<std::string>{"text_encoder", "text_encoder_2"}));
  EXPECT_TRUE(balanced->fits);  // the decode beside the transformer has 80 GiB
}

TEST_F(ParallelPlanTest, ClassesWithoutACpPlanAndMixedOrOldGpusAreRejected) {
  PlanResult plan = PlanOn("sd3-medium", {"2xH100"});
  const RejectedCandidate* sd3 = Rejected(plan, "full+gpu+ulysses2");
  ASSERT_NE(sd3, nullptr);
  EXPECT_EQ(sd3->rule, "cp_plan_required");
  EXPECT_THAT(sd3->reason, HasSubstr("SD3Transformer2DModel has no _cp_plan"));
  EXPECT_NE(Find(plan, "full+gpu+balanced2"), nullptr);
  plan = PlanOn("flux.1-dev", {"H100", "RTX 4090"});
  ASSERT_NE(Rejected(plan, "full+gpu+ulysses2"), nullptr);
  EXPECT_EQ(Rejected(plan, "full+gpu+ulysses2")->rule, "cp_same_gpus");
  plan = PlanOn("flux.1-dev", {"2xT4"});  // SM 7.5: no cuDNN attention for Ring
  ASSERT_NE(Rejected(plan, "full+gpu+ring2"), nullptr);
  EXPECT_EQ(Rejected(plan, "full+gpu+ring2")->rule, "ring_needs_cudnn_attention");
  EXPECT_NE(Find(plan, "full+gpu+ulysses2"), nullptr);
}

TEST_F(ParallelPlanTest, TheLinkIsAssumedFromTheCatalogForGpuFlags) {
  PlanOn("flux.1-dev", {"2xH100"});
  LinkSpeed link = CollectiveLinkSpeed(context_, 2);
  EXPECT_TRUE(link.assumed);
  EXPECT_DOUBLE_EQ(link.bytes_per_second, 450e9 * 0.9);
  EXPECT_THAT(link.basis, HasSubstr("NVLink 450 GB/s per direction (H100 SXM)"));
  PlanOn("flux.1-dev", {"2xRTX 4090"});
  link = CollectiveLinkSpeed(context_, 2);
  EXPECT_DOUBLE_EQ(link.bytes_per_second, 16 * 1.969e9 * 0.5 * 0.9);  // gen 4 x16, no P2P on GeForce
  EXPECT_THAT(link.basis, HasSubstr("no peer-to-peer"));
}

TEST_F(ParallelPlanTest, OneGpuWinsWhenTheLinkIsSlowAndThePlanSaysSo) {
  // Two 4090s over PCIe without P2P: FLUX does not fit one 4090 at full
  // quality, so context parallelism must offload and replicate.
  const PlanResult plan = PlanOn("flux.1-dev", {"2xRTX 4090"});
  bool said = false;
  for (const std::string& note : plan.notes)
    said = said || note.find("quality or better") != std::string::npos;
  EXPECT_TRUE(said);
  // On NVLink H100s the plan compares the fastest layout with one GPU.
  const PlanResult h100 = PlanOn("flux.1-dev", {"8xH100"});
  const PlannedCandidate* fastest = nullptr;
  for (const PlannedCandidate& p : h100.candidates) {
    if (p.fits && (fastest == nullptr || p.estimate.seconds < fastest->estimate.seconds)) fastest = &p;
  }
  ASSERT_NE(fastest, nullptr);
  EXPECT_EQ(fastest->candidate.parallel.kind, ParallelKind::kUlysses);
  EXPECT_EQ(h100.recommended.speed, fastest->candidate.Id());
}

TEST_F(ParallelPlanTest, TensorParallelSplitsTheTpPlanLayersOfTheTransformer) {
  const PlanResult plan = PlanOn("flux.1-dev", {"5xH100"});
  // FLUX.1-dev: 19 double blocks (4 row-wise layers each: to_out.0,
  // to_add_out, ff.net.2, ff_context.net.2) and 38 single blocks (proj_out).
  const TensorParallelFacts& tp = context_.tensor_parallel;
  ASSERT_TRUE(tp.has_plan);
  ASSERT_EQ(tp.rowwise.size(), 19u * 4 + 38);
  // Split parameters from the architecture (hidden 3072, MLP 12288):
  // column-wise layers whole, row-wise weights without their biases.
  const int64_t h = 3072, m = 12288;
  const int64_t col = h * h + h;  // one Q/K/V-style projection with bias
  const int64_t double_block = 6 * col + 2 * (h * h) + 2 * (m * h + m) + 2 * (h * m);
  const int64_t single_block = 3 * col + (m * h + m) + h * (h + m);
  int64_t params = 0;
  for (const ComponentMeasurement& c : context_.measurement.components) {
    if (c.name == "transformer") params = c.params;
  }
  ASSERT_GT(params, 0);
  EXPECT_DOUBLE_EQ(tp.sharded_fraction,
                   static_cast<double>(19 * double_block + 38 * single_block) / static_cast<double>(params));
  // Ring all-reduce of every row-wise output: 2 (d-1)/d of tokens x 3072,
  // the image stream (4096), the text stream (512) or both (4608).
  EXPECT_DOUBLE_EQ(TensorParallelBytesPerStep(context_, 2), 3072.0 * 38 * (4096 + 512 + 4608) * 2);
  const PlannedCandidate* tp2 = Find(plan, "full+gpu+tp2");
  const PlannedCandidate* one = Find(plan, "full+gpu");
  ASSERT_NE(tp2, nullptr);
  ASSERT_NE(one, nullptr);
  EXPECT_LT(tp2->estimate.vram, one->estimate.vram);  // the split weights, unlike context parallel
  EXPECT_NE(Find(plan, "full+gpu+tp4"), nullptr);
  ASSERT_NE(Rejected(plan, "full+gpu+tp5"), nullptr);  // 24 heads
  EXPECT_EQ(Rejected(plan, "full+gpu+tp5")->rule, "tp_heads_divisible");
  EXPECT_EQ(Find(plan, "fp8_layerwise+gpu+tp2"), nullptr);  // full weights only
  const PlanResult sd3 = PlanOn("sd3-medium", {"2xH100"});
  ASSERT_NE(Rejected(sd3, "full+gpu+tp2"), nullptr);
  EXPECT_EQ(Rejected(sd3, "full+gpu+tp2")->rule, "tp_plan_required");
}

// The CLI, end to end.
class ParallelCliTest : public ::testing::Test {
 protected:
  std::string Env() const { return "HF_HUB_CACHE=" + dir_.path() + "/none HOME=" + dir_.path(); }
  testkit::TempDir dir_;
};

TEST_F(ParallelCliTest, JsonCarriesTheLayoutAndThePerGpuTable) {
  RunResult r = RunPipefit("plan flux.1-dev --offline --gpu 2xH100 --ram 512GiB --all --json", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  const json* cp = nullptr;
  for (const json& c : j["candidates"]) {
    if (c["id"] == "full+gpu+ulysses2") cp = &c;
    if (c["id"] == "full+gpu") {
      EXPECT_TRUE(c["parallel"].is_null());
      ASSERT_EQ(c["gpus"].size(), 1u);
      EXPECT_EQ(c["gpus"][0]["index"], 0);
      EXPECT_EQ(c["gpus"][0]["vram"], c["vram"]);
    }
  }
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ((*cp)["group"], "offload_casting");  // CONTRACT.md's group, by weights
  EXPECT_EQ((*cp)["parallel"], (json{{"kind", "ulysses"}, {"degree", 2}}));
  ASSERT_EQ((*cp)["gpus"].size(), 2u);
  EXPECT_EQ((*cp)["gpus"][1]["index"], 1);
  EXPECT_EQ((*cp)["gpus"][1]["vram"], (*cp)["vram"]);
  EXPECT_EQ((*cp)["gpus"][1]["holds"], (json{"text_encoder", "text_encoder_2", "transformer", "vae"}));
  EXPECT_GT((*cp)["communication_seconds"].get<double>(), 0);
  EXPECT_THAT(
      (*cp)["code"].get<std::string>(),
      HasSubstr("pipe.transformer.enable_parallelism(config=ContextParallelConfig(ulysses_degree=2))"));
}

TEST_F(ParallelCliTest, TextShowsTheMultiGpuGroupAndEachGpusShare) {
  RunResult r =
      RunPipefit("plan flux.1-dev --offline --gpu 2x4090 --ram 128GiB --strategy full+gpu+balanced2", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Multi-GPU (2 GPUs; VRAM is the fullest GPU's, RAM all processes')"));
  EXPECT_THAT(r.out, HasSubstr("does not fit: GPU 0 needs "));
  EXPECT_THAT(r.out, HasSubstr("device_map=\"balanced\""));
  EXPECT_THAT(r.out, HasSubstr("transformer, vae\n"));
  EXPECT_THAT(r.out, HasSubstr("text_encoder, text_encoder_2\n"));
}

TEST_F(ParallelCliTest, EmitWritesATorchrunScriptThatSavesOnRankZero) {
  const std::string script = dir_.path() + "/cp.py";
  RunResult r = RunPipefit(
      "plan flux.1-dev --offline --gpu 4xH100 --ram 512GiB --strategy "
      "fp8_layerwise+model_offload+ring4 --emit " +
          script,
      Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("pipefit: run it with: torchrun --nproc-per-node 4 " + script));
  const std::string code = ReadFile(script);
  // Process group first, casting before parallelism, the Ring backend before
  // enable_parallelism, offloading after it on the rank's device.
  const size_t group = code.find("dist.init_process_group(\"nccl\")");
  const size_t load = code.find("pipe = FluxPipeline.from_pretrained(");
  const size_t cast = code.find("pipe.transformer.enable_layerwise_casting(");
  const size_t backend = code.find("pipe.transformer.set_attention_backend(\"_native_cudnn\")");
  const size_t parallel =
      code.find("pipe.transformer.enable_parallelism(config=ContextParallelConfig(ring_degree=4))");
  const size_t offload = code.find("pipe.enable_model_cpu_offload(device=device)");
  ASSERT_NE(group, std::string::npos);
  ASSERT_NE(offload, std::string::npos);
  EXPECT_LT(group, load);
  EXPECT_LT(load, cast);
  EXPECT_LT(cast, backend);
  EXPECT_LT(backend, parallel);
  EXPECT_LT(parallel, offload);
  EXPECT_THAT(code, HasSubstr("from diffusers import FluxPipeline, ContextParallelConfig\n"));
  EXPECT_THAT(code,
              HasSubstr("if rank == 0:\n    image.save(\"output.png\")\ndist.destroy_process_group()\n"));
  EXPECT_THAT(code, HasSubstr("generator=torch.Generator(\"cpu\").manual_seed(0)"));
  EXPECT_EQ(code.find("compile_repeated_blocks"), std::string::npos);  // unverified with CP: not written
  EXPECT_EQ(code.find("ATTENTION_BACKEND"), std::string::npos);        // Ring keeps the cuDNN backend it sets
  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile skipped";
  EXPECT_EQ(PyCompile(script), 0);
}

TEST_F(ParallelCliTest, EmitWritesATensorParallelScriptForDiffusersMain) {
  const std::string script = dir_.path() + "/tp.py";
  RunResult r = RunPipefit(
      "plan flux.1-dev --offline --gpu 2xH100 --ram 512GiB --strategy full+gpu+tp2 --emit " + script, Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("pipefit: run it with: torchrun --nproc-per-node 2 " + script));
  const std::string text = ReadFile(script);
  EXPECT_THAT(text, HasSubstr("from diffusers import FluxPipeline, TensorParallelConfig\n"));
  EXPECT_THAT(text, HasSubstr("# Needs: pip install -U torch git+https://github.com/huggingface/diffusers "
                              "transformers accelerate\n"));
  EXPECT_THAT(
      text,
      HasSubstr("# TensorParallelConfig is on diffusers main only (after 0.39.0): install diffusers from "
                "source.\n"));
  EXPECT_THAT(text,
              HasSubstr("pipe.transformer.enable_parallelism(config=TensorParallelConfig(tp_degree=2))\n"
                        "for component in pipe.components.values():\n"
                        "    if isinstance(component, torch.nn.Module):\n"
                        "        component.to(device)\n"));
  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile skipped";
  EXPECT_EQ(PyCompile(script), 0);
}

TEST_F(ParallelCliTest, EngineCacheDitWritesParallelismConfig) {
  const std::string script = dir_.path() + "/cd.py";
  RunResult r = RunPipefit(
      "plan flux.1-dev --offline --gpu 4xL20 --ram 512GiB --strategy "
      "full+model_offload+ring4 --engine cache-dit --emit " +
          script,
      Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string code = ReadFile(script);
  EXPECT_THAT(code, HasSubstr("# Needs: pip install -U torch diffusers transformers accelerate cache-dit\n"));
  EXPECT_THAT(code,
              HasSubstr("import cache_dit\nfrom cache_dit import ParallelismConfig\nfrom diffusers import "
                        "FluxPipeline\n"));
  // Offloading after parallelism (cache-dit#316), the pipeline left on the CPU before it.
  EXPECT_THAT(code,
              HasSubstr("pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", "
                        "torch_dtype=torch.bfloat16)\n"
                        "cache_dit.enable_cache(pipe, parallelism_config=ParallelismConfig(ring_size=4))\n"
                        "pipe.enable_model_cpu_offload(device=device)\n"));
  EXPECT_EQ(code.find("ContextParallelConfig"), std::string::npos);
  EXPECT_EQ(code.find("set_attention_backend"), std::string::npos);  // cache-dit picks its own
  RunResult bad = RunPipefit("plan flux.1-dev --offline --engine xdit", Env());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--engine must be diffusers or cache-dit, not 'xdit'"));
  if (!HavePython()) GTEST_SKIP() << "python3 not found: py_compile skipped";
  EXPECT_EQ(PyCompile(script), 0);
}

TEST_F(ParallelCliTest, ApplyRewritesAScriptForALayout) {
  const std::string script = dir_.path() + "/flux.py";
  std::ofstream(script) << "import torch\n"
                           "from diffusers import FluxPipeline\n"
                           "\n"
                           "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", "
                           "torch_dtype=torch.bfloat16)\n"
                           "pipe.to(\"cuda\")\n"
                           "for i in range(2):\n"
                           "    image = pipe(\"a fox\", num_inference_steps=28).images[0]\n"
                           "    image.save(f\"fox{i}.png\")\n";
  RunResult r =
      RunPipefit("apply " + script + " --offline --gpu 2xH100 --strategy full+gpu+ulysses2 --write", Env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string rewritten = ReadFile(script);
  EXPECT_EQ(
      rewritten,
      "import torch\n"
      "from diffusers import FluxPipeline, ContextParallelConfig\n"
      "import torch.distributed as dist\n"
      "\n"
      "# Launch with: torchrun --nproc-per-node 2 <this script>\n"
      "dist.init_process_group(\"nccl\")  # torchrun sets the rank and world size\n"
      "rank = dist.get_rank()\n"
      "device = torch.device(\"cuda\", rank % torch.cuda.device_count())\n"
      "torch.cuda.set_device(device)\n"
      "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", torch_dtype=torch.bfloat16)\n"
      "pipe.to(device)\n"
      "pipe.transformer.enable_parallelism(config=ContextParallelConfig(ulysses_degree=2))\n"
      "for i in range(2):\n"
      "    image = pipe(\"a fox\", num_inference_steps=28, generator=torch.Generator(\"cpu\").manual_seed(0))"
      ".images[0]\n"
      "    if rank == 0:\n"
      "        image.save(f\"fox{i}.png\")\n"
      "dist.destroy_process_group()\n");
  EXPECT_THAT(r.err, HasSubstr("added the same CPU generator on every rank"));
  // A balanced layout keeps the script's own device_map and needs no placement.
  const std::string mapped = dir_.path() + "/mapped.py";
  std::ofstream(mapped) << "import torch\n"
                           "from diffusers import FluxPipeline\n"
                           "pipe = FluxPipeline.from_pretrained(\"black-forest-labs/FLUX.1-dev\", "
                           "torch_dtype=torch.bfloat16, device_map=\"balanced\")\n"
                           "image = pipe(\"a fox\").images[0]\n";
  RunResult balanced =
      RunPipefit("apply " + mapped + " --offline --gpu 2xH100 --strategy full+gpu+balanced2 --write", Env());
  ASSERT_EQ(balanced.exit_code, 0) << balanced.err;
  const std::string mapped_text = ReadFile(mapped);
  EXPECT_THAT(mapped_text, HasSubstr("torch_dtype=torch.bfloat16, device_map=\"balanced\")\n"));
  EXPECT_EQ(mapped_text.find(".to("), std::string::npos);
  // A model that does not resolve: the layout cannot be checked, so it is refused.
  const std::string unknown = dir_.path() + "/private.py";
  std::ofstream(unknown) << "from diffusers import FluxPipeline\n"
                            "pipe = FluxPipeline.from_pretrained(\"someone/private-flux\")\n"
                            "pipe.to(\"cuda\")\n";
  RunResult blind = RunPipefit("apply " + unknown + " --offline --strategy full+gpu+ulysses2", Env());
  EXPECT_EQ(blind.exit_code, 2);
  EXPECT_THAT(blind.err, HasSubstr("a multi-GPU layout needs the model (--model) and the GPUs"));
}

}  // namespace
}  // namespace pipefit
