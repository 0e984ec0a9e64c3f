// SseDecoder: the WHATWG framing rules, with input cut at every position.
#include "wire/sse_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace duet::wire {
namespace {

std::vector<SseEvent> DecodeWhole(std::string_view bytes) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  EXPECT_TRUE(decoder.Feed(bytes, &events));
  return events;
}

// The same bytes fed one at a time must give the same events.
std::vector<SseEvent> DecodeBytewise(std::string_view bytes) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  for (char c : bytes) {
    EXPECT_TRUE(decoder.Feed(std::string_view(&c, 1), &events));
  }
  return events;
}

void ExpectEvents(std::string_view bytes,
                  const std::vector<std::pair<std::string, std::string>>& want) {
  for (const auto& events : {DecodeWhole(bytes), DecodeBytewise(bytes)}) {
    ASSERT_EQ(events.size(), want.size()) << bytes;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(events[i].event, want[i].first) << i;
      EXPECT_EQ(events[i].data, want[i].second) << i;
    }
  }
}

TEST(SseDecoderTest, EventAndDataLines) {
  ExpectEvents("event: ping\ndata: {\"type\": \"ping\"}\n\n",
               {{"ping", "{\"type\": \"ping\"}"}});
}

TEST(SseDecoderTest, LineEndingsMayBeCrLfOrCr) {
  ExpectEvents("event: a\r\ndata: 1\r\n\r\nevent: b\rdata: 2\r\rdata: 3\n\n",
               {{"a", "1"}, {"b", "2"}, {"", "3"}});
}

TEST(SseDecoderTest, CommentsAndUnknownFieldsAreIgnored) {
  ExpectEvents(": keep-alive\nid: 7\nretry: 100\nfoo: bar\ndata: x\n\n",
               {{"", "x"}});
}

TEST(SseDecoderTest, OnlyOneSpaceAfterTheColonIsDropped) {
  ExpectEvents("data:tight\n\ndata:  two\n\n", {{"", "tight"}, {"", " two"}});
}

TEST(SseDecoderTest, DataLinesJoinWithNewlines) {
  ExpectEvents("data: a\ndata: b\ndata\n\n", {{"", "a\nb\n"}});
}

TEST(SseDecoderTest, AnEventWithoutDataIsNotDispatched) {
  ExpectEvents("event: lonely\n\n\n\ndata: [DONE]\n\n", {{"", "[DONE]"}});
}

TEST(SseDecoderTest, TheEventNameDoesNotLeakIntoTheNextEvent) {
  ExpectEvents("event: first\ndata: 1\n\ndata: 2\n\n", {{"first", "1"}, {"", "2"}});
}

TEST(SseDecoderTest, AnUnterminatedEventIsHeldBack) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  ASSERT_TRUE(decoder.Feed("data: partial\n", &events));
  EXPECT_TRUE(events.empty());
  ASSERT_TRUE(decoder.Feed("\n", &events));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "partial");
}

TEST(SseDecoderTest, UnicodeSplitAcrossFeedsSurvives) {
  const std::string bytes = "data: caf\xc3\xa9 \xe6\x97\xa5\n\n";
  EXPECT_EQ(DecodeBytewise(bytes).at(0).data, "caf\xc3\xa9 \xe6\x97\xa5");
}

TEST(SseDecoderTest, AnOversizedEventFailsAndStaysFailed) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  const std::string chunk(1024 * 1024, 'x');
  bool ok = decoder.Feed("data: ", &events);
  for (size_t sent = 0; ok && sent <= SseDecoder::kMaxEventBytes;
       sent += chunk.size()) {
    ok = decoder.Feed(chunk, &events);
  }
  EXPECT_FALSE(ok);
  EXPECT_FALSE(decoder.Feed("\n\ndata: after\n\n", &events));
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace duet::wire
