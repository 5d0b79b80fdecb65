// The field corpus (tests/field_corpus.h): every case gives the expected
// answer, or its miss is listed in tests/field/known_misses.tsv with a
// reason; a listed miss that no longer misses fails too, so the list stays
// true. Held-out cases (split "held") are included: their score was
// recorded in docs/field-corpus.md before any of them was looked at.
#include "field_corpus.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

using field::Outcome;

void ExpectOnlyKnownMisses(const std::vector<Outcome>& outcomes, const std::string& prefix = "") {
  const auto known = field::KnownMisses();
  std::set<std::pair<std::string, std::string>> seen;
  for (const Outcome& o : outcomes) {
    for (size_t i = 0; i < o.misses.size(); ++i) {
      seen.insert({o.id, o.misses[i]});
      EXPECT_TRUE(known.count({o.id, o.misses[i]})) << o.id << " " << o.details[i];
    }
  }
  for (const auto& [id, aspect] : known) {
    if (!prefix.empty() && !aspect.starts_with(prefix)) continue;
    bool ours = false;
    for (const Outcome& o : outcomes) ours = ours || o.id == id;
    if (ours) {
      EXPECT_TRUE(seen.count({id, aspect})) << id << " " << aspect << " is listed as a miss but passes";
    }
  }
}

TEST(FieldCorpus, EveryCaseHasItsFileASourceAndASplit) {
  for (const char* folder : {"doctor", "scripts"}) {
    const auto rows = field::ReadCases(folder);
    EXPECT_FALSE(rows.empty()) << folder;
    for (const field::Row& r : rows) {
      EXPECT_TRUE(std::filesystem::exists(field::kFieldDir + folder + "/" + r.at("file"))) << r.at("file");
      EXPECT_TRUE(r.at("source").starts_with("https://")) << r.at("id");
      EXPECT_TRUE(r.at("split") == "dev" || r.at("split") == "held") << r.at("id");
    }
  }
}

TEST(FieldCorpus, DoctorLogs) {
  std::vector<Outcome> outcomes;
  for (const field::Row& r : field::ReadCases("doctor")) outcomes.push_back(field::RunDoctorCase(r));
  ExpectOnlyKnownMisses(outcomes);
}

TEST(FieldCorpus, CheckScripts) {
  std::vector<Outcome> outcomes;
  for (const field::Row& r : field::ReadCases("scripts")) outcomes.push_back(field::RunCheckCase(r));
  ExpectOnlyKnownMisses(outcomes, "rule:");
}

// Every script, applied twice: the slowest case of the suite under the
// sanitizers (two pipefit runs per script), so it runs as four shards that
// ctest can spread over the cores.
class FieldCorpusApply : public ::testing::TestWithParam<int> {};
constexpr int kApplyShards = 4;

TEST_P(FieldCorpusApply, EveryScriptTwice) {
  std::vector<Outcome> outcomes;
  const auto rows = field::ReadCases("scripts");
  for (size_t i = static_cast<size_t>(GetParam()); i < rows.size(); i += kApplyShards) {
    outcomes.push_back(field::RunApplyCase(rows[i], field::kApplyStrategy));
  }
  ExpectOnlyKnownMisses(outcomes, "apply:");
}

INSTANTIATE_TEST_SUITE_P(Shards, FieldCorpusApply, ::testing::Range(0, kApplyShards));

}  // namespace
}  // namespace pipefit
