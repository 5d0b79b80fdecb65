#include "pipefit/codegen/text_edits.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "pipefit/codegen/python_script.h"

namespace pipefit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string Apply(std::string_view source, std::vector<Edit> edits, bool crlf = false) {
  std::vector<std::string> notes;
  std::string out = ApplyTextEdits(source, std::move(edits), crlf, notes);
  EXPECT_THAT(notes, IsEmpty());
  return out;
}

PythonScript Parse(std::string_view source) {
  auto script = ParsePythonScript(source);
  EXPECT_TRUE(script.ok()) << script.error().message;
  return script.ok() ? *script : PythonScript{};
}

// --- ApplyTextEdits --------------------------------------------------------

TEST(ApplyTextEditsTest, NoEditsKeepsEveryByte) {
  const std::string source = "\xEF\xBB\xBFimport torch\r\nx = 1  # \t odd\r\n\n\ny = '\\r'";
  EXPECT_EQ(Apply(source, {}), source);
  EXPECT_EQ(Apply(source, {}, /*crlf=*/true), source);
}

TEST(ApplyTextEditsTest, OffsetsReferToTheOriginalSourceWhateverTheOrderGiven) {
  // "a = 1\n" is bytes 0-5, "b = 2\n" 6-11 (the 2 at 10), "c = 3\n" 12-17.
  const std::string source = "a = 1\nb = 2\nc = 3\n";
  EXPECT_EQ(Apply(source, {{{10, 11}, "20"}, {{0, 0}, "import x\n"}, {{12, 18}, ""}}),
            "import x\na = 1\nb = 20\n");
}

TEST(ApplyTextEditsTest, InsertionAtTheEnd) {
  EXPECT_EQ(Apply("a = 1\n", {{{6, 6}, "b = 2\n"}}), "a = 1\nb = 2\n");
  EXPECT_EQ(Apply("a = 1", {{{5, 5}, "\nb = 2"}}), "a = 1\nb = 2");
}

TEST(ApplyTextEditsTest, AtOnePositionLowerOrderGoesFirst) {
  const std::string source = "pipe = make()\n";
  // Given code first, imports second: order 0 still puts the import first.
  EXPECT_EQ(Apply(source, {{{0, 0}, "code()\n", 1}, {{0, 0}, "import torch\n", 0}}),
            "import torch\ncode()\npipe = make()\n");
  EXPECT_EQ(Apply(source, {{{0, 0}, "code()\n", 0}, {{0, 0}, "import torch\n", 1}}),
            "code()\nimport torch\npipe = make()\n");
}

TEST(ApplyTextEditsTest, AnInsertionBeforeAReplacementAtTheSamePositionKeepsBoth) {
  // "pipe.to(x)\n": replace "pipe.to(x)" (0-10) and insert a line before it.
  EXPECT_EQ(Apply("pipe.to(x)\n", {{{0, 10}, "pipe.offload()"}, {{0, 0}, "# pipefit\n"}}),
            "# pipefit\npipe.offload()\n");
}

TEST(ApplyTextEditsTest, OverlappingRemovalsOfTwoStatementsOnOneLineMerge) {
  // "a = f(); b = g()\n": the statements share the "; " between them (7-8),
  // so their removals [0, 9) and [7, 16) overlap; merged they cover all
  // code on the line, which goes whole, newline included.
  const std::string source = "a = f(); b = g()\nc = h()\n";
  EXPECT_EQ(Apply(source, {{{0, 9}, ""}, {{7, 16}, ""}}), "c = h()\n");
  EXPECT_EQ(Apply(source, {{{7, 16}, ""}, {{0, 9}, ""}}), "c = h()\n");
}

TEST(ApplyTextEditsTest, RemovingPartOfALineKeepsTheRest) {
  // Only `b = g()` (9-16): `a = f(); ` and the newline stay.
  EXPECT_EQ(Apply("a = f(); b = g()\nc = h()\n", {{{9, 16}, ""}}), "a = f(); \nc = h()\n");
  // Only `a = f()` (0-7): the rest of the line stays.
  EXPECT_EQ(Apply("a = f(); b = g()\n", {{{0, 7}, ""}}), "; b = g()\n");
}

TEST(ApplyTextEditsTest, ALineWhoseCodeIsAllRemovedGoesWholeWithIndentAndComment) {
  // "if a:\n" is 0-5; `x()` sits at 10-13 after four spaces, then a comment.
  const std::string source = "if a:\n    x()  # old way\n    y()\n";
  EXPECT_EQ(Apply(source, {{{10, 13}, ""}}), "if a:\n    y()\n");
  // Tabs and a last line without a newline.
  EXPECT_EQ(Apply("a()\n\tb()", {{{5, 8}, ""}}), "a()\n");
}

TEST(ApplyTextEditsTest, ARemovalThatEndsWithANewlineIsTakenAsGiven) {
  // [6, 12) is the whole second line already; nothing more goes.
  EXPECT_EQ(Apply("a = 1\nb = 2\n\nc = 3\n", {{{6, 12}, ""}}), "a = 1\n\nc = 3\n");
}

TEST(ApplyTextEditsTest, CrlfTurnsInsertedNewlinesIntoCrlfOnly) {
  // "a()\r\n" is 0-4, "b()\r\n" 5-9: removing `b()` takes its "\r\n" too.
  const std::string source = "a()\r\nb()\r\n";
  EXPECT_EQ(Apply(source, {{{0, 0}, "import torch\nimport os\n", 0}, {{5, 8}, ""}}, /*crlf=*/true),
            "import torch\r\nimport os\r\na()\r\n");
  // Text that already ends its lines in "\r\n" is not doubled.
  EXPECT_EQ(Apply(source, {{{5, 5}, "x()\r\ny()\n"}}, /*crlf=*/true), "a()\r\nx()\r\ny()\r\nb()\r\n");
  // Without crlf the inserted text is kept as given.
  EXPECT_EQ(Apply(source, {{{5, 5}, "x()\n"}}), "a()\r\nx()\nb()\r\n");
}

TEST(ApplyTextEditsTest, AnEditOverlappingAnEarlierOneIsSkippedWithANote) {
  // "abcdef\n" is 0-6, "xyz\n" 7-10.
  const std::string source = "abcdef\nxyz\n";
  std::vector<std::string> notes;
  EXPECT_EQ(ApplyTextEdits(source, {{{1, 4}, "B"}, {{2, 5}, "C"}}, false, notes), "aBef\nxyz\n");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_THAT(notes[0], HasSubstr("line 1"));

  notes.clear();
  // An insertion inside a replaced range (line 2) is skipped too.
  EXPECT_EQ(ApplyTextEdits(source, {{{8, 8}, "Q"}, {{7, 9}, "XY"}}, false, notes), "abcdef\nXYz\n");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_THAT(notes[0], HasSubstr("line 2"));

  notes.clear();
  // A replacement inside a removed range: the removal (earlier) wins.
  EXPECT_EQ(ApplyTextEdits(source, {{{0, 7}, ""}, {{2, 3}, "C"}}, false, notes), "xyz\n");
  EXPECT_EQ(notes.size(), 1u);
}

// --- UsesCrlf ---------------------------------------------------------------

TEST(UsesCrlfTest, MostLinesDecide) {
  EXPECT_FALSE(UsesCrlf(""));
  EXPECT_FALSE(UsesCrlf("no newline at all"));
  EXPECT_FALSE(UsesCrlf("a\nb\n"));
  EXPECT_TRUE(UsesCrlf("a\r\nb\r\n"));
  EXPECT_TRUE(UsesCrlf("\r\n"));
  EXPECT_TRUE(UsesCrlf("a\r\nb\r\nc\n"));     // two of three
  EXPECT_FALSE(UsesCrlf("a\r\nb\nc\n"));      // one of three
  EXPECT_FALSE(UsesCrlf("a\r\nb\n"));         // a tie is not most
  EXPECT_FALSE(UsesCrlf("a\rb\rc\r\n\n\n"));  // a lone "\r" is not a line end
}

// --- FileHeaderEnd ----------------------------------------------------------

TEST(FileHeaderEndTest, NoHeaderIsZero) {
  EXPECT_EQ(FileHeaderEnd(""), 0u);
  EXPECT_EQ(FileHeaderEnd("import torch\n"), 0u);
  EXPECT_EQ(FileHeaderEnd("x = 1"), 0u);
  // A plain comment is the user's, not a header line, even when a later
  // line mentions "coding".
  EXPECT_EQ(FileHeaderEnd("# make an image\nx = 'coding'\n"), 0u);
  // A string that is assigned is not a docstring.
  EXPECT_EQ(FileHeaderEnd("x = \"\"\"text\"\"\"\nimport torch\n"), 0u);
}

TEST(FileHeaderEndTest, ByteOrderMark) {
  EXPECT_EQ(FileHeaderEnd("\xEF\xBB\xBFimport torch\n"), 3u);
  EXPECT_EQ(FileHeaderEnd("\xEF\xBB\xBF"), 3u);
}

TEST(FileHeaderEndTest, ShebangAndCodingLines) {
  const std::string shebang = "#!/usr/bin/env python3\n";
  const std::string coding = "# -*- coding: utf-8 -*-\n";
  const std::string body = "import torch\n";
  EXPECT_EQ(FileHeaderEnd(shebang + body), shebang.size());
  EXPECT_EQ(FileHeaderEnd(coding + body), coding.size());
  EXPECT_EQ(FileHeaderEnd(shebang + coding + body), shebang.size() + coding.size());
  EXPECT_EQ(FileHeaderEnd("\xEF\xBB\xBF" + shebang + coding + body), 3 + shebang.size() + coding.size());
  // A comment after them is the user's: the header stops before it.
  EXPECT_EQ(FileHeaderEnd(shebang + "# mine\n" + body), shebang.size());
  // A file that is only a shebang, without a newline.
  EXPECT_EQ(FileHeaderEnd("#!/usr/bin/python"), 17u);
}

TEST(FileHeaderEndTest, ModuleDocstring) {
  const std::string one_line = "\"\"\"Generate an image.\"\"\"\n";
  EXPECT_EQ(FileHeaderEnd(one_line + "import torch\n"), one_line.size());
  const std::string several = "'''Generate an image.\n\nWith FLUX.\n'''\n";
  EXPECT_EQ(FileHeaderEnd(several + "pipe = None\n"), several.size());
  // After the shebang and a blank line; a comment on the closing line goes too.
  const std::string header = "#!/usr/bin/env python3\n\n\"\"\"Doc.\n\"\"\"  # end\n";
  EXPECT_EQ(FileHeaderEnd(header + "import torch\n"), header.size());
  // A docstring closing at the end of a file without a newline.
  EXPECT_EQ(FileHeaderEnd("\"\"\"Doc.\"\"\""), 10u);
}

TEST(FileHeaderEndTest, UnclosedDocstringIsNotSkipped) {
  const std::string shebang = "#!/usr/bin/env python3\n";
  EXPECT_EQ(FileHeaderEnd(shebang + "\"\"\"never closed\nimport torch\n"), shebang.size());
}

TEST(FileHeaderEndTest, CrlfLines) {
  const std::string header = "#!/usr/bin/env python3\r\n\"\"\"Doc.\"\"\"\r\n";
  EXPECT_EQ(FileHeaderEnd(header + "pipe = None\r\n"), header.size());
}

TEST(FileHeaderEndTest, FutureImportsComeBeforeNewImports) {
  // FileHeaderEnd is for scripts without top-level imports; a __future__
  // import is one, so a new import goes after it (import_insert_at), which
  // keeps it first as Python requires.
  const std::string docstring = "\"\"\"Doc.\"\"\"\n";
  const std::string future = "from __future__ import annotations\n";
  const std::string source = docstring + future + "x = 1\n";
  EXPECT_EQ(FileHeaderEnd(source), docstring.size());
  const PythonScript script = Parse(source);
  EXPECT_TRUE(IsImported(script, "__future__", "annotations"));
  ASSERT_EQ(script.import_insert_at, docstring.size() + future.size());
  EXPECT_EQ(Apply(source, {{{script.import_insert_at, script.import_insert_at}, "import torch\n", 0}}),
            docstring + future + "import torch\nx = 1\n");
}

// --- IsImported -------------------------------------------------------------

TEST(IsImportedTest, PlainImport) {
  const PythonScript script = Parse("import torch\nimport os, sys\n");
  EXPECT_TRUE(IsImported(script, "", "torch"));
  EXPECT_TRUE(IsImported(script, "", "sys"));
  EXPECT_FALSE(IsImported(script, "", "numpy"));
  // `import torch` does not make `from torch import nn`'s name available.
  EXPECT_FALSE(IsImported(script, "torch", "nn"));
}

TEST(IsImportedTest, FromImportNeedsTheSameModule) {
  const PythonScript script =
      Parse("from diffusers import FluxPipeline, AutoencoderKL\nfrom torch import nn\n");
  EXPECT_TRUE(IsImported(script, "diffusers", "FluxPipeline"));
  EXPECT_TRUE(IsImported(script, "diffusers", "AutoencoderKL"));
  EXPECT_FALSE(IsImported(script, "diffusers", "PipelineQuantizationConfig"));
  EXPECT_FALSE(IsImported(script, "transformers", "FluxPipeline"));
  // `from torch import nn` binds nn, not `import nn`.
  EXPECT_FALSE(IsImported(script, "", "nn"));
  EXPECT_FALSE(IsImported(script, "", "diffusers"));
}

TEST(IsImportedTest, ASubmoduleImportCountsForItsPackage) {
  const PythonScript script = Parse("from diffusers.quantizers import PipelineQuantizationConfig\n");
  EXPECT_TRUE(IsImported(script, "diffusers", "PipelineQuantizationConfig"));
  EXPECT_TRUE(IsImported(script, "diffusers.quantizers", "PipelineQuantizationConfig"));
  // Not the other way round, and not a package that merely shares a prefix.
  EXPECT_FALSE(IsImported(Parse("from diffusers import X\n"), "diffusers.quantizers", "X"));
  EXPECT_FALSE(IsImported(Parse("from diffusers_extra import X\n"), "diffusers", "X"));
}

TEST(IsImportedTest, StarImportProvidesEveryName) {
  const PythonScript script = Parse("from diffusers import *\n");
  EXPECT_TRUE(IsImported(script, "diffusers", "FluxPipeline"));
  EXPECT_TRUE(IsImported(script, "diffusers", "GGUFQuantizationConfig"));
  EXPECT_FALSE(IsImported(script, "transformers", "T5EncoderModel"));
}

TEST(IsImportedTest, NoImports) {
  const PythonScript script = Parse("pipe = None\n");
  EXPECT_THAT(script.imports, IsEmpty());
  EXPECT_FALSE(IsImported(script, "", "torch"));
  EXPECT_FALSE(IsImported(script, "diffusers", "FluxPipeline"));
}

TEST(IsImportedTest, ImportNamesAsParsed) {
  const PythonScript script = Parse("from diffusers import (\n    FluxPipeline,\n    AutoencoderKL,\n)\n");
  ASSERT_EQ(script.imports.size(), 1u);
  EXPECT_THAT(script.imports[0].names, ElementsAre("FluxPipeline", "AutoencoderKL"));
  EXPECT_TRUE(IsImported(script, "diffusers", "AutoencoderKL"));
}

}  // namespace
}  // namespace pipefit
