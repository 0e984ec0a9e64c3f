// StreamWriter against the hand-written SSE transcripts in golden/ (see the
// README there), plus a check that each transcript reassembles into a
// coherent message the way openai-node would, and that streaming and
// non-streaming answers to the same events agree.

#include "wire/openai/chat_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire/openai/chat_response.h"
#include "golden.h"
#include "model/accumulator.h"
#include "sse_reassembler.h"

namespace duet::wire::openai {
namespace {

using Delta = ChatEvent::DeltaKind;
using test_support::ReadGolden;
using test_support::Reassemble;
using test_support::ReassembledStream;

// One golden transcript: the writer's arguments and the events behind it.
struct StreamCase {
  std::string golden;
  std::string id;
  std::string model;
  int64_t created;
  bool include_usage;
  std::vector<ChatEvent> events;
};

std::string Render(const StreamCase& stream_case) {
  StreamWriter writer(stream_case.id, stream_case.model, stream_case.created,
                      stream_case.include_usage);
  std::string out;
  for (const ChatEvent& event : stream_case.events) {
    writer.Append(event, &out);
  }
  return out;
}

StreamCase TextWithUsage() {
  return {"stream_text_usage.sse", "chatcmpl-s1", "claude-haiku-4-5", 1735000001, true,
          {ChatEvent::MessageStart("msg_1", "claude-haiku-4-5", Usage{.input_tokens = 9}),
           ChatEvent::Ping(),
           ChatEvent::BlockStart(0, ContentBlock::Text("")),
           ChatEvent::Delta(0, Delta::kText, "Hel"),
           ChatEvent::Delta(0, Delta::kText, "lo"),
           ChatEvent::Delta(0, Delta::kText, ""),
           ChatEvent::Delta(0, Delta::kText, ", w\xC3\xB6rld \"quoted\"\n"),
           ChatEvent::BlockStop(0),
           ChatEvent::MessageDelta(
               StopReason::kEndTurn,
               Usage{.input_tokens = 9, .output_tokens = 4, .cache_read_input_tokens = 2}),
           ChatEvent::MessageStop()}};
}

StreamCase ParallelTools() {
  return {"stream_parallel_tools.sse", "chatcmpl-s2", "qwen3-4b", 1735000002, false,
          {ChatEvent::MessageStart("msg_2", "qwen3-4b", Usage{}),
           ChatEvent::BlockStart(0, ContentBlock::Text("")),
           ChatEvent::Delta(0, Delta::kText, "Checking both."),
           ChatEvent::BlockStop(0),
           ChatEvent::BlockStart(1, ContentBlock::ToolUse("call_a", "get_weather", {})),
           ChatEvent::Delta(1, Delta::kInputJson, ""),
           ChatEvent::Delta(1, Delta::kInputJson, "{\"ci"),
           ChatEvent::Delta(1, Delta::kInputJson, "ty\":\"Paris\"}"),
           ChatEvent::BlockStop(1),
           ChatEvent::BlockStart(2, ContentBlock::ToolUse("call_b", "get_time", {})),
           ChatEvent::Delta(2, Delta::kInputJson, "{\"tz\":"),
           ChatEvent::Ping(),
           ChatEvent::Delta(2, Delta::kInputJson, "\"CET\"}"),
           ChatEvent::BlockStop(2),
           ChatEvent::MessageDelta(StopReason::kToolUse,
                                   Usage{.input_tokens = 30, .output_tokens = 20}),
           ChatEvent::MessageStop()}};
}

StreamCase ReasoningThenText() {
  return {"stream_reasoning.sse", "chatcmpl-s3", "deepseek-r1", 1735000003, true,
          {ChatEvent::MessageStart("msg_3", "deepseek-r1", Usage{.input_tokens = 5}),
           ChatEvent::BlockStart(0, ContentBlock::Thinking("", "")),
           ChatEvent::Delta(0, Delta::kThinking, "Two plus"),
           ChatEvent::Delta(0, Delta::kThinking, " two."),
           ChatEvent::Delta(0, Delta::kSignature, "sig=="),
           ChatEvent::BlockStop(0),
           ChatEvent::BlockStart(1, ContentBlock::Text("")),
           ChatEvent::Delta(1, Delta::kText, "4"),
           ChatEvent::BlockStop(1),
           ChatEvent::MessageDelta(
               StopReason::kMaxTokens,
               Usage{.input_tokens = 5, .output_tokens = 8, .thinking_tokens = 6}),
           ChatEvent::MessageStop()}};
}

StreamCase ErrorMidStream() {
  return {"stream_error.sse", "chatcmpl-s4", "claude-sonnet-4-5", 1735000004, true,
          {ChatEvent::MessageStart("msg_4", "claude-sonnet-4-5", Usage{.input_tokens = 3}),
           ChatEvent::BlockStart(0, ContentBlock::Text("")),
           ChatEvent::Delta(0, Delta::kText, "Par"),
           ChatEvent::Failure(Unavailable("upstream overloaded")),
           // Nothing may follow an error, even if a buggy producer sends it.
           ChatEvent::Delta(0, Delta::kText, "is"),
           ChatEvent::MessageStop()}};
}

TokenLogprob Scored(std::string token, double logprob,
                    std::vector<TopAlternative> top = {}) {
  return TokenLogprob{std::move(token), logprob, std::move(top)};
}

ChatEvent TextDelta(std::string text, std::vector<TokenLogprob> logprobs) {
  ChatEvent event = ChatEvent::Delta(0, Delta::kText, std::move(text));
  event.logprobs = std::move(logprobs);
  return event;
}

// A local answer to a request with logprobs: the last delta has no text of
// its own, only the token of a character max_tokens cut in half. No golden
// file: its chunks are checked below.
StreamCase TextWithLogprobs() {
  ChatEvent finish = ChatEvent::MessageDelta(
      StopReason::kMaxTokens, Usage{.input_tokens = 3, .output_tokens = 3});
  finish.confidence = AnswerConfidence{.tokens = 3, .mean_logprob = -1.5};
  return {"", "chatcmpl-l", "tiny", 7, false,
          {ChatEvent::MessageStart("msg_5", "tiny", Usage{.input_tokens = 3}),
           ChatEvent::BlockStart(0, ContentBlock::Text("")),
           TextDelta("Hi", {Scored("Hi", -0.5, {{"Hi", -0.5}, {"Yo", -1.0}})}),
           TextDelta(" there", {Scored(" there", -0.75, {{" there", -0.75}, {"!", -3.0}})}),
           TextDelta("", {Scored("\xE2", -3.25, {{"\xE2", -3.25}, {".", -3.5}})}),
           ChatEvent::BlockStop(0), std::move(finish), ChatEvent::MessageStop()}};
}

std::vector<StreamCase> AllCases() {
  return {TextWithUsage(), ParallelTools(), ReasoningThenText(), ErrorMidStream()};
}

TEST(OpenAIStreamWriterTest, MatchesEveryGoldenTranscriptByteForByte) {
  for (const StreamCase& stream_case : AllCases()) {
    EXPECT_EQ(Render(stream_case), ReadGolden(stream_case.golden)) << stream_case.golden;
  }
}

TEST(OpenAIStreamWriterTest, TextChunksCarryTheirLogprobs) {
  const std::string out = Render(TextWithLogprobs());
  const std::string head =
      R"(data: {"id":"chatcmpl-l","object":"chat.completion.chunk","created":7,)"
      R"("model":"tiny","choices":[{"index":0,"delta":)";
  EXPECT_NE(out.find(head + R"({"content":"Hi"},"logprobs":{"content":[)"
                            R"({"token":"Hi","logprob":-0.5,"bytes":[72,105],"top_logprobs":[)"
                            R"({"token":"Hi","logprob":-0.5,"bytes":[72,105]},)"
                            R"({"token":"Yo","logprob":-1,"bytes":[89,111]}]}],)"
                            R"("refusal":null},"finish_reason":null}]})"
                            "\n\n"),
            std::string::npos)
      << out;
  // Half a character: the JSON string cannot hold it, `bytes` can.
  EXPECT_NE(out.find(head + R"({"content":""},"logprobs":{"content":[)"
                            "{\"token\":\"\xEF\xBF\xBD\",\"logprob\":-3.25,\"bytes\":[226],"),
            std::string::npos)
      << out;
  // The role and finish chunks have none; the summary is duet's own.
  EXPECT_NE(out.find(head + R"({"role":"assistant","content":""},"logprobs":null,)"),
            std::string::npos);
  EXPECT_NE(out.find(head + R"({},"logprobs":null,"finish_reason":"length"}]})"),
            std::string::npos);
  EXPECT_EQ(out.find("confidence"), std::string::npos);
  EXPECT_EQ(out.find("mean_logprob"), std::string::npos);
  const ReassembledStream stream = Reassemble(out);
  EXPECT_EQ(stream.content, "Hi there");
  ASSERT_EQ(stream.logprobs.size(), 3u);
  EXPECT_EQ(stream.logprobs[1]["token"], " there");
  EXPECT_EQ(stream.logprobs[1]["top_logprobs"][1]["logprob"], -3.0);
}

TEST(OpenAIStreamWriterTest, LogprobsOnOtherDeltasAreNotContent) {
  StreamWriter writer("chatcmpl-r", "m", 1, false);
  std::string out;
  writer.Append(ChatEvent::MessageStart("msg", "m", {}), &out);
  out.clear();
  ChatEvent thinking = ChatEvent::Delta(0, Delta::kThinking, "hmm");
  thinking.logprobs = {Scored("hmm", -1.0)};
  writer.Append(thinking, &out);
  EXPECT_NE(out.find(R"({"reasoning_content":"hmm"},"logprobs":null,)"), std::string::npos)
      << out;
  out.clear();
  ChatEvent arguments = ChatEvent::Delta(1, Delta::kInputJson, "");
  arguments.logprobs = {Scored("{", -1.0)};
  writer.Append(arguments, &out);
  EXPECT_EQ(out, "");  // still an empty delta: nothing to send
}

TEST(OpenAIStreamTranscriptTest, TextTranscriptReassembles) {
  const ReassembledStream stream = Reassemble(ReadGolden("stream_text_usage.sse"));
  EXPECT_TRUE(stream.done);
  EXPECT_EQ(stream.id, "chatcmpl-s1");
  EXPECT_EQ(stream.role, "assistant");
  EXPECT_EQ(stream.content, "Hello, w\xC3\xB6rld \"quoted\"\n");
  EXPECT_EQ(stream.finish_reason, "stop");
  ASSERT_TRUE(stream.usage.has_value());
  EXPECT_EQ((*stream.usage)["prompt_tokens"], 11);
  EXPECT_EQ((*stream.usage)["completion_tokens"], 4);
  EXPECT_EQ((*stream.usage)["total_tokens"], 15);
  EXPECT_EQ((*stream.usage)["prompt_tokens_details"]["cached_tokens"], 2);
}

TEST(OpenAIStreamTranscriptTest, ParallelToolCallTranscriptReassembles) {
  const ReassembledStream stream = Reassemble(ReadGolden("stream_parallel_tools.sse"));
  EXPECT_TRUE(stream.done);
  EXPECT_EQ(stream.content, "Checking both.");
  EXPECT_EQ(stream.finish_reason, "tool_calls");
  EXPECT_FALSE(stream.usage.has_value());  // include_usage was off
  ASSERT_EQ(stream.tool_calls.size(), 2u);
  EXPECT_EQ(stream.tool_calls[0].id, "call_a");
  EXPECT_EQ(stream.tool_calls[0].name, "get_weather");
  EXPECT_EQ(nlohmann::json::parse(stream.tool_calls[0].arguments),
            nlohmann::json({{"city", "Paris"}}));
  EXPECT_EQ(stream.tool_calls[1].id, "call_b");
  EXPECT_EQ(stream.tool_calls[1].name, "get_time");
  EXPECT_EQ(nlohmann::json::parse(stream.tool_calls[1].arguments),
            nlohmann::json({{"tz", "CET"}}));
}

TEST(OpenAIStreamTranscriptTest, ReasoningTranscriptReassembles) {
  const ReassembledStream stream = Reassemble(ReadGolden("stream_reasoning.sse"));
  EXPECT_TRUE(stream.done);
  EXPECT_EQ(stream.reasoning, "Two plus two.");
  EXPECT_EQ(stream.content, "4");
  EXPECT_EQ(stream.finish_reason, "length");
  ASSERT_TRUE(stream.usage.has_value());
  EXPECT_EQ((*stream.usage)["completion_tokens_details"]["reasoning_tokens"], 6);
}

TEST(OpenAIStreamTranscriptTest, ErrorTranscriptEndsWithAnErrorAndNoDone) {
  const ReassembledStream stream = Reassemble(ReadGolden("stream_error.sse"));
  EXPECT_FALSE(stream.done);
  EXPECT_EQ(stream.content, "Par");
  EXPECT_TRUE(stream.finish_reason.empty());
  ASSERT_TRUE(stream.error.has_value());
  EXPECT_EQ((*stream.error)["type"], "server_error");
  EXPECT_EQ((*stream.error)["message"], "upstream overloaded");
}

// The same events, folded by ResponseAccumulator and written non-streaming,
// must say what the stream says.
TEST(OpenAIStreamTranscriptTest, StreamAndNonStreamAnswersAgree) {
  for (const StreamCase& stream_case :
       {TextWithUsage(), ParallelTools(), ReasoningThenText(), TextWithLogprobs()}) {
    ResponseAccumulator accumulator;
    for (const ChatEvent& event : stream_case.events) {
      ASSERT_TRUE(accumulator.Add(event).ok()) << stream_case.golden;
    }
    ChatResponse response = accumulator.TakeResponse();
    response.id = stream_case.id;
    const nlohmann::json completion =
        nlohmann::json::parse(WriteChatCompletion(response, stream_case.created));
    const nlohmann::json& message = completion["choices"][0]["message"];
    const ReassembledStream stream = Reassemble(Render(stream_case));

    EXPECT_EQ(message.value("content", nlohmann::json()).is_null()
                  ? ""
                  : message["content"].get<std::string>(),
              stream.content);
    EXPECT_EQ(message.value("reasoning_content", ""), stream.reasoning);
    EXPECT_EQ(completion["choices"][0]["finish_reason"], stream.finish_reason);
    const nlohmann::json calls = message.value("tool_calls", nlohmann::json::array());
    ASSERT_EQ(calls.size(), stream.tool_calls.size());
    for (size_t i = 0; i < calls.size(); ++i) {
      EXPECT_EQ(calls[i]["id"], stream.tool_calls[i].id);
      EXPECT_EQ(calls[i]["function"]["name"], stream.tool_calls[i].name);
      EXPECT_EQ(calls[i]["function"]["arguments"], stream.tool_calls[i].arguments);
    }
    if (stream.usage.has_value()) {
      EXPECT_EQ(completion["usage"], *stream.usage);
    }
    const nlohmann::json& logprobs = completion["choices"][0]["logprobs"];
    if (stream.logprobs.empty()) {
      EXPECT_TRUE(logprobs.is_null()) << stream_case.id;
    } else {
      EXPECT_EQ(logprobs["content"], stream.logprobs) << stream_case.id;
      EXPECT_TRUE(logprobs["refusal"].is_null());
    }
  }
}

TEST(OpenAIStreamWriterTest, EventsWithoutOutputAppendNothing) {
  StreamWriter writer("chatcmpl-q", "m", 1, true);
  std::string out;
  writer.Append(ChatEvent::MessageStart("msg", "m", {}), &out);
  const size_t after_start = out.size();
  writer.Append(ChatEvent::Ping(), &out);
  writer.Append(ChatEvent::BlockStart(0, ContentBlock::Text("")), &out);
  writer.Append(ChatEvent::BlockStart(1, ContentBlock::Thinking("", "")), &out);
  writer.Append(ChatEvent::Delta(1, Delta::kSignature, "sig"), &out);
  writer.Append(ChatEvent::Delta(1, Delta::kThinking, ""), &out);
  writer.Append(ChatEvent::BlockStop(1), &out);
  writer.Append(ChatEvent::Delta(7, Delta::kInputJson, "{}"), &out);  // no such call
  EXPECT_EQ(out.size(), after_start) << out;
  EXPECT_FALSE(writer.finished());
}

TEST(OpenAIStreamWriterTest, ToleratesAMissingStartAndAMissingMessageDelta) {
  StreamWriter writer("chatcmpl-t", "m", 1, false);
  std::string out;
  writer.Append(ChatEvent::Delta(0, Delta::kText, "hi"), &out);
  writer.Append(ChatEvent::MessageStop(), &out);
  EXPECT_TRUE(writer.finished());
  const ReassembledStream stream = Reassemble(out);
  EXPECT_EQ(stream.role, "assistant");
  EXPECT_EQ(stream.content, "hi");
  EXPECT_EQ(stream.finish_reason, "stop");
  EXPECT_TRUE(stream.done);
  EXPECT_EQ(out.find("usage"), std::string::npos) << out;
  // Finished: later events are ignored.
  const size_t size = out.size();
  writer.Append(ChatEvent::Delta(0, Delta::kText, "more"), &out);
  writer.Append(ChatEvent::MessageStop(), &out);
  EXPECT_EQ(out.size(), size);
}

TEST(OpenAIStreamWriterTest, ToolCallNumbersSkipNonToolBlocks) {
  StreamWriter writer("chatcmpl-n", "m", 1, false);
  std::string out;
  writer.Append(ChatEvent::MessageStart("msg", "m", {}), &out);
  writer.Append(ChatEvent::BlockStart(0, ContentBlock::Thinking("", "")), &out);
  writer.Append(ChatEvent::BlockStop(0), &out);
  writer.Append(ChatEvent::BlockStart(1, ContentBlock::Text("")), &out);
  writer.Append(ChatEvent::BlockStop(1), &out);
  out.clear();
  writer.Append(ChatEvent::BlockStart(2, ContentBlock::ToolUse("c", "f", {})), &out);
  writer.Append(ChatEvent::Delta(2, Delta::kInputJson, "{}"), &out);
  EXPECT_NE(out.find(R"("tool_calls":[{"index":0,"id":"c")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("tool_calls":[{"index":0,"function":{"arguments":"{}"}}])"),
            std::string::npos)
      << out;
}

// A fallback answers with another model than the one asked for; the chunks
// name the model that answered, as the non-streaming completion does.
TEST(OpenAIStreamWriterTest, ChunksNameTheModelOfMessageStart) {
  StreamWriter writer("chatcmpl-f", "claude-sonnet-4-5", 1, true);
  std::string out;
  writer.Append(ChatEvent::MessageStart("msg", "tiny", {}), &out);
  writer.Append(ChatEvent::BlockStart(0, ContentBlock::Text("")), &out);
  writer.Append(ChatEvent::Delta(0, Delta::kText, "hi"), &out);
  writer.Append(ChatEvent::MessageDelta(StopReason::kEndTurn, {}), &out);
  writer.Append(ChatEvent::MessageStop(), &out);
  EXPECT_EQ(out.find("claude-sonnet-4-5"), std::string::npos) << out;
  size_t chunks = 0;
  for (size_t at = out.find("data: {"); at != std::string::npos;
       at = out.find("data: {", at + 1)) {
    ++chunks;
    const size_t end = out.find("\n\n", at);
    const nlohmann::json chunk = nlohmann::json::parse(out.substr(at + 6, end - at - 6));
    EXPECT_EQ(chunk["model"], "tiny") << chunk;
  }
  EXPECT_EQ(chunks, 4u) << out;  // role, text, finish, usage
}

TEST(OpenAIStreamWriterTest, ErrorBeforeAnyOutputIsTheWholeStream) {
  StreamWriter writer("chatcmpl-e", "m", 1, true);
  std::string out;
  writer.Append(ChatEvent::Failure(InvalidArgument("bad \"input\"")), &out);
  EXPECT_EQ(out,
            "data: {\"error\":{\"message\":\"bad \\\"input\\\"\",\"type\":"
            "\"invalid_request_error\",\"param\":null,\"code\":null}}\n\n");
  EXPECT_TRUE(writer.finished());
}

}  // namespace
}  // namespace duet::wire::openai
