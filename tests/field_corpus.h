// The field corpus (tests/field/, issue 14): OOM logs and scripts taken
// from public issues, repos and docs, each row citing its source, with the
// expected result written from the report and its discussion before pipefit
// ran on it. This header loads the case tables, runs the real binary on
// each case (doctor --json, check --json, apply --write twice) and scores
// the answer. Shared by tests/field_corpus_test.cc (every case right, or
// its miss listed in tests/field/known_misses.tsv) and bench/field_report.cc
// (the scores by split, docs/field-corpus.md). Needs PIPEFIT_BINARY and
// PIPEFIT_SOURCE_DIR.
#ifndef PIPEFIT_TESTS_FIELD_CORPUS_H_
#define PIPEFIT_TESTS_FIELD_CORPUS_H_

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pipefit/testing/temp_dir.h"
#include "run_pipefit.h"

namespace pipefit::field {

inline const std::string kFieldDir = PIPEFIT_SOURCE_DIR "/tests/field/";

// One row of a tab-separated table with a header line.
using Row = std::map<std::string, std::string>;

inline std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, '\t')) cells.push_back(cell);
  if (!line.empty() && line.back() == '\t') cells.emplace_back();
  return cells;
}

inline std::vector<Row> ReadTable(const std::filesystem::path& path) {
  std::vector<Row> rows;
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.starts_with('#')) continue;
    const std::vector<std::string> cells = SplitTabs(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    Row row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "";
    row["_table"] = path.filename().string();
    rows.push_back(std::move(row));
  }
  return rows;
}

// Every `cases_*.tsv` under `folder`, rows in file then line order.
inline std::vector<Row> ReadCases(const std::string& folder) {
  std::vector<std::filesystem::path> tables;
  for (const auto& entry : std::filesystem::directory_iterator(kFieldDir + folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("cases_") && name.ends_with(".tsv")) tables.push_back(entry.path());
  }
  std::sort(tables.begin(), tables.end());
  std::vector<Row> rows;
  for (const auto& t : tables) {
    for (Row& r : ReadTable(t)) rows.push_back(std::move(r));
  }
  return rows;
}

inline std::set<std::string> SplitCommas(const std::string& text) {
  std::set<std::string> out;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty() && item != "-") out.insert(item);
  }
  return out;
}

// "<case id> <aspect>" pairs whose miss is known and documented
// (tests/field/known_misses.tsv: id, aspect, reason).
inline std::set<std::pair<std::string, std::string>> KnownMisses() {
  std::set<std::pair<std::string, std::string>> out;
  for (const Row& r : ReadTable(kFieldDir + "known_misses.tsv")) out.insert({r.at("id"), r.at("aspect")});
  return out;
}

// What one case got wrong, as aspects: "kind", "stage", "vae_call", "card",
// "diag:<name>" (doctor); "rule:<id>@<line>", "error-on-correct:<id>@<line>"
// (check); "apply:<strategy>" (apply).
struct Outcome {
  std::string id;
  std::string split;
  std::vector<std::string> misses;
  std::vector<std::string> details;  // what was expected and got, per miss
  int checked = 0;                   // aspects checked
};

// The doctor's diagnosis vocabulary of the case tables, as advice rules.
inline std::string DiagnosisRule(const std::string& name) {
  if (name == "resident-during-decode") return "resident-weights";
  return name;  // fragmentation, single-request-too-large, full-card, other-process, host-oom, truncated
}

inline Outcome RunDoctorCase(const Row& c) {
  Outcome o{c.at("id"), c.at("split"), {}, {}, 0};
  const std::string log = kFieldDir + "doctor/" + c.at("file");
  std::string script = log.substr(0, log.size() - 4) + ".py";
  std::string args = "doctor --json --offline " + log;
  if (std::filesystem::exists(script)) args += " --script " + script;
  const RunResult run = RunPipefit(args, "HF_HUB_OFFLINE=1");
  nlohmann::json j = nlohmann::json::parse(run.out, nullptr, false);
  if (run.exit_code != 0 || j.is_discarded()) {
    o.misses.push_back("run");
    o.details.push_back("exit " + std::to_string(run.exit_code) + ": " + run.err.substr(0, 200));
    return o;
  }
  auto text = [&](const char* key) {
    return j[key].is_string() ? j[key].get<std::string>() : std::string("-");
  };
  auto compare = [&](const std::string& aspect, const std::string& expected, const std::string& got) {
    ++o.checked;
    if (expected == got) return;
    o.misses.push_back(aspect);
    o.details.push_back(aspect + ": expected " + expected + ", got " + got);
  };
  compare("kind", c.at("kind"), text("kind"));
  if (c.at("kind") != "not_oom") {
    compare("stage", c.at("stage"), text("stage"));
    if (c.at("vae_call") != "-" && c.at("stage") == "vae_decode")
      compare("vae_call", c.at("vae_call"), text("vae_call"));
    const std::string card =
        j["gpu_class"].is_object() ? std::to_string(j["gpu_class"]["nominal_gb"].get<int>()) : "-";
    if (c.at("card_gb") != "-") compare("card", c.at("card_gb"), card);
    std::set<std::string> rules;
    for (const auto& r : j["advice_rules"]) rules.insert(r.get<std::string>());
    for (const std::string& d : SplitCommas(c.at("diagnosis"))) {
      ++o.checked;
      if (!rules.count(DiagnosisRule(d))) {
        o.misses.push_back("diag:" + d);
        o.details.push_back("diag:" + d + " not among the advice rules");
      }
    }
  }
  return o;
}

struct ExpectedFinding {
  std::string rule;
  int line = 0;
};

// Annotations name mistakes pipefit had no rule for as `other:<name>`;
// tests/field/other_rules.tsv maps the ones a rule now covers to its id.
inline std::map<std::string, std::string> OtherRules() {
  std::map<std::string, std::string> out;
  for (const Row& r : ReadTable(kFieldDir + "other_rules.tsv")) out[r.at("other")] = r.at("rule");
  return out;
}

inline std::vector<ExpectedFinding> ParseExpected(const std::string& text) {
  static const std::map<std::string, std::string> others = OtherRules();
  std::vector<ExpectedFinding> out;
  for (const std::string& item : SplitCommas(text)) {
    const size_t at = item.rfind('@');
    std::string rule = item.substr(0, at);
    if (auto it = others.find(rule); it != others.end()) rule = it->second;
    out.push_back({rule, at == std::string::npos ? 0 : std::atoi(item.c_str() + at + 1)});
  }
  return out;
}

// Recall counts an annotated mistake as found when check reports its rule
// within two lines of the annotated line (a multi-line call is annotated at
// its first line, reported at the line the call starts), or names that line
// as the other call of an ordering mistake (the corpus annotates the later
// of the two calls, check reports one and names the other). A correct script
// (expected "-") must get no error finding.
inline Outcome RunCheckCase(const Row& c) {
  Outcome o{c.at("id"), c.at("split"), {}, {}, 0};
  const std::string path = kFieldDir + "scripts/" + c.at("file");
  const RunResult run = RunPipefit("check --json " + path, "HF_HUB_OFFLINE=1");
  nlohmann::json j = nlohmann::json::parse(run.out, nullptr, false);
  if (j.is_discarded() || !j.contains("findings")) {
    o.misses.push_back("run");
    o.details.push_back("exit " + std::to_string(run.exit_code) + ": " + run.err.substr(0, 200));
    return o;
  }
  struct Got {
    std::string rule, severity;
    int line;
    int related;  // the other call of an ordering finding, 0 when none
  };
  std::vector<Got> got;
  for (const auto& f : j["findings"])
    got.push_back({f["rule"].get<std::string>(), f["severity"].get<std::string>(), f["line"].get<int>(),
                   f["related_line"].is_number() ? f["related_line"].get<int>() : 0});
  const std::vector<ExpectedFinding> expected = ParseExpected(c.at("expected"));
  for (const ExpectedFinding& e : expected) {
    ++o.checked;
    const bool found = std::any_of(got.begin(), got.end(), [&](const Got& g) {
      return g.rule == e.rule &&
             (std::abs(g.line - e.line) <= 2 || (g.related != 0 && std::abs(g.related - e.line) <= 2));
    });
    if (!found) {
      const std::string aspect = "rule:" + e.rule + "@" + std::to_string(e.line);
      o.misses.push_back(aspect);
      std::string seen;
      for (const Got& g : got) seen += " " + g.rule + "@" + std::to_string(g.line);
      o.details.push_back(aspect + " not found; got" + (seen.empty() ? " nothing" : seen));
    }
  }
  if (expected.empty()) {
    ++o.checked;
    for (const Got& g : got) {
      if (g.severity != "error") continue;
      const std::string aspect = "error-on-correct:" + g.rule + "@" + std::to_string(g.line);
      o.misses.push_back(aspect);
      o.details.push_back(aspect);
    }
  }
  return o;
}

// The strategy applied to every corpus script: a quantized one rewrites
// the most (a config statement before the construction, arguments added to
// it, placement calls replaced).
inline const std::string kApplyStrategy = "bnb_nf4+model_offload";

// apply --write for `strategy` on a copy, then: the result compiles
// (python3 -m py_compile, when python3 is on PATH) and a second apply
// changes nothing. Scripts with no pipeline construction are not applied
// (apply refuses them with kNotFound, exit 4 is not a miss).
inline Outcome RunApplyCase(const Row& c, const std::string& strategy) {
  Outcome o{c.at("id"), c.at("split"), {}, {}, 0};
  testkit::TempDir dir;
  const std::string copy = dir.path() + "/" + c.at("file");
  std::filesystem::copy_file(kFieldDir + "scripts/" + c.at("file"), copy);
  const std::string args = "apply " + copy + " --offline --write --strategy " + strategy;
  const RunResult first = RunPipefit(args, "HF_HUB_OFFLINE=1");
  if (first.err.find("no diffusers pipeline construction") != std::string::npos) return o;
  ++o.checked;
  auto miss = [&](const std::string& why) {
    o.misses.push_back("apply:" + strategy);
    o.details.push_back("apply:" + strategy + ": " + why);
  };
  if (first.exit_code != 0)
    return miss("exit " + std::to_string(first.exit_code) + ": " + first.err.substr(0, 200)), o;
  if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
    const std::string compile =
        "python3 -c \"import ast,sys; ast.parse(open(sys.argv[1]).read())\" " + copy + " >/dev/null 2>&1";
    if (std::system(compile.c_str()) != 0) return miss("the result does not parse as Python"), o;
  }
  const RunResult second = RunPipefit(args, "HF_HUB_OFFLINE=1");
  if (second.exit_code != 0 || second.err.find("nothing to change") == std::string::npos)
    miss("a second apply changed the script again");
  return o;
}

}  // namespace pipefit::field

#endif  // PIPEFIT_TESTS_FIELD_CORPUS_H_
