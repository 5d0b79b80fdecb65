// `pipefit plan` for people: the same facts as the JSON, laid out as a
// header, the candidates grouped as the seed calculator groups them
// (reference/memory-calculator.md: offloading/casting, then quantization)
// with a VRAM bar each, the recommendation per preference, the chosen
// candidate's code and memory by stage, and the notes.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "pipefit/base/units.h"
#include "pipefit/codegen/script_writer.h"
#include "pipefit/report/plan_report.h"
#include "pipefit/report/time_basis_text.h"

namespace pipefit {
namespace {

// "transformer", "vae.decode": the model a stage runs (stage names repeat
// when a pipeline has several text encoders); "load: transformer" while
// from_pretrained loads it, "load: setup" after the setup lines.
std::string StageLabel(const StagePeak& s) {
  const std::string stage = StageName(s.stage);
  if (s.stage == Stage::kLoad) return s.component == "pipeline" ? "load: setup" : "load: " + s.component;
  if (s.component.empty()) return stage;
  if (s.stage == Stage::kDecode || s.stage == Stage::kEncode) return s.component + "." + stage;
  return s.component;
}

// Below this the fixed columns and the stage table no longer fit.
constexpr int kMinWidth = 64;
constexpr int kMinBarCells = 10;
constexpr int kMaxBarCells = 40;
// Columns of the numbers part of a row: VRAM, RAM, time, relative, quality.
constexpr int kNumbersWidth = 10 + 1 + 10 + 1 + 9 + 1 + 7 + 2 + 4 + 2;
// The bar's '│' and overflow cell, then " 100%".
constexpr int kBarExtra = 2 + 5;

struct Context {
  const PlanResult& plan;
  const PlanRenderOptions& options;
  int width;
  std::optional<std::string> chosen;
};

std::string Paint(std::string_view text, const char* sgr, const Context& ctx) {
  if (!ctx.options.color || text.empty()) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", sgr, text);
}

std::string Bold(std::string_view text, const Context& ctx) { return Paint(text, "1", ctx); }

void AppendWrapped(std::string_view text, std::string_view first, std::string_view rest, const Context& ctx,
                   std::string& out) {
  for (const std::string& line : WrapText(text, ctx.width, first, rest)) out += line + "\n";
}

std::string ActivationBasis(const StageActivations& a) {
  if (a.overridden) return "set for every stage by --activation";
  if (a.calibrated) {
    if (a.basis.starts_with("calibrated")) return a.basis;
    return "calibrated on published measurements" + (a.basis.empty() ? "" : ": " + a.basis);
  }
  if (a.basis.find("uncalibrated") != std::string::npos) return a.basis;
  return "uncalibrated generic estimate" + (a.basis.empty() ? "" : ": " + a.basis);
}

std::string WorkloadLine(const Workload& w) {
  std::string line = fmt::format("{}×{}", w.width, w.height);
  if (w.video || w.frames > 1) line += fmt::format(", {} frames", w.frames);
  line += fmt::format(", batch {}, {} steps, {} text tokens", w.batch, w.steps, w.text_tokens);
  line += w.guidance_batch > 1 ? fmt::format("; CFG doubles the denoiser batch (×{})", w.guidance_batch)
                               : "; no CFG batch doubling";
  if (w.from_defaults) line += " (pipeline defaults)";
  return line;
}

std::string HardwareLine(const PlanHardware& hw) {
  std::string gpu = hw.gpu.empty() ? "no GPU" : hw.gpu;
  if (!hw.compute_capability.empty()) gpu += " (compute " + hw.compute_capability + ")";
  std::string line = fmt::format("{}: {} VRAM, {} RAM ({})", gpu, FormatGiB(hw.vram), FormatGiB(hw.ram),
                                 hw.source.empty() ? "unknown source" : hw.source);
  if (hw.gpus.size() > 1) {
    line += fmt::format("; GPU 0 of {}{}", hw.gpus.size(),
                        hw.interconnect.empty() ? "" : " (" + hw.interconnect + ")");
  }
  return line;
}

// The header's account of this machine's measurements (`pipefit
// calibrate`); "" when the store is empty.
std::string CalibrationLine(const PlanResult& p) {
  const PlanCalibration& c = p.calibration;
  if (c.stored == 0) return "";
  if (c.on_this_gpu == 0) {
    return fmt::format("{} stored measurement{}, none of this GPU and capacity: every number is predicted",
                       c.stored, c.stored == 1 ? "" : "s");
  }
  std::string line = fmt::format(
      "{} measurement{} of this GPU, {} of {}", c.on_this_gpu, c.on_this_gpu == 1 ? "" : "s", c.of_family,
      p.code_context.denoiser_class.empty() ? "this family" : p.code_context.denoiser_class);
  std::vector<std::string> factors;
  if (c.seconds_factor) factors.push_back(fmt::format("time x{:.2f}", *c.seconds_factor));
  if (c.denoise_factor) factors.push_back(fmt::format("denoise activations x{:.2f}", *c.denoise_factor));
  if (c.decode_factor) factors.push_back(fmt::format("decode activations x{:.2f}", *c.decode_factor));
  if (!factors.empty()) {
    line += fmt::format("; single-GPU candidates corrected by {}", fmt::join(factors, ", "));
  } else {
    line += "; no correction factor (too few usable measurements of this family)";
  }
  if (!c.measured.empty()) line += fmt::format("; measured: {}", fmt::join(c.measured, ", "));
  return line + " (--uncalibrated: the model alone)";
}

void AppendHeader(const Context& ctx, std::string& out) {
  const PlanResult& p = ctx.plan;
  const std::string title =
      fmt::format("{}{}, load dtype {}", p.model.empty() ? "(model)" : p.model,
                  p.pipeline_class.empty() ? "" : " (" + p.pipeline_class + ")", LoadDTypeName(p.load_dtype));
  out += Bold(title, ctx) + "\n";
  const char* indent = "             ";
  AppendWrapped(HardwareLine(p.hardware), "Hardware     ", indent, ctx, out);
  AppendWrapped(WorkloadLine(p.workload), "Workload     ", indent, ctx, out);
  const StageActivations& a = p.activation;
  std::string act = fmt::format("text encode {}, denoise {}, decode {}", FormatGiB(a.text_encode),
                                FormatGiB(a.denoise), FormatGiB(a.decode));
  if (a.encode != 0) act += ", encode " + FormatGiB(a.encode);
  AppendWrapped(act, "Activation   ", indent, ctx, out);
  AppendWrapped(ActivationBasis(a), indent, indent, ctx, out);
  AppendWrapped(TimeBasisText(PlanTimeBasis(p.hardware)), "Time         ", indent, ctx, out);
  if (std::string calibration = CalibrationLine(p); !calibration.empty())
    AppendWrapped(calibration, "Calibration  ", indent, ctx, out);
  const SeedQuantities& s = p.seed;
  AppendWrapped(fmt::format("S_total {}, S_max {}, S_block {}, S_leaf {}", FormatGiB(s.s_total),
                            FormatGiB(s.s_max), FormatGiB(s.s_block), FormatGiB(s.s_leaf)),
                "Measured     ", indent, ctx, out);
  AppendWrapped(
      fmt::format("S_total_lc {}, S_max_lc {} with the {} in fp8 layerwise casting", FormatGiB(s.s_total_lc),
                  FormatGiB(s.s_max_lc), s.denoiser.empty() ? "denoiser" : s.denoiser),
      indent, indent, ctx, out);
}

// One table layout for every row: "wide" puts the id and the numbers on one
// line; ids too long for that go on a line of their own.
struct Layout {
  bool wide = true;
  int id_width = 0;
  int cells = 0;
};

Layout ChooseLayout(const std::vector<const PlannedCandidate*>& shown, const Context& ctx) {
  Layout layout;
  layout.id_width = static_cast<int>(std::string_view("strategy").size());
  for (const PlannedCandidate* p : shown) {
    layout.id_width = std::max(layout.id_width, static_cast<int>(p->candidate.Id().size()));
  }
  // The numbers part without the bar ends in the 4-column quality name.
  const int wide_fixed = 6 + layout.id_width + kNumbersWidth - 2;
  if (ctx.plan.hardware.vram <= 0) {  // no card to scale a bar against
    layout.wide = wide_fixed <= ctx.width;
    return layout;
  }
  const int wide_cells = ctx.width - (wide_fixed + 2 + kBarExtra);
  layout.wide = wide_cells >= kMinBarCells;
  const int cells = layout.wide ? wide_cells : ctx.width - (6 + kNumbersWidth + kBarExtra);
  layout.cells = std::min(kMaxBarCells, cells);
  return layout;
}

std::string NumbersColumns(const PlannedCandidate& p, const Layout& layout, const Context& ctx) {
  const Estimate& e = p.estimate;
  std::string line = fmt::format("{:>10} {:>10} {:>9} {:>6}×  {:<4}", FormatGiB(e.vram), FormatGiB(e.ram),
                                 fmt::format("{:.1f} s", e.seconds), fmt::format("{:.2f}", p.relative_time),
                                 QualityName(CandidateQuality(p.candidate)));
  if (layout.cells <= 0) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
  } else {
    const Bytes capacity = ctx.plan.hardware.vram;
    const long percent = std::lround(100.0 * static_cast<double>(e.vram) / static_cast<double>(capacity));
    line += "  " + RenderVramBar(e.vram, capacity, layout.cells, ctx.options.color) +
            fmt::format("{:>4}%", percent);
  }
  return line;
}

void AppendRow(const PlannedCandidate& p, const Layout& layout, const Context& ctx, std::string& out) {
  const std::string id = p.candidate.Id();
  const std::string mark = p.fits ? Paint("✓", "32", ctx) : Paint("✗", "31", ctx);
  const bool is_chosen = ctx.chosen && *ctx.chosen == id;
  std::string padded =
      id + std::string(static_cast<size_t>(std::max(0, layout.id_width - static_cast<int>(id.size()))), ' ');
  if (is_chosen) padded = Bold(padded, ctx);
  if (layout.wide) {
    out += "  " + mark + " " + padded + "  " + NumbersColumns(p, layout, ctx) + "\n";
  } else {
    out += "  " + mark + " " + (is_chosen ? Bold(id, ctx) : id) + "\n";
    out += "      " + NumbersColumns(p, layout, ctx) + "\n";
  }
  if (!p.fits) AppendWrapped(FitReason(p, ctx.plan.hardware), "      ", "      ", ctx, out);
  if (p.estimate.basis == EstimateBasis::kMeasured && !p.estimate.measured_oom)
    AppendWrapped(p.estimate.basis_note, "      ", "      ", ctx, out);
}

std::string ColumnTitles(const Layout& layout, const Context& ctx) {
  std::string numbers =
      fmt::format("{:>10} {:>10} {:>9} {:>7}  {:<4}", "VRAM", "RAM", "time", "rel.", "qual");
  if (layout.cells > 0) {
    std::string bar_title = "VRAM / " + FormatGiB(ctx.plan.hardware.vram);
    if (DisplayWidth(bar_title) > layout.cells + kBarExtra) bar_title = "VRAM / card";
    numbers += "  " + bar_title;
  }
  if (layout.wide) return fmt::format("    {:<{}}  {}\n", "strategy", layout.id_width, numbers);
  return fmt::format("    strategy\n      {}\n", numbers);
}

// The text's sections: CONTRACT.md's two groups for one GPU, and the
// multi-GPU layouts apart (their JSON `group` stays the contract's).
std::string_view DisplayGroup(const Candidate& c) {
  return c.parallel.kind != ParallelKind::kNone ? "multi_gpu" : GroupOf(c.weights);
}

void AppendGroup(const char* group, const std::string& title,
                 const std::vector<const PlannedCandidate*>& shown, const Layout& layout, const Context& ctx,
                 std::string& out) {
  const bool any = std::any_of(ctx.plan.candidates.begin(), ctx.plan.candidates.end(),
                               [&](const PlannedCandidate& p) { return DisplayGroup(p.candidate) == group; });
  if (!any) return;
  out += "\n" + Bold(title, ctx) + "\n";
  bool printed = false;
  for (const PlannedCandidate* p : shown) {
    if (DisplayGroup(p->candidate) != group) continue;
    AppendRow(*p, layout, ctx, out);
    printed = true;
  }
  if (!printed) out += "  none fits\n";
}

void AppendCandidates(const Context& ctx, std::string& out) {
  std::vector<const PlannedCandidate*> shown;
  for (const PlannedCandidate& p : ctx.plan.candidates) {
    if (p.fits || ctx.options.all) shown.push_back(&p);
  }
  const Layout layout = ChooseLayout(shown, ctx);
  out += "\n" + Bold(ctx.options.all ? "Candidates (all)" : "Candidates that fit", ctx);
  if (layout.cells > 0 && !shown.empty()) out += " — bar: VRAM against the card (│), ┆ at 80%";
  out += "\n";
  if (!shown.empty()) out += ColumnTitles(layout, ctx);
  AppendGroup("offload_casting", "Offloading / casting", shown, layout, ctx, out);
  AppendGroup("quantization", "Quantization", shown, layout, ctx, out);
  AppendGroup("multi_gpu",
              fmt::format("Multi-GPU ({} GPUs; VRAM is the fullest GPU's, RAM all processes')",
                          ctx.plan.hardware.gpus.size()),
              shown, layout, ctx, out);
  const size_t hidden = ctx.plan.candidates.size() - shown.size();
  if (hidden > 0) {
    out += "\n";
    AppendWrapped(hidden == 1
                      ? "(1 candidate that does not fit is hidden; --all lists it)"
                      : fmt::format("({} candidates that do not fit are hidden; --all lists them)", hidden),
                  "", "", ctx, out);
  }
}

const PlannedCandidate* FindCandidate(const PlanResult& plan, std::string_view id) {
  for (const PlannedCandidate& p : plan.candidates) {
    if (p.candidate.Id() == id) return &p;
  }
  return nullptr;
}

void AppendShortfall(const Context& ctx, std::string& out) {
  const Shortfall& s = *ctx.plan.shortfall;
  const PlanHardware& hw = ctx.plan.hardware;
  out += "\n" +
         Paint(fmt::format("Nothing fits in {} VRAM and {} RAM.", FormatGiB(hw.vram), FormatGiB(hw.ram)),
               "31", ctx) +
         "\n";
  AppendWrapped(fmt::format("Least VRAM: {} ({}), with {} RAM.", FormatGiB(s.min_vram), s.min_vram_candidate,
                            FormatGiB(s.ram_at_min_vram)),
                "  ", "    ", ctx, out);
  std::string vram_at_min_ram;
  if (const PlannedCandidate* p = FindCandidate(ctx.plan, s.min_ram_candidate)) {
    vram_at_min_ram = ", with " + FormatGiB(p->estimate.vram) + " VRAM";
  }
  AppendWrapped(
      fmt::format("Least RAM: {} ({}){}.", FormatGiB(s.min_ram), s.min_ram_candidate, vram_at_min_ram), "  ",
      "    ", ctx, out);
}

void AppendRecommended(const Context& ctx, std::string& out) {
  out += "\n" + Bold("Recommended", ctx) + "\n";
  for (const char* prefer : {"quality", "speed", "memory", "balanced"}) {
    const std::optional<std::string> id = RecommendationFor(ctx.plan.recommended, prefer);
    const std::string shown = id ? *id : "none fits";
    out += fmt::format("  {:<9} {}{}\n", prefer, ctx.chosen && id == ctx.chosen ? Bold(shown, ctx) : shown,
                       ctx.options.prefer == prefer ? "  (--prefer)" : "");
  }
}

void AppendStages(const PlannedCandidate& p, const Context& ctx, std::string& out) {
  const Estimate& e = p.estimate;
  if (e.stages.empty()) return;
  out += "\n";
  AppendWrapped(fmt::format("Memory by stage (peak {} VRAM, {} allocated{}):", FormatGiB(e.vram),
                            FormatGiB(e.vram_allocated),
                            !e.peak_stage ? "" : fmt::format(", during {}", StageName(*e.peak_stage))),
                "  ", "    ", ctx, out);
  size_t label_width = 14;
  for (const StagePeak& s : e.stages) label_width = std::max(label_width, StageLabel(s).size());
  out += fmt::format("    {:<{}} {:>10} {:>12} {:>10} {:>10}\n", "stage", label_width, "weights",
                     "activations", "transient", "total");
  for (const StagePeak& s : e.stages) {
    out += fmt::format("    {:<{}} {:>10} {:>12} {:>10} {:>10}\n", StageLabel(s), label_width,
                       FormatGiB(s.weights), FormatGiB(s.activations), FormatGiB(s.transient),
                       FormatGiB(s.allocated()));
  }
  if (e.peak_stage == Stage::kLoad) {
    AppendWrapped(
        "loading sets the peak: from_pretrained and the setup lines hold more on the GPU than any model call "
        "(load transient: the caching-allocator warmup or one layer quantized on the GPU)",
        "  ", "    ", ctx, out);
  }
}

// Code lines are printed as they are, never wrapped: they must stay valid.
// What each GPU holds, for a multi-GPU candidate.
void AppendGpuShares(const PlannedCandidate& p, const Context& ctx, std::string& out) {
  if (p.candidate.parallel.kind == ParallelKind::kNone) return;
  out += "\n  " + Bold("Per GPU:", ctx) + "\n";
  out += fmt::format("    {:<5} {:>10} {:>11}  {}\n", "GPU", "VRAM", "allocated", "holds");
  for (const GpuShare& share : p.estimate.gpus) {
    const std::string holds = share.holds.empty() ? "-" : fmt::format("{}", fmt::join(share.holds, ", "));
    out += fmt::format("    {:<5} {:>10} {:>11}  {}\n", share.index, FormatGiB(share.vram),
                       FormatGiB(share.vram_allocated), holds);
  }
  if (p.estimate.communication_seconds > 0) {
    AppendWrapped(fmt::format("communication between the GPUs: {:.1f} s of the {:.1f} s",
                              p.estimate.communication_seconds, p.estimate.seconds),
                  "    ", "    ", ctx, out);
  }
}

void AppendChosen(const Context& ctx, std::string& out) {
  if (!ctx.chosen) return;
  const PlannedCandidate* p = FindCandidate(ctx.plan, *ctx.chosen);
  if (p == nullptr) {
    out += "\n";
    AppendWrapped(fmt::format("{} is not among the candidates for this pipeline.", *ctx.chosen), "", "", ctx,
                  out);
    return;
  }
  out += "\n" + Bold("Code for " + *ctx.chosen, ctx) + ":\n";
  if (!p->fits) AppendWrapped("does not fit: " + FitReason(*p, ctx.plan.hardware), "  ", "    ", ctx, out);
  const std::string code = CandidateCode(p->candidate, ctx.plan.code_context);
  size_t start = 0;
  while (start < code.size()) {
    const size_t end = std::min(code.find('\n', start), code.size());
    const std::string_view line = std::string_view(code).substr(start, end - start);
    out += line.empty() ? "\n" : "    " + std::string(line) + "\n";
    start = end + 1;
  }
  AppendStages(*p, ctx, out);
  AppendGpuShares(*p, ctx, out);
  for (const std::string& note : p->estimate.notes) AppendWrapped(note, "  - ", "    ", ctx, out);
}

void AppendNotes(const Context& ctx, std::string& out) {
  std::vector<std::string> notes = ctx.plan.hardware.notes;
  notes.insert(notes.end(), ctx.plan.notes.begin(), ctx.plan.notes.end());
  if (notes.empty()) return;
  out += "\n" + Bold("Notes", ctx) + "\n";
  for (const std::string& note : notes) AppendWrapped(note, "  - ", "    ", ctx, out);
}

}  // namespace

std::string FitReason(const PlannedCandidate& p, const PlanHardware& hw) {
  if (p.estimate.measured_oom) return p.estimate.basis_note;
  std::string reason;
  if (p.vram_over > 0 && p.candidate.parallel.kind != ParallelKind::kNone) {
    // The first GPU that does not hold its share.
    for (size_t g = 0; g < p.estimate.gpus.size(); ++g) {
      const GpuShare& share = p.estimate.gpus[g];
      const Bytes capacity = GpuCapacity(hw, g);
      if (share.vram <= capacity) continue;
      reason = fmt::format("GPU {} needs {} VRAM, {} more than its {}", share.index, FormatGiB(share.vram),
                           FormatGiB(share.vram - capacity), FormatGiB(capacity));
      break;
    }
  } else if (p.vram_over > 0) {
    reason = fmt::format("needs {} VRAM, {} more than the {} available", FormatGiB(p.estimate.vram),
                         FormatGiB(p.vram_over), FormatGiB(hw.vram));
  }
  if (p.ram_over > 0) {
    if (!reason.empty()) reason += "; ";
    reason += fmt::format("needs {} RAM, {} more than the {} available", FormatGiB(p.estimate.ram),
                          FormatGiB(p.ram_over), FormatGiB(hw.ram));
  }
  return reason;
}

std::string RenderPlanText(const PlanResult& plan, const PlanRenderOptions& options) {
  Context ctx{plan, options, std::max(options.width, kMinWidth), options.chosen};
  if (!ctx.chosen) ctx.chosen = RecommendationFor(plan.recommended, options.prefer);
  std::string out;
  AppendHeader(ctx, out);
  AppendCandidates(ctx, out);
  if (plan.shortfall) {
    AppendShortfall(ctx, out);
  } else {
    AppendRecommended(ctx, out);
  }
  AppendChosen(ctx, out);
  AppendNotes(ctx, out);
  return out;
}

}  // namespace pipefit
