// BuildAnswer, the token counts and StreamEvents: every expected number here
// is worked out by hand from the rule in sim/sim_answer.h,
// max(1, ceil(characters / 4)), so a change to the rule fails these tests.
#include "sim/sim_answer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::sim {
namespace {

using Kind = ChatEvent::Kind;
using DeltaKind = ChatEvent::DeltaKind;

Message User(std::vector<ContentBlock> content) {
  return Message{Role::kUser, std::move(content)};
}

Message Assistant(std::vector<ContentBlock> content) {
  return Message{Role::kAssistant, std::move(content)};
}

ContentBlock ToolResult(std::string tool_use_id, std::string text) {
  ContentBlock block;
  block.type = BlockType::kToolResult;
  block.tool_use_id = std::move(tool_use_id);
  block.tool_result_content = {ContentBlock::Text(std::move(text))};
  return block;
}

// A request whose one user message says `text`.
ChatRequest Ask(std::string text, int64_t max_tokens = 1024) {
  ChatRequest request;
  request.model = "claude-haiku-4-5";
  request.max_tokens = max_tokens;
  request.messages = {User({ContentBlock::Text(std::move(text))})};
  return request;
}

SimTurn Script(std::vector<ContentBlock> content) {
  SimTurn turn;
  turn.content = std::move(content);
  return turn;
}

ChatRequest WithThinking(ChatRequest request, ThinkingConfig::Mode mode) {
  ThinkingConfig thinking;
  thinking.mode = mode;
  thinking.budget_tokens = mode == ThinkingConfig::Mode::kEnabled ? 1024 : 0;
  request.thinking = thinking;
  return request;
}

std::string Repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) {
    out += piece;
  }
  return out;
}

// True when `text` is well-formed UTF-8 (no cut sequences at either end).
bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
    } else {
      return false;
    }
    if (i + length > text.size()) {
      return false;
    }
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += length;
  }
  return true;
}

// ---------------------------------------------------------------- tokens

TEST(SimTokensTest, InputIsCharactersOverFourRoundedUp) {
  EXPECT_EQ(CountInputTokens(Ask("Hello there")), 3);  // 11 chars
  EXPECT_EQ(CountInputTokens(Ask("abcd")), 1);         // 4
  EXPECT_EQ(CountInputTokens(Ask("abcde")), 2);        // 5
  EXPECT_EQ(CountInputTokens(Ask("abcdefgh")), 2);     // 8
}

TEST(SimTokensTest, InputIsAtLeastOne) {
  EXPECT_EQ(CountInputTokens(Ask("")), 1);
}

TEST(SimTokensTest, InputCountsCharactersNotBytes) {
  // 8 characters, 24 bytes: 2 tokens (bytes would give 6).
  EXPECT_EQ(CountInputTokens(Ask("日本語日本語日本")), 2);
  // 11 characters, 13 bytes: 3 tokens (bytes would give 4).
  EXPECT_EQ(CountInputTokens(Ask("héllo wörld")), 3);
  // 4 emoji, 16 bytes: 1 token.
  EXPECT_EQ(CountInputTokens(Ask("😀😀😀😀")), 1);
}

TEST(SimTokensTest, InputCountsEverySystemBlock) {
  ChatRequest request = Ask("Hello there");           // 11
  request.system = {ContentBlock::Text("Be terse."),  // 9
                    ContentBlock::Text("Be kind.")};  // 8
  EXPECT_EQ(CountInputTokens(request), 7);            // 28 / 4
}

TEST(SimTokensTest, InputCountsTextThinkingToolUseAndToolResults) {
  ChatRequest request;
  request.model = "claude-haiku-4-5";
  request.messages = {
      User({ContentBlock::Text("What is the weather?")}),                  // 20
      Assistant({ContentBlock::Thinking("Let me check.", "sig"),           // 13
                 ContentBlock::Text("Checking."),                          // 9
                 ContentBlock::ToolUse("toolu_1", "get_weather",           // 11
                                       RawJson{R"({"city":"Paris"})"})}),  // 16
      User({ToolResult("toolu_1", "Sunny"),                                // 5
            ContentBlock::Text("Thanks!")}),                               // 7
  };
  // 20 + 13 + 9 + 11 + 16 + 5 + 7 = 81 -> ceil(81 / 4) = 21. The signature
  // and the tool ids are not counted.
  EXPECT_EQ(CountInputTokens(request), 21);
}

TEST(SimTokensTest, InputCountsToolDefinitions) {
  ChatRequest request = Ask("Hi");  // 2
  Tool tool;
  tool.name = "get_weather";                            // 11
  tool.description = "Current weather.";                // 16
  tool.input_schema = RawJson{R"({"type":"object"})"};  // 17
  request.tools = {tool};
  EXPECT_EQ(CountInputTokens(request), 12);  // 46 / 4 rounded up
}

TEST(SimTokensTest, OutputRule) {
  EXPECT_EQ(CountOutputTokens(""), 1);
  EXPECT_EQ(CountOutputTokens("abcd"), 1);
  EXPECT_EQ(CountOutputTokens("abcde"), 2);
  EXPECT_EQ(CountOutputTokens("Hello there"), 3);
  EXPECT_EQ(CountOutputTokens("日本語日本語日本"), 2);
}

// ---------------------------------------------------------------- echo

TEST(BuildAnswerTest, EchoesTheLastUserMessageWithExactUsage) {
  const ChatResponse answer =
      BuildAnswer(Ask("Hello there"), SimTurn{}, "msg_test");
  EXPECT_EQ(answer.id, "msg_test");
  EXPECT_EQ(answer.model, "claude-haiku-4-5");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].type, BlockType::kText);
  EXPECT_EQ(answer.content[0].text, "Hello there");
  EXPECT_EQ(answer.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer.stop_sequence, "");
  EXPECT_EQ(answer.usage.input_tokens, 3);
  EXPECT_EQ(answer.usage.output_tokens, 3);
  EXPECT_EQ(answer.usage.cache_creation_input_tokens, 0);
  EXPECT_EQ(answer.usage.cache_read_input_tokens, 0);
}

TEST(BuildAnswerTest, EchoJoinsTextBlocksWithNewlines) {
  ChatRequest request = Ask("");
  request.messages = {
      User({ContentBlock::Text("Hello"), ContentBlock::Text("there")})};
  const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "Hello\nthere");
  EXPECT_EQ(answer.usage.input_tokens, 3);   // 10 chars
  EXPECT_EQ(answer.usage.output_tokens, 3);  // 11 chars
}

TEST(BuildAnswerTest, EchoesOnlyTheLastUserMessage) {
  ChatRequest request = Ask("");
  request.messages = {User({ContentBlock::Text("first question")}),
                      Assistant({ContentBlock::Text("first answer")}),
                      User({ContentBlock::Text("second")})};
  const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "second");
  EXPECT_EQ(answer.usage.output_tokens, 2);  // 6 chars
  // 14 + 12 + 6 = 32 chars.
  EXPECT_EQ(answer.usage.input_tokens, 8);
}

TEST(BuildAnswerTest, EchoesToolResultsWhenThereIsNoText) {
  ChatRequest request = Ask("");
  request.messages = {User({ContentBlock::Text("weather?")}),
                      Assistant({ContentBlock::ToolUse("toolu_1", "get_weather",
                                                       RawJson{"{}"})}),
                      User({ToolResult("toolu_1", "18C, sunny")})};
  const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "18C, sunny");
  EXPECT_EQ(answer.usage.output_tokens, 3);  // 10 chars
}

TEST(BuildAnswerTest, EchoesEmptyWhenTheMessageHasNoText) {
  ChatRequest request = Ask("");
  request.messages = {User({})};
  const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "(empty)");
  EXPECT_EQ(answer.usage.output_tokens, 2);  // 7 chars
}

// ---------------------------------------------------------------- scripts

TEST(BuildAnswerTest, ScriptedTextReplacesTheEcho) {
  const ChatResponse answer =
      BuildAnswer(Ask("Hello there"),
                  Script({ContentBlock::Text("Scripted reply")}), "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "Scripted reply");
  EXPECT_EQ(answer.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer.usage.input_tokens, 3);
  EXPECT_EQ(answer.usage.output_tokens, 4);  // 14 chars
}

TEST(BuildAnswerTest, ToolUseStopsWithToolUseAndCountsInputJsonNotName) {
  const ChatResponse answer = BuildAnswer(
      Ask("weather in Paris?"),
      Script({ContentBlock::Text("Checking."),  // 9
              ContentBlock::ToolUse("", "get_weather",
                                    RawJson{R"({"city":"Paris"})"})}),  // 16
      "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[1].type, BlockType::kToolUse);
  EXPECT_EQ(answer.content[1].tool_id, "toolu_sim_1");
  EXPECT_EQ(answer.content[1].tool_name, "get_weather");
  EXPECT_EQ(answer.content[1].tool_input.text, R"({"city":"Paris"})");
  EXPECT_EQ(answer.stop_reason, StopReason::kToolUse);
  // (9 + 16) / 4 rounded up; counting the name too would give 9.
  EXPECT_EQ(answer.usage.output_tokens, 7);
}

TEST(BuildAnswerTest, ToolCallsWithoutIdsAreNumbered) {
  const ChatResponse answer =
      BuildAnswer(Ask("two calls"),
                  Script({ContentBlock::ToolUse("", "a", RawJson{"{}"}),
                          ContentBlock::ToolUse("", "b", RawJson{"{}"})}),
                  "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[0].tool_id, "toolu_sim_1");
  EXPECT_EQ(answer.content[1].tool_id, "toolu_sim_2");
  EXPECT_EQ(answer.stop_reason, StopReason::kToolUse);
}

TEST(BuildAnswerTest, AGivenToolIdIsKept) {
  const ChatResponse answer = BuildAnswer(
      Ask("one call"),
      Script({ContentBlock::ToolUse("toolu_given", "a", RawJson{"{}"})}),
      "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].tool_id, "toolu_given");
}

TEST(BuildAnswerTest, TheTurnsStopReasonOverridesTheComputedOne) {
  SimTurn pause = Script({ContentBlock::ToolUse("", "a", RawJson{"{}"})});
  pause.stop_reason = StopReason::kPauseTurn;
  EXPECT_EQ(BuildAnswer(Ask("x"), pause, "msg_1").stop_reason,
            StopReason::kPauseTurn);

  SimTurn refusal = Script({ContentBlock::Text("")});
  refusal.stop_reason = StopReason::kRefusal;
  const ChatResponse refused = BuildAnswer(Ask("x"), refusal, "msg_2");
  EXPECT_EQ(refused.stop_reason, StopReason::kRefusal);
  ASSERT_EQ(refused.content.size(), 1u);
  EXPECT_EQ(refused.content[0].text, "");
  EXPECT_EQ(refused.usage.output_tokens, 1);

  SimTurn echo;
  echo.stop_reason = StopReason::kMaxTokens;
  EXPECT_EQ(BuildAnswer(Ask("x"), echo, "msg_3").stop_reason,
            StopReason::kMaxTokens);
}

// ---------------------------------------------------------------- stops

TEST(BuildAnswerTest, AStopSequenceCutsTheTextBeforeIt) {
  ChatRequest request = Ask("go");
  request.stop_sequences = {"STOP"};
  const ChatResponse answer = BuildAnswer(
      request, Script({ContentBlock::Text("Hello world. STOP here")}), "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "Hello world. ");
  EXPECT_EQ(answer.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(answer.stop_sequence, "STOP");
  EXPECT_EQ(answer.usage.output_tokens, 4);  // 13 chars
}

TEST(BuildAnswerTest, AStopSequenceInTheEchoCutsIt) {
  ChatRequest request = Ask("alpha beta gamma");
  request.stop_sequences = {"nope", "beta"};
  const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "alpha ");
  EXPECT_EQ(answer.stop_sequence, "beta");
  EXPECT_EQ(answer.stop_reason, StopReason::kStopSequence);
}

TEST(BuildAnswerTest, TheStopSequenceReachedFirstWins) {
  // The answer is produced left to right, so "two" ends it before "three"
  // is ever written, whatever the order of stop_sequences.
  ChatRequest request = Ask("go");
  request.stop_sequences = {"three", "two"};
  const ChatResponse answer = BuildAnswer(
      request, Script({ContentBlock::Text("one two three")}), "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "one ");
  EXPECT_EQ(answer.stop_sequence, "two");
  EXPECT_EQ(answer.stop_reason, StopReason::kStopSequence);
}

TEST(BuildAnswerTest, AStopSequenceDropsTheBlocksAfterIt) {
  ChatRequest request = Ask("go");
  request.stop_sequences = {"STOP"};
  const ChatResponse answer =
      BuildAnswer(request,
                  Script({ContentBlock::Text("one STOP two"),
                          ContentBlock::ToolUse("", "f", RawJson{R"({"a":1})"}),
                          ContentBlock::Text("after")}),
                  "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "one ");
  EXPECT_EQ(answer.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(answer.usage.output_tokens, 1);  // 4 chars
}

TEST(BuildAnswerTest, AStopSequenceInALaterTextBlock) {
  ChatRequest request = Ask("go");
  request.stop_sequences = {"END"};
  const ChatResponse answer =
      BuildAnswer(request,
                  Script({ContentBlock::Text("first part"),
                          ContentBlock::Text("second END x")}),
                  "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[0].text, "first part");
  EXPECT_EQ(answer.content[1].text, "second ");
  EXPECT_EQ(answer.stop_sequence, "END");
  EXPECT_EQ(answer.usage.output_tokens, 5);  // 10 + 7 chars
}

TEST(BuildAnswerTest, UnmatchedAndEmptyStopSequencesDoNothing) {
  ChatRequest request = Ask("Hello there");
  request.stop_sequences = {"", "absent"};
  const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "Hello there");
  EXPECT_EQ(answer.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer.stop_sequence, "");
}

// ---------------------------------------------------------------- max_tokens

TEST(BuildAnswerTest, MaxTokensCutsTheText) {
  // max_tokens 2 allows 8 characters.
  const ChatResponse answer =
      BuildAnswer(Ask("Hello there", 2), SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "Hello th");
  EXPECT_EQ(answer.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(answer.usage.output_tokens, 2);
  EXPECT_EQ(answer.stop_sequence, "");
}

TEST(BuildAnswerTest, TextThatFitsExactlyIsNotCut) {
  const ChatResponse answer = BuildAnswer(
      Ask("go", 2), Script({ContentBlock::Text("abcdefgh")}), "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "abcdefgh");
  EXPECT_EQ(answer.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer.usage.output_tokens, 2);
}

TEST(BuildAnswerTest, MaxTokensCutsOnCharacterBoundaries) {
  // 10 characters of 3 bytes; max_tokens 2 keeps 8 of them.
  const ChatResponse cjk = BuildAnswer(
      Ask("go", 2), Script({ContentBlock::Text("日本語のテキストです")}),
      "msg_1");
  ASSERT_EQ(cjk.content.size(), 1u);
  EXPECT_EQ(cjk.content[0].text, "日本語のテキスト");
  EXPECT_EQ(cjk.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(cjk.usage.output_tokens, 2);

  // Mixed widths: 1, 2, 1, 1 bytes kept from "héllo wörld".
  const ChatResponse mixed =
      BuildAnswer(Ask("héllo wörld", 1), SimTurn{}, "msg_2");
  ASSERT_EQ(mixed.content.size(), 1u);
  EXPECT_EQ(mixed.content[0].text, "héll");
  EXPECT_TRUE(IsValidUtf8(mixed.content[0].text));

  // 4-byte sequences.
  const ChatResponse emoji = BuildAnswer(
      Ask("go", 1), Script({ContentBlock::Text("😀😁😂🤣😃")}),
      "msg_3");
  ASSERT_EQ(emoji.content.size(), 1u);
  EXPECT_EQ(emoji.content[0].text, "😀😁😂🤣");
  EXPECT_TRUE(IsValidUtf8(emoji.content[0].text));
}

TEST(BuildAnswerTest, MaxTokensDropsTheBlocksAfterTheCut) {
  const ChatResponse answer = BuildAnswer(
      Ask("go", 2),
      Script({ContentBlock::Text("abcdefghij"),
              ContentBlock::ToolUse("", "f", RawJson{R"({"a":1})"})}),
      "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].text, "abcdefgh");
  // max_tokens wins over the tool_use that never got written.
  EXPECT_EQ(answer.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(answer.usage.output_tokens, 2);
}

TEST(BuildAnswerTest, TextAfterToolInputThatUsedTheBudgetIsCutToNothing) {
  // The tool input (31 chars) already uses more than max_tokens 1 allows
  // (4 chars), so none of the text after it fits.
  const ChatResponse answer = BuildAnswer(
      Ask("go", 1),
      Script({ContentBlock::ToolUse(
                  "", "search", RawJson{R"({"query":"a long query string"})"}),
              ContentBlock::Text("hello")}),
      "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[1].type, BlockType::kText);
  EXPECT_EQ(answer.content[1].text, "");
  EXPECT_EQ(answer.stop_reason, StopReason::kMaxTokens);
}

// ---------------------------------------------------------------- thinking

TEST(BuildAnswerTest, ThinkingEnabledAddsASignedThinkingBlockFirst) {
  const ChatResponse answer =
      BuildAnswer(WithThinking(Ask("Why is the sky blue?"),  // 20 chars
                               ThinkingConfig::Mode::kEnabled),
                  SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[0].type, BlockType::kThinking);
  EXPECT_EQ(answer.content[0].text, "Considering: Why is the sky blue?");
  EXPECT_FALSE(answer.content[0].signature.empty());
  EXPECT_EQ(answer.content[1].type, BlockType::kText);
  EXPECT_EQ(answer.content[1].text, "Why is the sky blue?");
  EXPECT_EQ(answer.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(answer.usage.input_tokens, 5);
  // Thinking is output: (33 + 20) / 4 rounded up.
  EXPECT_EQ(answer.usage.output_tokens, 14);
}

TEST(BuildAnswerTest, AdaptiveThinkingAlsoThinks) {
  const ChatResponse answer =
      BuildAnswer(WithThinking(Ask("hi"), ThinkingConfig::Mode::kAdaptive),
                  SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[0].type, BlockType::kThinking);
  EXPECT_EQ(answer.content[0].text, "Considering: hi");
}

TEST(BuildAnswerTest, DisabledOrAbsentThinkingDoesNotThink) {
  for (const ChatRequest& request :
       {Ask("hi"), WithThinking(Ask("hi"), ThinkingConfig::Mode::kDisabled)}) {
    const ChatResponse answer = BuildAnswer(request, SimTurn{}, "msg_1");
    ASSERT_EQ(answer.content.size(), 1u);
    EXPECT_EQ(answer.content[0].type, BlockType::kText);
  }
}

TEST(BuildAnswerTest, AScriptedThinkingBlockIsSignedAndNotDoubled) {
  const ChatResponse answer =
      BuildAnswer(WithThinking(Ask("hi"), ThinkingConfig::Mode::kEnabled),
                  Script({ContentBlock::Thinking("Mine.", ""),
                          ContentBlock::Text("Answer.")}),
                  "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[0].text, "Mine.");
  EXPECT_FALSE(answer.content[0].signature.empty());
  EXPECT_EQ(answer.content[1].text, "Answer.");
  EXPECT_EQ(answer.usage.output_tokens, 3);  // 5 + 7 chars
}

TEST(BuildAnswerTest, ScriptedThinkingIsSignedEvenWithoutThinkingEnabled) {
  const ChatResponse answer = BuildAnswer(
      Ask("hi"), Script({ContentBlock::Thinking("Mine.", "")}), "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_FALSE(answer.content[0].signature.empty());
}

TEST(BuildAnswerTest, ThinkingQuotesAtMostSixtyCharactersOfThePrompt) {
  const std::string prompt = Repeat("é", 70);
  const ChatResponse answer = BuildAnswer(
      WithThinking(Ask(prompt, 4096), ThinkingConfig::Mode::kEnabled),
      SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 2u);
  EXPECT_EQ(answer.content[0].text, "Considering: " + Repeat("é", 60));
  EXPECT_EQ(answer.content[1].text, prompt);
  // (13 + 60 + 70) / 4 rounded up.
  EXPECT_EQ(answer.usage.output_tokens, 36);
}

TEST(BuildAnswerTest, ThinkingCountsAgainstMaxTokens) {
  // max_tokens 5 allows 20 characters; the thinking text alone has 33.
  const ChatResponse answer =
      BuildAnswer(WithThinking(Ask("Why is the sky blue?", 5),
                               ThinkingConfig::Mode::kEnabled),
                  SimTurn{}, "msg_1");
  ASSERT_EQ(answer.content.size(), 1u);
  EXPECT_EQ(answer.content[0].type, BlockType::kThinking);
  EXPECT_EQ(answer.content[0].text, "Considering: Why is ");
  EXPECT_EQ(answer.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(answer.usage.output_tokens, 5);
}

// ---------------------------------------------------------------- streaming

// Rebuilds the content blocks from the block events, checking that blocks
// open at consecutive indexes from 0, deltas go to the open block, and each
// block is closed before the next opens.
std::vector<ContentBlock> Reassemble(const std::vector<ChatEvent>& events) {
  std::vector<ContentBlock> blocks;
  bool open = false;
  for (const ChatEvent& event : events) {
    switch (event.kind) {
      case Kind::kBlockStart:
        EXPECT_FALSE(open) << "block " << event.index
                           << " opened inside another";
        EXPECT_EQ(event.index, static_cast<int>(blocks.size()));
        blocks.push_back(event.block());
        open = true;
        break;
      case Kind::kBlockDelta: {
        EXPECT_TRUE(open);
        EXPECT_EQ(event.index + 1, static_cast<int>(blocks.size()));
        if (blocks.empty()) {
          break;
        }
        ContentBlock& block = blocks.back();
        switch (event.delta_kind) {
          case DeltaKind::kText:
          case DeltaKind::kThinking:
            block.text += event.delta;
            break;
          case DeltaKind::kSignature:
            block.signature += event.delta;
            break;
          case DeltaKind::kInputJson:
            block.tool_input.text += event.delta;
            break;
        }
        break;
      }
      case Kind::kBlockStop:
        EXPECT_TRUE(open);
        EXPECT_EQ(event.index + 1, static_cast<int>(blocks.size()));
        open = false;
        break;
      default:
        break;
    }
  }
  EXPECT_FALSE(open);
  return blocks;
}

// The deltas of `kind` for block `index`, in order.
std::vector<std::string> Deltas(const std::vector<ChatEvent>& events, int index,
                                DeltaKind kind) {
  std::vector<std::string> out;
  for (const ChatEvent& event : events) {
    if (event.kind == Kind::kBlockDelta && event.index == index &&
        event.delta_kind == kind) {
      out.push_back(event.delta);
    }
  }
  return out;
}

// The frame every stream shares: message_start with output_tokens 1, one
// ping right after the first block start, message_delta with the final
// usage and stop, then message_stop.
void ExpectFrame(const std::vector<ChatEvent>& events,
                 const ChatResponse& answer) {
  ASSERT_GE(events.size(), 4u);
  const ChatEvent& start = events.front();
  EXPECT_EQ(start.kind, Kind::kMessageStart);
  EXPECT_EQ(start.message_id, answer.id);
  EXPECT_EQ(start.model, answer.model);
  EXPECT_EQ(start.usage.input_tokens, answer.usage.input_tokens);
  EXPECT_EQ(start.usage.output_tokens, 1);

  if (!answer.content.empty()) {
    EXPECT_EQ(events[1].kind, Kind::kBlockStart);
    EXPECT_EQ(events[1].index, 0);
    EXPECT_EQ(events[2].kind, Kind::kPing);
  }
  size_t pings = 0;
  for (const ChatEvent& event : events) {
    pings += event.kind == Kind::kPing ? 1 : 0;
  }
  EXPECT_EQ(pings, 1u);

  const ChatEvent& delta = events[events.size() - 2];
  EXPECT_EQ(delta.kind, Kind::kMessageDelta);
  EXPECT_EQ(delta.stop_reason, answer.stop_reason);
  EXPECT_EQ(delta.stop_sequence, answer.stop_sequence);
  EXPECT_EQ(delta.usage.output_tokens, answer.usage.output_tokens);
  EXPECT_EQ(delta.usage.input_tokens, answer.usage.input_tokens);
  EXPECT_EQ(events.back().kind, Kind::kMessageStop);
}

TEST(StreamEventsTest, ShortTextIsTheDocumentedSequence) {
  const ChatResponse answer =
      BuildAnswer(Ask("Hello there"), SimTurn{}, "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);
  std::vector<Kind> kinds;
  for (const ChatEvent& event : events) {
    kinds.push_back(event.kind);
  }
  EXPECT_EQ(kinds,
            (std::vector<Kind>{Kind::kMessageStart, Kind::kBlockStart,
                               Kind::kPing, Kind::kBlockDelta, Kind::kBlockStop,
                               Kind::kMessageDelta, Kind::kMessageStop}));
  EXPECT_EQ(events[1].block().type, BlockType::kText);
  EXPECT_EQ(events[1].block().text, "");
  EXPECT_EQ(events[3].delta_kind, DeltaKind::kText);
  EXPECT_EQ(events[3].delta, "Hello there");
  EXPECT_EQ(events[5].usage.output_tokens, 3);
  EXPECT_EQ(events[0].usage.input_tokens, 3);
}

TEST(StreamEventsTest, LongTextComesInSixteenBytePieces) {
  const std::string text = "abcdefghijklmnopqrstuvwxyz0123456789ABCD";  // 40
  const ChatResponse answer =
      BuildAnswer(Ask("go"), Script({ContentBlock::Text(text)}), "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);
  EXPECT_EQ(Deltas(events, 0, DeltaKind::kText),
            (std::vector<std::string>{"abcdefghijklmnop", "qrstuvwxyz012345",
                                      "6789ABCD"}));
  EXPECT_EQ(Reassemble(events), answer.content);
}

TEST(StreamEventsTest, TextPiecesNeverSplitACharacter) {
  // 3-byte characters: a cut every 16 bytes would land inside one.
  const std::string text = Repeat("日", 20) + "é😀" + Repeat("x", 15) + "😀";
  const ChatResponse answer =
      BuildAnswer(Ask("go"), Script({ContentBlock::Text(text)}), "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  const std::vector<std::string> pieces = Deltas(events, 0, DeltaKind::kText);
  ASSERT_GT(pieces.size(), 4u);
  std::string joined;
  for (const std::string& piece : pieces) {
    EXPECT_TRUE(IsValidUtf8(piece)) << "piece cuts a character: " << piece;
    EXPECT_FALSE(piece.empty());
    // Up to 16 bytes, plus at most the rest of one character.
    EXPECT_LE(piece.size(), 16u + 3u);
    joined += piece;
  }
  EXPECT_EQ(joined, text);
}

TEST(StreamEventsTest, ToolInputComesAsSevenByteFragmentsAfterAnEmptyOne) {
  const std::string input = R"({"city":"Paris","days":3})";  // 25 bytes
  const ChatResponse answer = BuildAnswer(
      Ask("weather?"),
      Script({ContentBlock::Text("Checking."),
              ContentBlock::ToolUse("", "get_weather", RawJson{input})}),
      "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);

  // The tool block starts with its id and name and no input.
  const ChatEvent* tool_start = nullptr;
  for (const ChatEvent& event : events) {
    if (event.kind == Kind::kBlockStart && event.index == 1) {
      tool_start = &event;
    }
  }
  ASSERT_NE(tool_start, nullptr);
  EXPECT_EQ(tool_start->block().type, BlockType::kToolUse);
  EXPECT_EQ(tool_start->block().tool_id, "toolu_sim_1");
  EXPECT_EQ(tool_start->block().tool_name, "get_weather");
  EXPECT_TRUE(tool_start->block().tool_input.empty());

  // An empty first fragment, then 7-byte fragments that cut through JSON
  // tokens (":"Paris" splits a string).
  EXPECT_EQ(Deltas(events, 1, DeltaKind::kInputJson),
            (std::vector<std::string>{"", R"({"city")", R"(:"Paris)",
                                      R"(","days)", R"(":3})"}));
  EXPECT_EQ(Reassemble(events), answer.content);
  EXPECT_EQ(events[events.size() - 2].stop_reason, StopReason::kToolUse);
  // (9 + 25) / 4 rounded up.
  EXPECT_EQ(events[events.size() - 2].usage.output_tokens, 9);
}

TEST(StreamEventsTest, APingFollowsAToolUseFirstBlockToo) {
  const ChatResponse answer = BuildAnswer(
      Ask("x"), Script({ContentBlock::ToolUse("", "f", RawJson{R"({"a":1})"})}),
      "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events[3].kind, Kind::kBlockDelta);
  EXPECT_EQ(events[3].delta_kind, DeltaKind::kInputJson);
  EXPECT_EQ(events[3].delta, "");
}

TEST(StreamEventsTest, ThinkingEndsWithItsSignatureBeforeTheBlockStops) {
  const ChatResponse answer = BuildAnswer(
      WithThinking(Ask("Why is the sky blue?"), ThinkingConfig::Mode::kEnabled),
      SimTurn{}, "msg_s");
  ASSERT_EQ(answer.content.size(), 2u);
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);

  EXPECT_EQ(events[1].block().type, BlockType::kThinking);
  EXPECT_EQ(events[1].block().text, "");
  EXPECT_EQ(events[1].block().signature, "");

  size_t stop = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    if (events[i].kind == Kind::kBlockStop && events[i].index == 0) {
      stop = i;
      break;
    }
  }
  ASSERT_GT(stop, 1u);
  EXPECT_EQ(events[stop - 1].kind, Kind::kBlockDelta);
  EXPECT_EQ(events[stop - 1].delta_kind, DeltaKind::kSignature);
  EXPECT_EQ(events[stop - 1].delta, answer.content[0].signature);
  // Exactly one signature, after every thinking delta.
  EXPECT_EQ(Deltas(events, 0, DeltaKind::kSignature).size(), 1u);
  for (size_t i = stop; i < events.size(); ++i) {
    EXPECT_FALSE(events[i].kind == Kind::kBlockDelta && events[i].index == 0);
  }
  std::string thinking;
  for (const std::string& piece : Deltas(events, 0, DeltaKind::kThinking)) {
    thinking += piece;
  }
  EXPECT_EQ(thinking, "Considering: Why is the sky blue?");
  EXPECT_EQ(Reassemble(events), answer.content);
}

TEST(StreamEventsTest, MessageDeltaCarriesTheStopSequence) {
  ChatRequest request = Ask("go");
  request.stop_sequences = {"STOP"};
  const ChatResponse answer = BuildAnswer(
      request, Script({ContentBlock::Text("Hello world. STOP here")}), "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);
  EXPECT_EQ(events[events.size() - 2].stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(events[events.size() - 2].stop_sequence, "STOP");
  EXPECT_EQ(events[events.size() - 2].usage.output_tokens, 4);
}

TEST(StreamEventsTest, EveryBlockKindReassemblesToTheAnswer) {
  const ChatResponse answer = BuildAnswer(
      WithThinking(Ask("plan"), ThinkingConfig::Mode::kEnabled),
      Script({ContentBlock::Thinking(Repeat("think ", 10), ""),
              ContentBlock::Text(Repeat("text ", 9)),
              ContentBlock::ToolUse("", "a",
                                    RawJson{R"({"q":"日本語のテキスト"})"}),
              ContentBlock::ToolUse("toolu_x", "b", RawJson{"{}"})}),
      "msg_s");
  const std::vector<ChatEvent> events = StreamEvents(answer);
  ExpectFrame(events, answer);
  EXPECT_EQ(Reassemble(events), answer.content);
  for (const ChatEvent& event : events) {
    if (event.kind == Kind::kBlockDelta &&
        event.delta_kind == DeltaKind::kInputJson) {
      EXPECT_TRUE(IsValidUtf8(event.delta)) << event.delta;
    }
  }
}

}  // namespace
}  // namespace duet::sim
