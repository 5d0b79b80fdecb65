#include "pipefit/doctor/traceback.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace pipefit {
namespace {

constexpr size_t kMaxRawLine = 65536;
constexpr size_t kMaxFramesUp = 2000;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The rich box characters (UTF-8) and their mangled stand-ins at a line's
// edges: "│ /x.py:3 in f │", "¦ /x.py:3 in f ¦".
constexpr std::string_view kBoxEdges[] = {"│", "¦", "|", "╭", "╰", "─", "╮", "╯"};

std::string_view StripBoxEdges(std::string_view s) {
  for (bool changed = true; changed;) {
    changed = false;
    s = Trim(s);
    for (std::string_view edge : kBoxEdges) {
      if (s.starts_with(edge)) {
        s.remove_prefix(edge.size());
        changed = true;
      }
      if (s.ends_with(edge)) {
        s.remove_suffix(edge.size());
        changed = true;
      }
    }
  }
  return s;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "Decoder.forward(self, x)" -> "forward"; "<cell line: 3>()" -> "<cell line: 3>".
std::string BareFunction(std::string_view qualified) {
  qualified = Trim(qualified);
  if (!qualified.starts_with("<")) {
    const size_t paren = qualified.find('(');
    if (paren != std::string_view::npos) qualified = qualified.substr(0, paren);
    const size_t dot = qualified.rfind('.');
    if (dot != std::string_view::npos) qualified.remove_prefix(dot + 1);
  } else {
    const size_t close = qualified.find('>');
    if (close != std::string_view::npos) qualified = qualified.substr(0, close + 1);
  }
  return std::string(Trim(qualified));
}

TraceFrame MakeFrame(std::string_view path, std::string_view function, std::string_view text) {
  TraceFrame f;
  f.path = std::string(path);
  f.function = BareFunction(function);
  f.text = std::string(text.substr(0, 300));
  return f;
}

// CPython: File "PATH", line N, in FUNC
std::optional<TraceFrame> CPythonFrame(std::string_view line) {
  const size_t file = line.find("File \"");
  if (file == std::string_view::npos) return std::nullopt;
  const size_t close = line.find('"', file + 6);
  if (close == std::string_view::npos) return std::nullopt;
  const size_t in = line.find(", in ", close);
  const std::string_view function = in == std::string_view::npos ? "" : line.substr(in + 5);
  return MakeFrame(line.substr(file + 6, close - file - 6), function, line.substr(file));
}

// IPython 8: "File PATH:N, in QUAL(ARGS)" and "Cell In[5], line 3";
// JupyterLab links the path: "File [PATH:N](URL), in QUAL(ARGS)".
std::optional<TraceFrame> IPython8Frame(std::string_view t) {
  if (t.starts_with("Cell In[")) {
    const size_t comma = t.find(", line ");
    if (comma == std::string_view::npos) return std::nullopt;
    return MakeFrame(t.substr(0, comma), "<module>", t);
  }
  if (!t.starts_with("File ") || t.starts_with("File \"")) return std::nullopt;
  const size_t in = t.find(", in ");
  if (in == std::string_view::npos) return std::nullopt;
  std::string_view head = t.substr(5, in - 5);
  if (head.starts_with("[")) {
    const size_t close = head.find("](");
    if (close == std::string_view::npos) return std::nullopt;
    head = head.substr(1, close - 1);
  }
  const size_t colon = head.rfind(':');
  if (colon == std::string_view::npos || !AllDigits(head.substr(colon + 1))) return std::nullopt;
  return MakeFrame(head.substr(0, colon), t.substr(in + 5), t);
}

// A path as IPython 7 prints it: no spaces, a .py file or a notebook input.
bool PathLike(std::string_view head) {
  if (head.empty() || head.find(' ') != std::string_view::npos) return false;
  return head.find(".py") != std::string_view::npos || head.starts_with("<ipython-input");
}

// IPython 7 "PATH in FUNC(ARGS)" and Colab "[PATH](LINK) in FUNC(ARGS)".
std::optional<TraceFrame> IPython7Frame(std::string_view t) {
  const size_t in = t.find(" in ");
  if (in == std::string_view::npos) return std::nullopt;
  std::string_view head = t.substr(0, in);
  if (head.starts_with("[")) {
    const size_t close = head.find("](");
    if (close == std::string_view::npos) return std::nullopt;
    head = head.substr(1, close - 1);
  }
  if (!PathLike(head)) return std::nullopt;
  const std::string_view function = t.substr(in + 4);
  if (function.empty() ||
      !(std::isalpha(static_cast<unsigned char>(function[0])) || function[0] == '_' || function[0] == '<'))
    return std::nullopt;
  return MakeFrame(head, function, t);
}

// rich: "PATH:N in FUNC" inside box edges.
std::optional<TraceFrame> RichFrame(std::string_view line) {
  const std::string_view t = StripBoxEdges(line);
  const size_t py = t.find(".py:");
  if (py == std::string_view::npos) return std::nullopt;
  size_t i = py + 4;
  const size_t digits = i;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == digits || t.substr(i, 4) != " in ") return std::nullopt;
  std::string_view function = t.substr(i + 4);
  const size_t space = function.find(' ');
  if (space != std::string_view::npos) function = function.substr(0, space);
  if (function.empty()) return std::nullopt;
  return MakeFrame(t.substr(0, py + 3), function, t);
}

enum class Style { kCPython, kMarked };

std::optional<TraceFrame> ParseFrame(std::string_view line, Style& style) {
  const std::string_view t = Trim(line);
  if (auto f = CPythonFrame(t)) {
    style = Style::kCPython;
    return f;
  }
  style = Style::kMarked;
  if (auto f = IPython8Frame(t)) return f;
  if (auto f = IPython7Frame(t)) return f;
  return RichFrame(line);
}

// IPython's "---> 27     return func(*args)" and rich's "❱ 385 │ code"
// (mangled: "? 385 ¦ code"): the marked source line, without the marker,
// number and box character.
std::optional<std::string> MarkedSource(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.starts_with("-")) {
    while (t.starts_with("-")) t.remove_prefix(1);
    if (!t.starts_with(">")) return std::nullopt;
    t.remove_prefix(1);
  } else {
    t = StripBoxEdges(t);
    if (t.starts_with("❱")) {
      t.remove_prefix(std::string_view("❱").size());
    } else if (t.starts_with("? ")) {
      t.remove_prefix(2);
    } else {
      return std::nullopt;
    }
  }
  t = Trim(t);
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0) return std::nullopt;
  t = StripBoxEdges(t.substr(i));
  return std::string(t);
}

}  // namespace

std::string CleanLogLine(std::string_view raw) {
  raw = raw.substr(0, kMaxRawLine);
  while (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  // tqdm rewrites its line with '\r': what the terminal shows is the last update.
  const size_t cr = raw.rfind('\r');
  if (cr != std::string_view::npos && cr + 1 < raw.size()) raw.remove_prefix(cr + 1);
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c == '\x1b' && i + 1 < raw.size() && raw[i + 1] == '[') {
      i += 2;
      while (i < raw.size() && !std::isalpha(static_cast<unsigned char>(raw[i]))) ++i;
      continue;
    }
    if (c == '\r') continue;
    out.push_back(c == '\\' ? '/' : c);
  }
  if (out.starts_with("[rank")) {
    const size_t close = out.find("]:");
    if (close != std::string::npos && close < 12) out.erase(0, close + 2);
  }
  return out;
}

std::vector<std::string> SplitLogLines(std::string_view log) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string_view::npos) end = log.size();
    lines.push_back(CleanLogLine(log.substr(start, end - start)));
    start = end + 1;
  }
  return lines;
}

namespace {

// The frames in lines [begin, end), each with its source line.
std::vector<TraceFrame> FramesIn(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::vector<TraceFrame> frames;
  for (size_t i = begin; i < end; ++i) {
    Style style = Style::kCPython;
    auto frame = ParseFrame(lines[i], style);
    if (!frame) continue;
    if (style == Style::kCPython) {
      if (i + 1 < end && lines[i + 1].find("File \"") == std::string::npos)
        frame->source = std::string(Trim(lines[i + 1]));
    } else {
      // The marked line before the next frame.
      for (size_t j = i + 1; j < end && j < i + 40; ++j) {
        Style next_style = Style::kCPython;
        if (ParseFrame(lines[j], next_style)) break;
        if (auto source = MarkedSource(lines[j])) {
          frame->source = *source;
          break;
        }
      }
    }
    frames.push_back(std::move(*frame));
  }
  return frames;
}

}  // namespace

std::vector<TraceFrame> FramesBefore(const std::vector<std::string>& lines, size_t message) {
  size_t start = message;
  while (start > 0 && lines[start - 1].find("Traceback (most recent call last)") == std::string::npos) {
    --start;
    if (message - start > kMaxFramesUp) break;
  }
  return FramesIn(lines, start, message);
}

std::vector<TraceFrame> FramesAfter(const std::vector<std::string>& lines, size_t message) {
  return FramesIn(lines, message + 1, std::min(lines.size(), message + 1 + kMaxFramesUp));
}

std::vector<TraceFrame> OrphanSourceLines(const std::vector<std::string>& lines, size_t message) {
  std::vector<TraceFrame> out;
  for (size_t i = message; i > 0 && message - i < 6; --i) {
    const std::string_view t = Trim(lines[i - 1]);
    if (t.empty()) break;
    Style style = Style::kCPython;
    if (ParseFrame(lines[i - 1], style)) return {};                      // a real traceback: not orphans
    if (t.find_first_not_of("^~ ") == std::string_view::npos) continue;  // caret markers
    TraceFrame f;
    f.source = std::string(t);
    f.text = std::string(t.substr(0, 300));
    out.insert(out.begin(), std::move(f));
  }
  return out;
}

}  // namespace pipefit
