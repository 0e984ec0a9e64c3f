// The answer checks that decide whether a local answer escalates to Claude
// (issue 7): each check fires on the answers it is for and stays quiet on
// good ones, in the languages where that matters.
#include "route/escalation/answer_checks.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace duet {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ChatRequest Request() {
  ChatRequest request;
  request.model = "local";
  request.max_tokens = 4096;
  request.messages.push_back({Role::kUser, {ContentBlock::Text("Hello")}});
  return request;
}

ChatResponse Answer(std::vector<ContentBlock> content,
                    StopReason stop = StopReason::kEndTurn) {
  ChatResponse answer;
  answer.content = std::move(content);
  answer.stop_reason = stop;
  answer.usage.output_tokens = 50;
  return answer;
}

ChatResponse TextAnswer(std::string text) {
  return Answer({ContentBlock::Text(std::move(text))});
}

std::string Repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) {
    out += piece;
  }
  return out;
}

// Runs only `check`; the failure's explanation, "" when the answer passes.
// Every explanation must be printable ASCII.
std::string Explain(const ChatRequest& request, const ChatResponse& answer,
                    const std::string& check) {
  AnswerCheckOptions options;
  options.checks = {check};
  const std::optional<CheckFailure> failure =
      CheckAnswer(request, answer, options);
  if (!failure) {
    return "";
  }
  EXPECT_EQ(failure->check, check);
  for (const char c : failure->explanation) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7F) << failure->explanation;
  }
  EXPECT_FALSE(failure->explanation.empty());
  return failure->explanation;
}

std::string Explain(const ChatResponse& answer, const std::string& check) {
  return Explain(Request(), answer, check);
}

// About 230 words of ordinary English.
std::string RiverProse() {
  return "Rivers shape the land they cross. Over thousands of years a river "
         "carves valleys, deposits fertile soil on its floodplain, and builds "
         "deltas where it meets the sea. Early farming villages grew along the "
         "Nile, the Tigris and the Euphrates because the yearly floods renewed "
         "the fields. Cities followed the water too: rivers carried grain, "
         "timber and stone long before roads could. Today engineers dam rivers "
         "for electricity and irrigation, which brings its own trade-offs. A "
         "reservoir can store water for dry summers, yet it also traps "
         "sediment "
         "that once fed downstream beaches and wetlands. Fish that migrate "
         "upstream to spawn need ladders or bypass channels, and even then "
         "many "
         "populations decline. Some countries now remove old dams that no "
         "longer pay for themselves, and rivers often recover faster than "
         "ecologists expected. Salmon return within a few seasons, gravel bars "
         "reappear, and the water grows colder and clearer. Managing a river "
         "well means balancing farms, towns, power plants and wildlife, and "
         "listening to everyone who depends on the same flow of water from the "
         "mountains to the coast. Good policy starts with honest measurements "
         "of how much water there is, who uses it, and what the river itself "
         "needs to stay alive.";
}

// ---- empty ----------------------------------------------------------------

TEST(EmptyCheckTest, FiresWithoutTextOrToolCall) {
  EXPECT_EQ(Explain(Answer({}), "empty"),
            "the answer has no text and no tool call");
  EXPECT_NE(Explain(TextAnswer(" \n\t\u3000\u00a0"), "empty"), "");
  EXPECT_EQ(Explain(Answer({ContentBlock::Thinking("Let me think.", "sig"),
                            ContentBlock::Text("  ")}),
                    "empty"),
            "the answer holds only thinking, no text and no tool call");
}

TEST(EmptyCheckTest, QuietOnTextOrToolCall) {
  EXPECT_EQ(Explain(TextAnswer("Hi"), "empty"), "");
  EXPECT_EQ(Explain(TextAnswer("你好"), "empty"), "");
  EXPECT_EQ(
      Explain(Answer({ContentBlock::ToolUse("t1", "get_weather",
                                            RawJson{R"({"city":"Oslo"})"})},
                     StopReason::kToolUse),
              "empty"),
      "");
}

// ---- truncated ------------------------------------------------------------

TEST(TruncatedCheckTest, FiresWhenAShortBudgetRanOut) {
  ChatRequest request = Request();
  request.max_tokens = 256;
  const ChatResponse cut =
      Answer({ContentBlock::Text("Well, first...")}, StopReason::kMaxTokens);
  EXPECT_EQ(Explain(request, cut, "truncated"),
            "the answer used up the request's max_tokens of 256 and was cut "
            "off (budgets up to 1024 tokens count as short)");
  // Without max_tokens, the tokens the answer spent are the budget.
  request.max_tokens.reset();
  ChatResponse spent = cut;
  spent.usage.output_tokens = 300;
  EXPECT_THAT(Explain(request, spent, "truncated"),
              HasSubstr("after 300 output tokens"));
}

TEST(TruncatedCheckTest, QuietOnLongBudgetsAndOtherStops) {
  ChatRequest request = Request();
  request.max_tokens = 4096;
  EXPECT_EQ(Explain(request,
                    Answer({ContentBlock::Text("...")}, StopReason::kMaxTokens),
                    "truncated"),
            "");
  request.max_tokens = 256;
  for (const StopReason stop : {StopReason::kEndTurn, StopReason::kStopSequence,
                                StopReason::kToolUse}) {
    EXPECT_EQ(Explain(request, Answer({ContentBlock::Text("Done.")}, stop),
                      "truncated"),
              "");
  }
  AnswerCheckOptions options;
  options.truncated_budget_tokens = 100;
  EXPECT_FALSE(
      CheckAnswer(request,
                  Answer({ContentBlock::Text("...")}, StopReason::kMaxTokens),
                  options)
          .has_value());
}

// ---- refusal --------------------------------------------------------------

TEST(RefusalCheckTest, FiresOnTheRefusalStopReason) {
  EXPECT_EQ(Explain(Answer({}, StopReason::kRefusal), "refusal"),
            "the model stopped with stop_reason refusal");
}

TEST(RefusalCheckTest, FiresOnRefusalsInEveryLanguage) {
  struct Case {
    const char* text;
    const char* language;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"I'm sorry, but I can't help with that request.", "English"},
           {"I can\u2019t help with creating that kind of content.", "English"},
           {"I CANNOT ASSIST WITH THAT.", "English"},
           {"As an AI language model, I do not have personal opinions.",
            "English"},
           {"Lo siento, pero no puedo ayudarte con eso.", "Spanish"},
           {"No puedo ayudar con esa solicitud.", "Spanish"},
           {"Es tut mir leid, aber ich kann Ihnen dabei nicht helfen.",
            "German"},
           {"Ich kann dabei nicht helfen.", "German"},
           {"Je suis désolé, mais je ne peux pas vous aider avec cette "
            "demande.",
            "French"},
           {"DÉSOLÉ, MAIS JE NE PEUX PAS répondre.", "French"},
           {"抱歉，我不能帮助你完成这个请求。", "Chinese"},
           {"我无法提供这类信息。", "Chinese"},
           {"申し訳ありませんが、そのご依頼にはお応えできません。", "Japanese"},
       }) {
    const std::string explanation = Explain(TextAnswer(c.text), "refusal");
    EXPECT_EQ(explanation, std::string("the answer opens with a refusal (a ") +
                               c.language + " refusal phrase)")
        << c.text;
  }
}

TEST(RefusalCheckTest, QuietOnHelpfulAnswersInEveryLanguage) {
  for (const char* text : {
           "Sure! To sort a list in Python, call sorted(items) or "
           "items.sort().",
           "You can't divide by zero, so check the denominator first.",
           "Claro, aquí tienes una receta sencilla de tortilla de patatas.",
           "Gerne! Hier ist eine kurze Zusammenfassung des Artikels.",
           "Bien sûr ! Voici les étapes pour configurer votre routeur.",
           "当然可以。以下是三个提高睡眠质量的建议。",
           "はい、承知しました。以下に手順を説明します。",
       }) {
    EXPECT_EQ(Explain(TextAnswer(text), "refusal"), "") << text;
  }
}

TEST(RefusalCheckTest, APhraseDeepInALongAnswerDoesNotCount) {
  EXPECT_EQ(Explain(TextAnswer(RiverProse() +
                               " I can't help with flood insurance, though."),
                    "refusal"),
            "");
  EXPECT_NE(
      Explain(TextAnswer("I can't help with flood insurance. " + RiverProse()),
              "refusal"),
      "");
}

// ---- repetition -----------------------------------------------------------

TEST(RepetitionCheckTest, FiresOnOneWordOrPhraseLooping) {
  EXPECT_EQ(
      Explain(TextAnswer("The answer is " + Repeat("the ", 20)), "repetition"),
      "degenerate repetition: the same word repeats 20 times in a row "
      "(20 of 23 words)");
  EXPECT_EQ(
      Explain(TextAnswer(Repeat("I think that is right. ", 10)), "repetition"),
      "degenerate repetition: the same 5-word phrase repeats 10 times in "
      "a row (50 of 50 words)");
}

TEST(RepetitionCheckTest, FiresOnALoopAtTheEndOfALongAnswer) {
  EXPECT_THAT(Explain(TextAnswer(RiverProse() + " " + Repeat("and so on ", 30)),
                      "repetition"),
              HasSubstr("the same 3-word phrase repeats 30 times"));
}

TEST(RepetitionCheckTest, FiresOnLongSentencesLoopingViaWordVariety) {
  const std::string explanation = Explain(
      TextAnswer(Repeat("The quick brown fox jumps over the lazy dog near the "
                        "old barn. ",
                        15)),
      "repetition");
  EXPECT_EQ(explanation,
            "degenerate repetition: only 11 distinct words in a stretch of 195 "
            "(under 20 percent)");
}

TEST(RepetitionCheckTest, FiresOnCjkUnitsRepeating) {
  EXPECT_EQ(Explain(TextAnswer("好的" + Repeat("好的", 6)), "repetition"),
            "degenerate repetition: the same 2-character unit repeats 7 times "
            "in a row");
  EXPECT_THAT(Explain(TextAnswer("结论：" + Repeat("我们需要更多的数据。", 6)),
                      "repetition"),
              HasSubstr("the same 10-character unit repeats 6 times"));
  EXPECT_THAT(
      Explain(TextAnswer(Repeat("ありがとうございます ", 5)), "repetition"),
      HasSubstr("repeats 5 times in a row"));
}

TEST(RepetitionCheckTest, ExplanationNeverQuotesTheAnswer) {
  const std::string explanation =
      Explain(TextAnswer(Repeat("hunter2 ", 30)), "repetition");
  EXPECT_THAT(explanation, Not(HasSubstr("hunter2")));
}

TEST(RepetitionCheckTest, QuietOnAShortBurstInALongAnswer) {
  EXPECT_EQ(Explain(TextAnswer(RiverProse() +
                               " That is very very very very very very very "
                               "very important."),
                    "repetition"),
            "");
  EXPECT_EQ(Explain(TextAnswer("No, no, no, no, no, no: that is wrong."),
                    "repetition"),
            "");
}

TEST(RepetitionCheckTest, QuietOnANumberedList) {
  EXPECT_EQ(
      Explain(
          TextAnswer("Here is a plan for learning Spanish in three months:\n\n"
                     "1. Study vocabulary for 20 minutes every morning.\n"
                     "2. Listen to a Spanish podcast during your commute.\n"
                     "3. Practice speaking with a partner twice a week.\n"
                     "4. Read one short article in Spanish every day.\n"
                     "5. Write a short diary entry in Spanish each evening.\n"
                     "6. Watch a Spanish film with subtitles on weekends.\n"
                     "7. Review your mistakes every Sunday.\n"
                     "8. Take a practice test at the end of each month.\n"
                     "9. Change your phone's language to Spanish.\n"
                     "10. Celebrate small wins to stay motivated.\n\n"
                     "- Use the app daily.\n- Use the app weekly.\n"
                     "- Use the app monthly.\n"),
          "repetition"),
      "");
}

TEST(RepetitionCheckTest, QuietOnAMarkdownTable) {
  EXPECT_EQ(
      Explain(
          TextAnswer("| Plan | Price | SSO | API access | Support |\n"
                     "|------|-------|-----|------------|---------|\n"
                     "| Free | $0 | No | No | Community |\n"
                     "| Pro | $20 | No | Yes | Email |\n"
                     "| Team | $50 | Yes | Yes | Email |\n"
                     "| Business | $90 | Yes | Yes | Phone |\n"
                     "| Enterprise | Custom | Yes | Yes | Dedicated |\n\n"
                     "| | | | | | | | |\n|---|---|---|---|---|---|---|---|\n"),
          "repetition"),
      "");
}

TEST(RepetitionCheckTest, QuietOnCodeBlocks) {
  const std::string zeros = Repeat("  0, 0, 0, 0, 0, 0, 0, 0,\n", 8);
  EXPECT_EQ(
      Explain(TextAnswer("Here is the lookup table:\n\n```c\n"
                         "static const int kTable[64] = {\n" +
                         zeros + "};\n```\n\nAnd the tests:\n\n~~~python\n" +
                         Repeat("assert parse('') is None\n", 10) +
                         "~~~\nEvery entry starts at zero."),
              "repetition"),
      "");
}

TEST(RepetitionCheckTest, QuietOnOrdinaryProseInSeveralLanguages) {
  EXPECT_EQ(Explain(TextAnswer(RiverProse()), "repetition"), "");
  EXPECT_EQ(Explain(TextAnswer("以下是三个建议：\n1. 每天早上读书三十分钟。\n"
                               "2. 每周运动三次，每次至少半小时。\n"
                               "3. 晚上十一点前睡觉，保证充足的睡眠。\n"
                               "谢谢！慢慢来，坚持下去就会看到效果。"),
                    "repetition"),
            "");
  EXPECT_EQ(Explain(TextAnswer("東京から大阪までは新幹線で約二時間半です。"
                               "のぞみ号が一番速く、ひかり号やこだま号は"
                               "停車駅が多くなります。"),
                    "repetition"),
            "");
}

// ---- json -----------------------------------------------------------------

ChatRequest JsonRequest(ResponseFormat::Kind kind, std::string schema = {}) {
  ChatRequest request = Request();
  ResponseFormat format;
  format.kind = kind;
  format.schema = RawJson{std::move(schema)};
  request.response_format = format;
  return request;
}

TEST(JsonCheckTest, JsonObjectNeedsOneObject) {
  const ChatRequest request = JsonRequest(ResponseFormat::Kind::kJsonObject);
  EXPECT_EQ(Explain(request, TextAnswer(R"({"city": "Oslo"})"), "json"), "");
  EXPECT_EQ(Explain(request, TextAnswer("```json\n{\"city\": \"Oslo\"}\n```"),
                    "json"),
            "");
  EXPECT_EQ(Explain(request, TextAnswer(R"(Sure! {"city": "Oslo"})"), "json"),
            "the request asked for a JSON object (json_object) and the answer "
            "is not: not JSON: syntax error at line 1, column 1");
  EXPECT_THAT(Explain(request, TextAnswer("[1, 2]"), "json"),
              HasSubstr("$: expected object, got array"));
}

TEST(JsonCheckTest, JsonSchemaViolationsNameThePath) {
  const ChatRequest request = JsonRequest(
      ResponseFormat::Kind::kJsonSchema,
      R"({"type":"object","required":["items"],"properties":{"items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}}}})");
  EXPECT_EQ(
      Explain(request, TextAnswer(R"({"items": [{"name": "a"}]})"), "json"),
      "");
  EXPECT_EQ(
      Explain(request,
              TextAnswer(
                  R"({"items": [{"name": "a"}, {"name": "b"}, {"name": 3}]})"),
              "json"),
      "the request asked for JSON matching its json_schema and the answer "
      "is not: $.items[2].name: expected string, got number");
  EXPECT_THAT(Explain(request, TextAnswer("{}"), "json"),
              HasSubstr("$.items: required property missing"));
}

TEST(JsonCheckTest, QuietWhenTheFormatCannotJudgeOrDoesNotApply) {
  // No format, or text: prose is fine.
  EXPECT_EQ(Explain(TextAnswer("Plain prose."), "json"), "");
  EXPECT_EQ(Explain(JsonRequest(ResponseFormat::Kind::kText),
                    TextAnswer("Plain prose."), "json"),
            "");
  // A schema the checker cannot apply does not fail the answer.
  EXPECT_EQ(Explain(JsonRequest(ResponseFormat::Kind::kJsonSchema,
                                R"({"type":"strnig"})"),
                    TextAnswer(R"({"a": 1})"), "json"),
            "");
  // json_schema without a schema needs JSON, any JSON.
  const ChatRequest schemaless = JsonRequest(ResponseFormat::Kind::kJsonSchema);
  EXPECT_EQ(Explain(schemaless, TextAnswer("[1]"), "json"), "");
  EXPECT_THAT(Explain(schemaless, TextAnswer("one"), "json"),
              HasSubstr("not JSON"));
  // Hostile nesting is refused, not recursed into.
  EXPECT_THAT(
      Explain(JsonRequest(ResponseFormat::Kind::kJsonObject),
              TextAnswer(Repeat("[", 100'000) + Repeat("]", 100'000)), "json"),
      HasSubstr("not JSON: nests deeper than 128 levels"));
  // An answer that calls a tool is not held to the format yet.
  EXPECT_EQ(
      Explain(JsonRequest(ResponseFormat::Kind::kJsonObject),
              Answer({ContentBlock::ToolUse("t1", "lookup", RawJson{"{}"})},
                     StopReason::kToolUse),
              "json"),
      "");
}

// ---- tool -----------------------------------------------------------------

ChatRequest ToolRequest() {
  ChatRequest request = Request();
  Tool weather;
  weather.name = "get_weather";
  weather.input_schema = RawJson{
      R"({"type":"object","required":["city"],"additionalProperties":false,)"
      R"("properties":{"city":{"type":"string","minLength":1},)"
      R"("unit":{"enum":["celsius","fahrenheit"]}}})"};
  Tool time;
  time.name = "get_time";
  time.input_schema = RawJson{R"({"type":"object","properties":{}})"};
  Tool search;
  search.name = "web_search";
  search.type = "web_search_20250305";
  search.raw = RawJson{R"({"type":"web_search_20250305","name":"web_search"})"};
  request.tools = {weather, time, search};
  return request;
}

ChatResponse ToolAnswer(
    std::vector<std::pair<std::string, std::string>> calls) {
  std::vector<ContentBlock> content = {ContentBlock::Text("Let me check.")};
  for (auto& [name, input] : calls) {
    content.push_back(ContentBlock::ToolUse(
        "toolu_" + std::to_string(content.size()), name, RawJson{input}));
  }
  return Answer(std::move(content), StopReason::kToolUse);
}

TEST(ToolCheckTest, QuietOnWellFormedCalls) {
  EXPECT_EQ(Explain(ToolRequest(),
                    ToolAnswer(
                        {{"get_weather", R"({"city":"Oslo","unit":"celsius"})"},
                         {"get_time", "{}"},
                         {"web_search", R"({"query":"anything"})"}}),
                    "tool"),
            "");
  EXPECT_EQ(Explain(ToolRequest(), TextAnswer("No tool needed."), "tool"), "");
}

TEST(ToolCheckTest, FiresOnUnknownToolsAndBadInput) {
  const ChatRequest request = ToolRequest();
  EXPECT_EQ(
      Explain(request, ToolAnswer({{"get_wether", R"({"city":"Oslo"})"}}),
              "tool"),
      "tool call 1 names a tool the request does not offer (it offers 3)");
  EXPECT_EQ(Explain(request,
                    ToolAnswer({{"get_time", "{}"},
                                {"get_weather", R"({"unit":"celsius"})"}}),
                    "tool"),
            "tool call 2 has input that fails the tool's input_schema: "
            "$.city: required property missing");
  EXPECT_THAT(
      Explain(
          request,
          ToolAnswer({{"get_weather", R"({"city":"Oslo","unit":"kelvin"})"}}),
          "tool"),
      HasSubstr("$.unit: not one of the 2 values"));
  EXPECT_THAT(
      Explain(request,
              ToolAnswer({{"get_weather", R"({"city":"Oslo","when":"now"})"}}),
              "tool"),
      HasSubstr("$.when: property not allowed"));
  EXPECT_THAT(Explain(request, ToolAnswer({{"get_time", "[1]"}}), "tool"),
              HasSubstr("$: expected object, got array"));
  // An absent input is an empty object.
  EXPECT_THAT(Explain(request, ToolAnswer({{"get_weather", ""}}), "tool"),
              HasSubstr("$.city: required property missing"));
  // No tools at all.
  EXPECT_THAT(Explain(Request(), ToolAnswer({{"get_time", "{}"}}), "tool"),
              HasSubstr("(it offers 0)"));
}

TEST(ToolCheckTest, ToolChoiceIsHonoured) {
  ChatRequest request = ToolRequest();
  request.tool_choice = ToolChoice{ToolChoice::Mode::kAny, "", false};
  EXPECT_EQ(Explain(request, TextAnswer("It is sunny."), "tool"),
            "the request's tool_choice requires a tool call and the answer has "
            "none");
  EXPECT_EQ(Explain(request, ToolAnswer({{"get_time", "{}"}}), "tool"), "");

  request.tool_choice =
      ToolChoice{ToolChoice::Mode::kTool, "get_weather", false};
  EXPECT_NE(Explain(request, TextAnswer("It is sunny."), "tool"), "");
  EXPECT_EQ(Explain(request, ToolAnswer({{"get_time", "{}"}}), "tool"),
            "the request's tool_choice names one tool and the answer does not "
            "call it");
  EXPECT_EQ(
      Explain(request, ToolAnswer({{"get_weather", R"({"city":"Oslo"})"}}),
              "tool"),
      "");

  request.tool_choice = ToolChoice{ToolChoice::Mode::kNone, "", false};
  EXPECT_EQ(Explain(request, ToolAnswer({{"get_time", "{}"}}), "tool"),
            "the request's tool_choice is none and the answer calls a tool");
  EXPECT_EQ(Explain(request, TextAnswer("It is sunny."), "tool"), "");
}

// ---- running the checks ---------------------------------------------------

TEST(CheckAnswerTest, DefaultOptionsRunEveryCheckAndPassAGoodAnswer) {
  EXPECT_EQ(AnswerCheckOptions().checks,
            (std::vector<std::string>{"empty", "truncated", "refusal",
                                      "repetition", "json", "tool"}));
  EXPECT_FALSE(CheckAnswer(ToolRequest(),
                           TextAnswer("Oslo is usually mild in May."),
                           AnswerCheckOptions())
                   .has_value());
}

TEST(CheckAnswerTest, ChecksRunInTheConfiguredOrderAndOnlyThoseListed) {
  ChatRequest request = Request();
  request.max_tokens = 100;
  const ChatResponse answer = Answer({}, StopReason::kMaxTokens);
  AnswerCheckOptions options;
  EXPECT_EQ(CheckAnswer(request, answer, options)->check, "empty");
  options.checks = {"truncated", "empty"};
  EXPECT_EQ(CheckAnswer(request, answer, options)->check, "truncated");
  options.checks = {"refusal", "not-a-check", "json"};
  EXPECT_FALSE(CheckAnswer(request, answer, options).has_value());
  options.checks = {};
  EXPECT_FALSE(CheckAnswer(request, answer, options).has_value());
}

TEST(CheckAnswerTest, ValidateCheckNamesNamesTheUnknownOne) {
  EXPECT_TRUE(ValidateCheckNames(AnswerCheckOptions().checks).ok());
  EXPECT_TRUE(ValidateCheckNames({}).ok());
  EXPECT_TRUE(ValidateCheckNames({"json", "json"}).ok());
  const Status status = ValidateCheckNames({"empty", "emtpy"});
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "unknown answer check \"emtpy\" (known: empty, truncated, refusal, "
            "repetition, json, tool, confidence)");
}

}  // namespace
}  // namespace duet

// ---- confidence (opt-in) ----------------------------------------------------

namespace duet {
namespace {

ChatResponse Scored(double mean_logprob, int64_t tokens = 40) {
  ChatResponse answer = TextAnswer(RiverProse());
  answer.confidence = AnswerConfidence{.tokens = tokens,
                                       .mean_logprob = mean_logprob,
                                       .min_logprob = mean_logprob - 2,
                                       .low_probability_tokens = tokens / 2,
                                       .mean_entropy = 3.0};
  return answer;
}

TEST(ConfidenceCheckTest, FiresWhenTheModelWasGuessing) {
  const std::string why = Explain(Scored(-4.2), "confidence");
  EXPECT_NE(why.find("-4.20 over 40 tokens"), std::string::npos) << why;
  EXPECT_NE(why.find("1.5%"), std::string::npos) << why;  // exp(-4.2)
  EXPECT_NE(why.find("min_mean_logprob (-3.00)"), std::string::npos) << why;
}

TEST(ConfidenceCheckTest, QuietWhenSureEnoughOrNotScored) {
  EXPECT_EQ(Explain(Scored(-0.4), "confidence"), "");
  EXPECT_EQ(Explain(Scored(-3.0), "confidence"), "");  // at the threshold
  EXPECT_EQ(Explain(TextAnswer(RiverProse()), "confidence"), "");  // Claude: no scores
  EXPECT_EQ(Explain(Scored(-9.0, 0), "confidence"), "");  // nothing scored
}

TEST(ConfidenceCheckTest, TheThresholdIsConfigurableAndTheCheckIsOptIn) {
  AnswerCheckOptions options;
  options.checks = {"confidence"};
  options.min_mean_logprob = -1.0;
  const std::optional<CheckFailure> failure = CheckAnswer(Request(), Scored(-1.5), options);
  ASSERT_TRUE(failure.has_value());
  EXPECT_EQ(failure->check, "confidence");
  // Not among the default checks: a guessing answer passes them.
  EXPECT_FALSE(CheckAnswer(Request(), Scored(-9.0), AnswerCheckOptions()).has_value());
  EXPECT_TRUE(ValidateCheckNames({"empty", "confidence"}).ok());
  EXPECT_FALSE(ValidateCheckNames({"confidance"}).ok());
}

}  // namespace
}  // namespace duet
