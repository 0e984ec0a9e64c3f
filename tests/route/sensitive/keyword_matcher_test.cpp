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

// The eight-byte quick check runs only where eight bytes follow the
// position: each case must come out the same with and without text after
// it.
TEST(KeywordMatcherTest, SameMatchesWithAndWithoutEightBytesAfter) {
  const KeywordMatcher matcher = Make({
      {.text = "privileged", .id = 1},
      {.text = "private", .id = 2},
      {.text = "prison", .id = 3, .whole_word = false},
      {.text = "mot de passe", .id = 4},
      {.text = "nda-protected", .id = 5},
      {.text = "SG.", .id = 6, .case_sensitive = true, .whole_word = false},
      {.text = "Ab_9@x", .id = 7, .case_sensitive = true},
      {.text = "contraseña", .id = 8},
  });
  const struct {
    std::string_view text;
    std::vector<std::string> matches;
  } cases[] = {
      {"PRIVILEGED", {"1:10"}},
      {"Private", {"2:7"}},
      {"prisoner", {"3:6"}},
      {"price", {}},
      {"privat", {}},
      {"MOT  DE\tPASSE", {"4:13"}},
      {"mot-de passe", {}},
      {"NDA\n protected", {"5:14"}},
      {"nda\xE2\x80\x94protected", {"5:15"}},  // em dash
      {"SG.", {"6:3"}},
      {"sg.", {}},
      {"SG,", {}},
      {"Ab_9@x", {"7:6"}},
      {"aB_9@x", {}},
      {"Ab\x7F" "9@x", {}},  // '_' | 0x20 == DEL | 0x20: the exact match says no
      {"CONTRASEÑA", {}},     // only ASCII letters fold
      {"Contraseña", {"8:11"}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MatchesAt(matcher, c.text, 0), c.matches) << c.text;
    const std::string padded = std::string(c.text) + " and more text";
    EXPECT_EQ(MatchesAt(matcher, padded, 0), c.matches) << padded;
  }
}

// Hundreds of keywords, as a user's word list may hold: each is found
// where it stands, and nothing else is.
TEST(KeywordMatcherTest, ManyKeywordsEachFoundInItsOwnBucket) {
  std::vector<KeywordMatcher::Keyword> keywords;
  std::vector<std::string> words;
  for (int i = 0; i < 600; ++i) {
    std::string word;
    for (int k = i; word.size() < 3 || k > 0; k /= 26) {
      word.push_back(static_cast<char>('a' + k % 26));
    }
    word += "word";
    words.push_back(word);
    keywords.push_back({.text = word, .id = static_cast<uint32_t>(i)});
  }
  const KeywordMatcher matcher = Make(std::move(keywords));
  for (int i = 0; i < 600; ++i) {
    const std::string text = words[i] + " is here";
    EXPECT_EQ(MatchesAt(matcher, text, 0),
              (std::vector<std::string>{std::to_string(i) + ":" +
                                        std::to_string(words[i].size())}))
        << text;
    EXPECT_TRUE(MatchesAt(matcher, words[i] + "s are here", 0).empty());
  }
}

TEST(KeywordMatcherTest, FilterRejectsPositionsWithoutKeywords) {
  const KeywordMatcher matcher = Make({{.text = "password", .id = 1}});
  EXPECT_TRUE(matcher.MayStartAt("password", 0));
  EXPECT_TRUE(matcher.MayStartAt("PASsport", 0));  // same first three bytes
  EXPECT_FALSE(matcher.MayStartAt("the quick brown fox", 0));
}

}  // namespace
}  // namespace duet::sensitive
