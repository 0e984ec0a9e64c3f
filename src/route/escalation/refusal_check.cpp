#include "route/escalation/refusal_check.h"

#include <string>

#include "route/escalation/utf8_text.h"

namespace duet::escalation {
namespace {

struct RefusalPhrase {
  std::string_view text;  // normalised as Normalize() leaves the answer
  std::string_view language;
};

constexpr std::string_view kEnglish = "English";
constexpr std::string_view kSpanish = "Spanish";
constexpr std::string_view kGerman = "German";
constexpr std::string_view kFrench = "French";
constexpr std::string_view kChinese = "Chinese";
constexpr std::string_view kJapanese = "Japanese";

// Phrases that open a refusal and rarely open a helpful answer. Prefixes
// suffice: "no puedo ayudar" covers "no puedo ayudarte".
constexpr RefusalPhrase kPhrases[] = {
    {"i can't help with", kEnglish},
    {"i cannot help with", kEnglish},
    {"i can't help you with", kEnglish},
    {"i cannot help you with", kEnglish},
    {"i can't assist", kEnglish},
    {"i cannot assist", kEnglish},
    {"i'm sorry, but i can't", kEnglish},
    {"i'm sorry, but i cannot", kEnglish},
    {"i am sorry, but i can't", kEnglish},
    {"i am sorry, but i cannot", kEnglish},
    {"sorry, but i can't", kEnglish},
    {"sorry, i can't help", kEnglish},
    {"i'm unable to help", kEnglish},
    {"i am unable to help", kEnglish},
    {"i'm unable to assist", kEnglish},
    {"i am unable to assist", kEnglish},
    {"i'm not able to help", kEnglish},
    {"i am not able to help", kEnglish},
    {"i won't be able to help", kEnglish},
    {"i can't comply", kEnglish},
    {"i cannot comply", kEnglish},
    {"i can't fulfill", kEnglish},
    {"i cannot fulfill", kEnglish},
    {"i must decline", kEnglish},
    {"i have to decline", kEnglish},
    {"i will not help", kEnglish},
    {"i won't help", kEnglish},
    {"as an ai language model", kEnglish},
    {"as a language model", kEnglish},
    {"as an ai model", kEnglish},
    {"no puedo ayudar", kSpanish},
    {"no puedo asistir", kSpanish},
    {"no puedo proporcionar", kSpanish},
    {"no puedo cumplir", kSpanish},
    {"lo siento, pero no puedo", kSpanish},
    {"lo siento, no puedo", kSpanish},
    {"como modelo de lenguaje", kSpanish},
    {"como un modelo de lenguaje", kSpanish},
    {"no estoy en condiciones de ayudar", kSpanish},
    {"no me es posible ayudar", kSpanish},
    {"ich kann dabei nicht helfen", kGerman},
    {"ich kann ihnen dabei nicht helfen", kGerman},
    {"ich kann dir dabei nicht helfen", kGerman},
    {"ich kann ihnen nicht helfen", kGerman},
    {"ich kann dir nicht helfen", kGerman},
    {"ich kann hierbei nicht helfen", kGerman},
    {"dabei kann ich nicht helfen", kGerman},
    {"dabei kann ich ihnen nicht helfen", kGerman},
    {"es tut mir leid, aber ich kann", kGerman},
    {"als ki-sprachmodell", kGerman},
    {"als sprachmodell", kGerman},
    {"je ne peux pas vous aider", kFrench},
    {"je ne peux pas t'aider", kFrench},
    {"je ne peux pas aider", kFrench},
    {"je ne peux pas répondre à cette demande", kFrench},
    {"je ne peux pas fournir", kFrench},
    {"désolé, mais je ne peux pas", kFrench},
    {"désolée, mais je ne peux pas", kFrench},
    {"je suis désolé, mais je ne peux", kFrench},
    {"je ne suis pas en mesure de vous aider", kFrench},
    {"je ne suis pas en mesure d'aider", kFrench},
    {"en tant que modèle de langage", kFrench},
    {"en tant qu'ia", kFrench},
    {"en tant qu'intelligence artificielle", kFrench},
    {"我无法", kChinese},
    {"我無法", kChinese},
    {"抱歉,我不能", kChinese},
    {"抱歉,我无法", kChinese},
    {"对不起,我不能", kChinese},
    {"对不起,我无法", kChinese},
    {"很抱歉,我不能", kChinese},
    {"我不能帮助", kChinese},
    {"我不能幫助", kChinese},
    {"我不能协助", kChinese},
    {"我不能提供", kChinese},
    {"作为一个人工智能", kChinese},
    {"作為一個人工智能", kChinese},
    {"作为一个ai语言模型", kChinese},
    {"作为ai语言模型", kChinese},
    {"作为一个语言模型", kChinese},
    {"申し訳ありませんが", kJapanese},
    {"申し訳ございませんが", kJapanese},
    {"お手伝いできません", kJapanese},
    {"お答えできません", kJapanese},
    {"お応えできません", kJapanese},
    {"ご協力できません", kJapanese},
    {"対応できません", kJapanese},
    {"提供できません", kJapanese},
    {"私はaiとして", kJapanese},
    {"aiアシスタントとして", kJapanese},
    {"言語モデルとして", kJapanese},
};

char32_t NormalizeCodePoint(char32_t c) {
  if (c >= 'A' && c <= 'Z') {
    return c + ('a' - 'A');
  }
  // Latin-1 capitals (À..Þ, not ×) sit 0x20 below their small letters.
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) {
    return c + 0x20;
  }
  if (c == 0x2018 || c == 0x2019 || c == 0x02BC) {
    return '\'';
  }
  if (c == 0xFF0C) {
    return ',';
  }
  return c;
}

// The first kRefusalOpeningChars characters of `text`, normalised.
std::string NormalizedOpening(std::string_view text) {
  std::string out;
  bool pending_space = false;
  size_t pos = 0;
  for (size_t chars = 0; pos < text.size() && chars < kRefusalOpeningChars;
       ++chars) {
    const char32_t c = NextCodePoint(text, &pos);
    if (IsUnicodeSpace(c)) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    AppendUtf8(NormalizeCodePoint(c), &out);
  }
  return out;
}

}  // namespace

std::optional<std::string_view> FindRefusalLanguage(std::string_view text) {
  const std::string opening = NormalizedOpening(text);
  size_t earliest = std::string::npos;
  std::optional<std::string_view> language;
  for (const RefusalPhrase& phrase : kPhrases) {
    const size_t at = opening.find(phrase.text);
    if (at < earliest) {
      earliest = at;
      language = phrase.language;
    }
  }
  return language;
}

}  // namespace duet::escalation
