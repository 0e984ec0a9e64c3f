// Adapter cost: parse a typical ~2 KB client request into the canonical model
// and render an answer back, for both APIs, next to the floor cost of simply
// parsing and re-serialising the same JSON with nlohmann-json.
//
//   cmake --preset release && cmake --build --preset release --target duet_bench_adapters
//   build/release/bench/duet_bench_adapters
//
// Besides Google Benchmark's table it prints "ratio" lines: adapter time over
// the raw-JSON floor.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "wire/anthropic/messages_request.h"
#include "wire/anthropic/messages_response.h"
#include "wire/anthropic/messages_stream.h"
#include "wire/openai/chat_request.h"
#include "wire/openai/chat_response.h"
#include "wire/openai/chat_stream.h"
#include "bench/typical_requests.h"

namespace duet {
namespace {

ChatResponse TypicalAnswer() {
  ChatResponse response;
  response.id = "msg_bench";
  response.model = "claude-sonnet-4-5";
  response.content.push_back(ContentBlock::Text(std::string(
      "Yes: without a timeout a hung upstream holds the lock forever. Use a "
      "per-path singleflight and set client.Timeout.")));
  response.usage = {.input_tokens = 512, .output_tokens = 40};
  return response;
}

void BM_RawJsonParseDump(benchmark::State& state, const std::string& body) {
  for (auto _ : state) {
    auto parsed = nlohmann::ordered_json::parse(body);
    std::string out = parsed.dump();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_AnthropicParseRender(benchmark::State& state) {
  const std::string body = bench::TypicalAnthropicBody();
  const ChatResponse answer = TypicalAnswer();
  for (auto _ : state) {
    Result<ChatRequest> request = wire::anthropic::ParseMessagesRequest(body);
    std::string out = wire::anthropic::WriteMessage(answer);
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_OpenAIParseRender(benchmark::State& state) {
  const std::string body = bench::TypicalOpenAIBody();
  const ChatResponse answer = TypicalAnswer();
  for (auto _ : state) {
    Result<ChatRequest> request = wire::openai::ParseChatCompletionRequest(body);
    std::string out = wire::openai::WriteChatCompletion(answer, 1735000000);
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

// One streamed token: the per-token cost of the SSE path.
void BM_AnthropicStreamDelta(benchmark::State& state) {
  wire::anthropic::StreamWriter writer;
  const ChatEvent delta = ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, " token");
  std::string out;
  for (auto _ : state) {
    out.clear();
    writer.Append(delta, &out);
    benchmark::DoNotOptimize(out);
  }
}

void BM_OpenAIStreamDelta(benchmark::State& state) {
  wire::openai::StreamWriter writer("chatcmpl-bench", "gpt-4o", 1735000000, true);
  std::string out;
  writer.Append(ChatEvent::MessageStart("m", "gpt-4o", {}), &out);
  writer.Append(ChatEvent::BlockStart(0, ContentBlock::Text("")), &out);
  const ChatEvent delta = ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, " token");
  for (auto _ : state) {
    out.clear();
    writer.Append(delta, &out);
    benchmark::DoNotOptimize(out);
  }
}

BENCHMARK_CAPTURE(BM_RawJsonParseDump, anthropic_body, bench::TypicalAnthropicBody());
BENCHMARK(BM_AnthropicParseRender);
BENCHMARK_CAPTURE(BM_RawJsonParseDump, openai_body, bench::TypicalOpenAIBody());
BENCHMARK(BM_OpenAIParseRender);
BENCHMARK(BM_AnthropicStreamDelta);
BENCHMARK(BM_OpenAIStreamDelta);

// Prints adapter-time / raw-JSON-floor ratios after the table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      times_[run.benchmark_name()] = run.GetAdjustedRealTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    PrintRatio("BM_AnthropicParseRender", "BM_RawJsonParseDump/anthropic_body");
    PrintRatio("BM_OpenAIParseRender", "BM_RawJsonParseDump/openai_body");
  }

 private:
  void PrintRatio(const std::string& ours, const std::string& floor) {
    if (times_.count(ours) && times_.count(floor) && times_[floor] > 0) {
      std::printf("ratio %s / %s = %.2f\n", ours.c_str(), floor.c_str(),
                  times_[ours] / times_[floor]);
    }
  }
  std::map<std::string, double> times_;
};

}  // namespace
}  // namespace duet

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  duet::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
