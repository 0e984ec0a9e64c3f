#include "backend/llama/answer_timing.h"

#include <fmt/format.h>

namespace duet::llama {
namespace {

double Milliseconds(AnswerTiming::Clock::duration span) {
  return std::chrono::duration<double, std::milli>(span).count();
}

// "12.3 t/s", or "-" when no time passed (a rate would be meaningless).
std::string Rate(int64_t tokens, double milliseconds) {
  if (milliseconds <= 0) {
    return "-";
  }
  return fmt::format("{:.1f} t/s",
                     static_cast<double>(tokens) * 1000.0 / milliseconds);
}

}  // namespace

std::string AnswerTiming::Describe(int64_t prompt_tokens, int64_t cached_tokens,
                                   int64_t generated_tokens) const {
  const Clock::time_point unset{};
  std::string line = fmt::format("waited {:.1f} ms, prepared in {:.2f} ms",
                                 Milliseconds(admitted - queued),
                                 Milliseconds(prepared - admitted));
  if (rendered != unset) {
    line +=
        fmt::format(" (template {:.2f} ms)", Milliseconds(rendered - admitted));
  }
  if (prefill_started != unset && first_token != unset) {
    const double prefill = Milliseconds(first_token - prefill_started);
    line += fmt::format("; prompt {} tokens ({} cached) in {:.1f} ms, {}",
                        prompt_tokens, cached_tokens, prefill,
                        Rate(prompt_tokens, prefill));
  }
  if (first_token != unset && generated_tokens > 1) {
    // The first token came with the prompt's last step; the rest are decode.
    const double decode = Milliseconds(finished - first_token);
    line +=
        fmt::format("; {} more tokens in {:.1f} ms, {}", generated_tokens - 1,
                    decode, Rate(generated_tokens - 1, decode));
  }
  return line;
}

}  // namespace duet::llama
