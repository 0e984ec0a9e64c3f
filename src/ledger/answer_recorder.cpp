#include "ledger/answer_recorder.h"

#include <utility>

namespace duet {

void LedgerRecorder::Record(LedgerEntry&& entry) {
  entry.cost_usd = pricer_.ActualUsd(entry.backend, entry.model, entry.local, entry.usage,
                                     entry.local_busy_seconds);
  const ClaudeTierCosts tiers = pricer_.TierCosts(entry.usage);
  entry.claude_haiku_usd = tiers.haiku;
  entry.claude_sonnet_usd = tiers.sonnet;
  entry.claude_opus_usd = tiers.opus;
  entry.local_attempt_usd = pricer_.ElectricityUsd(entry.local_attempt_seconds);
  if (entry.sensitive) {
    entry.prompt.reset();
    entry.answer.reset();
  }
  if (metrics_ != nullptr) {
    metrics_->Observe(entry);
  }
  if (writer_ != nullptr) {
    writer_->Enqueue(std::move(entry));
  }
}

void LedgerRecorder::RecordFeedback(FeedbackEntry feedback) {
  if (!store_content_) {
    feedback.comment.clear();
  }
  if (metrics_ != nullptr) {
    metrics_->ObserveFeedback(feedback.score);
  }
  if (writer_ != nullptr) {
    writer_->EnqueueFeedback(std::move(feedback));
  }
}

void LedgerRecorder::RecordShadow(ShadowEntry shadow) {
  if (metrics_ != nullptr) {
    metrics_->ObserveShadow(shadow);
  }
  if (writer_ != nullptr) {
    writer_->EnqueueShadow(std::move(shadow));
  }
}

}  // namespace duet
