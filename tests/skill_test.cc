// Tests the coding-agent skill (skills/pipefit/): every `pipefit …` line in a
// ```sh or ```bash block of SKILL.md and its reference files is run with the
// real binary, offline, and must exit as the skill documents (`# exit N` in the
// line's comment, else 0); every `--json` command must print one JSON document
// whose "schema" is the one docs/json-schemas.md lists for its subcommand.
// Each block runs in a fresh folder holding the files the skill's commands
// name (script.py, notebook.py, oom.log: copies of tests/data fixtures), its
// commands in order, so a block may write run.py and then check it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;
using ::testing::StartsWith;

// The skill files, relative to the repository root.
constexpr std::array<const char*, 3> kSkillFiles = {
    "skills/pipefit/SKILL.md",
    "skills/pipefit/reference/json.md",
    "skills/pipefit/reference/recipes.md",
};

// The files the skill's commands name, and the fixtures they are copied from.
constexpr std::array<std::array<const char*, 2>, 3> kFixtures = {{
    {"script.py", "tests/data/scripts/flux_offload_then_to_cuda.py"},
    {"notebook.py", "tests/data/scripts/notebook_flux_schnell_fp16.py"},
    {"oom.log", "tests/data/doctor/cuda_flux_vae_decode.log"},
}};

// How many commands the skill shows (run + skipped), and how many of them are
// `pipefit serve` lines marked "not run" (a server runs until stopped).
constexpr int kExpectedCommands = 57;
constexpr int kExpectedSkipped = 2;

struct SkillCommand {
  std::string file;     // relative to the repository root
  int line = 0;         // 1-based
  int block = 0;        // index of its fenced block in the file
  std::string args;     // what follows "pipefit ", the comment removed
  std::string comment;  // what follows " #", empty when none
};

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(PIPEFIT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r");
  return s.substr(begin, end - begin + 1);
}

// Every `pipefit …` line inside ```sh / ```bash blocks (an optional "$ "
// prompt is dropped). Lines of other blocks (```text, ```json, …) are prose.
std::vector<SkillCommand> ExtractCommands(const std::string& file, const std::string& text) {
  std::vector<SkillCommand> commands;
  std::istringstream lines(text);
  std::string raw;
  int line_number = 0;
  int block = -1;
  bool in_block = false;
  bool runnable = false;
  while (std::getline(lines, raw)) {
    ++line_number;
    std::string line = Trim(raw);
    if (line.rfind("```", 0) == 0) {
      if (in_block) {
        in_block = false;
      } else {
        in_block = true;
        ++block;
        const std::string info = Trim(line.substr(3));
        runnable = info == "sh" || info == "bash";
      }
      continue;
    }
    if (!in_block || !runnable) continue;
    if (line.rfind("$ ", 0) == 0) line = Trim(line.substr(2));
    if (line.rfind("pipefit ", 0) != 0) continue;
    SkillCommand command;
    command.file = file;
    command.line = line_number;
    command.block = block;
    std::string rest = line.substr(8);
    const size_t hash = rest.find(" #");
    if (hash != std::string::npos) {
      command.comment = Trim(rest.substr(hash + 2));
      rest = rest.substr(0, hash);
    }
    command.args = Trim(rest);
    commands.push_back(command);
  }
  return commands;
}

// `# exit N` in the comment documents a non-zero exit code.
int ExpectedExitCode(const SkillCommand& command) {
  static const std::regex kExit(R"(\bexit (\d+)\b)");
  std::smatch match;
  if (std::regex_search(command.comment, match, kExit)) return std::stoi(match[1].str());
  return 0;
}

bool Skipped(const SkillCommand& command) { return command.comment.rfind("not run", 0) == 0; }

std::vector<std::string> Words(const std::string& args) {
  std::vector<std::string> words;
  std::istringstream in(args);
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

// Subcommand -> schema, from the summary table of docs/json-schemas.md:
// "| `pipefit plan … --json` | `pipefit.plan/1` | …".
std::map<std::string, std::string> DocumentedSchemas() {
  static const std::regex kRow(R"(^\| `pipefit ([a-z]+)[^`]*` \| `(pipefit\.[a-z]+/[0-9]+)` \|)");
  std::map<std::string, std::string> schemas;
  std::istringstream lines(ReadSourceFile("docs/json-schemas.md"));
  std::string line;
  std::smatch match;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, match, kRow)) schemas[match[1].str()] = match[2].str();
  }
  return schemas;
}

// Runs `pipefit ARGS` through the shell (the skill's quoting and `< file`
// work as a user's shell reads them) with DIR as the working directory.
// Hermetic: empty caches and home in DIR, no token, and the Hub endpoint on
// the discard port (RunPipefitIn), so a command that goes online fails at once.
RunResult RunInFolder(const std::string& dir, const std::string& args) {
  return RunPipefitIn(dir, args,
                      "env -u HF_TOKEN -u HF_TOKEN_PATH -u HF_HUB_OFFLINE -u HF_HOME HOME='" + dir +
                          "/.home' HF_HUB_CACHE='" + dir + "/.hf' PIPEFIT_CACHE='" + dir +
                          "/.pipefit' XDG_CACHE_HOME='" + dir + "/.xdg' NO_COLOR=1");
}

std::vector<SkillCommand> AllCommands() {
  std::vector<SkillCommand> all;
  for (const char* file : kSkillFiles) {
    const std::vector<SkillCommand> commands = ExtractCommands(file, ReadSourceFile(file));
    all.insert(all.end(), commands.begin(), commands.end());
  }
  return all;
}

TEST(SkillTest, ExtractorReadsShellBlocksOnly) {
  const std::string text =
      "```sh\n$ pipefit plan flux.1-dev --json\npipefit check x.py   # exit 1: an error\nls\n```\n"
      "```text\npipefit serve\n```\n"
      "```bash\n  pipefit serve --open  # not run: a server\n```\n"
      "```json\n{\"pipefit \": 1}\n```\n";
  const std::vector<SkillCommand> commands = ExtractCommands("x.md", text);
  ASSERT_EQ(commands.size(), 3u);
  EXPECT_EQ(commands[0].args, "plan flux.1-dev --json");
  EXPECT_EQ(commands[0].line, 2);
  EXPECT_EQ(ExpectedExitCode(commands[0]), 0);
  EXPECT_EQ(commands[1].args, "check x.py");
  EXPECT_EQ(ExpectedExitCode(commands[1]), 1);
  EXPECT_FALSE(Skipped(commands[1]));
  EXPECT_EQ(commands[2].args, "serve --open");
  EXPECT_EQ(commands[2].block, 2);
  EXPECT_TRUE(Skipped(commands[2]));
}

TEST(SkillTest, FrontMatterNamesTheSkillAndSaysWhenToUseIt) {
  const std::string skill = ReadSourceFile("skills/pipefit/SKILL.md");
  EXPECT_THAT(skill, StartsWith("---\nname: pipefit\ndescription: "));
  const size_t end = skill.find("\n---\n", 4);
  ASSERT_NE(end, std::string::npos);
  const std::string front = skill.substr(0, end);
  for (const char* when : {"GPU", "out-of-memory", "offloading", "quantization", "reviewed"}) {
    EXPECT_THAT(front, HasSubstr(when));
  }
  const auto lines = std::count(skill.begin(), skill.end(), '\n');
  EXPECT_LE(lines, 150);
}

TEST(SkillTest, SchemaDocumentListsEveryJsonCommand) {
  EXPECT_THAT(DocumentedSchemas(),
              ElementsAre(Pair("apply", "pipefit.apply/1"), Pair("calibrate", "pipefit.calibration/1"),
                          Pair("catalog", "pipefit.catalog/1"), Pair("check", "pipefit.check/1"),
                          Pair("doctor", "pipefit.doctor/1"), Pair("gpus", "pipefit.gpus/1"),
                          Pair("hw", "pipefit.hw/1"), Pair("inspect", "pipefit.inspect/1"),
                          Pair("plan", "pipefit.plan/1")));
  EXPECT_THAT(ReadSourceFile("docs/json-schemas.md"), HasSubstr("## `pipefit.error/1`"));
  EXPECT_THAT(ReadSourceFile("docs/json-schemas.md"), HasSubstr("## `pipefit.measure/1`"));
}

TEST(SkillTest, EveryShownCommandRunsAsDocumented) {
  const std::map<std::string, std::string> schemas = DocumentedSchemas();
  const std::vector<SkillCommand> commands = AllCommands();
  ASSERT_EQ(static_cast<int>(commands.size()), kExpectedCommands);

  int run = 0;
  int skipped = 0;
  std::string current_block;
  std::unique_ptr<testkit::TempDir> dir;
  for (const SkillCommand& command : commands) {
    SCOPED_TRACE(command.file + ":" + std::to_string(command.line) + ": pipefit " + command.args);
    if (Skipped(command)) {
      EXPECT_THAT(command.args, StartsWith("serve")) << "only `pipefit serve` may be marked \"not run\"";
      ++skipped;
      continue;
    }
    // One command per line: no pipes, chains or output redirection.
    EXPECT_EQ(command.args.find_first_of("|;&>\\"), std::string::npos);
    const std::string block = command.file + "#" + std::to_string(command.block);
    if (block != current_block) {
      current_block = block;
      dir = std::make_unique<testkit::TempDir>();
      for (const auto& [name, fixture] : kFixtures) {
        testkit::WriteTextFile(dir->path() + "/" + name, ReadSourceFile(fixture));
      }
    }
    const RunResult r = RunInFolder(dir->path(), command.args);
    ++run;
    EXPECT_EQ(r.exit_code, ExpectedExitCode(command)) << r.err;
    const std::vector<std::string> words = Words(command.args);
    if (std::find(words.begin(), words.end(), "--json") == words.end()) continue;
    const auto schema = schemas.find(words[0]);
    ASSERT_NE(schema, schemas.end()) << "docs/json-schemas.md lists no schema for " << words[0];
    const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << "stdout is not one JSON document:\n" << r.out << r.err;
    EXPECT_EQ(j.value("schema", ""), schema->second);
  }
  EXPECT_EQ(skipped, kExpectedSkipped);
  EXPECT_EQ(run + skipped, kExpectedCommands);
}

}  // namespace
}  // namespace pipefit
