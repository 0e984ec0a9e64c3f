// EventGate: a backend's events wait until the sink they go to is known,
// then reach it once each, in order, one at a time.
#include "route/event_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "support/collecting_sink.h"

namespace duet {
namespace {

using testing::CollectingSink;

ChatEvent Text(int n) {
  return ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, std::to_string(n));
}

// The numbers the sink got, in the order it got them.
std::vector<int> Numbers(const CollectingSink& sink) {
  std::vector<int> numbers;
  for (const ChatEvent& event : sink.events()) {
    if (event.kind == ChatEvent::Kind::kBlockDelta) {
      numbers.push_back(std::stoi(event.delta));
    }
  }
  return numbers;
}

TEST(EventGateTest,
     HeldEventsReachTheTargetInOrderWhenItOpensAndLaterOnesPassStraight) {
  EventGate gate;
  gate.OnEvent(ChatEvent::MessageStart("msg_1", "qwen", {}));
  gate.OnEvent(Text(1));
  auto sink = std::make_shared<CollectingSink>();
  gate.Open(sink);
  EXPECT_EQ(sink->events().size(), 2u);
  EXPECT_EQ(sink->events()[0].kind, ChatEvent::Kind::kMessageStart);
  gate.OnEvent(Text(2));
  gate.OnEvent(ChatEvent::MessageStop());
  EXPECT_EQ(Numbers(*sink), (std::vector<int>{1, 2}));
  EXPECT_EQ(sink->terminal_count(), 1);
}

// A target that takes its time while the backend keeps sending from its
// own thread: nothing is lost, duplicated, reordered or sent concurrently.
TEST(EventGateTest, EventsSentWhileItOpensKeepTheirOrder) {
  for (int round = 0; round < 20; ++round) {
    EventGate gate;
    std::atomic<int> inside{0};
    std::atomic<bool> overlapped{false};
    auto sink = std::make_shared<CollectingSink>([&](const ChatEvent&) {
      if (inside.fetch_add(1) != 0) {
        overlapped = true;
      }
      std::this_thread::yield();
      inside.fetch_sub(1);
    });
    constexpr int kEvents = 2000;
    std::atomic<bool> go{false};
    std::thread backend([&] {
      for (int n = 0; n < kEvents; ++n) {
        if (n == 50) {
          go = true;
        }
        gate.OnEvent(Text(n));
      }
      gate.OnEvent(ChatEvent::MessageStop());
    });
    while (!go) {
      std::this_thread::yield();
    }
    gate.Open(sink);
    backend.join();
    ASSERT_TRUE(sink->WaitForTerminal());
    const std::vector<int> numbers = Numbers(*sink);
    ASSERT_EQ(numbers.size(), static_cast<size_t>(kEvents));
    for (int n = 0; n < kEvents; ++n) {
      ASSERT_EQ(numbers[n], n);
    }
    EXPECT_EQ(sink->terminal_count(), 1);
    EXPECT_FALSE(overlapped);
  }
}

}  // namespace
}  // namespace duet
