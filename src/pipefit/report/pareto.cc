#include "pipefit/report/pareto.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "pipefit/base/text.h"
#include "pipefit/base/units.h"

namespace pipefit {
namespace {

// The candidates the chart shows: the fitting ones, else all of them.
std::vector<const PlannedCandidate*> Shown(const PlanResult& plan) {
  std::vector<const PlannedCandidate*> fitting, all;
  for (const PlannedCandidate& p : plan.candidates) {
    all.push_back(&p);
    if (p.fits) fitting.push_back(&p);
  }
  return fitting.empty() ? all : fitting;
}

double GiBOf(Bytes bytes) { return static_cast<double>(bytes) / static_cast<double>(kGiB); }

// Maps seconds to [0, 1], on a log scale when they spread over more than 8×.
struct TimeScale {
  double lo = 0, hi = 1;
  bool log = false;
  double operator()(double seconds) const {
    if (hi <= lo) return 0.5;
    if (log) return (std::log(seconds) - std::log(lo)) / (std::log(hi) - std::log(lo));
    return (seconds - lo) / (hi - lo);
  }
};

TimeScale ScaleFor(const std::vector<const PlannedCandidate*>& shown) {
  TimeScale scale;
  scale.lo = 1e300;
  scale.hi = 0;
  for (const PlannedCandidate* p : shown) {
    scale.lo = std::min(scale.lo, p->estimate.seconds);
    scale.hi = std::max(scale.hi, p->estimate.seconds);
  }
  scale.lo = std::max(scale.lo, 1e-3);
  scale.log = scale.hi > 8 * scale.lo;
  return scale;
}

// The x axis' end in GiB: the card and every shown candidate, 5% headroom.
double AxisGiB(const PlanResult& plan, const std::vector<const PlannedCandidate*>& shown) {
  double most = GiBOf(plan.hardware.vram);
  for (const PlannedCandidate* p : shown) most = std::max(most, GiBOf(p->estimate.vram));
  return std::max(1.0, std::ceil(most * 1.05));
}

// ", quality fp8 and up" when --quality left candidates out.
std::string QualitySuffix(const PlanResult& plan) {
  if (plan.min_quality == QualityTier::kInt4) return "";
  return fmt::format(", quality {}{}", QualityName(plan.min_quality),
                     plan.min_quality == QualityTier::kFull ? " only" : " and up");
}

char FrontLabel(size_t index) { return index < 26 ? static_cast<char>('a' + index) : '*'; }

std::string Seconds(double s) { return s >= 100 ? fmt::format("{:.0f} s", s) : fmt::format("{:.2f} s", s); }

}  // namespace

std::vector<const PlannedCandidate*> ParetoFront(const PlanResult& plan) {
  const std::vector<const PlannedCandidate*> shown = Shown(plan);
  std::vector<const PlannedCandidate*> front;
  for (const PlannedCandidate* p : shown) {
    // VRAM within 1% counts as equal: the estimates are not that exact
    // (docs/memory-model.md), and a few MiB less must not keep a candidate
    // five times slower on the front.
    const Bytes tolerance = p->estimate.vram / 100;
    const bool dominated = std::any_of(shown.begin(), shown.end(), [&](const PlannedCandidate* q) {
      const bool no_worse =
          q->estimate.vram <= p->estimate.vram + tolerance && q->estimate.seconds <= p->estimate.seconds;
      const bool better =
          q->estimate.vram < p->estimate.vram - tolerance || q->estimate.seconds < p->estimate.seconds;
      return no_worse && better;
    });
    if (!dominated) front.push_back(p);
  }
  std::stable_sort(front.begin(), front.end(), [](const PlannedCandidate* a, const PlannedCandidate* b) {
    return a->estimate.vram < b->estimate.vram;
  });
  return front;
}

std::string RenderParetoChart(const PlanResult& plan, int width, int height) {
  const std::vector<const PlannedCandidate*> shown = Shown(plan);
  if (shown.empty()) return "No candidate to chart.\n";
  const std::vector<const PlannedCandidate*> front = ParetoFront(plan);
  const Bytes card = plan.hardware.vram;
  const double x_max = AxisGiB(plan, shown);
  const TimeScale time = ScaleFor(shown);
  std::vector<std::string> grid(static_cast<size_t>(height), std::string(static_cast<size_t>(width), ' '));
  auto column = [&](double gib) {
    return std::clamp(static_cast<int>(std::lround(gib / x_max * (width - 1))), 0, width - 1);
  };
  auto row = [&](double seconds) {  // row 0 is the top (slowest)
    return std::clamp(height - 1 - static_cast<int>(std::lround(time(seconds) * (height - 1))), 0,
                      height - 1);
  };
  if (card > 0) {
    for (std::string& line : grid) line[static_cast<size_t>(column(GiBOf(card)))] = '|';
  }
  for (const PlannedCandidate* p : shown) {
    char& cell = grid[static_cast<size_t>(row(p->estimate.seconds))]
                     [static_cast<size_t>(column(GiBOf(p->estimate.vram)))];
    if (cell == ' ' || cell == '|') cell = '.';
  }
  for (size_t i = 0; i < front.size(); ++i) {
    grid[static_cast<size_t>(row(front[i]->estimate.seconds))]
        [static_cast<size_t>(column(GiBOf(front[i]->estimate.vram)))] = FrontLabel(i);
  }
  const bool none_fits =
      std::none_of(shown.begin(), shown.end(), [](const PlannedCandidate* p) { return p->fits; });
  std::string out =
      fmt::format("Pareto front: peak VRAM against seconds per call ({}{}; letters are on the front{})\n",
                  none_fits ? fmt::format("none fits: all {} candidates", shown.size())
                            : fmt::format("{} fitting candidates", shown.size()),
                  QualitySuffix(plan), card > 0 ? ", | is the card's VRAM" : "");
  const std::string top = Seconds(time.hi), bottom = Seconds(time.lo);
  const size_t margin = std::max(top.size(), bottom.size()) + 1;
  for (int r = 0; r < height; ++r) {
    std::string label = r == 0 ? top : r == height - 1 ? bottom : "";
    out += std::string(margin - label.size(), ' ') + label + (r == 0 || r == height - 1 ? "+" : "|") +
           grid[static_cast<size_t>(r)] + "\n";
  }
  out += std::string(margin, ' ') + "+" + std::string(static_cast<size_t>(width), '-') + "\n";
  const std::string left = "0 GiB", right = fmt::format("{:.0f} GiB", x_max);
  out +=
      std::string(margin + 1, ' ') + left +
      std::string(static_cast<size_t>(std::max<int>(1, width - static_cast<int>(left.size() + right.size()))),
                  ' ') +
      right + "\n";
  out += fmt::format("{}seconds: {} scale; x: peak VRAM\n", std::string(margin + 1, ' '),
                     time.log ? "log" : "linear");
  out += "\nOn the front (less VRAM costs time):\n";
  size_t id_width = 0;
  for (const PlannedCandidate* p : front) id_width = std::max(id_width, p->candidate.Id().size());
  for (size_t i = 0; i < front.size(); ++i) {
    out += fmt::format("  {}  {:<{}}  {:>10}  {:>9}\n", FrontLabel(i), front[i]->candidate.Id(), id_width,
                       FormatGiB(front[i]->estimate.vram), Seconds(front[i]->estimate.seconds));
  }
  return out;
}

std::string RenderParetoSvg(const PlanResult& plan) {
  const std::vector<const PlannedCandidate*> shown = Shown(plan);
  const std::vector<const PlannedCandidate*> front = ParetoFront(plan);
  constexpr int kW = 720, kH = 420;
  constexpr double kLeft = 64, kRight = 20, kTop = 36, kBottom = 48;
  const double plot_w = kW - kLeft - kRight, plot_h = kH - kTop - kBottom;
  const double x_max = AxisGiB(plan, shown);
  const TimeScale time = ScaleFor(shown);
  auto x = [&](double gib) { return kLeft + gib / x_max * plot_w; };
  auto y = [&](double seconds) { return kTop + (1.0 - time(seconds)) * plot_h; };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "font-family=\"sans-serif\" font-size=\"11\">\n<title>{}</title>\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n",
      kW, kH, kW, kH,
      EscapeHtml(fmt::format("pipefit plan: {} — peak VRAM against seconds per call", plan.model)));
  svg += fmt::format(
      "<text x=\"{:.0f}\" y=\"20\" font-size=\"13\" font-weight=\"bold\">{}</text>\n", kLeft,
      EscapeHtml(fmt::format("{} on {}: Pareto front of VRAM and time{}", plan.model,
                             plan.hardware.gpu.empty() ? "no GPU" : plan.hardware.gpu, QualitySuffix(plan))));
  // Axes and ticks.
  svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/>\n", kLeft,
                     kTop + plot_h, kLeft + plot_w, kTop + plot_h);
  svg += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/>\n", kLeft, kTop, kLeft,
                     kTop + plot_h);
  const int x_step = x_max > 60 ? 20 : x_max > 24 ? 10 : 5;
  for (int gib = 0; gib <= static_cast<int>(x_max); gib += x_step) {
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\" fill=\"#555\">{4}</text>\n",
        x(gib), kTop, kTop + plot_h, kTop + plot_h + 16, gib);
  }
  for (double fraction : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    const double seconds =
        time.log ? std::exp(std::log(time.lo) + fraction * (std::log(time.hi) - std::log(time.lo)))
                 : time.lo + fraction * (time.hi - time.lo);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#555\">{}</text>\n",
                       kLeft - 6.0, y(seconds) + 4, EscapeHtml(Seconds(seconds)));
  }
  svg +=
      fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">peak VRAM (GiB)</text>\n",
                  kLeft + plot_w / 2, kH - 10);
  svg += fmt::format(
      "<text x=\"14\" y=\"{:.1f}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 14 {:.1f})\">"
      "seconds per call{}</text>\n",
      kTop + plot_h / 2, kTop + plot_h / 2, time.log ? " (log)" : "");
  if (plan.hardware.vram > 0) {
    const double cx = x(GiBOf(plan.hardware.vram));
    svg += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#c62828\" stroke-dasharray=\"5 3\"/>"
        "<text x=\"{3:.1f}\" y=\"{4}\" text-anchor=\"end\" fill=\"#c62828\">card {5}</text>\n",
        cx, kTop, kTop + plot_h, cx - 4, kTop + 12, EscapeHtml(FormatGiB(plan.hardware.vram)));
  }
  // The front as a line, then every point.
  std::string path;
  for (const PlannedCandidate* p : front) {
    path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : " L", x(GiBOf(p->estimate.vram)),
                        y(p->estimate.seconds));
  }
  if (!path.empty())
    svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#e08a00\" stroke-width=\"2\"/>\n";
  for (const PlannedCandidate* p : shown) {
    const bool on_front = std::find(front.begin(), front.end(), p) != front.end();
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" stroke=\"#fff\"><title>{}</title></circle>\n",
        x(GiBOf(p->estimate.vram)), y(p->estimate.seconds), on_front ? 5 : 3.5,
        on_front ? "#e08a00" : "#9aa7b6",
        EscapeHtml(fmt::format("{}: {}, {}", p->candidate.Id(), FormatGiB(p->estimate.vram),
                               Seconds(p->estimate.seconds))));
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace pipefit
