// Routing signals: token estimates and instruction complexity (issue 5).
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <random>
#include <string>

#include "route/signals/constraints.h"
#include "route/signals/token_estimate.h"

namespace duet {
namespace {

TEST(TokenEstimateTest, AlphabeticTextIsAboutFourCharactersAToken) {
  EXPECT_EQ(EstimateTextTokens(""), 0);
  EXPECT_EQ(EstimateTextTokens("abcd"), 1);
  EXPECT_EQ(EstimateTextTokens("abcde"), 2);
  EXPECT_EQ(EstimateTextTokens(std::string(4000, 'x')), 1000);
  // Accented letters count as one character each, not per byte.
  EXPECT_EQ(EstimateTextTokens("ééééàààà"), 2);
}

TEST(TokenEstimateTest, CjkCharactersCountOneTokenEach) {
  EXPECT_EQ(EstimateTextTokens("这是一个测试"), 6);
  EXPECT_EQ(EstimateTextTokens("これはテスト"), 6);
  // Mixed: 'a', 'é' and five 4-byte emoji are 7 narrow characters (2
  // tokens), '漢' one more token.
  EXPECT_EQ(EstimateTextTokens("a漢é😀😀😀😀😀"), 3);
}

// The estimate's definition, byte by byte: a quarter token per character
// that is not CJK (a byte below 0x80 or a lead byte other than E3..ED), one
// per CJK character.
int64_t TokensByteByByte(const std::string& text) {
  int64_t narrow = 0;
  int64_t cjk = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0xE3 && byte <= 0xED) {
      ++cjk;
    } else if (byte < 0x80 || byte >= 0xC0) {
      ++narrow;
    }
  }
  return (narrow + 3) / 4 + cjk;
}

TEST(TokenEstimateTest, AgreesWithTheByteByByteDefinitionOnRandomBytes) {
  std::mt19937_64 random(7);
  for (int round = 0; round < 5000; ++round) {
    std::string text(random() % 70, '\0');
    for (char& c : text) {
      // Mostly ASCII, with every byte value possible.
      c = static_cast<char>(random() % 4 == 0 ? random() % 256 : 'a' + random() % 26);
    }
    ASSERT_EQ(EstimateTextTokens(text), TokensByteByByte(text)) << round;
  }
}

// Long texts: 16-byte blocks are counted in runs of up to 255 before their
// per-byte counters are summed, so lengths go past 255 * 16 and every byte
// kind fills whole blocks too.
TEST(TokenEstimateTest, AgreesWithTheByteByByteDefinitionOnLongTexts) {
  std::mt19937_64 random(11);
  const std::string pieces[] = {"a", "é", "漢", "한", "😀", "\xE3", "\x80", "\xFF"};
  for (size_t round = 0; round < 40; ++round) {
    std::string text;
    const size_t length = 4000 + random() % 6000;
    // The first rounds repeat one piece alone: every block the same.
    const bool alone = round < std::size(pieces);
    const std::string& common = pieces[alone ? round : random() % std::size(pieces)];
    while (text.size() < length) {
      text += !alone && random() % 4 == 0 ? pieces[random() % std::size(pieces)] : common;
    }
    ASSERT_EQ(EstimateTextTokens(text), TokensByteByByte(text)) << round;
  }
}

TEST(TokenEstimateTest, RequestCountsEveryPartAndImages) {
  ChatRequest request;
  request.system.push_back(ContentBlock::Text(std::string(400, 's')));
  request.messages.push_back({Role::kUser, {ContentBlock::Text(std::string(400, 'u'))}});
  ContentBlock image;
  image.type = BlockType::kImage;
  request.messages.back().content.push_back(image);
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_result_content.push_back(ContentBlock::Text(std::string(400, 'r')));
  request.messages.push_back({Role::kUser, {result}});
  Tool tool;
  tool.name = "t";
  tool.description = std::string(399, 'd');
  request.tools.push_back(tool);
  EXPECT_EQ(EstimateRequestTokens(request), 400 + kImageTokenEstimate);
}

TEST(ConstraintsTest, TheGuidesExampleInterlocks) {
  const ConstraintCount count = CountConstraints(
      "Rewrite the changelog as release notes: group by component, omit internal "
      "refactors unless they change performance by more than 10%, keep breaking "
      "changes first but only for public APIs, use British spelling, no more than "
      "12 bullets, and end with a one-line upgrade note unless there are no breaking "
      "changes.");
  EXPECT_TRUE(count.Interlocking(4)) << count.total << " " << count.families;
  EXPECT_GE(count.conditions, 3);
  EXPECT_EQ(count.markers.front(), "group by");
}

TEST(ConstraintsTest, PlainRequestsDoNotInterlock) {
  EXPECT_FALSE(CountConstraints("why is the sky blue").Interlocking(4));
  EXPECT_FALSE(CountConstraints("Write a short, friendly email to my landlord about "
                                "the broken heater. Don't be rude.")
                   .Interlocking(4));
  // Requirements without any condition are a list, not a tangle.
  EXPECT_FALSE(CountConstraints("No more than 100 words, avoid jargon, as a table, "
                                "end with a question, never use emoji.")
                   .Interlocking(4));
}

TEST(ConstraintsTest, MarkersMatchWholeWordsOnly) {
  // "omitted", "exceptional", "neverland" contain markers but are not them.
  EXPECT_EQ(CountConstraints("the omitted exceptional neverland").total, 0);
}

TEST(ConstraintsTest, CountsInEveryLanguageTheClassifierServes) {
  EXPECT_TRUE(CountConstraints("Resume el informe en viñetas, no más de 8, excepto si hay "
                               "riesgos legales, nunca menciones nombres y termina con una "
                               "recomendación a menos que el presupuesto sea cero.")
                  .Interlocking(4));
  EXPECT_TRUE(CountConstraints("Fasse die Notizen in Stichpunkte zusammen, höchstens 10, außer "
                               "es gibt offene Fragen, keine Namen, und ende mit einem Fazit, "
                               "es sei denn, das Projekt ist gestoppt.")
                  .Interlocking(4));
  EXPECT_TRUE(CountConstraints("Réécris ce texte en puces, pas plus de 6, sauf pour les "
                               "chiffres clés, sans jargon, et termine par une question à "
                               "moins que le ton soit formel.")
                  .Interlocking(4));
  EXPECT_TRUE(CountConstraints("把会议纪要整理成要点，不超过8条，除非涉及预算，不要出现人名，"
                               "结尾写下一步计划，否则写无。")
                  .Interlocking(4));
  EXPECT_TRUE(CountConstraints("議事録を箇条書きで、10項目以内にまとめてください。ただし予算の話"
                               "は除き、個人名は使わず、最後に次のアクションを書いてください。")
                  .Interlocking(4));
}

TEST(ConstraintsTest, ReadsOnlyTheHeadOfTheInstruction) {
  std::string text(kConstraintScannedBytes, ' ');
  text += "unless, except, no more than, do not, as a table, end with";
  EXPECT_EQ(CountConstraints(text).total, 0);
}

}  // namespace
}  // namespace duet
