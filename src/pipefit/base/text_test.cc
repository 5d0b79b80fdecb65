#include "pipefit/base/text.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

TEST(TextTest, EndsWith) {
  EXPECT_TRUE(EndsWith("model.safetensors", ".safetensors"));
  EXPECT_TRUE(EndsWith("x", ""));
  EXPECT_FALSE(EndsWith("gguf", ".gguf"));
  EXPECT_FALSE(EndsWith("a.GGUF", ".gguf"));
}

TEST(TextTest, TrimWhitespace) {
  EXPECT_EQ(TrimWhitespace("  hf_token\r\n"), "hf_token");
  EXPECT_EQ(TrimWhitespace("\t rel=next "), "rel=next");
  EXPECT_EQ(TrimWhitespace(" \n\t"), "");
  EXPECT_EQ(TrimWhitespace("a b"), "a b");
}

}  // namespace
}  // namespace pipefit
