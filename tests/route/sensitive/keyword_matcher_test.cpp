// KeywordMatcher: case folding, flexible whitespace and dashes, whole
// words, case-sensitive prefixes, longest match first, CJK keywords.
#include "route/sensitive/keyword_matcher.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace duet::sensitive {
namespace {

KeywordMatcher Make(std::vector<KeywordMatcher::Keyword> keywords) {
  return KeywordMatcher(std::move(keywords));
}

// "id:end" of every keyword matching at `pos`, longest first.
std::vector<std::string> MatchesAt(const KeywordMatcher& matcher,
                                   std::string_view text, size_t pos) {
  std::vector<std::string> out;
  matcher.ForEachMatchAt(
      text, pos, [&](const KeywordMatcher::Keyword& k, size_t end) {
        out.push_back(std::to_string(k.id) + ":" + std::to_string(end));
        return false;
      });
  return out;
}

TEST(KeywordMatcherTest, IgnoresAsciiCase) {
  const KeywordMatcher matcher = Make({{.text = "Password", .id = 1}});
  EXPECT_EQ(MatchesAt(matcher, "PASSWORD=x", 0),
            (std::vector<std::string>{"1:8"}));
  EXPECT_EQ(MatchesAt(matcher, "my password", 3),
            (std::vector<std::string>{"1:11"}));
  EXPECT_TRUE(MatchesAt(matcher, "passwort", 0).empty());
}

TEST(KeywordMatcherTest, WholeWordUnlessAStem) {
  const KeywordMatcher matcher =
      Make({{.text = "tel", .id = 1},
            {.text = "diagnos", .id = 2, .whole_word = false}});
  EXPECT_EQ(MatchesAt(matcher, "Tel.: 5", 0),
            (std::vector<std::string>{"1:3"}));
  EXPECT_TRUE(MatchesAt(matcher, "telemetry", 0).empty());
  EXPECT_EQ(MatchesAt(matcher, "Diagnosed", 0),
            (std::vector<std::string>{"2:7"}));
}

TEST(KeywordMatcherTest, SpacesMatchAnyWhitespaceAndDashesMatchDashes) {
  const KeywordMatcher matcher = Make(
      {{.text = "under nda", .id = 1}, {.text = "nda-protected", .id = 2}});
  EXPECT_EQ(MatchesAt(matcher, "under  \n NDA", 0),
            (std::vector<std::string>{"1:12"}));
  EXPECT_EQ(MatchesAt(matcher, "NDA-protected", 0),
            (std::vector<std::string>{"2:13"}));
  EXPECT_EQ(MatchesAt(matcher, "NDA protected", 0),
            (std::vector<std::string>{"2:13"}));
  EXPECT_EQ(MatchesAt(matcher, "NDA\xE2\x80\x93protected", 0),  // en dash
            (std::vector<std::string>{"2:15"}));
  EXPECT_TRUE(MatchesAt(matcher, "underNDA", 0).empty());
}

TEST(KeywordMatcherTest, CaseSensitiveKeywordsMatchExactly) {
  const KeywordMatcher matcher = Make(
      {{.text = "ghp_", .id = 1, .case_sensitive = true, .whole_word = false}});
  EXPECT_EQ(MatchesAt(matcher, "ghp_abc", 0),
            (std::vector<std::string>{"1:4"}));
  EXPECT_TRUE(MatchesAt(matcher, "GHP_abc", 0).empty());
}

TEST(KeywordMatcherTest, LongestKeywordFirstAndStopWhenAsked) {
  const KeywordMatcher matcher =
      Make({{.text = "confidential", .id = 1},
            {.text = "confidential and proprietary", .id = 2}});
  const std::string text = "Confidential and Proprietary";
  EXPECT_EQ(MatchesAt(matcher, text, 0),
            (std::vector<std::string>{"2:28", "1:12"}));
  int visits = 0;
  EXPECT_TRUE(matcher.ForEachMatchAt(
      text, 0, [&](const KeywordMatcher::Keyword&, size_t) {
        ++visits;
        return true;
      }));
  EXPECT_EQ(visits, 1);
}

TEST(KeywordMatcherTest, CjkKeywordsAndTextEnds) {
  const KeywordMatcher matcher =
      Make({{.text = "社外秘", .id = 1}, {.text = "mg", .id = 2}});
  const std::string text = "資料は社外秘です";
  EXPECT_EQ(MatchesAt(matcher, text, 9), (std::vector<std::string>{"1:18"}));
  EXPECT_TRUE(MatchesAt(matcher, text, 12).empty());
  EXPECT_EQ(MatchesAt(matcher, "5 mg", 2), (std::vector<std::string>{"2:4"}));
  EXPECT_TRUE(MatchesAt(matcher, "mgmt", 0).empty());
  EXPECT_TRUE(MatchesAt(matcher, "m", 0).empty());
}

TEST(KeywordMatcherTest, FilterRejectsPositionsWithoutKeywords) {
  const KeywordMatcher matcher = Make({{.text = "password", .id = 1}});
  EXPECT_TRUE(matcher.MayStartAt("password", 0));
  EXPECT_TRUE(matcher.MayStartAt("PASsport", 0));  // same first three bytes
  EXPECT_FALSE(matcher.MayStartAt("the quick brown fox", 0));
}

}  // namespace
}  // namespace duet::sensitive
