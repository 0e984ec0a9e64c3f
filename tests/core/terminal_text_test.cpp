#include "core/terminal_text.h"

#include <gtest/gtest.h>

#include <string>

namespace duet {
namespace {

TEST(TerminalTextTest, EverySingleByteControlBecomesAQuestionMark) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string text = {'a', static_cast<char>(byte), 'b'};
    const bool control = byte < 0x20 || byte == 0x7F;
    EXPECT_EQ(TerminalSafe(text), control ? "a?b" : text) << byte;
  }
}

TEST(TerminalTextTest, EscapeSequencesCannotReachTheTerminal) {
  EXPECT_EQ(TerminalSafe("\x1b[2J\x1b]0;owned\x07model"),
            "?[2J?]0;owned?model");
  EXPECT_EQ(TerminalSafe("line\r\nfake row"), "line??fake row");
}

TEST(TerminalTextTest, C1ControlsInUtf8AreReplacedWhole) {
  // U+009B (CSI) and U+0085 (NEL): two bytes each, one '?' each.
  EXPECT_EQ(TerminalSafe("a\xC2\x9B"
                         "31mb\xC2\x85"),
            "a?31mb?");
  // U+00A0 and U+00E9 share the lead byte 0xC2/0xC3 but print.
  EXPECT_EQ(TerminalSafe("\xC2\xA0\xC3\xA9"), "\xC2\xA0\xC3\xA9");
  // A lead byte at the very end is kept: there is nothing after it.
  EXPECT_EQ(TerminalSafe("x\xC2"), "x\xC2");
}

TEST(TerminalTextTest, PrintableTextComesBackUnchanged) {
  for (const std::string text :
       {"", "claude-sonnet-4-6", "qwen3:32b-q4_K_M", "模型 → ✓", "50% $1.20"}) {
    EXPECT_EQ(TerminalSafe(text), text);
  }
}

}  // namespace
}  // namespace duet
