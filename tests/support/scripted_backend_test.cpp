#include "support/scripted_backend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "model/accumulator.h"
#include "support/collecting_sink.h"
#include "support/scripted_script.h"

namespace duet::testing {
namespace {

using Kind = ChatEvent::Kind;
using Delta = ChatEvent::DeltaKind;

ChatRequest UserSays(std::string text, std::string model = "scripted-1") {
  ChatRequest request;
  request.model = std::move(model);
  request.max_tokens = 1000;
  request.messages.push_back(
      Message{Role::kUser, {ContentBlock::Text(std::move(text))}});
  return request;
}

// ceil(bytes / 4), at least 1: the documented input rule, computed here
// independently of the implementation.
int64_t ExpectedInputTokens(int64_t bytes) {
  return bytes == 0 ? 1 : (bytes + 3) / 4;
}

struct Outcome {
  std::vector<ChatEvent> events;
  Status status;            // the accumulator's verdict on the last event
  ChatResponse response;    // what the events add up to
};

Outcome Accumulate(std::vector<ChatEvent> events) {
  Outcome outcome;
  ResponseAccumulator accumulator;
  for (const ChatEvent& event : events) {
    outcome.status = accumulator.Add(event);
    if (!outcome.status.ok()) {
      break;
    }
  }
  if (outcome.status.ok()) {
    EXPECT_TRUE(accumulator.complete());
  }
  outcome.response = accumulator.TakeResponse();
  outcome.events = std::move(events);
  return outcome;
}

// Runs `request` to its end and checks the sink contract on the way.
Outcome RunToEnd(ScriptedBackend& backend, ChatRequest request,
            std::shared_ptr<const CancelFlag> cancel = nullptr) {
  auto sink = std::make_shared<CollectingSink>();
  if (cancel == nullptr) {
    cancel = std::make_shared<CancelFlag>();
  }
  backend.Generate(std::move(request), sink, std::move(cancel));
  EXPECT_TRUE(sink->WaitForTerminal());
  EXPECT_EQ(sink->terminal_count(), 1);
  std::vector<ChatEvent> events = sink->events();
  EXPECT_TRUE(!events.empty() && events.back().terminal());
  return Accumulate(std::move(events));
}

std::vector<std::string> DeltasOf(const std::vector<ChatEvent>& events,
                                  int index, Delta kind) {
  std::vector<std::string> deltas;
  for (const ChatEvent& event : events) {
    if (event.kind == Kind::kBlockDelta && event.index == index &&
        event.delta_kind == kind) {
      deltas.push_back(event.delta);
    }
  }
  return deltas;
}

TEST(ScriptedBackendTest, ServesTwoModels) {
  ScriptedBackend backend;
  std::vector<ModelInfo> models = backend.ListModels();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].id, "scripted-1");
  EXPECT_EQ(models[1].id, "scripted-2");
  for (const ModelInfo& model : models) {
    EXPECT_EQ(model.owned_by, "duet-test");
    EXPECT_EQ(model.context_window, 32768);
    EXPECT_EQ(model.max_output_tokens, 8192);
  }
}

TEST(ScriptedBackendTest, EchoesTheLastUserMessageOneWordPerDelta) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("hello  there");
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();

  const ChatResponse& response = outcome.response;
  EXPECT_EQ(response.id, "msg_scripted_1");
  EXPECT_EQ(response.model, "scripted-1");
  ASSERT_EQ(response.content.size(), 1u);
  EXPECT_EQ(response.content[0].type, BlockType::kText);
  EXPECT_EQ(response.content[0].text, "You said: hello  there");
  EXPECT_EQ(DeltasOf(outcome.events, 0, Delta::kText),
            (std::vector<std::string>{"You ", "said: ", "hello  ", "there"}));
  EXPECT_EQ(response.stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(response.usage.input_tokens, ExpectedInputTokens(12));
  EXPECT_EQ(response.usage.output_tokens, 4);

  ASSERT_EQ(outcome.events.front().kind, Kind::kMessageStart);
  EXPECT_EQ(outcome.events.front().usage.input_tokens, ExpectedInputTokens(12));
  EXPECT_EQ(outcome.events.front().usage.output_tokens, 1);
}

TEST(ScriptedBackendTest, DeliversOnItsOwnSingleThread) {
  ScriptedBackend backend;
  auto first = std::make_shared<CollectingSink>();
  auto second = std::make_shared<CollectingSink>();
  auto cancel = std::make_shared<CancelFlag>();
  backend.Generate(UserSays("[[words:20]]"), first, cancel);
  backend.Generate(UserSays("[[words:20]]"), second, cancel);
  ASSERT_TRUE(first->WaitForTerminal());
  ASSERT_TRUE(second->WaitForTerminal());
  std::vector<std::thread::id> threads = first->threads();
  for (std::thread::id id : second->threads()) {
    threads.push_back(id);
  }
  for (std::thread::id id : threads) {
    EXPECT_EQ(id, threads.front());
  }
  EXPECT_NE(threads.front(), std::this_thread::get_id());
  EXPECT_TRUE(Accumulate(first->events()).status.ok());
  EXPECT_TRUE(Accumulate(second->events()).status.ok());
  EXPECT_EQ(Accumulate(second->events()).response.id, "msg_scripted_2");
}

TEST(ScriptedBackendTest, CountsInputBytesOfEveryTextPart) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("abcde");  // 5
  request.system.push_back(ContentBlock::Text("sys"));  // 3
  request.messages.push_back(Message{
      Role::kAssistant,
      {ContentBlock::Thinking("hmm", "sig"),  // 3
       ContentBlock::ToolUse("t1", "f", RawJson{R"({"a":1})"})}});  // 7
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_use_id = "t1";
  result.tool_result_content.push_back(ContentBlock::Text("ok!"));  // 3
  ContentBlock image;
  image.type = BlockType::kImage;
  image.image.data = "aGVsbG8=";  // not counted
  request.messages.push_back(Message{Role::kUser, {result, image}});

  Result<int64_t> count = backend.CountTokens(request);
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, ExpectedInputTokens(5 + 3 + 3 + 7 + 3));
  Outcome outcome = RunToEnd(backend, request);
  EXPECT_EQ(outcome.response.usage.input_tokens, *count);

  ChatRequest empty;
  empty.model = "scripted-2";
  EXPECT_EQ(backend.CountTokens(empty).value(), 1);
}

TEST(ScriptedBackendTest, UnknownModelIsTheOnlyEvent) {
  ScriptedBackend backend;
  Outcome outcome = RunToEnd(backend, UserSays("hi", "gpt-nope"));
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.status, NotFound("model: gpt-nope"));
  Result<int64_t> count = backend.CountTokens(UserSays("hi", "gpt-nope"));
  ASSERT_FALSE(count.has_value());
  EXPECT_EQ(count.error(), NotFound("model: gpt-nope"));
}

TEST(ScriptedBackendTest, AutoAndEmptyModelAreAnsweredAsScripted1) {
  ScriptedBackend backend;
  EXPECT_EQ(RunToEnd(backend, UserSays("hi", "auto")).response.model, "scripted-1");
  EXPECT_EQ(RunToEnd(backend, UserSays("hi", "")).response.model, "scripted-1");
  EXPECT_EQ(RunToEnd(backend, UserSays("hi", "scripted-2")).response.model,
            "scripted-2");
}

TEST(ScriptedBackendTest, ThinkDirectiveAddsASignedThinkingBlockFirst) {
  ScriptedBackend backend;
  Outcome outcome = RunToEnd(backend, UserSays("[[think]] Why?"));
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  const ChatResponse& response = outcome.response;
  ASSERT_EQ(response.content.size(), 2u);
  EXPECT_EQ(response.content[0].type, BlockType::kThinking);
  EXPECT_EQ(response.content[0].text, "Let me think about that.");
  EXPECT_EQ(response.content[0].signature, "sig-scripted");
  EXPECT_EQ(DeltasOf(outcome.events, 0, Delta::kThinking).size(), 5u);
  EXPECT_EQ(DeltasOf(outcome.events, 0, Delta::kSignature),
            (std::vector<std::string>{"sig-scripted"}));
  EXPECT_EQ(response.content[1].text, "You said: Why?");
  EXPECT_EQ(response.usage.output_tokens, 5 + 3);
  EXPECT_EQ(response.usage.thinking_tokens, 5);
}

TEST(ScriptedBackendTest, ToolDirectiveStreamsInputInSmallFragments) {
  ScriptedBackend backend;
  const std::string input = R"({"city":"Paris","units":"metric"})";
  Outcome outcome = RunToEnd(backend, UserSays("[[tool:get_weather " + input + "]]"));
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  const ChatResponse& response = outcome.response;
  ASSERT_EQ(response.content.size(), 2u);
  EXPECT_EQ(response.content[0].text, "Calling get_weather.");
  EXPECT_EQ(response.content[1].type, BlockType::kToolUse);
  EXPECT_EQ(response.content[1].tool_id, "toolu_scripted_1");
  EXPECT_EQ(response.content[1].tool_name, "get_weather");
  EXPECT_EQ(response.content[1].tool_input.text, input);
  EXPECT_EQ(response.stop_reason, StopReason::kToolUse);
  EXPECT_EQ(response.usage.output_tokens, 2 + 1);

  std::vector<std::string> fragments =
      DeltasOf(outcome.events, 1, Delta::kInputJson);
  ASSERT_GE(fragments.size(), 3u);
  EXPECT_EQ(fragments.front(), "");
  for (const std::string& fragment : fragments) {
    EXPECT_LE(fragment.size(), 5u);
  }
}

TEST(ScriptedBackendTest, FragmentsNeverSplitAUtf8Character) {
  ScriptedBackend backend;
  // "Zürich" puts a two-byte character where a 5-byte cut would split it.
  const std::string input = "{\"c\":\"Z\xC3\xBCrich\"}";
  Outcome outcome = RunToEnd(backend, UserSays("[[tool:f " + input + "]]"));
  ASSERT_TRUE(outcome.status.ok());
  EXPECT_EQ(outcome.response.content[1].tool_input.text, input);
  for (const std::string& fragment :
       DeltasOf(outcome.events, 1, Delta::kInputJson)) {
    ASSERT_LE(fragment.size(), 5u);
    if (!fragment.empty()) {
      EXPECT_NE(static_cast<unsigned char>(fragment.front()) & 0xC0, 0x80)
          << "fragment starts inside a character";
    }
  }
}

TEST(ScriptedBackendTest, SeveralToolDirectivesAreParallelCalls) {
  ScriptedBackend backend;
  Outcome outcome =
      RunToEnd(backend, UserSays(R"([[tool:a {"x":[1,{"y":"]]"}]}]] [[tool:b]])"));
  ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
  const ChatResponse& response = outcome.response;
  ASSERT_EQ(response.content.size(), 3u);
  EXPECT_EQ(response.content[0].text, "Calling a, b.");
  EXPECT_EQ(response.content[1].tool_id, "toolu_scripted_1");
  EXPECT_EQ(response.content[1].tool_input.text, R"({"x":[1,{"y":"]]"}]})");
  EXPECT_EQ(response.content[2].tool_id, "toolu_scripted_2");
  EXPECT_EQ(response.content[2].tool_name, "b");
  EXPECT_EQ(response.content[2].tool_input.text, "{}");
  // Tool ids keep counting across requests.
  Outcome next = RunToEnd(backend, UserSays("[[tool:c {}]]"));
  EXPECT_EQ(next.response.content[1].tool_id, "toolu_scripted_3");
}

TEST(ScriptedBackendTest, ToolResultTextIsEchoed) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("[[tool:get_weather {}]]");
  request.messages.push_back(Message{
      Role::kAssistant,
      {ContentBlock::ToolUse("toolu_scripted_1", "get_weather", RawJson{"{}"})}});
  ContentBlock result;
  result.type = BlockType::kToolResult;
  result.tool_use_id = "toolu_scripted_1";
  result.tool_result_content.push_back(ContentBlock::Text("18C, sunny"));
  request.messages.push_back(Message{Role::kUser, {result}});
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_EQ(outcome.response.content.size(), 1u);
  EXPECT_EQ(outcome.response.content[0].text, "You said: 18C, sunny");
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kEndTurn);
}

TEST(ScriptedBackendTest, ErrorDirectiveIsTheOnlyEvent) {
  ScriptedBackend backend;
  for (ErrorCode code :
       {ErrorCode::kUnavailable, ErrorCode::kResourceExhausted,
        ErrorCode::kInvalidArgument, ErrorCode::kInternal}) {
    std::string text = "[[error:" + std::string(ErrorCodeName(code)) + "]]";
    Outcome outcome = RunToEnd(backend, UserSays(text));
    ASSERT_EQ(outcome.events.size(), 1u) << text;
    EXPECT_EQ(outcome.status, Status(code, "scripted failure"));
  }
}

TEST(ScriptedBackendTest, MalformedDirectivesAreInvalidArgument) {
  ScriptedBackend backend;
  for (std::string text : {"[[error:bogus]]", "[[tool: {}]]",
                           "[[tool:f {\"a\":1]]", "[[slow:soon]]",
                           "[[words:]]", "[[tool:f {} trailing]]"}) {
    Outcome outcome = RunToEnd(backend, UserSays(text));
    ASSERT_EQ(outcome.events.size(), 1u) << text;
    EXPECT_EQ(outcome.status.code(), ErrorCode::kInvalidArgument) << text;
  }
}

TEST(ScriptedBackendTest, UnknownBracketsStayInTheEcho) {
  ScriptedBackend backend;
  Outcome outcome = RunToEnd(backend, UserSays("see [[wiki]] and [[think]]"));
  EXPECT_EQ(outcome.response.content.back().text,
            "You said: see [[wiki]] and");
}

TEST(ScriptedBackendTest, MidstreamErrorFollowsAFewDeltas) {
  ScriptedBackend backend;
  Outcome outcome = RunToEnd(backend, UserSays("[[midstream-error]] [[words:10]]"));
  ASSERT_EQ(outcome.events.size(), 6u);
  EXPECT_EQ(outcome.events[0].kind, Kind::kMessageStart);
  EXPECT_EQ(outcome.events[1].kind, Kind::kBlockStart);
  EXPECT_EQ(DeltasOf(outcome.events, 0, Delta::kText),
            (std::vector<std::string>{"w1 ", "w2 ", "w3 "}));
  EXPECT_EQ(outcome.status, Unavailable("Overloaded"));
}

TEST(ScriptedBackendTest, WordsDirectiveReplacesTheEcho) {
  ScriptedBackend backend;
  Outcome outcome = RunToEnd(backend, UserSays("[[words:4]]"));
  EXPECT_EQ(outcome.response.content[0].text, "w1 w2 w3 w4");
  EXPECT_EQ(outcome.response.usage.output_tokens, 4);

  Outcome none = RunToEnd(backend, UserSays("[[words:0]]"));
  ASSERT_TRUE(none.status.ok());
  ASSERT_EQ(none.response.content.size(), 1u);
  EXPECT_EQ(none.response.content[0].text, "");
  EXPECT_EQ(none.response.usage.output_tokens, 1);
}

TEST(ScriptedBackendTest, RefuseGivesAnEmptyTextBlock) {
  ScriptedBackend backend;
  Outcome outcome = RunToEnd(backend, UserSays("[[refuse]] do something bad"));
  ASSERT_TRUE(outcome.status.ok());
  ASSERT_EQ(outcome.response.content.size(), 1u);
  EXPECT_EQ(outcome.response.content[0].text, "");
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kRefusal);
  EXPECT_EQ(outcome.response.usage.output_tokens, 1);
}

TEST(ScriptedBackendTest, MaxTokensCutsTheAnswer) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("[[words:10]]");
  request.max_tokens = 4;
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_TRUE(outcome.status.ok());
  EXPECT_EQ(outcome.response.content[0].text, "w1 w2 w3 w4 ");
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(outcome.response.usage.output_tokens, 4);

  request.max_tokens = 10;  // exactly enough
  EXPECT_EQ(RunToEnd(backend, request).response.stop_reason, StopReason::kEndTurn);
}

TEST(ScriptedBackendTest, MaxTokensCanEndInsideThinking) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("[[think]] hi");
  request.max_tokens = 3;
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_TRUE(outcome.status.ok());
  ASSERT_EQ(outcome.response.content.size(), 1u);
  EXPECT_EQ(outcome.response.content[0].text, "Let me think ");
  EXPECT_EQ(outcome.response.content[0].signature, "sig-scripted");
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kMaxTokens);
}

TEST(ScriptedBackendTest, MaxTokensDropsAToolCallThatDoesNotFit) {
  ScriptedBackend backend;
  ChatRequest request = UserSays(R"([[tool:get_weather {"city":"Paris"}]])");
  request.max_tokens = 2;  // "Calling get_weather." fits, the input does not
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_TRUE(outcome.status.ok());
  ASSERT_EQ(outcome.response.content.size(), 1u);
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kMaxTokens);

  request.max_tokens = 0;
  Outcome nothing = RunToEnd(backend, request);
  ASSERT_TRUE(nothing.status.ok());
  ASSERT_EQ(nothing.response.content.size(), 1u);
  EXPECT_EQ(nothing.response.content[0].text, "");
  EXPECT_EQ(nothing.response.stop_reason, StopReason::kMaxTokens);
}

TEST(ScriptedBackendTest, StopSequenceCutsBeforeTheEarliestMatch) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("[[words:10]]");
  request.stop_sequences = {"w5", "w3"};
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_TRUE(outcome.status.ok());
  EXPECT_EQ(outcome.response.content[0].text, "w1 w2 ");
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(outcome.response.stop_sequence, "w3");
  EXPECT_EQ(outcome.response.usage.output_tokens, 2);

  // max_tokens reached before the stop sequence wins.
  request.max_tokens = 1;
  Outcome limited = RunToEnd(backend, request);
  EXPECT_EQ(limited.response.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(limited.response.stop_sequence, "");
}

TEST(ScriptedBackendTest, StopSequenceInTextPreventsToolCalls) {
  ScriptedBackend backend;
  ChatRequest request = UserSays("[[tool:get_weather {}]]");
  request.stop_sequences = {"get_"};
  Outcome outcome = RunToEnd(backend, request);
  ASSERT_EQ(outcome.response.content.size(), 1u);
  EXPECT_EQ(outcome.response.content[0].text, "Calling ");
  EXPECT_EQ(outcome.response.stop_reason, StopReason::kStopSequence);
}

TEST(ScriptedBackendTest, CancelBeforeStartEndsWithCancelledOnly) {
  ScriptedBackend backend;
  auto cancel = std::make_shared<CancelFlag>();
  cancel->Cancel();
  Outcome outcome = RunToEnd(backend, UserSays("hi"), cancel);
  ASSERT_EQ(outcome.events.size(), 1u);
  EXPECT_EQ(outcome.status.code(), ErrorCode::kCancelled);
}

TEST(ScriptedBackendTest, CancelIsCheckedBeforeEveryEvent) {
  ScriptedBackend backend;
  auto cancel = std::make_shared<CancelFlag>();
  // Cancels as soon as the third event has been delivered.
  auto sink = std::make_shared<CollectingSink>(
      [cancel, seen = 0](const ChatEvent&) mutable {
        if (++seen == 3) {
          cancel->Cancel();
        }
      });
  backend.Generate(UserSays("[[words:50]]"), sink, cancel);
  ASSERT_TRUE(sink->WaitForTerminal());
  std::vector<ChatEvent> events = sink->events();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.back().kind, Kind::kError);
  EXPECT_EQ(events.back().error.code(), ErrorCode::kCancelled);
}

TEST(ScriptedBackendTest, CancelDuringALongDelayIsNoticedPromptly) {
  ScriptedBackend backend;
  auto cancel = std::make_shared<CancelFlag>();
  auto sink = std::make_shared<CollectingSink>();
  backend.Generate(UserSays("[[slow:600000]] hi"), sink, cancel);
  ASSERT_TRUE(sink->WaitForEvents(1));
  cancel->Cancel();
  // Without polling this would wait ten minutes; the bound is generous.
  ASSERT_TRUE(sink->WaitForTerminal(std::chrono::seconds(20)));
  std::vector<ChatEvent> events = sink->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events.back().error.code(), ErrorCode::kCancelled);
}

TEST(ScriptedBackendTest, SlowDirectiveSpacesEventsApart) {
  ScriptedBackend backend;
  auto start = std::chrono::steady_clock::now();
  Outcome outcome = RunToEnd(backend, UserSays("[[slow:20]] [[words:3]]"));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(outcome.status.ok());
  // 8 events: 7 gaps of at least 20 ms each.
  ASSERT_EQ(outcome.events.size(), 8u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(7 * 20));
}

TEST(ScriptedBackendTest, OptionsEventDelayAppliesWithoutDirective) {
  ScriptedBackend::Options options;
  options.event_delay = std::chrono::milliseconds(15);
  ScriptedBackend backend(options);
  auto start = std::chrono::steady_clock::now();
  Outcome outcome = RunToEnd(backend, UserSays("[[words:2]]"));
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(outcome.events.size(), 7u);
  EXPECT_GE(elapsed, std::chrono::milliseconds(6 * 15));
}

TEST(ScriptedBackendTest, DestructorCancelsPendingRequests) {
  auto backend = std::make_unique<ScriptedBackend>();
  auto sink = std::make_shared<CollectingSink>();
  backend->Generate(UserSays("[[slow:600000]] hi"), sink,
                    std::make_shared<CancelFlag>());
  ASSERT_TRUE(sink->WaitForEvents(1));
  backend.reset();
  // The destructor has returned, so the terminal event is already there.
  ASSERT_TRUE(sink->WaitForTerminal(std::chrono::milliseconds(0)));
  std::vector<ChatEvent> events = sink->events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events.back().error,
            Status(ErrorCode::kCancelled, "backend shutting down"));
}

TEST(ScriptedBackendTest, RecordsTheLastRequest) {
  ScriptedBackend backend;
  EXPECT_FALSE(backend.last_request().has_value());
  ChatRequest request = UserSays("remember me", "scripted-2");
  request.stop_sequences = {"x"};
  RunToEnd(backend, request);
  RunToEnd(backend, UserSays("x", "unknown-model"));
  std::optional<ChatRequest> last = backend.last_request();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->model, "unknown-model");
  EXPECT_EQ(backend.generate_calls(), 2);
  RunToEnd(backend, request);
  EXPECT_EQ(backend.last_request(), request);
}

TEST(ScriptedScriptTest, SplitsWordsKeepingFollowingSpace) {
  EXPECT_EQ(SplitWordsKeepingSpace("  a b\n c "),
            (std::vector<std::string>{"  a ", "b\n ", "c "}));
  EXPECT_TRUE(SplitWordsKeepingSpace("").empty());
  EXPECT_TRUE(SplitWordsKeepingSpace("   ").empty());
  EXPECT_EQ(CountWords("  a b\n c "), 3);
  EXPECT_EQ(CountWords(R"({"city": "Paris"})"), 2);
}

}  // namespace
}  // namespace duet::testing
