// AnswerTracker: the ledger entry of an answer as ChatBridge delivers it.
#include "api/answer_tracker.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "support/fake_clock.h"

namespace duet::api {
namespace {

// Keeps the one entry recorded.
class KeepingRecorder final : public AnswerRecorder {
 public:
  void Record(LedgerEntry&& entry) override { entry_ = std::move(entry); }
  void RecordFeedback(FeedbackEntry) override {}
  void RecordShadow(ShadowEntry) override {}
  const std::optional<LedgerEntry>& entry() const { return entry_; }

 private:
  std::optional<LedgerEntry> entry_;
};

ChatEvent Start(const std::string& backend, const std::string& model,
                Usage usage, const std::string& fallback_reason = "") {
  ChatEvent start = ChatEvent::MessageStart("msg", model, usage);
  start.mutable_route().backend = backend;
  start.mutable_route().fallback_reason = fallback_reason;
  return start;
}

class AnswerTrackerTest : public ::testing::Test {
 protected:
  // A request arriving now, recorded by recorder_, its answer's text kept.
  AnswerRecording Recording() {
    AnswerRecording recording;
    recording.recorder = &recorder_;
    recording.clock = &clock_;
    recording.arrived = clock_.SteadyNow();
    recording.capture_answer = true;
    recording.entry.request_id = "req_1";
    return recording;
  }

  testing::FakeClock clock_;
  KeepingRecorder recorder_;
};

TEST_F(AnswerTrackerTest, ARestartForgetsTheDroppedAnswer) {
  {
    AnswerTracker tracker(Recording());
    // Claude starts, then its stream fails part way: the client saw none of it.
    tracker.Observe(
        Start("anthropic", "claude-haiku-4-5", Usage{.input_tokens = 900}));
    clock_.Advance(std::chrono::milliseconds(40));
    tracker.Observe(
        ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, "half of Claude's"));
    clock_.Advance(std::chrono::milliseconds(60));
    tracker.Restart();
    // The fallback's answer is what the client gets.
    tracker.Observe(Start("llama", "tiny", Usage{.input_tokens = 12},
                          "anthropic: Overloaded"));
    clock_.Advance(std::chrono::milliseconds(25));
    tracker.Observe(ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, "local"));
    tracker.Observe(ChatEvent::MessageDelta(
        StopReason::kMaxTokens, Usage{.input_tokens = 12, .output_tokens = 3}));
    tracker.Observe(ChatEvent::MessageStop());
  }
  ASSERT_TRUE(recorder_.entry().has_value());
  const LedgerEntry& entry = *recorder_.entry();
  EXPECT_EQ(entry.request_id, "req_1");
  EXPECT_EQ(entry.backend, "llama");
  EXPECT_EQ(entry.model, "tiny");
  EXPECT_EQ(entry.outcome, AnswerOutcome::kFallback);
  EXPECT_EQ(entry.fallback_reason, "anthropic: Overloaded");
  EXPECT_EQ(entry.usage.input_tokens, 12);
  EXPECT_EQ(entry.usage.output_tokens, 3);
  EXPECT_EQ(entry.stop_reason, "max_tokens");
  EXPECT_EQ(entry.answer, std::optional<std::string>("local"));
  EXPECT_EQ(entry.ttft_ms, 125);  // the fallback's first output, from arrival
  EXPECT_EQ(entry.latency_ms, 125);
}

TEST_F(AnswerTrackerTest,
       AFallbackThatFailsAfterARestartIsRecordedAsItsFailure) {
  {
    AnswerTracker tracker(Recording());
    tracker.Observe(
        Start("anthropic", "claude-haiku-4-5", Usage{.input_tokens = 900}));
    tracker.Restart();
    // The local model refuses at once: its error carries its route.
    ChatEvent refused =
        ChatEvent::Failure(Status(ErrorCode::kResourceExhausted, "queue full"));
    refused.mutable_route().backend = "llama";
    refused.mutable_route().fallback_reason = "anthropic: Overloaded";
    tracker.Observe(std::move(refused));
  }
  ASSERT_TRUE(recorder_.entry().has_value());
  const LedgerEntry& entry = *recorder_.entry();
  EXPECT_EQ(entry.backend, "llama");
  EXPECT_EQ(entry.fallback_reason, "anthropic: Overloaded");
  EXPECT_EQ(entry.outcome, AnswerOutcome::kError);
  EXPECT_EQ(entry.error_message, "queue full");
  EXPECT_EQ(entry.model, "");
  EXPECT_EQ(entry.usage.input_tokens, 0);
}

}  // namespace
}  // namespace duet::api
