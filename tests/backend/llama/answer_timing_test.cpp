// AnswerTiming's log line: its arithmetic on fixed moments, and the engine
// writing one line per answer whose counts are the answer's own usage.
#include "backend/llama/answer_timing.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>

#include "backend/llama/engine.h"
#include "backend/llama/engine_answer.h"

namespace duet::llama {
namespace {

using std::chrono::milliseconds;

// The moments, in milliseconds from an arbitrary zero.
AnswerTiming At(int queued, int admitted, int prepared, int prefill, int first,
                int finished) {
  const AnswerTiming::Clock::time_point zero{milliseconds(1000)};
  return {.queued = zero + milliseconds(queued),
          .admitted = zero + milliseconds(admitted),
          .prepared = zero + milliseconds(prepared),
          .prefill_started = zero + milliseconds(prefill),
          .first_token = zero + milliseconds(first),
          .finished = zero + milliseconds(finished)};
}

TEST(AnswerTimingTest, RatesComeFromTheEnginesOwnMoments) {
  // 500 new prompt tokens in 250 ms; 41 tokens, the first with the prompt,
  // so 40 decoded in 500 ms.
  EXPECT_EQ(At(0, 12, 15, 16, 266, 766).Describe(500, 15, 41),
            "waited 12.0 ms, prepared in 3.00 ms; prompt 500 tokens (15 cached) "
            "in 250.0 ms, "
            "2000.0 t/s; 40 more tokens in 500.0 ms, 80.0 t/s");
}

TEST(AnswerTimingTest, TheTemplatesShareOfThePreparationIsShownWhenStamped) {
  AnswerTiming timing = At(0, 2, 3, 4, 14, 14);
  timing.rendered = timing.admitted + std::chrono::microseconds(310);
  EXPECT_EQ(timing.Describe(10, 0, 1),
            "waited 2.0 ms, prepared in 1.00 ms (template 0.31 ms); prompt 10 tokens "
            "(0 cached) in 10.0 ms, 1000.0 t/s");
}

TEST(AnswerTimingTest, MomentsNeverReachedAreLeftOut) {
  AnswerTiming no_prefill = At(0, 5, 6, 0, 0, 9);
  no_prefill.prefill_started = {};
  no_prefill.first_token = {};
  EXPECT_EQ(no_prefill.Describe(7, 0, 0), "waited 5.0 ms, prepared in 1.00 ms");
  // One token: it came with the prompt, so there is no decode to report.
  EXPECT_EQ(At(0, 0, 0, 0, 100, 100).Describe(50, 0, 1),
            "waited 0.0 ms, prepared in 0.00 ms; prompt 50 tokens (0 cached) in "
            "100.0 ms, "
            "500.0 t/s");
  // No time at all gives no rate rather than a division by zero.
  EXPECT_EQ(At(0, 0, 0, 10, 10, 10).Describe(3, 0, 2),
            "waited 0.0 ms, prepared in 0.00 ms; prompt 3 tokens (0 cached) in "
            "0.0 ms, -; "
            "1 more tokens in 0.0 ms, -");
}

TEST(AnswerTimingTest, TheEngineLogsEachAnswerWithItsOwnCounts) {
  RunnerOptions model;
  model.name = "tiny";
  model.path = DUET_TINY_MODEL;
  model.context = 256;
  model.slots = 1;
  model.threads = 1;
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {model}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();

  std::ostringstream logged;
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(logged)));
  ChatRequest request;
  request.model = "tiny";
  request.max_tokens = 6;
  request.sampling.temperature = 0;
  Message message;
  message.content.push_back(ContentBlock::Text("Tell me about the sea."));
  request.messages.push_back(std::move(message));
  const EngineAnswer answer = RunToEnd(**engine, request);
  ChatRequest again = request;  // the same prompt again: served from the cache
  const EngineAnswer cached = RunToEnd(**engine, again);
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  ASSERT_TRUE(cached.error.ok()) << cached.error.message();

  const std::string text = logged.str();
  EXPECT_EQ(text.find("model tiny: waited "), text.find("model tiny: "));
  for (const EngineAnswer* each : {&answer, &cached}) {
    const Usage& usage = each->response.usage;
    EXPECT_NE(text.find(fmt::format("prompt {} tokens ({} cached) in ",
                                    usage.input_tokens,
                                    usage.cache_read_input_tokens)),
              std::string::npos)
        << text;
    if (usage.output_tokens > 1) {
      EXPECT_NE(
          text.find(fmt::format("{} more tokens in ", usage.output_tokens - 1)),
          std::string::npos)
          << text;
    }
  }
  EXPECT_GT(cached.response.usage.cache_read_input_tokens, 0);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  // The runner stamps the template's end: both lines give its share.
  const size_t first_template = text.find(" ms (template ");
  ASSERT_NE(first_template, std::string::npos) << text;
  EXPECT_NE(text.find(" ms (template ", first_template + 1), std::string::npos) << text;
}

}  // namespace
}  // namespace duet::llama
