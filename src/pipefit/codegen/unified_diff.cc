#include "pipefit/codegen/unified_diff.h"

#include <algorithm>
#include <vector>

namespace pipefit {
namespace {

// Lines with their endings; the last may lack '\n'.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end + 1 - start));
    start = end + 1;
  }
  return lines;
}

enum class Op { kKeep, kDelete, kInsert };

// Myers' greedy O((N+M)D) shortest edit script, keeping each step's
// frontier for the backtrack. Past kMaxEdits differences the texts are
// treated as replaced wholesale (still a correct diff, just not minimal).
constexpr int kMaxEdits = 2000;

std::vector<Op> EditScript(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  const int max = std::min(n + m, kMaxEdits);
  std::vector<int> v(2 * static_cast<size_t>(max) + 2, 0);
  // trace[d] holds the frontier before step d, for diagonals -d..d only.
  std::vector<std::vector<int>> trace;
  int found = -1;
  for (int d = 0; d <= max && found < 0; ++d) {
    trace.emplace_back(v.begin() + (max - d), v.begin() + (max + d) + 1);
    for (int k = -d; k <= d; k += 2) {
      const size_t ki = static_cast<size_t>(k + max);
      int x = (k == -d || (k != d && v[ki - 1] < v[ki + 1])) ? v[ki + 1] : v[ki - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[static_cast<size_t>(x)] == b[static_cast<size_t>(y)]) ++x, ++y;
      v[ki] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  std::vector<Op> ops;
  if (found < 0) {  // too different: delete everything, insert everything
    ops.assign(static_cast<size_t>(n), Op::kDelete);
    ops.insert(ops.end(), static_cast<size_t>(m), Op::kInsert);
    return ops;
  }
  int x = n, y = m;
  for (int d = found; d > 0; --d) {
    const std::vector<int>& prev = trace[static_cast<size_t>(d)];
    const int k = x - y;
    auto at = [&](int diagonal) { return prev[static_cast<size_t>(diagonal + d)]; };
    const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    const int prev_k = down ? k + 1 : k - 1;
    const int prev_x = at(prev_k);
    const int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) ops.push_back(Op::kKeep), --x, --y;
    ops.push_back(down ? Op::kInsert : Op::kDelete);
    x = prev_x;
    y = prev_y;
  }
  while (x > 0 && y > 0) ops.push_back(Op::kKeep), --x, --y;
  std::reverse(ops.begin(), ops.end());
  return ops;
}

void AppendLine(std::string& out, char mark, std::string_view line) {
  out += mark;
  out.append(line);
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

std::string Range(int start, int count) {
  // GNU: a range of one line prints its number alone; an empty range
  // prints the line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string UnifiedDiff(std::string_view before, std::string_view after, std::string_view before_label,
                        std::string_view after_label, int context) {
  if (before == after) return "";
  context = std::max(0, context);
  const std::vector<std::string_view> a = SplitLines(before), b = SplitLines(after);
  const std::vector<Op> ops = EditScript(a, b);
  std::string out = "--- " + std::string(before_label) + "\n+++ " + std::string(after_label) + "\n";
  const size_t total = ops.size();
  size_t i = 0;
  while (i < total) {
    while (i < total && ops[i] == Op::kKeep) ++i;
    if (i == total) break;
    // A hunk: from `context` keeps before the change to `context` keeps
    // after the last change that is at most 2*context keeps away.
    size_t start = i, keeps = 0;
    while (start > 0 && keeps < static_cast<size_t>(context) && ops[start - 1] == Op::kKeep) --start, ++keeps;
    size_t end = i;
    while (end < total) {
      size_t run = 0;
      while (end + run < total && ops[end + run] == Op::kKeep) ++run;
      if (end + run == total || run > 2 * static_cast<size_t>(context)) {
        end += std::min(run, static_cast<size_t>(context));
        break;
      }
      end += run;
      while (end < total && ops[end] != Op::kKeep) ++end;
    }
    int ai = 0, bi = 0;
    for (size_t k = 0; k < start; ++k) {
      if (ops[k] != Op::kInsert) ++ai;
      if (ops[k] != Op::kDelete) ++bi;
    }
    int acount = 0, bcount = 0;
    for (size_t k = start; k < end; ++k) {
      if (ops[k] != Op::kInsert) ++acount;
      if (ops[k] != Op::kDelete) ++bcount;
    }
    out += "@@ -" + Range(ai, acount) + " +" + Range(bi, bcount) + " @@\n";
    int x = ai, y = bi;
    for (size_t k = start; k < end; ++k) {
      switch (ops[k]) {
        case Op::kKeep:
          AppendLine(out, ' ', a[static_cast<size_t>(x++)]), ++y;
          break;
        case Op::kDelete:
          AppendLine(out, '-', a[static_cast<size_t>(x++)]);
          break;
        case Op::kInsert:
          AppendLine(out, '+', b[static_cast<size_t>(y++)]);
          break;
      }
    }
    i = end;
  }
  return out;
}

}  // namespace pipefit
