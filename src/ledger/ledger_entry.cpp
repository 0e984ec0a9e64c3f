#include "ledger/ledger_entry.h"

namespace duet {

std::string_view AnswerOutcomeName(AnswerOutcome outcome) {
  switch (outcome) {
    case AnswerOutcome::kOk:
      return "ok";
    case AnswerOutcome::kFallback:
      return "fallback";
    case AnswerOutcome::kEscalated:
      return "escalated";
    case AnswerOutcome::kError:
      return "error";
    case AnswerOutcome::kCancelled:
      return "cancelled";
  }
  return "ok";
}

}  // namespace duet
