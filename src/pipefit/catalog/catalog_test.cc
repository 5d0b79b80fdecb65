// The embedded catalog against the figures its sources publish: every
// component's byte total (or parameter count) equals the published index
// total, file size or parameter count recorded in its entry.json, and shared
// manifests are served in each entry's folder with the entry's dtype.
#include "pipefit/catalog/catalog.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>

#include "pipefit/base/text.h"
#include "pipefit/formats/manifest.h"

namespace pipefit {
namespace {

using ::testing::HasSubstr;

struct Totals {
  int64_t bytes = 0;
  int64_t params = 0;
  int64_t tensors = 0;
};

Totals ManifestTotals(const CatalogEntry& entry, const CatalogComponent& c) {
  const std::string path = entry.root + "/" + c.name + "/tensors.tsv";
  auto text = CatalogFileSystem().ReadFile(path, int64_t{64} << 20);
  EXPECT_TRUE(text.ok()) << path;
  if (!text.ok()) return {};
  auto manifest = ParseTensorManifest(*text, path);
  EXPECT_TRUE(manifest.ok()) << path;
  if (!manifest.ok()) return {};
  Totals t;
  for (const TensorInfo& info : manifest->tensors) {
    t.bytes += info.bytes;
    t.params += info.numel;
    ++t.tensors;
  }
  return t;
}

// gen.py's header bound for a published file size: 64 KiB + 256 B per tensor.
int64_t HeaderBound(const Totals& t, int files) { return files * (64 * 1024 + 256 * t.tensors); }

// The figure as printed ("5.14") times its unit, and half its last digit.
struct Printed {
  double value = 0;
  double half_unit = 0;
};
Printed ParsePrinted(const std::string& text, double unit) {
  Printed p;
  p.value = std::stod(text) * unit;
  const size_t dot = text.find('.');
  const int decimals = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  p.half_unit = 0.5 * unit * std::pow(10.0, -decimals);
  return p;
}

TEST(CatalogTest, EveryComponentTotalEqualsItsPublishedFigure) {
  auto entries = CatalogEntries();
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  int checked = 0;
  for (const CatalogEntry& entry : *entries) {
    ASSERT_FALSE(entry.components.empty()) << entry.id;
    for (const CatalogComponent& c : entry.components) {
      SCOPED_TRACE(entry.id + "/" + c.name + " (" + c.published.source + ")");
      const Totals t = ManifestTotals(entry, c);
      const PublishedSize& p = c.published;
      ASSERT_FALSE(p.source.empty());
      if (p.kind == "total_size") {
        EXPECT_EQ(t.bytes, p.bytes);
      } else if (p.kind == "params") {
        EXPECT_EQ(t.params, p.params);
      } else if (p.kind == "file_size") {
        EXPECT_LE(t.bytes, p.bytes);
        EXPECT_GE(t.bytes + HeaderBound(t, p.files), p.bytes);
      } else if (p.kind == "size") {
        const double unit = p.unit == "GB" ? 1e9 : p.unit == "MB" ? 1e6 : 0;
        ASSERT_GT(unit, 0) << p.unit;
        const Printed printed = ParsePrinted(p.value, unit);
        EXPECT_GE(static_cast<double>(t.bytes + HeaderBound(t, p.files)),
                  printed.value - printed.half_unit * p.files)
            << t.bytes;
        EXPECT_LT(static_cast<double>(t.bytes), printed.value + printed.half_unit * p.files) << t.bytes;
      } else if (p.kind == "params_rounded") {
        const double unit = p.unit == "M" ? 1e6 : p.unit == "B" ? 1e9 : 0;
        ASSERT_GT(unit, 0) << p.unit;
        const Printed printed = ParsePrinted(p.value, unit);
        EXPECT_NEAR(static_cast<double>(t.params), printed.value, printed.half_unit);
      } else {
        ADD_FAILURE() << "unknown published kind '" << p.kind << "'";
      }
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

TEST(CatalogTest, FluxTotalsAreTheIndexTotalsToTheByte) {
  auto entry = FindCatalogEntry("black-forest-labs/FLUX.1-dev");
  ASSERT_TRUE(entry.ok());
  ASSERT_TRUE(entry->has_value());
  for (const CatalogComponent& c : (*entry)->components) {
    if (c.name == "transformer") {
      EXPECT_EQ(ManifestTotals(**entry, c).bytes, 23802816640);
      EXPECT_EQ(c.published.kind, "total_size");
    }
    if (c.name == "text_encoder_2") {
      EXPECT_EQ(ManifestTotals(**entry, c).bytes, 9524621312);
      EXPECT_EQ(c.shared_manifest, "shared/t5-xxl-encoder");
    }
  }
}

TEST(CatalogTest, SharedManifestIsServedWithTheEntrysDType) {
  auto entries = CatalogEntries();
  ASSERT_TRUE(entries.ok());
  int shared = 0;
  for (const CatalogEntry& entry : *entries) {
    for (const CatalogComponent& c : entry.components) {
      if (c.shared_manifest.empty()) continue;
      ++shared;
      auto text = CatalogFileSystem().ReadFile(entry.root + "/" + c.name + "/tensors.tsv", int64_t{64} << 20);
      ASSERT_TRUE(text.ok()) << entry.id << "/" << c.name;
      auto manifest = ParseTensorManifest(*text, c.name);
      ASSERT_TRUE(manifest.ok());
      ASSERT_FALSE(manifest->tensors.empty());
      for (const TensorInfo& info : manifest->tensors) {
        ASSERT_EQ(GetDTypeInfo(info.dtype).safetensors_name, c.dtype)
            << entry.id << "/" << c.name << " " << info.name;
      }
    }
  }
  EXPECT_GE(shared, 6);
}

TEST(CatalogTest, EntriesAreFoundByRepoIdAndAliasAndHaveAFamily) {
  auto entries = CatalogEntries();
  ASSERT_TRUE(entries.ok());
  std::set<std::string> names;
  for (const CatalogEntry& entry : *entries) {
    EXPECT_FALSE(entry.family.empty()) << entry.id;
    EXPECT_FALSE(entry.description.empty()) << entry.id;
    auto by_repo = FindCatalogEntry(entry.repo);
    ASSERT_TRUE(by_repo.ok() && by_repo->has_value()) << entry.repo;
    EXPECT_EQ((*by_repo)->id, entry.id);
    EXPECT_TRUE(names.insert(AsciiLower(entry.repo)).second) << "repo listed twice: " << entry.repo;
    for (const std::string& alias : entry.aliases) {
      auto by_alias = FindCatalogEntry(alias);
      ASSERT_TRUE(by_alias.ok() && by_alias->has_value()) << alias;
      EXPECT_EQ((*by_alias)->id, entry.id) << alias;
      EXPECT_TRUE(names.insert(AsciiLower(alias)).second) << "alias used twice: " << alias;
    }
  }
}

TEST(CatalogTest, UnknownNameIsNotFound) {
  auto entry = FindCatalogEntry("nobody/nothing");
  ASSERT_TRUE(entry.ok());
  EXPECT_FALSE(entry->has_value());
}

}  // namespace
}  // namespace pipefit
