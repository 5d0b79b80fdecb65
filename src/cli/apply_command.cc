// `pipefit apply SCRIPT.py [--strategy ID | --prefer P] [MODEL and plan
// options] [--write]` (CONTRACT.md `apply`).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/plan_flow.h"
#include "cli/script_support.h"
#include "pipefit/codegen/script_apply.h"
#include "pipefit/codegen/unified_diff.h"
#include "pipefit/plan/rank.h"
#include "pipefit/plan/rules.h"
#include "pipefit/report/plan_report.h"

namespace pipefit::cli {
namespace {

struct ApplyFlags {
  std::string script;
  std::string strategy;
  std::string prefer = "balanced";
  std::string target;
  ModelFlags model;
  PlanInputFlags inputs;
  bool write = false;
};

// The candidate and the code context: from a plan when the model resolves
// (the candidate's exact components, exclusions and block counts), else
// from the strategy id alone.
struct Choice {
  Candidate candidate;
  CodeContext context;
  std::vector<std::string> notes;
};

Result<Choice> ChooseFromPlan(const ApplyFlags& flags, ResolvedModel resolved, const PipelineSite& site) {
  PlanInputFlags inputs = flags.inputs;
  if (!inputs.height) inputs.height = site.height;
  if (!inputs.width) inputs.width = site.width;
  if (!inputs.frames) inputs.frames = site.frames;
  if (!inputs.steps) inputs.steps = site.steps;
  if (!inputs.batch) inputs.batch = site.batch;
  PIPEFIT_ASSIGN_OR_RETURN(PlanFlow flow, RunPlanFlow(std::move(resolved), inputs));
  std::optional<std::string> id;
  if (!flags.strategy.empty()) {
    id = flags.strategy;
  } else {
    auto prefer = ParsePreference(flags.prefer);
    if (!prefer) return MakeError(ErrorCode::kUsage, "--prefer must be quality, speed, memory or balanced");
    id = RecommendationFor(flow.plan.recommended, *prefer);
    if (!id) return MakeError(ErrorCode::kUnsupported, "nothing fits this machine for --prefer " + flags.prefer +
                                                           " (see `pipefit plan`; name one with --strategy)");
  }
  for (const PlannedCandidate& p : flow.plan.candidates) {
    if (p.candidate.Id() != *id) continue;
    Choice choice{p.candidate, flow.plan.code_context, {}};
    if (!p.fits) {
      choice.notes.push_back(*id + " does not fit the hardware planned for: " + FitReason(p, flow.plan.hardware));
    }
    return choice;
  }
  // An explicit --strategy with VAE modifiers the plan did not list (they
  // change nothing at this resolution): the same knobs, with the modifiers.
  std::string why;
  if (auto parsed = ParseStrategyId(*id, &why)) {
    if (const CompatibilityRule* rule = FindRejection(parsed->weights, parsed->placement)) {
      return MakeError(ErrorCode::kUsage,
                       "--strategy " + *id + " is never offered (" + std::string(rule->id) + "): " + std::string(rule->message));
    }
    for (const PlannedCandidate& p : flow.plan.candidates) {
      const Candidate& c = p.candidate;
      if (c.weights != parsed->weights || c.placement != parsed->placement || c.vae_tiling || c.vae_slicing ||
          (c.quantized_components.size() > 1) != parsed->text_encoders) {
        continue;
      }
      Choice choice{c, CodeContextFor(flow.pipeline, flow.request, flow.context), {}};
      choice.candidate.vae_tiling = parsed->vae_tiling;
      choice.candidate.vae_slicing = parsed->vae_slicing;
      choice.notes.push_back("VAE tiling/slicing changes nothing at this workload's resolution and batch");
      return choice;
    }
  }
  return MakeError(ErrorCode::kUsage, "--strategy " + *id + " is not a candidate for this model and hardware "
                                                             "(`pipefit plan --all` lists them)");
}

Result<Choice> ChooseFromId(const ApplyFlags& flags, const PipelineSite& site) {
  if (flags.strategy.empty()) {
    return MakeError(ErrorCode::kUsage, "--prefer needs the model (pass --model, or load it in the script by id); "
                                        "--strategy ID works without it");
  }
  std::string why;
  auto parsed = ParseStrategyId(flags.strategy, &why);
  if (!parsed) return MakeError(ErrorCode::kUsage, "--strategy: " + why);
  if (const CompatibilityRule* rule = FindRejection(parsed->weights, parsed->placement)) {
    return MakeError(ErrorCode::kUsage, "--strategy " + flags.strategy + " is never offered (" + std::string(rule->id) +
                                            "): " + std::string(rule->message));
  }
  if (parsed->weights == WeightsKind::kGguf) {
    return MakeError(ErrorCode::kUsage, "--strategy gguf needs the GGUF file: pass it with --model FILE.gguf");
  }
  if (parsed->text_encoders) {
    return MakeError(ErrorCode::kUsage, "--strategy " + flags.strategy +
                                            ": '+te' needs the model to know which text encoders are large (--model)");
  }
  Choice choice;
  Candidate& c = choice.candidate;
  c.weights = parsed->weights;
  c.placement = parsed->placement;
  c.vae_tiling = parsed->vae_tiling;
  c.vae_slicing = parsed->vae_slicing;
  // UNet pipelines by class, or by the repo id for the generic classes.
  auto has = [](const std::string& text, const char* piece) { return text.find(piece) != std::string::npos; };
  const std::string id_lower = [&] {
    std::string s = site.model_id;
    for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  }();
  const bool unet_class = (has(site.class_name, "StableDiffusion") && !has(site.class_name, "StableDiffusion3")) ||
                          has(site.class_name, "Kandinsky") || has(site.class_name, "IFPipeline") ||
                          has(site.class_name, "AnimateDiff");
  const bool generic = site.class_name == "DiffusionPipeline" || site.class_name.starts_with("AutoPipelineFor");
  const bool unet_id = (has(id_lower, "stable-diffusion") || has(id_lower, "sdxl")) &&
                       !has(id_lower, "stable-diffusion-3");
  const bool unet = unet_class || (generic && unet_id);
  const bool vae_tiles = site.class_name != "StableVideoDiffusionPipeline" && site.class_name != "I2VGenXLPipeline";
  if ((parsed->vae_tiling || parsed->vae_slicing) && !vae_tiles) {
    return MakeError(ErrorCode::kUsage, site.class_name + "'s VAE has no tiling or slicing (internals §9)");
  }
  CodeContext& ctx = choice.context;
  ctx.pipeline_class = site.class_name;
  ctx.model_id = site.model_id;
  ctx.denoiser = unet ? "unet" : "transformer";
  if (auto dtype = ParseLoadDType(site.dtype.empty() ? "bf16" : site.dtype)) ctx.dtype = *dtype;
  if (c.weights != WeightsKind::kFull) c.quantized_components = {ctx.denoiser};
  if (c.placement == Placement::kGroupBlock || c.placement == Placement::kGroupBlockStream) c.num_blocks_per_group = 1;
  choice.notes.push_back("the model did not resolve: denoiser assumed '" + ctx.denoiser +
                         "', one block per group; pass --model for exact components");
  return choice;
}

// Atomic replace keeping SCRIPT.orig; refuses a symlink that points outside
// the script's folder (issue 8: nothing else is ever written).
Status WriteInPlace(const std::string& path, const std::string& original, const std::string& text,
                    std::vector<std::string>& notes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_symlink(p, ec)) {
    const fs::path target = fs::weakly_canonical(p, ec);
    const fs::path folder = fs::weakly_canonical(p.parent_path().empty() ? fs::path(".") : p.parent_path(), ec);
    const auto [mismatch, unused] = std::mismatch(folder.begin(), folder.end(), target.begin(), target.end());
    if (mismatch != folder.end()) {
      return MakeError(ErrorCode::kUnsupported, path + " is a symlink to " + target.string() +
                                                    ", outside its folder: not rewriting it (print the diff instead)");
    }
  }
  const std::string backup = path + ".orig";
  struct stat mode{};
  const bool have_mode = stat(path.c_str(), &mode) == 0;
  if (!fs::exists(backup, ec)) {
    {
      std::ofstream out(backup, std::ios::binary);
      out << original;
      if (!out) return MakeError(ErrorCode::kIo, backup + ": cannot write the backup; nothing was changed");
    }
    if (have_mode) chmod(backup.c_str(), mode.st_mode & 07777);
  } else {
    notes.push_back(backup + " already exists: kept it (it holds an earlier original)");
  }
  const std::string tmp = path + ".pipefit-tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return MakeError(ErrorCode::kIo, tmp + ": cannot write; nothing was changed");
  }
  struct stat st{};
  if (stat(path.c_str(), &st) == 0) chmod(tmp.c_str(), st.st_mode & 07777);
  fs::rename(tmp, fs::is_symlink(p, ec) ? fs::canonical(p, ec) : p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return MakeError(ErrorCode::kIo, path + ": cannot replace: " + ec.message() + "; nothing was changed");
  }
  return OkStatus();
}

int RunApply(const ApplyFlags& flags) {
  auto script = ReadScript(flags.script);
  if (!script.ok()) return ReportError(script.error());
  const std::vector<PipelineSite> sites = FindPipelines(*script);
  const PipelineSite* site = nullptr;
  for (const PipelineSite& s : sites) {
    if (site == nullptr && (flags.target.empty() || s.variable == flags.target)) site = &s;
  }
  if (site == nullptr) {
    return ReportError(MakeError(ErrorCode::kNotFound, flags.script + ": no diffusers pipeline construction" +
                                                           (flags.target.empty() ? "" : " bound to " + flags.target)));
  }
  std::vector<std::string> notes;
  ModelFlags model = flags.model;
  if (model.dtype == "bf16" && !site->dtype.empty()) model.dtype = site->dtype;
  auto resolved = ResolveScriptModel(model, *script, notes);
  auto choice = resolved ? ChooseFromPlan(flags, std::move(*resolved), *site) : ChooseFromId(flags, *site);
  if (!choice.ok()) return ReportError(choice.error());
  // A pinned revision belongs to the planned repo: it is added only to a
  // from_pretrained of that very repo, never to another repo's or a file's load.
  if (site->method != "from_pretrained" || site->model_id != choice->context.model_id) choice->context.revision.clear();
  ApplyOptions options;
  options.target = site->variable;
  auto applied = ApplyCandidate(*script, choice->candidate, choice->context, options);
  if (!applied.ok()) return ReportError(applied.error().WithContext(flags.script));
  notes.insert(notes.end(), choice->notes.begin(), choice->notes.end());
  notes.insert(notes.end(), applied->notes.begin(), applied->notes.end());
  const std::string id = choice->candidate.Id();
  if (applied->rewritten == script->source) {
    std::fprintf(stderr, "pipefit: %s already runs %s: nothing to change\n", flags.script.c_str(), id.c_str());
  } else if (flags.write) {
    if (Status s = WriteInPlace(flags.script, script->source, applied->rewritten, notes); !s.ok()) {
      return ReportError(s.error());
    }
    std::fprintf(stderr, "pipefit: rewrote %s for %s (the first original is kept in %s.orig)\n",
                 flags.script.c_str(), id.c_str(), flags.script.c_str());
  } else {
    // git-style labels; an absolute path keeps a single slash ("a/tmp/x.py").
    const std::string label = flags.script.starts_with('/') ? flags.script.substr(1) : flags.script;
    const std::string diff = UnifiedDiff(script->source, applied->rewritten, "a/" + label, "b/" + label);
    std::fwrite(diff.data(), 1, diff.size(), stdout);
  }
  for (const std::string& note : notes) std::fprintf(stderr, "pipefit: note: %s\n", note.c_str());
  return 0;
}

}  // namespace

void RegisterApplyCommand(CLI::App& app, CommandRunner& run) {
  auto f = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "apply",
      "Rewrite a diffusers script to run one candidate (--strategy ID, or the plan's pick for --prefer):\n"
      "removes the calls it replaces, adds the new ones after the pipeline is built, touches nothing else.\n"
      "Prints a unified diff; --write rewrites the file in place (keeping SCRIPT.orig).");
  cmd->add_option("SCRIPT", f->script, "the Python script")->required();
  cmd->add_option("--strategy", f->strategy, "candidate id, e.g. fp8_layerwise+model_offload");
  cmd->add_option("--prefer", f->prefer, "quality | speed | memory | balanced (needs the model)")
      ->capture_default_str();
  cmd->add_option("--target", f->target, "the pipeline variable to rewrite (default: the first pipeline)");
  cmd->add_option("--model", f->model.model, "the model to plan (default: the id the script loads)");
  cmd->add_option("--dtype", f->model.dtype, "torch_dtype for the plan (default: the script's)");
  cmd->add_flag("--offline", f->model.offline, "never use the network (also HF_HUB_OFFLINE=1)");
  AddHardwareOptions(*cmd, f->inputs);
  cmd->add_flag("--write", f->write, "rewrite SCRIPT in place (atomically; the original is kept as SCRIPT.orig)");
  cmd->callback([f, &run] { run = [f] { return RunApply(*f); }; });
}

}  // namespace pipefit::cli
