#include "pipefit/base/text.h"

#include <gtest/gtest.h>

namespace pipefit {
namespace {

TEST(TextTest, TrimTrailingWhitespaceKeepsLeadingBlanks) {
  EXPECT_EQ(TrimTrailingWhitespace("  abc \n"), "  abc");
  EXPECT_EQ(TrimTrailingWhitespace("abc"), "abc");
  EXPECT_EQ(TrimTrailingWhitespace(" \r\n"), "");
}

TEST(TextTest, AsciiLowerChangesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("FLUX.1-Dev_ÄB"), "flux.1-dev_Äb");
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(TextTest, TrimWhitespace) {
  EXPECT_EQ(TrimWhitespace("  hf_token\r\n"), "hf_token");
  EXPECT_EQ(TrimWhitespace("\t rel=next "), "rel=next");
  EXPECT_EQ(TrimWhitespace(" \n\t"), "");
  EXPECT_EQ(TrimWhitespace("a b"), "a b");
}

}  // namespace
}  // namespace pipefit
