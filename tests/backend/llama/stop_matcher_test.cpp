#include "backend/llama/stop_matcher.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace duet::llama {
namespace {

// Feeds `pieces` and returns everything released, Finish() included.
std::string FeedAll(StopMatcher& matcher, const std::vector<std::string>& pieces) {
  std::string out;
  for (const std::string& piece : pieces) {
    out += matcher.Push(piece);
  }
  return out + matcher.Finish();
}

TEST(StopMatcherTest, WithoutStopsEverythingPassesThrough) {
  StopMatcher matcher({});
  EXPECT_EQ(matcher.Push("Hello"), "Hello");
  EXPECT_EQ(matcher.Push(", world"), ", world");
  EXPECT_FALSE(matcher.stopped());
}

TEST(StopMatcherTest, StopInsideOnePieceCutsBeforeIt) {
  StopMatcher matcher({"###"});
  EXPECT_EQ(FeedAll(matcher, {"answer### more"}), "answer");
  EXPECT_TRUE(matcher.stopped());
  EXPECT_EQ(matcher.matched(), "###");
  EXPECT_EQ(matcher.Push("after"), "");
}

TEST(StopMatcherTest, StopSpreadOverPiecesIsHeldBackThenDropped) {
  StopMatcher matcher({"END"});
  EXPECT_EQ(matcher.Push("the E"), "the ");  // "E" might start "END"
  EXPECT_EQ(matcher.Push("N"), "");
  EXPECT_EQ(matcher.Push("D!"), "");
  EXPECT_TRUE(matcher.stopped());
}

TEST(StopMatcherTest, FalseStartIsReleasedOnceItCannotMatch) {
  StopMatcher matcher({"END"});
  EXPECT_EQ(matcher.Push("E"), "");
  EXPECT_EQ(matcher.Push("NX"), "ENX");
  EXPECT_FALSE(matcher.stopped());
}

TEST(StopMatcherTest, EarliestOfSeveralStopsWins) {
  StopMatcher matcher({"b", "a"});
  EXPECT_EQ(FeedAll(matcher, {"xxab"}), "xx");
  EXPECT_EQ(matcher.matched(), "a");
}

TEST(StopMatcherTest, HeldBackTextIsReleasedAtTheEnd) {
  StopMatcher matcher({"###"});
  EXPECT_EQ(matcher.Push("done ##"), "done ");
  EXPECT_EQ(matcher.Finish(), "##");
}

TEST(StopMatcherTest, SplitUtf8CharacterWaitsForItsLastByte) {
  StopMatcher matcher({});
  const std::string check = "\xe2\x9c\x93";  // U+2713, three bytes
  EXPECT_EQ(matcher.Push("ok " + check.substr(0, 1)), "ok ");
  EXPECT_EQ(matcher.Push(check.substr(1, 1)), "");
  EXPECT_EQ(matcher.Push(check.substr(2)), check);
}

TEST(StopMatcherTest, IncompleteUtf8AtTheEndIsDropped) {
  StopMatcher matcher({});
  EXPECT_EQ(matcher.Push("a\xf0\x9f"), "a");
  EXPECT_EQ(matcher.Finish(), "");
}

TEST(StopMatcherTest, EmptyStopSequencesAreIgnored) {
  StopMatcher matcher({""});
  EXPECT_EQ(FeedAll(matcher, {"text"}), "text");
  EXPECT_FALSE(matcher.stopped());
}

TEST(CompleteUtf8PrefixTest, CountsOnlyWholeCharacters) {
  EXPECT_EQ(CompleteUtf8Prefix(""), 0u);
  EXPECT_EQ(CompleteUtf8Prefix("abc"), 3u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xc3\xa9"), 3u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xc3"), 1u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xf0\x9f\x98"), 1u);
  EXPECT_EQ(CompleteUtf8Prefix("a\xf0\x9f\x98\x80"), 5u);
}

}  // namespace
}  // namespace duet::llama
