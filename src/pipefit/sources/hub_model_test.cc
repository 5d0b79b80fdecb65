#include "pipefit/sources/hub_model.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

struct Case {
  const char* text;
  const char* repo;
  const char* revision;
  const char* path;
};

TEST(ParseHubReferenceTest, ShortFormsAndUrls) {
  const Case cases[] = {
      {"org/name", "org/name", "", ""},
      {"org/name@v1.0", "org/name", "v1.0", ""},
      {"org/name@refs%2Fpr%2F1", "org/name", "refs/pr/1", ""},
      {"org/name/transformer", "org/name", "", "transformer"},
      {"org/name/transformer/", "org/name", "", "transformer"},
      {"city96/FLUX.1-dev-gguf/flux1-dev-Q4_0.gguf", "city96/FLUX.1-dev-gguf", "", "flux1-dev-Q4_0.gguf"},
      {"org/name@abc/vae/config.json", "org/name", "abc", "vae/config.json"},
      {"https://huggingface.co/org/name", "org/name", "", ""},
      {"https://huggingface.co/org/name/blob/main/flux1-dev-Q4_0.gguf", "org/name", "main",
       "flux1-dev-Q4_0.gguf"},
      {"https://huggingface.co/org/name/resolve/refs%2Fpr%2F3/a%20b.safetensors", "org/name", "refs/pr/3",
       "a b.safetensors"},
      {"https://huggingface.co/org/name/tree/main/transformer", "org/name", "main", "transformer"},
      {"http://mirror.test/hf/org/name/tree/v2", "org/name", "v2", ""},
  };
  for (const Case& c : cases) {
    auto ref = ParseHubReference(c.text, "http://mirror.test/hf");
    ASSERT_TRUE(ref.has_value()) << c.text;
    EXPECT_EQ(ref->repo, c.repo) << c.text;
    EXPECT_EQ(ref->revision, c.revision) << c.text;
    EXPECT_EQ(ref->path, c.path) << c.text;
  }
}

TEST(ParseHubReferenceTest, NotHubReferences) {
  for (const char* text : {"flux-dev", "org/", "/org/name", "org/name@", "org/name@a..b", "org/name/../x",
                           "org/name//x", "https://example.com/org/name", "https://huggingface.co/org",
                           "https://huggingface.co/org/name/commits/main",
                           "https://huggingface.co/org/name/blob", "o rg/name", "org/na:me"}) {
    EXPECT_FALSE(ParseHubReference(text, "https://huggingface.co").has_value()) << text;
  }
}

}  // namespace
}  // namespace pipefit
