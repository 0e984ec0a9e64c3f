// SseDecoder: the WHATWG framing rules, with input cut at every position.
#include "wire/sse_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace duet::wire {
namespace {

// An on_event that keeps a copy of every event.
auto Collect(std::vector<SseEvent>* events) {
  return [events](const SseEvent& event) {
    events->push_back(event);
    return true;
  };
}

std::vector<SseEvent> DecodeWhole(std::string_view bytes) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  EXPECT_TRUE(decoder.Feed(bytes, Collect(&events)));
  return events;
}

// The same bytes fed one at a time must give the same events.
std::vector<SseEvent> DecodeBytewise(std::string_view bytes) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  for (char c : bytes) {
    EXPECT_TRUE(decoder.Feed(std::string_view(&c, 1), Collect(&events)));
  }
  return events;
}

// The same bytes cut in two at `cut`: a line may begin in one feed and end
// in the next, or lie whole in either.
std::vector<SseEvent> DecodeInTwo(std::string_view bytes, size_t cut) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  EXPECT_TRUE(decoder.Feed(bytes.substr(0, cut), Collect(&events)));
  EXPECT_TRUE(decoder.Feed(bytes.substr(cut), Collect(&events)));
  return events;
}

void ExpectEvents(std::string_view bytes,
                  const std::vector<std::pair<std::string, std::string>>& want) {
  std::vector<std::vector<SseEvent>> decodings = {DecodeWhole(bytes), DecodeBytewise(bytes)};
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    decodings.push_back(DecodeInTwo(bytes, cut));
  }
  for (const auto& events : decodings) {
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
  ASSERT_TRUE(decoder.Feed("data: partial\n", Collect(&events)));
  EXPECT_TRUE(events.empty());
  ASSERT_TRUE(decoder.Feed("\n", Collect(&events)));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data, "partial");
}

TEST(SseDecoderTest, OnEventReturningFalseStopsTheFeed) {
  SseDecoder decoder;
  std::vector<std::string> seen;
  EXPECT_TRUE(decoder.Feed("data: 1\n\ndata: 2\n\ndata: 3\n\n", [&](const SseEvent& event) {
    seen.push_back(event.data);
    return seen.size() < 2;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "2"}));
}

TEST(SseDecoderTest, UnicodeSplitAcrossFeedsSurvives) {
  const std::string bytes = "data: caf\xc3\xa9 \xe6\x97\xa5\n\n";
  EXPECT_EQ(DecodeBytewise(bytes).at(0).data, "caf\xc3\xa9 \xe6\x97\xa5");
}

TEST(SseDecoderTest, AnOversizedEventFailsAndStaysFailed) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  const std::string chunk(1024 * 1024, 'x');
  bool ok = decoder.Feed("data: ", Collect(&events));
  for (size_t sent = 0; ok && sent <= SseDecoder::kMaxEventBytes;
       sent += chunk.size()) {
    ok = decoder.Feed(chunk, Collect(&events));
  }
  EXPECT_FALSE(ok);
  EXPECT_FALSE(decoder.Feed("\n\ndata: after\n\n", Collect(&events)));
  EXPECT_TRUE(events.empty());
}

}  // namespace
}  // namespace duet::wire
