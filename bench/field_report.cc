// Scores pipefit on the field corpus (tests/field_corpus.h) by split: dev
// (looked at while developing) and held (a quarter kept out until the
// end). Prints a Markdown table for docs/field-corpus.md and, with
// --misses, every miss with what was expected.
//   build/field_report [--misses] [--split dev|held] [--ids LETTERS]
// --ids keeps the cases whose id starts with one of LETTERS (e.g. "cs" for
// the second batch, c01-c34 and s01-s28, scored after the first).
#include <cstdio>
#include <cstring>

#include "field_corpus.h"

namespace pipefit {
namespace {

struct Tally {
  int cases = 0, checked = 0, missed = 0, cases_all_right = 0;
};

void Add(Tally& t, const field::Outcome& o) {
  if (o.checked == 0) return;
  ++t.cases;
  t.checked += o.checked;
  t.missed += static_cast<int>(o.misses.size());
  if (o.misses.empty()) ++t.cases_all_right;
}

std::string Percent(int good, int all) {
  if (all == 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%% (%d/%d)", 100.0 * good / all, good, all);
  return buffer;
}

// Per aspect: how many cases got it right among those that check it.
struct AspectTally {
  std::map<std::string, std::pair<int, int>> right_of;  // aspect -> (right, checked)
};

}  // namespace
}  // namespace pipefit

int main(int argc, char** argv) {
  using namespace pipefit;
  bool misses = false;
  std::string only, id_letters;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--misses") == 0) misses = true;
    if (std::strcmp(argv[i], "--split") == 0 && i + 1 < argc) only = argv[++i];
    if (std::strcmp(argv[i], "--ids") == 0 && i + 1 < argc) id_letters = argv[++i];
  }
  auto wanted = [&](const field::Row& r) {
    return id_letters.empty() || id_letters.find(r.at("id").front()) != std::string::npos;
  };
  std::map<std::string, std::map<std::string, Tally>> tallies;  // table -> split -> tally
  std::map<std::string, std::map<std::string, std::pair<int, int>>> doctor_aspects;  // split -> aspect
  std::map<std::string, std::pair<int, int>> errors_on_correct;  // split -> (clean, correct)
  std::map<std::string, std::pair<int, int>> check_recall;       // split -> (found, annotated)
  auto record = [&](const std::string& table, const field::Outcome& o) {
    if (!only.empty() && o.split != only) return;
    Add(tallies[table][o.split], o);
    Add(tallies[table]["all"], o);
    if (misses) {
      for (const std::string& d : o.details)
        std::printf("%s [%s] %s: %s\n", table.c_str(), o.split.c_str(), o.id.c_str(), d.c_str());
    }
  };
  for (const field::Row& r : field::ReadCases("doctor")) {
    if (!wanted(r)) continue;
    const field::Outcome o = field::RunDoctorCase(r);
    record("doctor", o);
    if (!only.empty() && o.split != only) continue;
    for (const char* aspect : {"kind", "stage", "card"}) {
      if (std::string(aspect) == "stage" && r.at("kind") == "not_oom") continue;
      if (std::string(aspect) == "card" && r.at("card_gb") == "-") continue;
      auto& [right, all] = doctor_aspects[o.split][aspect];
      ++all;
      if (std::find(o.misses.begin(), o.misses.end(), aspect) == o.misses.end()) ++right;
    }
    for (const std::string& d : field::SplitCommas(r.at("diagnosis"))) {
      auto& [right, all] = doctor_aspects[o.split]["diagnosis"];
      ++all;
      if (std::find(o.misses.begin(), o.misses.end(), "diag:" + d) == o.misses.end()) ++right;
    }
  }
  for (const field::Row& r : field::ReadCases("scripts")) {
    if (!wanted(r)) continue;
    const field::Outcome o = field::RunCheckCase(r);
    record("check", o);
    if (!only.empty() && o.split != only) continue;
    const auto expected = field::ParseExpected(r.at("expected"));
    int rule_misses = 0;
    for (const std::string& m : o.misses) rule_misses += m.starts_with("rule:") ? 1 : 0;
    check_recall[o.split].first += static_cast<int>(expected.size()) - rule_misses;
    check_recall[o.split].second += static_cast<int>(expected.size());
    if (expected.empty()) {
      auto& [clean, correct] = errors_on_correct[o.split];
      ++correct;
      if (o.misses.empty()) ++clean;
    }
    const std::string& strategy = field::kApplyStrategy;
    record("apply", field::RunApplyCase(r, strategy));
  }
  std::printf(
      "\n| split | doctor kind | doctor stage | card class | diagnosis recall | check recall | correct scripts without errors | apply (valid, idempotent) |\n");
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const char* split : {"dev", "held"}) {
    if (!only.empty() && only != split) continue;
    auto aspect = [&](const char* name) {
      const auto& [right, all] = doctor_aspects[split][name];
      return Percent(right, all);
    };
    const Tally& apply = tallies["apply"][split];
    const auto& [clean, correct] = errors_on_correct[split];
    const auto& [found, annotated] = check_recall[split];
    std::printf("| %s | %s | %s | %s | %s | %s | %s | %s |\n", split, aspect("kind").c_str(),
                aspect("stage").c_str(), aspect("card").c_str(), aspect("diagnosis").c_str(),
                Percent(found, annotated).c_str(), Percent(clean, correct).c_str(),
                Percent(apply.cases_all_right, apply.cases).c_str());
  }
  return 0;
}
