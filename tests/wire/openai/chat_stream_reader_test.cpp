// StreamReader: OpenAI chunk streams read back into ChatEvents. Each golden
// transcript, read and written again by StreamWriter, must reassemble (the
// way openai-node does) into the same message; plus the shapes other
// servers send (llama-server, Ollama, vLLM).
#include "wire/openai/chat_stream_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "golden.h"
#include "sse_reassembler.h"
#include "wire/openai/chat_stream.h"

namespace duet::wire::openai {
namespace {

using test_support::ReadGolden;
using test_support::Reassemble;
using test_support::ReassembledStream;

std::vector<ChatEvent> Read(std::string_view bytes, size_t chunk, bool finish = true) {
  StreamReader reader;
  std::vector<ChatEvent> events;
  for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
    Status status = reader.Feed(bytes.substr(pos, chunk), &events);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  if (finish) {
    Status status = reader.Finish(&events);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  return events;
}

std::string Write(const std::vector<ChatEvent>& events, const ReassembledStream& like) {
  StreamWriter writer(like.id, like.model, like.created, like.usage.has_value());
  std::string out;
  for (const ChatEvent& event : events) {
    writer.Append(event, &out);
  }
  return out;
}

class GoldenReadTest : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenReadTest, ReadAndWrittenAgainReassemblesTheSame) {
  const std::string golden = ReadGolden(GetParam());
  ASSERT_FALSE(golden.empty());
  const ReassembledStream want = Reassemble(golden);
  for (size_t chunk : {size_t{1}, size_t{13}, golden.size()}) {
    const ReassembledStream got = Reassemble(Write(Read(golden, chunk), want));
    EXPECT_EQ(got.content, want.content) << chunk;
    EXPECT_EQ(got.reasoning, want.reasoning) << chunk;
    ASSERT_EQ(got.tool_calls.size(), want.tool_calls.size()) << chunk;
    for (size_t i = 0; i < want.tool_calls.size(); ++i) {
      EXPECT_EQ(got.tool_calls[i].id, want.tool_calls[i].id);
      EXPECT_EQ(got.tool_calls[i].name, want.tool_calls[i].name);
      EXPECT_EQ(got.tool_calls[i].arguments, want.tool_calls[i].arguments);
    }
    EXPECT_EQ(got.finish_reason, want.finish_reason) << chunk;
    EXPECT_EQ(got.usage, want.usage) << chunk;
    EXPECT_EQ(got.error.has_value(), want.error.has_value()) << chunk;
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenReadTest,
                         ::testing::Values("stream_text_usage.sse",
                                           "stream_reasoning.sse",
                                           "stream_parallel_tools.sse",
                                           "stream_error.sse"));

TEST(OpenAIStreamReaderTest, UsageMapsCachedAndReasoningTokens) {
  const auto events = Read(
      "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n"
      "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
      "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9,"
      "\"prompt_tokens_details\":{\"cached_tokens\":20},\"completion_tokens_details\":{\"reasoning_tokens\":4}}}\n\n"
      "data: [DONE]\n\n",
      1000);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].message_id, "c1");
  const ChatEvent& delta = events[4];
  ASSERT_EQ(delta.kind, ChatEvent::Kind::kMessageDelta);
  EXPECT_EQ(delta.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(delta.usage.input_tokens, 10);
  EXPECT_EQ(delta.usage.cache_read_input_tokens, 20);
  EXPECT_EQ(delta.usage.output_tokens, 9);
  EXPECT_EQ(delta.usage.thinking_tokens, 4);
}

TEST(OpenAIStreamReaderTest, ReasoningThenTextThenAToolCallAreSeparateBlocks) {
  // Ollama names reasoning "reasoning"; llama-server "reasoning_content".
  const auto events = Read(
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning\":\"hmm\"}}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Let me look.\"}}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"ci\"}}]}}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"ty\\\":\\\"Oslo\\\"}\"}}]}}]}\n\n"
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n",
      7);  // no [DONE]: Finish completes it
  std::vector<ChatEvent::Kind> kinds;
  for (const ChatEvent& e : events) kinds.push_back(e.kind);
  using K = ChatEvent::Kind;
  EXPECT_EQ(kinds, (std::vector<K>{K::kMessageStart, K::kBlockStart, K::kBlockDelta,
                                   K::kBlockStop, K::kBlockStart, K::kBlockDelta,
                                   K::kBlockStop, K::kBlockStart, K::kBlockDelta,
                                   K::kBlockDelta, K::kBlockStop, K::kMessageDelta,
                                   K::kMessageStop}));
  EXPECT_EQ(events[1].block().type, BlockType::kThinking);
  EXPECT_EQ(events[4].block().type, BlockType::kText);
  EXPECT_EQ(events[7].block().type, BlockType::kToolUse);
  EXPECT_EQ(events[7].block().tool_id, "call_1");
  EXPECT_EQ(events[7].block().tool_name, "get_weather");
  EXPECT_EQ(events[7].index, 2);
  EXPECT_EQ(events[8].delta + events[9].delta, "{\"city\":\"Oslo\"}");
  EXPECT_EQ(events[11].stop_reason, StopReason::kToolUse);
}

TEST(OpenAIStreamReaderTest, LogprobsRideOnTheirTextDeltas) {
  // vLLM / llama-server shapes: the exact bytes when sent (here a split
  // "é", whose token strings are unreadable), malformed entries skipped,
  // and a chunk with logprobs but no text while the text block is open.
  const std::string stream =
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"Caf"},)"
      R"("logprobs":{"content":[{"token":"Caf","logprob":-0.5,"bytes":[67,97,102],)"
      R"("top_logprobs":[{"token":"Caf","logprob":-0.5,"bytes":[67,97,102]},)"
      R"({"token":"Ca","logprob":-1.25,"bytes":null},{"token":"x"}]},)"
      R"({"token":"bytes:\\xc3","logprob":-2.0,"bytes":[195],"top_logprobs":[]},)"
      R"({"logprob":-9.0},"junk"],"refusal":null}}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":""},)"
      R"("logprobs":{"content":[{"token":"bytes:\\xa9","logprob":-0.25,"bytes":[169]}]}}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"\u00e9"},"logprobs":null,)"
      R"("finish_reason":"stop"}]})"
      "\n\n"
      "data: [DONE]\n\n";
  const auto events = Read(stream, 11);
  std::vector<TokenLogprob> logprobs;
  std::string text;
  for (const ChatEvent& event : events) {
    if (event.kind == ChatEvent::Kind::kBlockDelta) {
      EXPECT_EQ(event.delta_kind, ChatEvent::DeltaKind::kText);
      text += event.delta;
      logprobs.insert(logprobs.end(), event.logprobs.begin(), event.logprobs.end());
    }
  }
  EXPECT_EQ(text, "Caf\xC3\xA9");
  const std::vector<TokenLogprob> expected = {
      TokenLogprob{"Caf", -0.5, {{"Caf", -0.5}, {"Ca", -1.25}}},
      TokenLogprob{"\xC3", -2.0, {}},
      TokenLogprob{"\xA9", -0.25, {}}};
  EXPECT_EQ(logprobs, expected);
  for (const ChatEvent& event : events) {
    EXPECT_FALSE(event.confidence.has_value());  // a server's, not duet's
  }
}

TEST(OpenAIStreamReaderTest, LogprobsWithoutTextOutsideATextBlockAreDropped) {
  const std::string stream =
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant"},)"
      R"("logprobs":{"content":[{"token":"<","logprob":-1.0}]}}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
      "\n\n"
      "data: [DONE]\n\n";
  for (const ChatEvent& event : Read(stream, 1000)) {
    EXPECT_NE(event.kind, ChatEvent::Kind::kBlockStart);  // no empty text block
    EXPECT_TRUE(event.logprobs.empty());
  }
}

TEST(OpenAIStreamReaderTest, AnErrorChunkEndsTheStream) {
  const auto events = Read(
      "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n"
      "data: {\"error\":{\"message\":\"slot unavailable\",\"type\":\"server_error\"}}\n\n"
      "data: [DONE]\n\n",
      1000, /*finish=*/false);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, ChatEvent::Kind::kError);
  EXPECT_EQ(events.back().error, Unavailable("slot unavailable"));
}

TEST(OpenAIStreamReaderTest, IncompleteStreamsFail) {
  StreamReader cut;
  std::vector<ChatEvent> events;
  ASSERT_TRUE(cut.Feed("data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n",
                       &events).ok());
  EXPECT_EQ(cut.Finish(&events).code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(cut.finished());

  StreamReader garbage;
  EXPECT_EQ(garbage.Feed("data: {not json\n\n", &events).code(), ErrorCode::kUnavailable);
  StreamReader early_done;
  EXPECT_EQ(early_done.Feed("data: [DONE]\n\n", &events).code(), ErrorCode::kUnavailable);
}

TEST(OpenAIStreamReaderTest, ContentDecodesEscapesAndSurrogatePairs) {
  // Python servers escape every non-ASCII character by default.
  const auto events = Read(
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":)"
      R"("caf\u00e9 \ud83d\ude00 \"q\" \\ \n\u20ac"}}]})"
      "\n\n"
      R"(data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
      "\n\ndata: [DONE]\n\n",
      5);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2].delta,
            "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ \n\xE2\x82\xAC");
}

TEST(OpenAIStreamReaderTest, NumbersThatAreNotCountsCountAsZero) {
  // Floats (even 30.0), strings, numbers beyond 64 bits and negative
  // counts read as 0.
  const auto events = Read(
      R"(data: {"id":"c","choices":[{"index":0.0,"delta":{"content":"a"},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":30.0,)"
      R"("completion_tokens":100000000000000000000,)"
      R"("prompt_tokens_details":{"cached_tokens":"5"},)"
      R"("completion_tokens_details":{"reasoning_tokens":-4}}})"
      "\n\ndata: [DONE]\n\n",
      1000);
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[2].delta, "a");  // index 0.0 is not an integer: choice 0
  const ChatEvent& delta = events[4];
  ASSERT_EQ(delta.kind, ChatEvent::Kind::kMessageDelta);
  EXPECT_EQ(delta.usage.input_tokens, 0);
  EXPECT_EQ(delta.usage.cache_read_input_tokens, 0);
  EXPECT_EQ(delta.usage.output_tokens, 0);
  EXPECT_EQ(delta.usage.thinking_tokens, 0);
}

TEST(OpenAIStreamReaderTest, CountsBeyondAnyModelCountAsZero) {
  // INT64_MAX would overflow total_tokens; a billion is the largest kept.
  const auto events = Read(
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},)"
      R"("finish_reason":"stop"}],"usage":{"prompt_tokens":1000000000,)"
      R"("completion_tokens":9223372036854775807,)"
      R"("prompt_tokens_details":{"cached_tokens":1000000001},)"
      R"("completion_tokens_details":{"reasoning_tokens":7}}})"
      "\n\ndata: [DONE]\n\n",
      1000);
  ASSERT_EQ(events.size(), 6u);
  const ChatEvent& delta = events[4];
  ASSERT_EQ(delta.kind, ChatEvent::Kind::kMessageDelta);
  EXPECT_EQ(delta.usage.input_tokens, 1'000'000'000);
  EXPECT_EQ(delta.usage.cache_read_input_tokens, 0);
  EXPECT_EQ(delta.usage.output_tokens, 0);
  EXPECT_EQ(delta.usage.thinking_tokens, 7);
}

TEST(OpenAIStreamReaderTest, LogprobNumbersAndByteArraysReadAsBefore) {
  // An integer logprob is a number; a bytes array with an entry that is
  // not a byte (256, 1.0, -1) falls back to the token string.
  const std::string stream =
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"ab"},)"
      R"("logprobs":{"content":[{"token":"a","logprob":-1,"bytes":[97,256]},)"
      R"({"token":"b","logprob":0,"bytes":[98.0]},)"
      R"({"token":"c","logprob":-0.5,"bytes":[-1]},)"
      R"({"token":"d","logprob":-0.25,"bytes":[255,0]},)"
      R"({"token":"e","logprob":"-1"}]},"finish_reason":"stop"}]})"
      "\n\ndata: [DONE]\n\n";
  std::vector<TokenLogprob> logprobs;
  for (const ChatEvent& event : Read(stream, 3)) {
    logprobs.insert(logprobs.end(), event.logprobs.begin(), event.logprobs.end());
  }
  const std::vector<TokenLogprob> expected = {
      TokenLogprob{"a", -1.0, {}}, TokenLogprob{"b", 0.0, {}},
      TokenLogprob{"c", -0.5, {}},
      TokenLogprob{std::string("\xFF\0", 2), -0.25, {}}};
  EXPECT_EQ(logprobs, expected);
}

TEST(OpenAIStreamReaderTest, AnEmptyFinishReasonStillEndsTheAnswer) {
  const auto events = Read(
      R"(data: {"id":"c","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":""}]})"
      "\n\n",
      1000);  // no [DONE]: Finish completes it because a finish_reason came
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().kind, ChatEvent::Kind::kMessageStop);
}

TEST(OpenAIStreamReaderTest, ChunksThatAreNotOneJsonObjectFail) {
  for (const char* data : {
           R"([{"id":"c","choices":[]}])",              // an array
           "42",
           R"({"id":"c","choices":[{"index":0,"del)",  // truncated
           R"({"id":"c"}{"id":"d"})",
           R"({"id":"c","choices":[{"index":0,"delta":{"content":"\udc00"}}]})",
           "{\"id\":\"\xFF\"}",
           // Overflows a double: nlohmann threw out of the reader here.
           R"({"id":"c","choices":[{"index":0,"logprobs":{"content":[{"token":"a","logprob":-1e400}]}}]})",
       }) {
    StreamReader reader;
    std::vector<ChatEvent> events;
    const Status status =
        reader.Feed("data: " + std::string(data) + "\n\n", &events);
    EXPECT_EQ(status, Unavailable("upstream stream: a chunk is not a JSON object"))
        << data;
    EXPECT_TRUE(events.empty()) << data;
    EXPECT_FALSE(reader.finished());
  }
}

TEST(OpenAIStreamReaderTest, ARepeatedKeyCountsWithItsLastValue) {
  const auto events = Read(
      R"(data: {"id":"first","id":"last","choices":[{"index":0,"delta":)"
      R"({"content":"x","content":"y"},"finish_reason":"stop","finish_reason":null}]})"
      "\n\n",
      1000, /*finish=*/false);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].message_id, "last");
  EXPECT_EQ(events[2].delta, "y");
  StreamReader reader;
  std::vector<ChatEvent> more;
  ASSERT_TRUE(reader.Feed(
      R"(data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop","finish_reason":null}]})"
      "\n\n", &more).ok());
  EXPECT_FALSE(reader.Finish(&more).ok());  // the finish_reason that counts is null
}

}  // namespace
}  // namespace duet::wire::openai
