#include "pipefit/codegen/unified_diff.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace pipefit {
namespace {

struct DiffCase {
  const char* name;
  std::string_view before;
  std::string_view after;
  std::string_view expected;
};

// Expected texts are what GNU diffutils 3.8 prints for
// `diff -u --label a --label b BEFORE AFTER`.
const DiffCase kCases[] = {
    {"InsertAtStart", "a\nb\nc\n", "x\na\nb\nc\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,3 +1,4 @@\n"
     "+x\n"
     " a\n"
     " b\n"
     " c\n"},
    {"InsertInMiddle", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nd\nX\ne\nf\ng\nh\n",
     "--- a\n"
     "+++ b\n"
     "@@ -2,6 +2,7 @@\n"
     " b\n"
     " c\n"
     " d\n"
     "+X\n"
     " e\n"
     " f\n"
     " g\n"},
    {"InsertAtEnd", "a\nb\nc\nd\ne\n", "a\nb\nc\nd\ne\nX\nY\n",
     "--- a\n"
     "+++ b\n"
     "@@ -3,3 +3,5 @@\n"
     " c\n"
     " d\n"
     " e\n"
     "+X\n"
     "+Y\n"},
    {"DeleteInMiddle", "a\nb\nc\nd\ne\nf\ng\nh\n", "a\nb\nc\nf\ng\nh\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,8 +1,6 @@\n"
     " a\n"
     " b\n"
     " c\n"
     "-d\n"
     "-e\n"
     " f\n"
     " g\n"
     " h\n"},
    {"ReplaceOneLine", "a\n", "b\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1 +1 @@\n"
     "-a\n"
     "+b\n"},
    {"ReplaceInMiddle", "a\nb\nc\nd\ne\nf\ng\nh\ni\n", "a\nb\nc\nd\nE\nf\ng\nh\ni\n",
     "--- a\n"
     "+++ b\n"
     "@@ -2,7 +2,7 @@\n"
     " b\n"
     " c\n"
     " d\n"
     "-e\n"
     "+E\n"
     " f\n"
     " g\n"
     " h\n"},
    {"TwoChangesSixApartShareAHunk", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n",
     "a\nB\nc\nd\ne\nf\ng\nh\nI\nj\nk\nl\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,12 +1,12 @@\n"
     " a\n"
     "-b\n"
     "+B\n"
     " c\n"
     " d\n"
     " e\n"
     " f\n"
     " g\n"
     " h\n"
     "-i\n"
     "+I\n"
     " j\n"
     " k\n"
     " l\n"},
    {"TwoChangesSevenApartSplit", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n",
     "a\nB\nc\nd\ne\nf\ng\nh\ni\nJ\nk\nl\nm\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,5 +1,5 @@\n"
     " a\n"
     "-b\n"
     "+B\n"
     " c\n"
     " d\n"
     " e\n"
     "@@ -7,7 +7,7 @@\n"
     " g\n"
     " h\n"
     " i\n"
     "-j\n"
     "+J\n"
     " k\n"
     " l\n"
     " m\n"},
    {"EmptyBefore", "", "a\nb\n",
     "--- a\n"
     "+++ b\n"
     "@@ -0,0 +1,2 @@\n"
     "+a\n"
     "+b\n"},
    {"EmptyAfter", "a\nb\n", "",
     "--- a\n"
     "+++ b\n"
     "@@ -1,2 +0,0 @@\n"
     "-a\n"
     "-b\n"},
    {"BeforeLacksNewline", "a\nb\nc", "a\nb\nc\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,3 +1,3 @@\n"
     " a\n"
     " b\n"
     "-c\n"
     "\\ No newline at end of file\n"
     "+c\n"},
    {"AfterLacksNewline", "a\nb\nc\n", "a\nb\nc",
     "--- a\n"
     "+++ b\n"
     "@@ -1,3 +1,3 @@\n"
     " a\n"
     " b\n"
     "-c\n"
     "+c\n"
     "\\ No newline at end of file\n"},
    {"BothLackNewlineDifferentLast", "a\nb\nc", "a\nb\nd",
     "--- a\n"
     "+++ b\n"
     "@@ -1,3 +1,3 @@\n"
     " a\n"
     " b\n"
     "-c\n"
     "\\ No newline at end of file\n"
     "+d\n"
     "\\ No newline at end of file\n"},
    {"BothLackNewlineSameLast", "a\nb\nc\nd", "a\nX\nc\nd",
     "--- a\n"
     "+++ b\n"
     "@@ -1,4 +1,4 @@\n"
     " a\n"
     "-b\n"
     "+X\n"
     " c\n"
     " d\n"
     "\\ No newline at end of file\n"},
    {"CrlfLines", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,3 +1,3 @@\n"
     " a\r\n"
     "-b\r\n"
     "+B\r\n"
     " c\r\n"},
    {"CrlfVersusLf", "a\r\nb\r\n", "a\nb\r\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,2 +1,2 @@\n"
     "-a\r\n"
     "+a\n"
     " b\r\n"},
    {"BlankLines", "\n\na\n\n", "\na\n\n\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,4 +1,4 @@\n"
     " \n"
     "-\n"
     " a\n"
     " \n"
     "+\n"},
    {"ShiftsRunToMergeWithRepeatedLines", "x\na\nb\na\nb\ny\n", "x\na\nb\ny\n",
     "--- a\n"
     "+++ b\n"
     "@@ -1,6 +1,4 @@\n"
     " x\n"
     " a\n"
     " b\n"
     "-a\n"
     "-b\n"
     " y\n"},
};

TEST(UnifiedDiffTest, MatchesGnuDiffOnTable) {
  for (const DiffCase& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(UnifiedDiff(c.before, c.after, "a", "b"), c.expected);
  }
}

TEST(UnifiedDiffTest, EqualTextsGiveNothing) {
  EXPECT_EQ(UnifiedDiff("", "", "a", "b"), "");
  EXPECT_EQ(UnifiedDiff("a\nb\n", "a\nb\n", "a", "b"), "");
  EXPECT_EQ(UnifiedDiff("a\nb", "a\nb", "a", "b"), "");
  EXPECT_EQ(UnifiedDiff("a\r\n", "a\r\n", "a", "b"), "");
}

TEST(UnifiedDiffTest, UsesLabelsWithoutTimestamps) {
  EXPECT_EQ(UnifiedDiff("x\n", "y\n", "run.py", "run.py (pipefit)"),
            "--- run.py\n"
            "+++ run.py (pipefit)\n"
            "@@ -1 +1 @@\n"
            "-x\n"
            "+y\n");
}

TEST(UnifiedDiffTest, HonoursContextWidth) {
  const std::string before = "a\nb\nc\nd\ne\n";
  const std::string after = "a\nb\nC\nd\ne\n";
  EXPECT_EQ(UnifiedDiff(before, after, "a", "b", 0),
            "--- a\n"
            "+++ b\n"
            "@@ -3 +3 @@\n"
            "-c\n"
            "+C\n");
  EXPECT_EQ(UnifiedDiff(before, after, "a", "b", 1),
            "--- a\n"
            "+++ b\n"
            "@@ -2,3 +2,3 @@\n"
            " b\n"
            "-c\n"
            "+C\n"
            " d\n");
  EXPECT_EQ(UnifiedDiff("a\nb\n", "b\n", "a", "b", 0),
            "--- a\n"
            "+++ b\n"
            "@@ -1 +0,0 @@\n"
            "-a\n");
}

std::vector<std::string_view> SplitKeepingNewlines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    const size_t length = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(0, length));
    text.remove_prefix(length);
  }
  return lines;
}

std::string_view WithoutNewline(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return line;
}

// Where a hunk starts in the old file, 0-based: "@@ -3,2" starts at line 2,
// and an empty range "@@ -3,0" names the line before, so starts at 3.
size_t HunkStart(std::string_view header) {
  long start = 0;
  long count = 1;
  const std::string text(header);
  if (std::sscanf(text.c_str(), "@@ -%ld,%ld", &start, &count) < 1) ADD_FAILURE() << text;
  return static_cast<size_t>(count == 0 ? start : start - 1);
}

// A small `patch`: applies a unified diff to `before`, checking that every
// context and removed line matches.
std::string ApplyPatch(std::string_view before, std::string_view diff) {
  const std::vector<std::string_view> old_lines = SplitKeepingNewlines(before);
  const std::vector<std::string_view> patch = SplitKeepingNewlines(diff);
  std::string out;
  size_t next = 0;
  bool last_written = false;
  for (size_t k = 2; k < patch.size(); ++k) {
    const std::string_view line = patch[k];
    if (line.starts_with("@@")) {
      for (const size_t start = HunkStart(line); next < start; ++next) out += old_lines[next];
    } else if (line[0] == '\\') {
      if (last_written) out.pop_back();
    } else if (line[0] == '+') {
      out += line.substr(1);
      last_written = true;
    } else {
      if (next >= old_lines.size()) return "<patch runs past the end>";
      EXPECT_EQ(WithoutNewline(old_lines[next]), WithoutNewline(line.substr(1)));
      if (line[0] == ' ') out += line.substr(1);
      last_written = line[0] == ' ';
      ++next;
    }
  }
  for (; next < old_lines.size(); ++next) out += old_lines[next];
  return out;
}

// Runs the real GNU diff on two texts through temporary files.
class GnuDiff {
 public:
  GnuDiff()
      : dir_(std::filesystem::temp_directory_path() /
             ("pipefit_unified_diff_test_" + std::to_string(getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~GnuDiff() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static bool Available() { return std::system("diff --version 2>/dev/null | grep -q GNU") == 0; }

  std::string Run(std::string_view before, std::string_view after, int context) const {
    Write(dir_ / "before", before);
    Write(dir_ / "after", after);
    const std::string command = "diff -U " + std::to_string(context) + " --label a --label b '" +
                                (dir_ / "before").string() + "' '" + (dir_ / "after").string() + "' > '" +
                                (dir_ / "out").string() + "'";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) <= 1) << command;
    std::ifstream in(dir_ / "out", std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  static void Write(const std::filesystem::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  }

  std::filesystem::path dir_;
};

// How the random property tests draw their texts.
struct RandomTexts {
  unsigned seed;
  int pairs;
  int max_alphabet;  // distinct shared lines: 3 to max_alphabet
  int max_lines;
  bool vary_context;  // context 0 to 4 instead of 3
  // Half the lines from two frequent ones, 30% found in one text only: this
  // reaches GNU's rules for discarding lines that match nothing or too much.
  bool unmatched_lines;
  bool no_longer_than_gnu = true;  // false past the edit budget
};

std::string RandomLine(std::mt19937& rng, const RandomTexts& how, int alphabet, int side) {
  const auto kind = how.unmatched_lines ? rng() % 10 : 9;
  if (kind < 5) return "often" + std::to_string(rng() % 2);
  if (kind < 8) return "only" + std::to_string(side) + "_" + std::to_string(rng() % 1000);
  return "line" + std::to_string(rng() % static_cast<unsigned>(alphabet));
}

// Sometimes with CRLF endings on some lines, sometimes without a last newline.
std::string RandomText(std::mt19937& rng, const RandomTexts& how, int alphabet, bool crlf, int side) {
  std::string text;
  const int lines = static_cast<int>(rng() % static_cast<unsigned>(how.max_lines + 1));
  for (int i = 0; i < lines; ++i) {
    const std::string line = RandomLine(rng, how, alphabet, side);
    text += line + (crlf && line.ends_with('0') ? "\r\n" : "\n");
  }
  if (!text.empty() && rng() % 4 == 0) text.pop_back();
  return text;
}

// Changed lines ('-' and '+') in a unified diff.
int ChangedLines(std::string_view diff) {
  int count = 0;
  for (std::string_view line : SplitKeepingNewlines(diff)) {
    if ((line[0] == '-' || line[0] == '+') && !line.starts_with("--- ") && !line.starts_with("+++ ")) ++count;
  }
  return count;
}

// On random pairs every diff must patch `before` into `after` and change no
// more lines than GNU diff does (both are shortest edit scripts where GNU's
// heuristics do not apply; where several exist, they may pick different
// ones, so the bytes are not compared).
void CompareRandomPairs(const RandomTexts& how) {
  if (!GnuDiff::Available()) GTEST_SKIP() << "GNU diff is not installed";
  const GnuDiff gnu;
  std::mt19937 rng(how.seed);
  for (int pair = 0; pair < how.pairs; ++pair) {
    const int alphabet = 3 + static_cast<int>(rng() % static_cast<unsigned>(how.max_alphabet - 2));
    const bool crlf = rng() % 5 == 0;
    const std::string before = RandomText(rng, how, alphabet, crlf, 0);
    const std::string after = RandomText(rng, how, alphabet, crlf, 1);
    const int context = how.vary_context ? static_cast<int>(rng() % 5) : 3;
    SCOPED_TRACE("pair " + std::to_string(pair) + ", context " + std::to_string(context) + "\nbefore:\n" +
                 before + "\nafter:\n" + after);
    const std::string diff = UnifiedDiff(before, after, "a", "b", context);
    ASSERT_EQ(ApplyPatch(before, diff), after) << diff;
    if (how.no_longer_than_gnu) {
      EXPECT_LE(ChangedLines(diff), ChangedLines(gnu.Run(before, after, context))) << diff;
    }
  }
}

TEST(UnifiedDiffTest, PatchesRandomSmallTextsNoLongerThanGnu) {
  CompareRandomPairs({.seed = 20240611,
                      .pairs = 200,
                      .max_alphabet = 4,
                      .max_lines = 12,
                      .vary_context = false,
                      .unmatched_lines = false});
}

TEST(UnifiedDiffTest, PatchesRandomTextsWithOtherContexts) {
  CompareRandomPairs({.seed = 7,
                      .pairs = 100,
                      .max_alphabet = 4,
                      .max_lines = 16,
                      .vary_context = true,
                      .unmatched_lines = false});
}

TEST(UnifiedDiffTest, PatchesRandomTextsWithUnmatchedLines) {
  CompareRandomPairs({.seed = 1,
                      .pairs = 150,
                      .max_alphabet = 5,
                      .max_lines = 300,
                      .vary_context = true,
                      .unmatched_lines = true});
}

TEST(UnifiedDiffTest, PatchesRandomLongerTexts) {
  CompareRandomPairs({.seed = 99,
                      .pairs = 30,
                      .max_alphabet = 40,
                      .max_lines = 400,
                      .vary_context = true,
                      .unmatched_lines = false});
}

// Texts this different exceed the edit budget: the diff is no longer
// minimal but must still be correct.
TEST(UnifiedDiffTest, PatchesTextsTooDifferentForAMinimalScript) {
  CompareRandomPairs({.seed = 5,
                      .pairs = 1,
                      .max_alphabet = 4,
                      .max_lines = 30000,
                      .vary_context = false,
                      .unmatched_lines = false,
                      .no_longer_than_gnu = false});
}

std::string NumberedLines(int count) {
  std::string text;
  for (int i = 0; i < count; ++i)
    text += "value_" + std::to_string(i) + " = compute(" + std::to_string(i) + ")\n";
  return text;
}

TEST(UnifiedDiffTest, FiftyThousandLinesWithTenChanges) {
  const std::string before = NumberedLines(50000);
  std::vector<std::string_view> lines = SplitKeepingNewlines(before);
  std::vector<std::string> after_lines(lines.begin(), lines.end());
  for (int k = 9; k >= 0; --k) {
    const size_t at = static_cast<size_t>(k) * 4999 + 17;
    if (k % 3 == 0) {
      after_lines.insert(after_lines.begin() + static_cast<long>(at), "inserted " + std::to_string(k) + "\n");
    } else if (k % 3 == 1) {
      after_lines.erase(after_lines.begin() + static_cast<long>(at));
    } else {
      after_lines[at] = "replaced " + std::to_string(k) + "\n";
    }
  }
  std::string after;
  for (const std::string& line : after_lines) after += line;

  const std::string diff = UnifiedDiff(before, after, "a", "b");
  ASSERT_FALSE(diff.empty());
  EXPECT_EQ(ApplyPatch(before, diff), after);
  EXPECT_EQ(std::count(diff.begin(), diff.end(), '@'), 10 * 4);  // ten hunks
  if (GnuDiff::Available()) {
    EXPECT_EQ(diff, GnuDiff().Run(before, after, 3));
  }
}

}  // namespace
}  // namespace pipefit
