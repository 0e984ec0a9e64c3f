// Adapter cost: parse a typical ~2 KB client request into the canonical model
// and render an answer back, for both APIs, next to the cost of simply
// parsing and re-serialising the same JSON with nlohmann-json (the adapters
// read with simdjson and build nlohmann's tree from it, so they can come out
// below 1.0); and parsing a long conversation (~500 KB, as Claude Code sends
// after an hour's work) next to nlohmann's parse of the same text.
//
//   cmake --preset release && cmake --build --preset release --target duet_bench_adapters
//   build/release/bench/duet_bench_adapters
//   build/release/bench/duet_bench_adapters --benchmark_filter=BM_Read  # readers
//
// Besides Google Benchmark's table it prints "ratio" lines: adapter time over
// the raw-JSON floor, and "ns per stream" lines for the upstream stream
// readers (one iteration reads one whole short answer, as the remote
// backends do for every proxied request; the streams are the ones
// bench/gateway_overhead.sh serves).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "wire/anthropic/messages_request.h"
#include "wire/anthropic/messages_response.h"
#include "wire/anthropic/messages_stream.h"
#include "wire/anthropic/messages_stream_reader.h"
#include "wire/openai/chat_request.h"
#include "wire/openai/chat_response.h"
#include "wire/openai/chat_stream.h"
#include "wire/openai/chat_stream_reader.h"
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

// A long conversation: 200 turns of about 2.5 KB of text each.
std::string LongAnthropicBody() {
  nlohmann::ordered_json messages = nlohmann::ordered_json::array();
  for (int turn = 0; turn < 200; ++turn) {
    std::string text;
    while (text.size() < 2500) {
      text += "Line " + std::to_string(text.size()) + " of turn " + std::to_string(turn) +
              ": \"quoted\" code `total += item.price * item.count;` and prose.\n";
    }
    messages.push_back({{"role", turn % 2 == 0 ? "user" : "assistant"}, {"content", text}});
  }
  nlohmann::ordered_json body = {{"model", "claude-sonnet-4-5"}, {"max_tokens", 4096}};
  body["messages"] = std::move(messages);
  return body.dump();
}

void BM_NlohmannParse(benchmark::State& state, const std::string& body) {
  for (auto _ : state) {
    auto parsed = nlohmann::ordered_json::parse(body);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_AnthropicParseLong(benchmark::State& state) {
  const std::string body = LongAnthropicBody();
  for (auto _ : state) {
    Result<ChatRequest> request = wire::anthropic::ParseMessagesRequest(body);
    if (!request.has_value()) {
      state.SkipWithError("the long benchmark body was refused");
      break;
    }
    benchmark::DoNotOptimize(request);
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

// A short upstream answer, as bench/gateway_overhead.sh's fake upstream
// sends it: message_start, one text block with one delta, message_delta,
// message_stop.
std::string ShortAnthropicAnswerStream() {
  return "event: message_start\n"
         "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\","
         "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
         "\"model\":\"claude-haiku-4-5\",\"stop_reason\":null,"
         "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
         "\"output_tokens\":1}}}\n\n"
         "event: content_block_start\n"
         "data: {\"type\":\"content_block_start\",\"index\":0,"
         "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
         "event: content_block_delta\n"
         "data: {\"type\":\"content_block_delta\",\"index\":0,"
         "\"delta\":{\"type\":\"text_delta\","
         "\"text\":\"Hello from the benchmark upstream.\"}}\n\n"
         "event: content_block_stop\n"
         "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
         "event: message_delta\n"
         "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
         "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":8}}"
         "\n\n"
         "event: message_stop\n"
         "data: {\"type\":\"message_stop\"}\n\n";
}

// The same answer from an OpenAI-compatible upstream: a content chunk, a
// finish_reason chunk, a usage chunk and [DONE].
std::string ShortOpenAIAnswerStream() {
  const std::string head =
      "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\","
      "\"created\":1700000000,\"model\":\"bench-model\",";
  return head +
         "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
         "\"content\":\"Hello from the benchmark upstream.\"},"
         "\"finish_reason\":null}]}\n\n" +
         head +
         "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}"
         "\n\n" +
         head +
         "\"choices\":[],\"usage\":{\"prompt_tokens\":25,"
         "\"completion_tokens\":8,\"total_tokens\":33}}\n\n"
         "data: [DONE]\n\n";
}

// One iteration: a fresh reader reads the whole stream, fed in one piece,
// as a remote backend reads one proxied answer.
template <typename Reader>
void ReadAnswerStream(benchmark::State& state, const std::string& stream) {
  std::vector<ChatEvent> events;
  for (auto _ : state) {
    Reader reader;
    events.clear();
    Status fed = reader.Feed(stream, &events);
    Status finished = reader.Finish(&events);
    if (!fed.ok() || !finished.ok() || !reader.finished()) {
      state.SkipWithError("the reader rejected the benchmark stream");
      break;
    }
    benchmark::DoNotOptimize(events);
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(stream.size()));
}

void BM_ReadAnthropicStream(benchmark::State& state) {
  ReadAnswerStream<wire::anthropic::StreamReader>(state,
                                                  ShortAnthropicAnswerStream());
}

void BM_ReadOpenAIStream(benchmark::State& state) {
  ReadAnswerStream<wire::openai::StreamReader>(state,
                                               ShortOpenAIAnswerStream());
}

BENCHMARK_CAPTURE(BM_RawJsonParseDump, anthropic_body, bench::TypicalAnthropicBody());
BENCHMARK(BM_AnthropicParseRender);
BENCHMARK_CAPTURE(BM_RawJsonParseDump, openai_body, bench::TypicalOpenAIBody());
BENCHMARK(BM_OpenAIParseRender);
BENCHMARK_CAPTURE(BM_NlohmannParse, long_anthropic_body, LongAnthropicBody());
BENCHMARK(BM_AnthropicParseLong);
BENCHMARK(BM_AnthropicStreamDelta);
BENCHMARK(BM_OpenAIStreamDelta);
BENCHMARK(BM_ReadAnthropicStream);
BENCHMARK(BM_ReadOpenAIStream);

// Prints adapter-time / raw-JSON-floor ratios after the table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      times_[run.benchmark_name()] = run.GetAdjustedRealTime();
      nanoseconds_per_unit_[run.benchmark_name()] =
          1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    PrintRatio("BM_AnthropicParseRender", "BM_RawJsonParseDump/anthropic_body");
    PrintRatio("BM_OpenAIParseRender", "BM_RawJsonParseDump/openai_body");
    PrintRatio("BM_AnthropicParseLong", "BM_NlohmannParse/long_anthropic_body");
    PrintNanosecondsPerStream("BM_ReadAnthropicStream");
    PrintNanosecondsPerStream("BM_ReadOpenAIStream");
  }

 private:
  void PrintRatio(const std::string& ours, const std::string& floor) {
    if (times_.count(ours) && times_.count(floor) && times_[floor] > 0) {
      std::printf("ratio %s / %s = %.2f\n", ours.c_str(), floor.c_str(),
                  times_[ours] / times_[floor]);
    }
  }
  // One iteration reads one stream; the table's unit is per iteration.
  void PrintNanosecondsPerStream(const std::string& name) {
    if (times_.count(name)) {
      std::printf("ns per stream %s = %.0f\n", name.c_str(),
                  times_[name] * nanoseconds_per_unit_[name]);
    }
  }
  std::map<std::string, double> times_;
  std::map<std::string, double> nanoseconds_per_unit_;
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
