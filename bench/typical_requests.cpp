#include "bench/typical_requests.h"

namespace duet::bench {
namespace {

// Everything after "model", "max_tokens" and "stream".
constexpr std::string_view kAnthropicRest = R"(
"system":"You are a careful senior engineer. Answer concisely, show code when it helps, and say when you are unsure.",
"tools":[{"name":"read_file","description":"Read a file from the workspace","input_schema":{"type":"object","properties":{"path":{"type":"string","description":"Path relative to the workspace root"},"max_bytes":{"type":"integer"}},"required":["path"]}}],
"messages":[
{"role":"user","content":"Our service crashes under load. Here is the handler:\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n  mu.Lock()\n  defer mu.Unlock()\n  data, err := fetch(r.Context())\n  if err != nil { http.Error(w, err.Error(), 500); return }\n  cache[r.URL.Path] = data\n  w.Write(data)\n}\n\nWhat could go wrong when fetch is slow?"},
{"role":"assistant","content":[{"type":"text","text":"Holding the mutex across fetch serialises every request behind the slowest upstream call. Let me look at fetch."},{"type":"tool_use","id":"toolu_01A","name":"read_file","input":{"path":"internal/fetch.go"}}]},
{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01A","content":"func fetch(ctx context.Context) ([]byte, error) {\n  req, _ := http.NewRequestWithContext(ctx, \"GET\", upstream, nil)\n  resp, err := client.Do(req)\n  if err != nil { return nil, err }\n  defer resp.Body.Close()\n  return io.ReadAll(resp.Body)\n}"},{"type":"text","text":"The client has no timeout set. Does that matter here, and how would you restructure the locking so that concurrent requests for different paths do not block each other?"}]}
]})";

constexpr std::string_view kOpenAIRest = R"(
"messages":[
{"role":"system","content":"You are a careful senior engineer. Answer concisely, show code when it helps, and say when you are unsure."},
{"role":"user","content":"Our service crashes under load. Here is the handler:\n\nfunc handle(w http.ResponseWriter, r *http.Request) {\n  mu.Lock()\n  defer mu.Unlock()\n  data, err := fetch(r.Context())\n  if err != nil { http.Error(w, err.Error(), 500); return }\n  cache[r.URL.Path] = data\n  w.Write(data)\n}\n\nWhat could go wrong when fetch is slow?"},
{"role":"assistant","content":"Holding the mutex across fetch serialises every request behind the slowest upstream call. Let me look at fetch.","tool_calls":[{"id":"call_01A","type":"function","function":{"name":"read_file","arguments":"{\"path\":\"internal/fetch.go\"}"}}]},
{"role":"tool","tool_call_id":"call_01A","content":"func fetch(ctx context.Context) ([]byte, error) {\n  req, _ := http.NewRequestWithContext(ctx, \"GET\", upstream, nil)\n  resp, err := client.Do(req)\n  if err != nil { return nil, err }\n  defer resp.Body.Close()\n  return io.ReadAll(resp.Body)\n}"},
{"role":"user","content":"The client has no timeout set. Does that matter here, and how would you restructure the locking so that concurrent requests for different paths do not block each other?"}],
"tools":[{"type":"function","function":{"name":"read_file","description":"Read a file from the workspace","parameters":{"type":"object","properties":{"path":{"type":"string","description":"Path relative to the workspace root"},"max_bytes":{"type":"integer"}},"required":["path"]}}}]})";

std::string Head(std::string_view model, bool stream) {
  std::string head = "{\"model\":\"";
  head += model;
  head += "\",\"max_tokens\":1024,\"stream\":";
  head += stream ? "true," : "false,";
  return head;
}

}  // namespace

std::string TypicalAnthropicBody(std::string_view model, bool stream) {
  return Head(model, stream) + std::string(kAnthropicRest);
}

std::string TypicalOpenAIBody(std::string_view model, bool stream) {
  std::string body = Head(model, stream);
  if (stream) {
    body += R"("stream_options":{"include_usage":true},)";
  }
  return body + std::string(kOpenAIRest);
}

}  // namespace duet::bench
