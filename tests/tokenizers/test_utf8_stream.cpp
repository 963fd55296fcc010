// Utf8Stream and the invalid-UTF-8 policy shared by every tokenizer.
#include <gtest/gtest.h>

#include "loaders/tokenizer.h"
#include "loaders/tokenizer/utf8.h"

namespace sprout::test {
namespace {

TEST(Utf8Stream, HoldsSplitCharactersUntilComplete) {
  Utf8Stream s;
  std::string emoji = "\xF0\x9F\x8C\xB1";  // U+1F331, 4 bytes
  EXPECT_EQ(s.push("a" + emoji.substr(0, 1)), "a");
  EXPECT_EQ(s.push(emoji.substr(1, 2)), "");
  EXPECT_EQ(s.push(emoji.substr(3) + "b"), emoji + "b");
  EXPECT_EQ(s.flush(), "");
}

TEST(Utf8Stream, InvalidBytesBecomeReplacement) {
  Utf8Stream s;
  EXPECT_EQ(s.push("\xFF" "x"), "\xEF\xBF\xBD" "x");
  EXPECT_EQ(s.push("\xE4\xBD"), "");
  EXPECT_EQ(s.push("y"), "\xEF\xBF\xBD" "y");  // the pending prefix can no longer complete
  EXPECT_EQ(s.push("\xE4"), "");
  EXPECT_EQ(s.flush(), "\xEF\xBF\xBD");
}

TEST(Utf8, SanitizeUsesMaximalSubparts) {
  // Python: b"...".decode("utf-8", "replace")
  const std::string R = "\xEF\xBF\xBD";
  EXPECT_EQ(tok::utf8_sanitize("\xE2\x82" "A"), R + "A");           // truncated 3-byte sequence: one U+FFFD
  EXPECT_EQ(tok::utf8_sanitize("\xF0\x80\x80"), R + R + R);         // F0 80: not a valid prefix
  EXPECT_EQ(tok::utf8_sanitize("\xED\xA0\x80"), R + R + R);         // surrogate
  EXPECT_EQ(tok::utf8_sanitize("\xC0\xAF"), R + R);                 // overlong
  EXPECT_EQ(tok::utf8_sanitize("ok \xC3\xA9"), "ok \xC3\xA9");
}

}  // namespace
}  // namespace sprout::test
