// AnswerRecorder: where the api layer hands every finished request.
//
// LedgerRecorder, the server's recorder, prices the entry (AnswerPricer),
// adds it to the metrics and queues it for the ledger's writer thread.
//
// Thread safety: Record is called from any thread, once per request, and
// never blocks on I/O.
#pragma once

#include "cost/answer_pricer.h"
#include "ledger/answer_metrics.h"
#include "ledger/ledger_entry.h"
#include "ledger/ledger_writer.h"

namespace duet {

class AnswerRecorder {
 public:
  virtual ~AnswerRecorder() = default;
  // `entry` arrives unpriced: cost fields are filled by the recorder, which
  // may move from it.
  virtual void Record(LedgerEntry&& entry) = 0;
  // A client's verdict on an earlier answer.
  virtual void RecordFeedback(FeedbackEntry feedback) = 0;
  // A shadow evaluation's result (priced already).
  virtual void RecordShadow(ShadowEntry shadow) = 0;
};

class LedgerRecorder final : public AnswerRecorder {
 public:
  // `writer` and `metrics` may be null (no ledger file, no metrics); both
  // must outlive the recorder.
  // `store_content`: keep feedback comments (ledger.store_content).
  LedgerRecorder(AnswerPricer pricer, LedgerWriter* writer, AnswerMetrics* metrics,
                 bool store_content = false)
      : pricer_(std::move(pricer)),
        writer_(writer),
        metrics_(metrics),
        store_content_(store_content) {}

  void Record(LedgerEntry&& entry) override;
  void RecordFeedback(FeedbackEntry feedback) override;
  void RecordShadow(ShadowEntry shadow) override;

 private:
  const AnswerPricer pricer_;
  LedgerWriter* writer_;
  AnswerMetrics* metrics_;
  const bool store_content_;
};

}  // namespace duet
