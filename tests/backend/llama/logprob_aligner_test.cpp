// LogprobAligner together with the StopMatcher it mirrors, and
// AttachParserLogprobs: each token's logprob leaves with the text it
// produced, whatever the matcher holds back.
#include "backend/llama/logprob_aligner.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend/llama/stop_matcher.h"

namespace duet::llama {
namespace {

// Text released and the tokens that came with it, per pushed piece.
struct Released {
  std::string text;
  std::vector<std::string> tokens;
};

// Pushes `pieces` through a matcher for `stops` and the aligner the way the
// engine does, then ends the answer; returns what each step released (the
// last entry is the end of the answer).
std::vector<Released> Stream(const std::vector<std::string>& pieces,
                             std::vector<std::string> stops) {
  StopMatcher matcher(std::move(stops));
  LogprobAligner aligner;
  std::vector<Released> out;
  const auto collect = [&out](std::string text,
                              const std::vector<TokenLogprob>& logprobs) {
    Released released{std::move(text), {}};
    for (const TokenLogprob& entry : logprobs) {
      released.tokens.push_back(entry.token);
    }
    out.push_back(std::move(released));
  };
  for (const std::string& piece : pieces) {
    aligner.Add(TokenLogprob{piece, -1.0, {}});
    std::string text = matcher.Push(piece);
    std::vector<TokenLogprob> logprobs = aligner.Release(text.size());
    if (matcher.stopped()) {
      aligner.Clear();
    }
    collect(std::move(text), logprobs);
  }
  std::string rest = matcher.Finish();
  collect(std::move(rest), aligner.TakeAll());
  return out;
}

using Tokens = std::vector<std::string>;

TEST(LogprobAlignerTest, PlainTextTravelsTokenByToken) {
  const std::vector<Released> steps = Stream({"Hel", "lo", " world"}, {});
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].tokens, Tokens{"Hel"});
  EXPECT_EQ(steps[1].tokens, Tokens{"lo"});
  EXPECT_EQ(steps[2].tokens, Tokens{" world"});
  EXPECT_TRUE(steps[3].tokens.empty());
}

TEST(LogprobAlignerTest, HeldBackTextTakesItsTokensAlongWhenReleased) {
  // "<" and "<e" may start the stop sequence "<end>": held back until "x"
  // shows they do not, then released with all three tokens.
  const std::vector<Released> steps = Stream({"a<", "e", "x"}, {"<end>"});
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].text, "a");
  EXPECT_EQ(steps[0].tokens, Tokens{"a<"});  // its first byte is out
  EXPECT_TRUE(steps[1].tokens.empty());
  EXPECT_EQ(steps[2].text, "<ex");
  EXPECT_EQ(steps[2].tokens, (Tokens{"e", "x"}));
}

TEST(LogprobAlignerTest, TokensSwallowedByAStopSequenceAreNotReported) {
  // "ok<e" + "nd>" + "tail": the stop sequence starts inside "ok<e".
  const std::vector<Released> steps = Stream({"ok<e", "nd>", "tail"}, {"<end>"});
  std::string text;
  Tokens tokens;
  for (const Released& step : steps) {
    text += step.text;
    tokens.insert(tokens.end(), step.tokens.begin(), step.tokens.end());
  }
  EXPECT_EQ(text, "ok");
  EXPECT_EQ(tokens, Tokens{"ok<e"});  // begins in the text; "nd>" does not
}

TEST(LogprobAlignerTest, SplitCharacterTravelsWithItsFirstByte) {
  // "é" (C3 A9) split over two tokens is released whole with the second,
  // and both tokens go with it.
  const std::vector<Released> steps = Stream({"caf\xC3", "\xA9", "!"}, {});
  EXPECT_EQ(steps[0].text, "caf");
  EXPECT_EQ(steps[0].tokens, Tokens{"caf\xC3"});
  EXPECT_EQ(steps[1].text, "\xC3\xA9");
  EXPECT_EQ(steps[1].tokens, Tokens{"\xA9"});
}

TEST(LogprobAlignerTest, TextlessTokensWaitForTheTextAfterThem) {
  const std::vector<Released> steps = Stream({"a", "", "b", ""}, {});
  EXPECT_EQ(steps[0].tokens, Tokens{"a"});
  EXPECT_TRUE(steps[1].tokens.empty());
  EXPECT_EQ(steps[2].tokens, (Tokens{"", "b"}));
  EXPECT_TRUE(steps[3].tokens.empty());
  // The answer's natural end hands over what never got text.
  EXPECT_EQ(steps[4].text, "");
  EXPECT_EQ(steps[4].tokens, Tokens{""});
}

TEST(LogprobAlignerTest, AnIncompleteCharacterAtTheEndIsStillReported) {
  const std::vector<Released> steps = Stream({"ok", "\xE2\x82"}, {});
  EXPECT_EQ(steps[2].text, "");  // the matcher drops the broken tail
  EXPECT_EQ(steps[2].tokens, Tokens{"\xE2\x82"});
}

TEST(LogprobAlignerTest, ClearStartsOverAtByteZero) {
  LogprobAligner aligner;
  aligner.Add(TokenLogprob{"abc", -1.0, {}});
  aligner.Clear();
  aligner.Add(TokenLogprob{"x", -2.0, {}});
  const std::vector<TokenLogprob> released = aligner.Release(1);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].token, "x");
}

std::vector<TokenLogprob> Entries(const Tokens& tokens) {
  std::vector<TokenLogprob> out;
  for (const std::string& token : tokens) {
    out.push_back(TokenLogprob{token, -0.5, {}});
  }
  return out;
}

TEST(AttachParserLogprobsTest, TextDeltaTakesEverythingPending) {
  std::vector<TokenLogprob> pending = Entries({"</think>", "Hi"});
  std::vector<ChatEvent> events = {
      ChatEvent::BlockStop(0), ChatEvent::BlockStart(1, ContentBlock::Text("")),
      ChatEvent::Delta(1, ChatEvent::DeltaKind::kText, "Hi")};
  AttachParserLogprobs(&events, &pending);
  EXPECT_TRUE(pending.empty());
  EXPECT_EQ(events[2].logprobs, Entries({"</think>", "Hi"}));
}

TEST(AttachParserLogprobsTest, ReasoningOrToolCallsDropThem) {
  std::vector<TokenLogprob> pending = Entries({"hmm"});
  std::vector<ChatEvent> thinking = {
      ChatEvent::Delta(0, ChatEvent::DeltaKind::kThinking, "hmm")};
  AttachParserLogprobs(&thinking, &pending);
  EXPECT_TRUE(pending.empty());
  EXPECT_TRUE(thinking[0].logprobs.empty());

  pending = Entries({"<tool_call>"});
  std::vector<ChatEvent> call = {ChatEvent::BlockStart(
      0, ContentBlock::ToolUse("toolu_1", "f", RawJson{}))};
  AttachParserLogprobs(&call, &pending);
  EXPECT_TRUE(pending.empty());
}

TEST(AttachParserLogprobsTest, HeldTextKeepsThemWaiting) {
  std::vector<TokenLogprob> pending = Entries({"<to"});
  std::vector<ChatEvent> none;
  AttachParserLogprobs(&none, &pending);
  EXPECT_EQ(pending, Entries({"<to"}));
}

}  // namespace
}  // namespace duet::llama
