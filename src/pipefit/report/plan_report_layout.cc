// Text-layout building blocks of the plan report: display width, word wrap,
// the VRAM bar, and the preference lookup shared by text and JSON.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "pipefit/plan/rank.h"
#include "pipefit/report/plan_report.h"

namespace pipefit {
namespace {

// ANSI SGR codes (ECMA-48): 32 green, 33 yellow, 31 red, 2 faint.
std::string Paint(std::string_view text, const char* sgr, bool color) {
  if (!color || text.empty()) return std::string(text);
  return std::string("\x1b[") + sgr + "m" + std::string(text) + "\x1b[0m";
}

std::string Repeat(std::string_view piece, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += piece;
  return out;
}

// Splits on spaces, dropping empty words; a word ending in a digit stays
// with the word after it, so "21.00 GiB" and "28 steps" never break.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  bool glue = false;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) {
      const std::string_view word = text.substr(start, end - start);
      if (glue) {
        words.back() += " " + std::string(word);
      } else {
        words.emplace_back(word);
      }
      glue = std::isdigit(static_cast<unsigned char>(word.back())) != 0;
    }
    start = end + 1;
  }
  return words;
}

}  // namespace

std::optional<std::string> RecommendationFor(const Recommendations& recommended, std::string_view prefer) {
  const std::optional<Preference> preference = ParsePreference(prefer);
  if (!preference) return std::nullopt;
  return RecommendationFor(recommended, *preference);
}

int DisplayWidth(std::string_view text) {
  int width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    if (byte == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
      // CSI: parameters and intermediates up to a final byte in 0x40..0x7e.
      i += 2;
      while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e)) ++i;
      continue;
    }
    if ((byte & 0xc0) != 0x80) ++width;  // not a UTF-8 continuation byte
  }
  return width;
}

std::vector<std::string> WrapText(std::string_view text, int width, std::string_view first_indent,
                                  std::string_view rest_indent) {
  std::vector<std::string> lines;
  std::string line(first_indent);
  bool line_has_word = false;
  for (const std::string& word : Words(text)) {
    const int needed = DisplayWidth(line) + (line_has_word ? 1 : 0) + DisplayWidth(word);
    if (line_has_word && needed > width) {
      lines.push_back(line);
      line = std::string(rest_indent);
      line_has_word = false;
    }
    if (line_has_word) line += ' ';
    line += word;
    line_has_word = true;
  }
  if (line_has_word || lines.empty()) lines.push_back(line);
  return lines;
}

std::string RenderVramBar(Bytes vram, Bytes capacity, int cells, bool color) {
  if (capacity <= 0 || cells <= 0) return "";
  const double fraction = static_cast<double>(std::max<Bytes>(vram, 0)) / static_cast<double>(capacity);
  const int filled = std::min(cells, static_cast<int>(std::lround(fraction * cells)));
  // The balanced preference's line (CONTRACT.md "Preferences": 80% of the VRAM).
  const int mark = cells * 8 / 10;
  const char* fill_sgr = fraction > 1.0 ? "31" : fraction > 0.8 ? "33" : "32";
  std::string free_part;
  for (int i = filled; i < cells; ++i) free_part += (i == mark) ? "┆" : "░";
  std::string bar = Paint(Repeat("█", filled), fill_sgr, color) + Paint(free_part, "2", color) + "│";
  bar += vram > capacity ? Paint("▶", "31", color) : " ";
  return bar;
}

}  // namespace pipefit
