// StreamReader: Anthropic SSE read back into ChatEvents. The golden streams
// are the hand-written transcripts StreamWriter is held to; reading one and
// writing it again must give the same bytes, whatever the read chunking.
#include "wire/anthropic/messages_stream_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "golden_file.h"
#include "wire/anthropic/messages_stream.h"

namespace duet::wire::anthropic {
namespace {

using testing::ReadGolden;

// Reads `bytes` in chunks of `chunk` bytes; fails the test on a Status.
std::vector<ChatEvent> Read(std::string_view bytes, size_t chunk) {
  StreamReader reader;
  std::vector<ChatEvent> events;
  for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
    Status status = reader.Feed(bytes.substr(pos, chunk), &events);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  return events;
}

std::string Write(const std::vector<ChatEvent>& events) {
  StreamWriter writer;
  std::string out;
  for (const ChatEvent& event : events) {
    writer.Append(event, &out);
  }
  return out;
}

struct GoldenCase {
  const char* file;
  // The reader keeps usage cumulative: a message_delta that omits
  // input_tokens gets message_start's, which the writer then prints.
  const char* written_usage_from = "";
  const char* written_usage_to = "";
};

class GoldenStreamTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenStreamTest, ReadThenWrittenAgainMatches) {
  const std::string golden = ReadGolden(GetParam().file);
  ASSERT_FALSE(golden.empty());
  std::string expected = golden;
  if (const std::string from = GetParam().written_usage_from; !from.empty()) {
    const size_t at = expected.find(from);
    ASSERT_NE(at, std::string::npos);
    expected.replace(at, from.size(), GetParam().written_usage_to);
  }
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{64}, golden.size()}) {
    EXPECT_EQ(Write(Read(golden, chunk)), expected) << "chunk " << chunk;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Golden, GoldenStreamTest,
    ::testing::Values(GoldenCase{"text_stream.sse",
                                 "\"usage\":{\"output_tokens\":6}",
                                 "\"usage\":{\"input_tokens\":11,"
                                 "\"output_tokens\":6}"},
                      GoldenCase{"tool_use_stream.sse"},
                      GoldenCase{"thinking_stream.sse"},
                      GoldenCase{"error_stream.sse"}));

TEST(StreamReaderTest, RecordedStreamWithSpacedPingAndExtraFields) {
  // As the API sends it: "caller" on the tool block, service_tier in usage,
  // a ping with a space in its JSON, and an event type from the future.
  const std::string stream =
      "event: message_start\n"
      "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":472,\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"output_tokens\":2,\"service_tier\":\"standard\"}}}\n\n"
      "event: content_block_start\n"
      "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"caller\":{\"type\":\"direct\"},\"input\":{}}}\n\n"
      "event: ping\n"
      "data: {\"type\": \"ping\"}\n\n"
      "event: shiny_new_event\n"
      "data: {\"type\":\"shiny_new_event\"}\n\n"
      "event: content_block_delta\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"ci\"}}\n\n"
      "event: content_block_delta\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{}}}\n\n"
      "event: content_block_stop\n"
      "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "event: message_delta\n"
      "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":40}}\n\n"
      "event: message_stop\n"
      "data: {\"type\":\"message_stop\"}\n\n";
  const std::vector<ChatEvent> events = Read(stream, 5);
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].kind, ChatEvent::Kind::kMessageStart);
  EXPECT_EQ(events[0].message_id, "msg_1");
  EXPECT_EQ(events[0].model, "claude-sonnet-4-5");
  EXPECT_EQ(events[0].usage.input_tokens, 472);
  EXPECT_EQ(events[0].usage.cache_read_input_tokens, 100);
  EXPECT_EQ(events[1].block().type, BlockType::kToolUse);
  EXPECT_EQ(events[1].block().tool_id, "toolu_1");
  EXPECT_EQ(events[1].block().tool_name, "get_weather");
  EXPECT_EQ(events[2].kind, ChatEvent::Kind::kPing);
  EXPECT_EQ(events[3].delta_kind, ChatEvent::DeltaKind::kInputJson);
  EXPECT_EQ(events[3].delta, "{\"ci");
  EXPECT_EQ(events[4].kind, ChatEvent::Kind::kBlockStop);
  // message_delta usage overwrites output_tokens and keeps the rest.
  EXPECT_EQ(events[5].stop_reason, StopReason::kToolUse);
  EXPECT_EQ(events[5].usage.output_tokens, 40);
  EXPECT_EQ(events[5].usage.input_tokens, 472);
  EXPECT_EQ(events[5].usage.cache_creation_input_tokens, 5);
  EXPECT_EQ(events[6].kind, ChatEvent::Kind::kMessageStop);
}

TEST(StreamReaderTest, MidStreamErrorKeepsItsKind) {
  const std::vector<ChatEvent> events = Read(
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"later\"}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
      3);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, ChatEvent::Kind::kError);
  EXPECT_EQ(events[1].error,
            Status(ErrorCode::kResourceExhausted, "later"));
}

TEST(StreamReaderTest, ProtocolViolationsFail) {
  const char* bad[] = {
      "data: not json\n\n",
      "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
      "event: message_start\ndata: {\"type\":\"message_start\"}\n\n",
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n"
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n",
  };
  for (const char* stream : bad) {
    StreamReader reader;
    std::vector<ChatEvent> events;
    const Status status = reader.Feed(stream, &events);
    EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << stream;
    EXPECT_FALSE(reader.finished());
  }
}

TEST(StreamReaderTest, EventTypeComesFromJsonWhenTheEventLineIsMissing) {
  const std::vector<ChatEvent> events = Read(
      "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\"}}\n\n"
      "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\"}}\n\n"
      "data: {\"type\":\"message_stop\"}\n\n",
      1000);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[1].stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(events[2].kind, ChatEvent::Kind::kMessageStop);
}

// message_start then `events`, as one stream.
std::string Started(std::string_view events) {
  return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":"
         "{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":3,"
         "\"output_tokens\":1}}}\n\n" +
         std::string(events);
}

// A text block's content_block_start at `index`.
std::string TextStart(int64_t index = 0) {
  return "event: content_block_start\ndata: {\"type\":\"content_block_start\","
         "\"index\":" +
         std::to_string(index) +
         ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";
}

std::string Event(std::string_view type, std::string_view members = "") {
  return "event: " + std::string(type) + "\ndata: {\"type\":\"" +
         std::string(type) + "\"" + std::string(members) + "}\n\n";
}

TEST(StreamReaderTest, BlocksOutOfTheApisOrderFail) {
  const std::string delta =
      ",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}";
  const std::string stop0 = Event("content_block_stop", ",\"index\":0");
  const std::string message_delta =
      Event("message_delta", ",\"delta\":{\"stop_reason\":\"end_turn\"}");
  const std::pair<std::string, std::string> cases[] = {
      {Event("content_block_delta", ",\"index\":0" + delta),
       "content_block_delta for a block that is not open (index 0)"},
      {TextStart(1), "content_block_start with index 1, expected 0"},
      {TextStart(0) + TextStart(1), "content_block_start inside another block"},
      {TextStart(0) + Event("content_block_delta", ",\"index\":1" + delta),
       "content_block_delta for a block that is not open (index 1)"},
      {TextStart(0) + stop0 + stop0,
       "content_block_stop for a block that is not open (index 0)"},
      {TextStart(0) + message_delta, "message_delta inside a block"},
      {TextStart(0) + stop0 + message_delta + TextStart(1),
       "content_block_start after message_delta"},
      {TextStart(0) + Event("message_stop"), "message_stop inside a block"},
      {TextStart(1099511627776),
       "content_block_start with index 1099511627776, expected 0"},
  };
  for (const auto& [stream, why] : cases) {
    StreamReader reader;
    std::vector<ChatEvent> events;
    EXPECT_EQ(reader.Feed(Started(stream), &events),
              Unavailable("upstream stream: " + why))
        << stream;
    EXPECT_FALSE(reader.finished());
  }
}

TEST(StreamReaderTest, EventsWithoutAnIndexAreAboutTheOpenBlock) {
  const std::string delta =
      ",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}";
  const std::vector<ChatEvent> events =
      Read(Started(TextStart(0) + Event("content_block_stop") +
                   Event("content_block_start",
                         ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}") +
                   Event("content_block_delta", delta) +
                   Event("content_block_stop") + Event("message_stop")),
           1000);
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[3].kind, ChatEvent::Kind::kBlockStart);
  EXPECT_EQ(events[3].index, 1);
  EXPECT_EQ(events[4].index, 1);
  EXPECT_EQ(events[4].delta, "x");
  EXPECT_EQ(events[5].index, 1);
  // The message_delta the upstream left out: end_turn, the usage so far.
  EXPECT_EQ(events[6].kind, ChatEvent::Kind::kMessageDelta);
  EXPECT_EQ(events[6].stop_reason, StopReason::kEndTurn);
  EXPECT_EQ(events[6].usage.input_tokens, 3);
  EXPECT_EQ(events[7].kind, ChatEvent::Kind::kMessageStop);
}

TEST(StreamReaderTest, TextDeltasDecodeEscapesAndSurrogatePairs) {
  const std::vector<ChatEvent> events = Read(
      Started(TextStart() + "event: content_block_delta\n"
              "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
              "{\"type\":\"text_delta\",\"text\":\"caf\\u00e9 \\ud83d\\ude00 "
              "\\\"q\\\" \\\\ \\n\xE2\x82\xAC\"}}\n\n"),
      3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].delta,
            "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ \n\xE2\x82\xAC");
}

TEST(StreamReaderTest, NumbersThatAreNotCountsCountAsAbsent) {
  // A float (even 1.0), a string, a number beyond 64 bits, a negative
  // number or one above a billion is no count, so usage keeps its value
  // (and the index counts as absent: the block that is open).
  const std::vector<ChatEvent> events = Read(
      Started(TextStart() + "event: content_block_stop\n"
              "data: {\"type\":\"content_block_stop\",\"index\":1.0}\n\n"
              "event: message_delta\n"
              "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
              "\"end_turn\"},\"usage\":{\"input_tokens\":7.5,\"output_tokens\":"
              "100000000000000000000,\"cache_read_input_tokens\":\"9\","
              "\"cache_creation_input_tokens\":-2}}\n\n"
              "event: message_delta\n"
              "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
              "\"end_turn\"},\"usage\":{\"input_tokens\":1000000001,"
              "\"output_tokens\":9223372036854775807,"
              "\"cache_read_input_tokens\":1000000000}}\n\n"),
      1000);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[2].kind, ChatEvent::Kind::kBlockStop);
  EXPECT_EQ(events[2].index, 0);
  EXPECT_EQ(events[3].usage.input_tokens, 3);
  EXPECT_EQ(events[3].usage.output_tokens, 1);
  EXPECT_EQ(events[3].usage.cache_read_input_tokens, 0);
  EXPECT_EQ(events[3].usage.cache_creation_input_tokens, 0);
  // Beyond a billion is no count either; a billion is.
  EXPECT_EQ(events[4].usage.input_tokens, 3);
  EXPECT_EQ(events[4].usage.output_tokens, 1);
  EXPECT_EQ(events[4].usage.cache_read_input_tokens, 1'000'000'000);
}

TEST(StreamReaderTest, ARepeatedUsageCountTakesItsLastValue) {
  // As nlohmann's parse would: the last value of a repeated key, and a last
  // null leaves the count as it was.
  const std::vector<ChatEvent> events = Read(
      Started("event: message_delta\n"
              "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
              "\"end_turn\"},\"usage\":{\"output_tokens\":5,\"output_tokens\":9,"
              "\"input_tokens\":4,\"input_tokens\":null}}\n\n"),
      1000);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].usage.output_tokens, 9);
  EXPECT_EQ(events[1].usage.input_tokens, 3);
}

TEST(StreamReaderTest, DataThatIsNotOneJsonObjectFails) {
  for (const char* data : {
           "[{\"type\":\"ping\"}]",                       // an array
           "\"ping\"",                                      // a string
           "{\"type\":\"content_block_delta\",\"index\":0,\"de",  // truncated
           "{\"type\":\"ping\"} {\"type\":\"ping\"}",       // two objects
           "{\"type\":\"ping\",\"x\":\"\\ud800\"}",          // lone surrogate
           "{\"type\":\"ping\",\"x\":\"\xC3(\"}",              // bad UTF-8
           // Overflows a double: nlohmann threw out of the reader here.
           "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":1e400}}",
       }) {
    StreamReader reader;
    std::vector<ChatEvent> events;
    const Status status = reader.Feed(
        Started("event: ping\ndata: " + std::string(data) + "\n\n"), &events);
    EXPECT_EQ(status, Unavailable("upstream stream: event data is not a JSON "
                                  "object"))
        << data;
    EXPECT_EQ(events.size(), 1u) << data;  // message_start only
    EXPECT_FALSE(reader.finished());
  }
}

TEST(StreamReaderTest, ARepeatedKeyCountsWithItsLastValue) {
  const std::vector<ChatEvent> events = Read(
      "data: {\"type\":\"message_start\",\"message\":{\"id\":\"first\","
      "\"id\":\"last\",\"model\":\"c\"}}\n\n"
      "data: {\"type\":\"ping\",\"type\":\"message_stop\"}\n\n",
      1000);
  ASSERT_EQ(events.size(), 3u);  // with the message_delta it left out
  EXPECT_EQ(events[0].message_id, "last");
  EXPECT_EQ(events[2].kind, ChatEvent::Kind::kMessageStop);
}

TEST(StreamReaderTest, AnUnknownBlockTypeIsCarriedAsNlohmannRendersIt) {
  // The raw text is nlohmann's compact rendering, as it always was: key
  // order kept, numbers normalised, escapes decoded.
  const std::vector<ChatEvent> events = Read(
      Started("event: content_block_start\n"
              "data: {\"type\":\"content_block_start\",\"index\":0,"
              "\"content_block\": {\"type\": \"server_tool_use\", \"id\":\"srv_1\","
              "\"input\":{\"q\":\"caf\\u00e9\",\"n\":1.50,\"e\":1E2,\"big\":"
              "100000000000000000000,\"z\":[]}}}\n\n"),
      2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].index, 0);
  EXPECT_EQ(events[1].block().type, BlockType::kOther);
  EXPECT_EQ(events[1].block().raw.text,
            "{\"type\":\"server_tool_use\",\"id\":\"srv_1\",\"input\":"
            "{\"q\":\"caf\xC3\xA9\",\"n\":1.5,\"e\":100.0,\"big\":1e+20,"
            "\"z\":[]}}");
}

TEST(StreamReaderTest, AnEventLargerThanTheSharedParserReads) {
  const std::string text(200 * 1024, 'a');
  const std::vector<ChatEvent> events = Read(
      Started(TextStart() + "event: content_block_delta\n"
              "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
              "{\"type\":\"text_delta\",\"text\":\"" +
              text + "\"}}\n\n"),
      4096);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].delta, text);
}

}  // namespace
}  // namespace duet::wire::anthropic
