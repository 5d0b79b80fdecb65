#include "pipefit/codegen/apply_choice.h"

#include <algorithm>

#include "pipefit/codegen/script_model.h"
#include "pipefit/plan/candidates.h"
#include "pipefit/plan/rank.h"
#include "pipefit/plan/rules.h"

namespace pipefit {
namespace {

// The id --prefer picks, or why there is none.
Result<std::string> ChosenId(const PlanResult& plan, const ApplyRequest& request) {
  if (!request.strategy.empty()) return request.strategy;
  auto prefer = ParsePreference(request.prefer);
  if (!prefer) return MakeErrorf(ErrorCode::kUsage, "--prefer must be quality, speed, memory or balanced");
  std::optional<std::string> id = RecommendationFor(plan.recommended, *prefer);
  if (!id) {
    return MakeErrorf(
        ErrorCode::kUnsupported,
        "nothing fits this machine for --prefer {} (see `pipefit plan`; name one with --strategy)",
        request.prefer);
  }
  return *id;
}

// The plan's candidate for `id`, with the VAE modifiers the id names when the
// plan only lists the candidate without them.
Result<ApplyChoice> FindInPlan(const PlanResult& plan, const CodeContext& context, const std::string& id) {
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.Id() != id) continue;
    return ApplyChoice{p.candidate, context, {}};
  }
  if (ParseStrategyId(id, nullptr)) {
    PIPEFIT_ASSIGN_OR_RETURN(const ParsedStrategyId parsed, ParseOfferedStrategy(id));
    PIPEFIT_RETURN_IF_ERROR(CheckResidentBlocks(id, parsed, plan));
    for (const PlannedCandidate& p : plan.candidates) {
      const Candidate& c = p.candidate;
      if (c.weights != parsed.weights || c.placement != parsed.placement ||
          c.resident_blocks != parsed.resident_blocks || c.vae_tiling || c.vae_slicing ||
          c.parallel != parsed.parallel || (c.quantized_components.size() > 1) != parsed.text_encoders) {
        continue;
      }
      ApplyChoice choice{c, context, {}};
      choice.candidate.vae_tiling = parsed.vae_tiling;
      choice.candidate.vae_slicing = parsed.vae_slicing;
      choice.notes.push_back("VAE tiling/slicing changes nothing at this workload's resolution and batch");
      return choice;
    }
  }
  return MakeErrorf(
      ErrorCode::kUsage,
      "--strategy {} is not a candidate for this model and hardware (`pipefit plan --all` lists them)", id);
}

}  // namespace

Status CheckResidentBlocks(const std::string& id, const ParsedStrategyId& parsed, const PlanResult& plan) {
  if (parsed.placement != Placement::kPartialResident) return OkStatus();
  const int blocks = plan.code_context.denoiser_blocks;
  const bool offered = std::any_of(
      plan.candidates.begin(), plan.candidates.end(),
      [](const PlannedCandidate& p) { return p.candidate.placement == Placement::kPartialResident; });
  if (!offered) {
    return MakeErrorf(
        ErrorCode::kUsage,
        "--strategy {}: partial residency is not offered for this pipeline: it needs exactly one "
        "denoiser (not two experts, as Wan 2.2 A14B has), a diffusers transformer (not a UNet) with at "
        "least {} blocks; this one is {} with {} blocks (docs/partial-residency.md)",
        id, kMinBlocksForPartialResidency, plan.code_context.denoiser_class, blocks);
  }
  if (parsed.resident_blocks > blocks) {
    return MakeErrorf(ErrorCode::kUsage,
                      "--strategy {}: the denoiser has {} blocks (resident1 to resident{})", id, blocks,
                      blocks);
  }
  return OkStatus();
}

Result<ParsedStrategyId> ParseOfferedStrategy(const std::string& id) {
  std::string why;
  std::optional<ParsedStrategyId> parsed = ParseStrategyId(id, &why);
  if (!parsed) return MakeErrorf(ErrorCode::kUsage, "--strategy: {}", why);
  if (const CompatibilityRule* rule = FindRejection(parsed->weights, parsed->placement)) {
    return MakeErrorf(ErrorCode::kUsage, "--strategy {} is never offered ({}): {}", id, rule->id,
                      rule->message);
  }
  return *parsed;
}

Result<ApplyChoice> ChooseFromPlan(const PlanResult& plan, const CodeContext& context,
                                   const PipelineSite& site, const ApplyRequest& request) {
  PIPEFIT_ASSIGN_OR_RETURN(const std::string id, ChosenId(plan, request));
  PIPEFIT_ASSIGN_OR_RETURN(ApplyChoice choice, FindInPlan(plan, context, id));
  if (site.method != "from_pretrained" || site.model_id != choice.context.model_id)
    choice.context.revision.clear();
  return choice;
}

Result<ApplyChoice> ChooseFromScript(const PipelineSite& site, const ApplyRequest& request) {
  if (request.strategy.empty()) {
    return MakeErrorf(ErrorCode::kUsage,
                      "--prefer needs the model (pass --model, or load it in the script by id); "
                      "--strategy ID works without it");
  }
  PIPEFIT_ASSIGN_OR_RETURN(const ParsedStrategyId parsed, ParseOfferedStrategy(request.strategy));
  if (parsed.weights == WeightsKind::kGguf) {
    return MakeErrorf(ErrorCode::kUsage,
                      "--strategy gguf needs the GGUF file: pass it with --model FILE.gguf");
  }
  if (parsed.text_encoders) {
    return MakeErrorf(ErrorCode::kUsage,
                      "--strategy {}: '+te' needs the model to know which text encoders are large (--model)",
                      request.strategy);
  }
  if (parsed.placement == Placement::kPartialResident) {
    return MakeErrorf(
        ErrorCode::kUsage,
        "--strategy {}: partial residency needs the model to know the denoiser's blocks (--model)",
        request.strategy);
  }
  if (parsed.parallel.kind != ParallelKind::kNone) {
    return MakeErrorf(
        ErrorCode::kUsage,
        "--strategy {}: a multi-GPU layout needs the model (--model) and the GPUs (--gpu NxNAME, or "
        "the detected ones) to check that the layout is offered",
        request.strategy);
  }
  if ((parsed.vae_tiling || parsed.vae_slicing) && !ScriptVaeTiles(site, ScriptModelFacts{})) {
    return MakeErrorf(ErrorCode::kUsage, "{}'s VAE has no tiling or slicing (internals §9)", site.class_name);
  }
  ApplyChoice choice;
  Candidate& c = choice.candidate;
  c.weights = parsed.weights;
  c.placement = parsed.placement;
  c.vae_tiling = parsed.vae_tiling;
  c.vae_slicing = parsed.vae_slicing;
  CodeContext& ctx = choice.context;
  ctx.pipeline_class = site.class_name;
  ctx.model_id = site.model_id;
  ctx.denoiser = ScriptDenoiser(site);
  ctx.dtype = ScriptLoadDType(site, request.dtype);
  if (c.weights != WeightsKind::kFull) c.quantized_components = {ctx.denoiser};
  if (c.placement == Placement::kGroupBlock || c.placement == Placement::kGroupBlockStream)
    c.num_blocks_per_group = 1;
  choice.notes.push_back("the model did not resolve: denoiser assumed '" + ctx.denoiser +
                         "', one block per group; pass --model for exact components");
  return choice;
}

}  // namespace pipefit
