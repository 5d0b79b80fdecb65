#include "pipefit/plan/planner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "pipefit/plan/estimator.h"
#include "pipefit/plan/machine_calibration.h"
#include "pipefit/plan/parallel.h"
#include "pipefit/plan/rank.h"
#include "pipefit/plan/time_model.h"

namespace pipefit {
namespace {

std::vector<std::string> SplitSeq(std::string_view seq) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= seq.size()) {
    const size_t arrow = seq.find("->", start);
    const std::string_view part =
        seq.substr(start, arrow == std::string_view::npos ? seq.npos : arrow - start);
    if (!part.empty()) out.emplace_back(part);
    if (arrow == std::string_view::npos) break;
    start = arrow + 2;
  }
  return out;
}

int IndexOf(const PipelineMeasurement& m, const std::string& name) {
  for (size_t i = 0; i < m.components.size(); ++i) {
    if (m.components[i].name == name && m.components[i].has_weights()) return static_cast<int>(i);
  }
  return -1;
}

bool IsTextEncoder(const ComponentMeasurement& c) {
  return c.role == ModelRole::kTextEncoder || c.name.starts_with("text_encoder");
}

// The model calls of one __call__, in order: text encoders (offload-seq
// order when known), vae.encode for image-conditioned pipelines, the
// denoiser, vae.decode.
std::vector<ModelCall> CallOrder(const PlanContext& ctx) {
  std::vector<ModelCall> calls;
  std::vector<int> encoders;
  for (const std::string& name : ctx.offload_chain) {
    const int i = IndexOf(ctx.measurement, name);
    if (i >= 0 && IsTextEncoder(ctx.measurement.components[static_cast<size_t>(i)])) encoders.push_back(i);
  }
  for (size_t i = 0; i < ctx.measurement.components.size(); ++i) {
    const auto& c = ctx.measurement.components[i];
    if (c.has_weights() && IsTextEncoder(c) &&
        std::find(encoders.begin(), encoders.end(), static_cast<int>(i)) == encoders.end()) {
      encoders.push_back(static_cast<int>(i));
    }
  }
  for (int i : encoders) calls.push_back({Stage::kTextEncode, i});
  // Classifier-free guidance encodes the negative prompt with every encoder
  // again; under model offload the second first-encoder call finds the last
  // encoder still resident (internals §2 "SD3 with CFG").
  if (ctx.workload.guidance_batch > 1) {
    for (int i : encoders) calls.push_back({Stage::kTextEncode, i});
  }
  if (ctx.vae >= 0 && ctx.traits != nullptr && ctx.traits->encodes_image)
    calls.push_back({Stage::kEncode, ctx.vae});
  if (ctx.denoiser >= 0) calls.push_back({Stage::kDenoise, ctx.denoiser});
  if (ctx.vae >= 0) calls.push_back({Stage::kDecode, ctx.vae});
  return calls;
}

}  // namespace

CodeContext CodeContextFor(const Pipeline& pipeline, const PlanRequest& request, const PlanContext& ctx) {
  CodeContext code;
  // A class pipefit has no row for may not be a diffusers export (a custom
  // pipeline): DiffusionPipeline loads any model_index.json.
  code.pipeline_class = FindPipelineTraits(pipeline.pipeline_class) != nullptr ? pipeline.pipeline_class : "";
  code.known_call = FindPipelineTraits(pipeline.pipeline_class) != nullptr;
  code.model_id = !pipeline.source.repo.empty() ? pipeline.source.repo : request.model;
  code.dtype = ctx.measurement.load_dtype;
  code.has_vae = ctx.vae >= 0;
  code.workload = ctx.workload;
  code.video = ctx.workload.frames > 1;
  if (ctx.denoiser >= 0) {
    const ComponentMeasurement& d = ctx.measurement.components[static_cast<size_t>(ctx.denoiser)];
    code.denoiser = d.name;
    code.denoiser_class = d.class_name;
    code.denoiser_block_lists = d.block_lists;
    code.denoiser_blocks = static_cast<int>(d.block_list.size());
    for (const BlockMeasurement& block : d.block_list) code.denoiser_blocks_own_tensors |= block.own_tensors;
    if (const ClassTraits* t = FindClassTraits(d.class_name)) {
      code.compile_repeated_blocks = !t->repeated_blocks.empty();
      // Flash kernels take bf16/fp16 only; diffusers checks that only with
      // DIFFUSERS_ATTN_CHECKS=1, so an fp32 load would fail at the first call.
      if (t->attention_dispatch && ctx.measurement.load_dtype != LoadDType::kFP32) {
        code.attention_backend = BestAttentionBackend(ctx.hardware.compute_capability);
      }
    }
  }
  if (!request.base_repo.empty()) code.model_id = request.base_repo;
  const bool repo_source =
      pipeline.source.kind == SourceKind::kHub || pipeline.source.kind == SourceKind::kHfCache;
  // Not for a single file planned inside a catalog pipeline: the load is
  // then the catalog repo's, and the pinned commit is the file's repo's.
  const bool own_repo = request.base_repo.empty() || ctx.denoiser_gguf;
  if (repo_source && pipeline.source.pinned && own_repo) code.revision = pipeline.source.revision;
  if (ctx.denoiser_gguf) {
    code.gguf_file = SingleFileReference(pipeline.source);
    code.base_repo = request.base_repo;  // empty: the writer falls back to model_id
  }
  return code;
}

// A file read from the Hub, as from_single_file takes it: diffusers strips
// "https://huggingface.co/" and matches "org/name/(blob/main/)?path"
// (single_file_utils._extract_repo_id_and_weights_name); a mirror still
// works there through HF_ENDPOINT. Other files keep their path.
std::string SingleFileReference(const SourceInfo& source) {
  if (source.kind != SourceKind::kHub || !source.fetch) return source.path;
  const std::string prefix = source.fetch->endpoint + "/" + source.repo + "/";
  if (!source.path.starts_with(prefix)) return source.path;
  return "https://huggingface.co/" + source.repo + "/blob/main/" + source.path.substr(prefix.size());
}

std::string BestAttentionBackend(const std::string& cc) {
  const int major = ComputeCapabilityValue(cc).value_or(0) / 10;
  if (major == 9) return "_flash_3_hub";  // FA3 kernels target Hopper (internals §7)
  if (major == 8) return "flash_hub";     // FA2: Ampere and newer consumer parts
  return "";
}

namespace {

// Multi-GPU layouts against one GPU at the same quality or better (issue 15
// item 3): says when one GPU is at least as fast, or when no layout fits.
std::string CompareWithOneGpu(const std::vector<PlannedCandidate>& candidates) {
  const PlannedCandidate* many = nullptr;
  bool any_many = false;
  for (const PlannedCandidate& p : candidates) {
    if (p.candidate.parallel.kind == ParallelKind::kNone) continue;
    any_many = true;
    if (p.fits && (many == nullptr || p.estimate.seconds < many->estimate.seconds)) many = &p;
  }
  if (!any_many) return "";
  if (many == nullptr)
    return "no multi-GPU layout fits (context parallelism keeps every weight on every GPU)";
  const QualityTier quality = CandidateQuality(many->candidate);
  const PlannedCandidate* one = nullptr;
  for (const PlannedCandidate& p : candidates) {
    if (!p.fits || p.candidate.parallel.kind != ParallelKind::kNone ||
        CandidateQuality(p.candidate) > quality)
      continue;
    if (one == nullptr || p.estimate.seconds < one->estimate.seconds) one = &p;
  }
  if (one == nullptr) {
    return fmt::format("only several GPUs run this at {} quality or better: fastest {} ({:.1f} s)",
                       QualityName(quality), many->candidate.Id(), many->estimate.seconds);
  }
  if (one->estimate.seconds <= many->estimate.seconds) {
    return fmt::format(
        "one GPU is as fast as any multi-GPU layout at {} quality or better: {} takes {:.1f} s, the fastest "
        "layout {} {:.1f} s",
        QualityName(quality), one->candidate.Id(), one->estimate.seconds, many->candidate.Id(),
        many->estimate.seconds);
  }
  return fmt::format(
      "at {} quality or better, {} on several GPUs takes {:.1f} s against {:.1f} s for {} on one",
      QualityName(quality), many->candidate.Id(), many->estimate.seconds, one->estimate.seconds,
      one->candidate.Id());
}

}  // namespace

Result<PlanContext> BuildPlanContext(const Pipeline& pipeline, const PlanRequest& request) {
  PlanContext ctx;
  ctx.measurement = MeasurePipeline(pipeline, request.dtype);
  ctx.facts = ReadModelFacts(pipeline, ctx.measurement);
  ctx.traits = FindPipelineTraits(pipeline.pipeline_class);
  ctx.denoiser = IndexOf(ctx.measurement, ctx.measurement.seed.denoiser);
  ctx.vae = ctx.facts.vae.name.empty() ? -1 : IndexOf(ctx.measurement, ctx.facts.vae.name);
  if (ctx.denoiser < 0) {
    return MakeErrorf(ErrorCode::kUnsupported,
                      "no denoiser (transformer or unet with weights) found: pipefit plans pipelines and "
                      "denoiser checkpoints");
  }
  if (ctx.traits != nullptr) {
    for (const std::string& name : SplitSeq(ctx.traits->offload_seq)) {
      if (IndexOf(ctx.measurement, name) >= 0) ctx.offload_chain.push_back(name);
    }
    for (std::string_view name : ctx.traits->exclude_from_offload) {
      if (IndexOf(ctx.measurement, std::string(name)) >= 0) ctx.offload_excluded.emplace_back(name);
    }
    ctx.vae_fp32_decode =
        ctx.traits->upcasts_vae && ctx.facts.vae.force_upcast && request.dtype == LoadDType::kFP16;
  } else {
    for (const auto& c : ctx.measurement.components) {
      if (c.has_weights() && IsTextEncoder(c)) ctx.offload_chain.push_back(c.name);
    }
    ctx.offload_chain.push_back(ctx.measurement.components[static_cast<size_t>(ctx.denoiser)].name);
    if (ctx.vae >= 0) ctx.offload_chain.push_back(ctx.facts.vae.name);
  }
  PIPEFIT_ASSIGN_OR_RETURN(ctx.workload, ResolveWorkload(pipeline, request.workload));
  ctx.hardware = request.hardware;
  ctx.gpu = request.gpu;
  ctx.requested_resident_blocks = request.resident_blocks;
  // PyTorch's flash and memory-efficient SDPA kernels take bf16 only from
  // SM 8.0 on; below it, bf16 attention runs the quadratic math kernel.
  ctx.quadratic_attention =
      PlannedComputeCapability(ctx).value_or(80) < 80 && request.dtype == LoadDType::kBF16;
  ctx.calls = CallOrder(ctx);
  ctx.activations = EstimateActivations(MakeActivationInputs(ctx));
  if (request.activation) {
    ctx.activation_override = request.activation;
    ctx.activations.text_encode = ctx.activations.denoise = ctx.activations.decode = *request.activation;
    if (ctx.activations.encode > 0) ctx.activations.encode = *request.activation;
    ctx.activations.overridden = true;
    ctx.activations.basis = "--activation pins every stage (seed calculator what-if)";
  }
  ctx.denoiser_gguf =
      ctx.measurement.components[static_cast<size_t>(ctx.denoiser)].format == WeightFormat::kGguf;
  // Only multi-GPU plans read the tensor-parallel shape (a pass over the
  // denoiser's tensor names).
  for (const Component& c : pipeline.components) {
    if (ctx.hardware.gpus.size() >= 2 && c.name == ctx.measurement.seed.denoiser)
      ctx.tensor_parallel = ReadTensorParallelFacts(c);
  }
  if (ctx.denoiser_gguf) {
    for (const Component& c : pipeline.components) {
      if (c.name == ctx.measurement.seed.denoiser)
        ctx.gguf_type = DominantDType(c, true).value_or(DType::kF32);
    }
  }
  return ctx;
}

PlanResult Plan(const Pipeline& pipeline, const PlanRequest& request, const PlanContext& ctx) {
  PlanResult plan;
  plan.pipeline_class = pipeline.pipeline_class;
  plan.model = request.model;
  plan.load_dtype = ctx.measurement.load_dtype;
  plan.hardware = ctx.hardware;
  plan.workload = ctx.workload;
  plan.seed = ctx.measurement.seed;
  plan.activation = ctx.activations;
  plan.notes = pipeline.notes;
  std::vector<RejectedCombination> rejected;
  plan.code_context = CodeContextFor(pipeline, request, ctx);
  std::vector<Candidate> candidates = EnumerateCandidates(ctx, &rejected);
  const std::vector<Candidate> parallel = EnumerateParallelCandidates(ctx, candidates, &rejected);
  candidates.insert(candidates.end(), parallel.begin(), parallel.end());
  if (request.min_quality != QualityTier::kInt4) {
    const auto below = std::remove_if(candidates.begin(), candidates.end(), [&](const Candidate& c) {
      return CandidateQuality(c) > request.min_quality;
    });
    const auto left_out = std::distance(below, candidates.end());
    candidates.erase(below, candidates.end());
    plan.min_quality = request.min_quality;
    plan.notes.push_back(fmt::format("--quality {}: {} candidate(s) of a lower quality left out",
                                     QualityName(request.min_quality), left_out));
  }
  const PlannedConfiguration configuration{plan.code_context.model_id, plan.code_context.denoiser_class,
                                           ctx.measurement.load_dtype, ctx.workload};
  const FamilyCorrection correction =
      FitFamilyCorrection(request.measurements, ctx.hardware, configuration.family);
  for (const Candidate& candidate : candidates) {
    PlannedCandidate p;
    p.candidate = candidate;
    if (candidate.parallel.kind == ParallelKind::kNone) {
      p.estimate = EstimateMemory(ctx, candidate);
      p.estimate.seconds = EstimateTime(ctx, candidate).seconds;
      CalibrateEstimate(request.measurements, correction, ctx.hardware, configuration, candidate,
                        &p.estimate);
      if (p.estimate.basis == EstimateBasis::kMeasured) plan.calibration.measured.push_back(candidate.Id());
      FillSingleGpuShare(ctx, &p.estimate);
    } else {
      p.estimate = EstimateParallel(ctx, candidate);
    }
    // Every GPU used must hold its share (gpus[] follows hardware.gpus, the
    // first N); vram_over is the worst shortfall.
    for (size_t g = 0; g < p.estimate.gpus.size(); ++g) {
      p.vram_over = std::max<Bytes>(p.vram_over, p.estimate.gpus[g].vram - GpuCapacity(ctx.hardware, g));
    }
    p.ram_over = std::max<Bytes>(0, p.estimate.ram - ctx.hardware.ram);
    p.fits = p.vram_over == 0 && p.ram_over == 0 && !p.estimate.measured_oom;
    plan.candidates.push_back(std::move(p));
  }
  if (!request.measurements.empty()) {
    const std::vector<std::string> measured = plan.calibration.measured;
    plan.calibration = SummarizeCalibration(request.measurements, ctx.hardware, configuration, correction);
    plan.calibration.measured = measured;
  }
  double fastest = 0;
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.fits && (fastest == 0 || p.estimate.seconds < fastest)) fastest = p.estimate.seconds;
  }
  if (fastest == 0) {
    for (const PlannedCandidate& p : plan.candidates) {
      if (fastest == 0 || p.estimate.seconds < fastest) fastest = p.estimate.seconds;
    }
  }
  for (PlannedCandidate& p : plan.candidates)
    p.relative_time = fastest > 0 ? p.estimate.seconds / fastest : 1.0;
  plan.recommended = Recommend(plan.candidates, ctx.hardware.vram, ctx.hardware.ram);
  if (std::string note = CompareWithOneGpu(plan.candidates); !note.empty()) plan.notes.push_back(note);
  if (ctx.hardware.gpus.size() >= 2) {
    plan.notes.push_back(
        "multi-GPU layouts are planned with full or fp8_layerwise weights, on the GPU or with model offload set "
        "up after parallelism (tensor parallel: full weights on the GPU); quantized and group-offloaded layouts "
        "are not offered (unverified with diffusers' parallelism), nor CFG parallel (not in diffusers: a TODO in "
        "_modeling_parallel.py) or unified Ulysses x Ring");
  }
  if (!plan.recommended.speed) plan.shortfall = ComputeShortfall(plan.candidates);
  for (const RejectedCombination& r : rejected) plan.rejected.push_back({r.id, r.rule, r.reason});
  if (!rejected.empty()) {
    std::string ids;
    for (const RejectedCombination& r : rejected) ids += (ids.empty() ? "" : ", ") + r.id;
    plan.notes.push_back("never offered, diffusers rejects or fails on them (--json lists the rules): " +
                         ids);
  }
  if (ctx.gpu != nullptr && !ctx.gpu->bf16 && ctx.measurement.load_dtype == LoadDType::kBF16) {
    plan.notes.push_back(ctx.gpu->name +
                         " has no bf16 tensor cores: load with --dtype fp16 (torch_dtype=torch.float16) "
                         "for speed, if the model tolerates fp16");
  }
  if (!request.base_repo.empty() && !ctx.denoiser_gguf) {
    plan.notes.push_back("the code loads the denoiser from " + request.base_repo +
                         "; to use your file, load it with " +
                         ctx.measurement.components[static_cast<size_t>(ctx.denoiser)].class_name +
                         ".from_single_file(...) and pass it to from_pretrained (same memory)");
  }
  if (ctx.quadratic_attention) {
    plan.notes.push_back(
        "bf16 attention below SM 8.0 runs PyTorch's quadratic math kernel (no flash or "
        "memory-efficient bf16 kernel): activations include the attention scores; --dtype fp16 "
        "avoids them");
  }
  if (ctx.gpu == nullptr) {
    plan.notes.push_back("the GPU is not in pipefit's catalog: times are for a GeForce RTX 4090-class card");
  }
  return plan;
}

}  // namespace pipefit
