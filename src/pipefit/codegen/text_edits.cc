#include "pipefit/codegen/text_edits.h"

#include <algorithm>

namespace pipefit {
namespace {

// Only blanks (or a trailing comment) in [begin, end).
bool Blank(std::string_view src, size_t begin, size_t end) {
  for (size_t i = begin; i < end; ++i) {
    if (src[i] == '#') return true;  // the rest is a comment
    if (src[i] != ' ' && src[i] != '\t' && src[i] != '\r' && src[i] != '\n') return false;
  }
  return true;
}

std::vector<Edit> MergeRemovals(std::string_view src, std::vector<Edit> edits) {
  std::vector<Edit> removals, others;
  for (Edit& e : edits) (e.text.empty() && e.range.end > e.range.begin ? removals : others).push_back(e);
  std::sort(removals.begin(), removals.end(),
            [](const Edit& a, const Edit& b) { return a.range.begin < b.range.begin; });
  std::vector<Edit> merged;
  for (const Edit& e : removals) {
    if (!merged.empty() && e.range.begin <= merged.back().range.end) {
      merged.back().range.end = std::max(merged.back().range.end, e.range.end);
    } else {
      merged.push_back(e);
    }
  }
  for (Edit& e : merged) {
    if (e.range.end > 0 && src[e.range.end - 1] == '\n') continue;  // already whole lines
    size_t line_start = e.range.begin;
    while (line_start > 0 && src[line_start - 1] != '\n') --line_start;
    size_t line_end = e.range.end;
    while (line_end < src.size() && src[line_end] != '\n') ++line_end;
    if (Blank(src, line_start, e.range.begin) && Blank(src, e.range.end, line_end)) {
      e.range = {line_start, line_end < src.size() ? line_end + 1 : line_end};
    }
  }
  others.insert(others.end(), merged.begin(), merged.end());
  return others;
}

std::string ToCrlf(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

std::string ApplyTextEdits(std::string_view source, std::vector<Edit> edits, bool crlf,
                           std::vector<std::string>& notes) {
  edits = MergeRemovals(source, std::move(edits));
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    if (a.range.begin != b.range.begin) return a.range.begin < b.range.begin;
    if (a.order != b.order) return a.order < b.order;
    return a.range.end < b.range.end;
  });
  std::string out;
  size_t at = 0;
  for (const Edit& e : edits) {
    if (e.range.begin < at) {  // overlaps an earlier edit: keep the earlier one
      notes.push_back("skipped an overlapping edit at line " + std::to_string(LineOf(source, e.range.begin)));
      continue;
    }
    out.append(source.substr(at, e.range.begin - at));
    out += crlf ? ToCrlf(e.text) : e.text;
    at = e.range.end;
  }
  out.append(source.substr(std::min(at, source.size())));
  return out;
}

bool UsesCrlf(std::string_view source) {
  size_t crlf = 0, lf = 0;
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] != '\n') continue;
    (i > 0 && source[i - 1] == '\r' ? crlf : lf)++;
  }
  return crlf > lf;
}

size_t FileHeaderEnd(std::string_view src) {
  size_t at = src.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  auto line_end = [&](size_t from) {
    const size_t nl = src.find('\n', from);
    return nl == std::string_view::npos ? src.size() : nl + 1;
  };
  while (at < src.size() && src[at] == '#' &&
         (src.compare(at, 2, "#!") == 0 || src.find("coding", at) < line_end(at))) {
    at = line_end(at);
  }
  size_t first = at;
  while (first < src.size() && (src[first] == ' ' || src[first] == '\n' || src[first] == '\r')) ++first;
  for (std::string_view quote : {std::string_view("\"\"\""), std::string_view("'''")}) {
    if (src.compare(first, 3, quote) != 0) continue;
    const size_t close = src.find(quote, first + 3);
    if (close != std::string_view::npos) at = line_end(close + 3);
  }
  return at;
}

bool IsImported(const PythonScript& script, const std::string& module, const std::string& name) {
  for (const Import& imp : script.imports) {
    const bool same = imp.module == module || (!module.empty() && imp.module.starts_with(module + "."));
    const bool named = std::find(imp.names.begin(), imp.names.end(), name) != imp.names.end();
    if (same && (imp.star || named)) return true;
  }
  return false;
}

}  // namespace pipefit
