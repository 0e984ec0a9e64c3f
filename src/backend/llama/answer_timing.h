// AnswerTiming: where one local answer's time went, for the log line the
// runner writes when the answer ends (as llama-server prints its timings).
//
// The runner stamps each moment as it passes: queued (Submit), admitted (a
// slot took it), rendered (its chat template applied), prepared (its
// prompt tokenised and a slot readied),
// prefill_started (the first decode step that held its prompt tokens),
// first_token (its first token sampled, i.e. the prompt's last step done)
// and finished. Rates come from the engine's own clock, so they
// separate the model's speed from what HTTP, routing and the client add.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace duet::llama {

struct AnswerTiming {
  using Clock = std::chrono::steady_clock;
  Clock::time_point queued{};
  Clock::time_point admitted{};
  Clock::time_point rendered{};  // unset when not stamped
  Clock::time_point prepared{};
  Clock::time_point prefill_started{};  // unset until its first prompt step
  Clock::time_point first_token{};      // unset until its first sample
  Clock::time_point finished{};

  // One line: the wait for a slot, the template and tokeniser's time (in
  // hundredths of a millisecond, with the template's share), the
  // prompt's new and cached tokens with their time and rate, and the
  // generated tokens after the first with theirs. A moment never reached (an
  // answer of zero tokens) is left out.
  std::string Describe(int64_t prompt_tokens, int64_t cached_tokens,
                       int64_t generated_tokens) const;
};

}  // namespace duet::llama
