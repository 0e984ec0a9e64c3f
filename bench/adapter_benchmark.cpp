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

#include "api/anthropic/messages_request.h"
#include "api/anthropic/messages_response.h"
#include "api/anthropic/messages_stream.h"
#include "api/openai/chat_request.h"
#include "api/openai/chat_response.h"
#include "api/openai/chat_stream.h"

namespace duet {
namespace {

// A realistic coding-assistant turn: system prompt, a short history, one
// tool definition; about 2 KB.
const std::string& AnthropicBody() {
  static const std::string body = R"({"model":"claude-sonnet-4-5","max_tokens":1024,"stream":true,
"system":"You are a careful senior engineer. Answer concisely, show code when it helps, and say when you are unsure.",
"tools":[{"name":"read_file","description":"Read a file from the workspace","input_schema":{"type":"object","properties":{"path":{"type":"string","description":"Path relative to the workspace root"},"max_bytes":{"type":"integer"}},"required":["path"]}}],
"messages":[
{"role":"user","content":"Our service crashes under load. Here is the handler:\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n  mu.Lock()\n  defer mu.Unlock()\n  data, err := fetch(r.Context())\n  if err != nil { http.Error(w, err.Error(), 500); return }\n  cache[r.URL.Path] = data\n  w.Write(data)\n}\n\nWhat could go wrong when fetch is slow?"},
{"role":"assistant","content":[{"type":"text","text":"Holding the mutex across fetch serialises every request behind the slowest upstream call. Let me look at fetch."},{"type":"tool_use","id":"toolu_01A","name":"read_file","input":{"path":"internal/fetch.go"}}]},
{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"func fetch(ctx context.Context) ([]byte, error) {\n  req, _ := http.NewRequestWithContext(ctx, \"GET\", upstream, nil)\n  resp, err := client.Do(req)\n  if err != nil { return nil, err }\n  defer resp.Body.Close()\n  return io.ReadAll(resp.Body)\n}"},{"type":"text","text":"The client has no timeout set. Does that matter here, and how would you restructure the locking so that concurrent requests for different paths do not block each other?"}]}
]})";
  return body;
}

const std::string& OpenAIBody() {
  static const std::string body = [] {
    // The same conversation in OpenAI's shape.
    return std::string(R"({"model":"gpt-4o","max_tokens":1024,"stream":true,"stream_options":{"include_usage":true},
"messages":[
{"role":"system","content":"You are a careful senior engineer. Answer concisely, show code when it helps, and say when you are unsure."},
{"role":"user","content":"Our service crashes under load. Here is the handler:\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n  mu.Lock()\n  defer mu.Unlock()\n  data, err := fetch(r.Context())\n  if err != nil { http.Error(w, err.Error(), 500); return }\n  cache[r.URL.Path] = data\n  w.Write(data)\n}\n\nWhat could go wrong when fetch is slow?"},
{"role":"assistant","content":"Holding the mutex across fetch serialises every request behind the slowest upstream call. Let me look at fetch.","tool_calls":[{"id":"call_01A","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"internal/fetch.go\"}"}}]},
{"role":"tool","tool_call_id":"call_01A","content":"func fetch(ctx context.Context) ([]byte, error) {\n  req, _ := http.NewRequestWithContext(ctx, \"GET\", upstream, nil)\n  resp, err := client.Do(req)\n  if err != nil { return nil, err }\n  defer resp.Body.Close()\n  return io.ReadAll(resp.Body)\n}"},
{"role":"user","content":"The client has no timeout set. Does that matter here, and how would you restructure the locking so that concurrent requests for different paths do not block each other?"}],
"tools":[{"type":"function","function":{"name":"read_file","description":"Read a file from the workspace","parameters":{"type":"object","properties":{"path":{"type":"string","description":"Path relative to the workspace root"},"max_bytes":{"type":"integer"}},"required":["path"]}}}]})");
  }();
  return body;
}

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
  const std::string& body = AnthropicBody();
  const ChatResponse answer = TypicalAnswer();
  for (auto _ : state) {
    Result<ChatRequest> request = api::anthropic::ParseMessagesRequest(body);
    std::string out = api::anthropic::WriteMessage(answer);
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void BM_OpenAIParseRender(benchmark::State& state) {
  const std::string& body = OpenAIBody();
  const ChatResponse answer = TypicalAnswer();
  for (auto _ : state) {
    Result<ChatRequest> request = api::openai::ParseChatCompletionRequest(body);
    std::string out = api::openai::WriteChatCompletion(answer, 1735000000);
    benchmark::DoNotOptimize(request);
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

// One streamed token: the per-token cost of the SSE path.
void BM_AnthropicStreamDelta(benchmark::State& state) {
  api::anthropic::StreamWriter writer;
  const ChatEvent delta = ChatEvent::Delta(0, ChatEvent::DeltaKind::kText, " token");
  std::string out;
  for (auto _ : state) {
    out.clear();
    writer.Append(delta, &out);
    benchmark::DoNotOptimize(out);
  }
}

void BM_OpenAIStreamDelta(benchmark::State& state) {
  api::openai::StreamWriter writer("chatcmpl-bench", "gpt-4o", 1735000000, true);
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

BENCHMARK_CAPTURE(BM_RawJsonParseDump, anthropic_body, AnthropicBody());
BENCHMARK(BM_AnthropicParseRender);
BENCHMARK_CAPTURE(BM_RawJsonParseDump, openai_body, OpenAIBody());
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
