// OpenAICompatibleBackend against a scripted HttpClient: the request it
// sends and how a chunk stream comes back as canonical events.
#include "backend/openai/openai_backend.h"

#include <gtest/gtest.h>

#include "support/collecting_sink.h"
#include "support/fake_clock.h"
#include "support/scripted_http_client.h"

namespace duet::openai {
namespace {

using testing::Answer;
using testing::CollectingSink;
using testing::FakeClock;
using testing::ScriptedHttpClient;

const char kStream[] =
    "data: {\"id\":\"c9\",\"model\":\"qwen2.5:7b\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n"
    "data: {\"id\":\"c9\",\"model\":\"qwen2.5:7b\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"id\":\"c9\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":2}}\n\n"
    "data: [DONE]\n\n";

std::string HeaderOf(const net::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "";
}

class OpenAIBackendTest : public ::testing::Test {
 protected:
  OpenAICompatibleBackend Make(std::string key = "") {
    OpenAICompatibleBackend::Options options;
    options.name = "ollama";
    options.base_url = "http://gpu-box:11434/";
    options.api_key = std::move(key);
    options.models = {"qwen2.5:7b"};
    options.max_retries = 0;
    return OpenAICompatibleBackend(std::move(options), &client_, &clock_);
  }

  std::vector<ChatEvent> Run(OpenAICompatibleBackend& backend, ChatRequest request) {
    auto sink = std::make_shared<CollectingSink>();
    backend.Generate(std::move(request), sink, std::make_shared<CancelFlag>());
    EXPECT_TRUE(sink->WaitForTerminal(std::chrono::seconds(5)));
    return sink->events();
  }

  static ChatRequest Hello(ApiFlavor source) {
    ChatRequest request;
    request.model = "qwen2.5:7b";
    request.source = source;
    request.max_tokens = 20;
    request.messages.push_back({Role::kUser, {ContentBlock::Text("Hello")}});
    request.extra["service_tier"] = RawJson{"\"auto\""};
    return request;
  }

  ScriptedHttpClient client_;
  FakeClock clock_;
};

TEST(ChatCompletionsUrlTest, AppendsThePathOnceWhateverTheBaseLooksLike) {
  EXPECT_EQ(ChatCompletionsUrl("http://h:11434"), "http://h:11434/v1/chat/completions");
  EXPECT_EQ(ChatCompletionsUrl("http://h:11434/"), "http://h:11434/v1/chat/completions");
  EXPECT_EQ(ChatCompletionsUrl("http://h/v1"), "http://h/v1/chat/completions");
  EXPECT_EQ(ChatCompletionsUrl("https://x.ai/api/v1/"), "https://x.ai/api/v1/chat/completions");
}

TEST_F(OpenAIBackendTest, SendsAStreamingRequestWithUsageAndTheBearerKey) {
  auto backend = Make("sk-open-123");
  client_.Push(Answer(200, {}, {kStream}));
  Run(backend, Hello(ApiFlavor::kOpenAI));
  const auto requests = client_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, "http://gpu-box:11434/v1/chat/completions");
  EXPECT_EQ(HeaderOf(requests[0], "authorization"), "Bearer sk-open-123");
  EXPECT_NE(requests[0].body.find("\"stream\":true"), std::string::npos);
  EXPECT_NE(requests[0].body.find("\"include_usage\":true"), std::string::npos);
  // Unmodelled fields of an OpenAI client pass through to an OpenAI server.
  EXPECT_NE(requests[0].body.find("\"service_tier\":\"auto\""), std::string::npos);
}

TEST_F(OpenAIBackendTest, NoKeyNoAuthorizationAndForeignFieldsAreDropped) {
  auto backend = Make();
  client_.Push(Answer(200, {}, {kStream}));
  Run(backend, Hello(ApiFlavor::kAnthropic));
  const auto requests = client_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(HeaderOf(requests[0], "authorization"), "");
  EXPECT_EQ(requests[0].body.find("service_tier"), std::string::npos);
}

TEST_F(OpenAIBackendTest, TheAnswerComesBackAsCanonicalEvents) {
  auto backend = Make();
  client_.Push(Answer(200, {}, {std::string(kStream).substr(0, 90),
                                std::string(kStream).substr(90)}));
  const auto events = Run(backend, Hello(ApiFlavor::kAnthropic));
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[0].message_id, "c9");
  EXPECT_EQ(events[2].delta + events[3].delta, "Hello");
  EXPECT_EQ(events[5].usage.input_tokens, 11);
  EXPECT_EQ(events[5].usage.output_tokens, 2);
  EXPECT_EQ(events[6].kind, ChatEvent::Kind::kMessageStop);
}

TEST_F(OpenAIBackendTest, LogprobsAreForwardedAndComeBackOnTheText) {
  auto backend = Make();
  client_.Push(Answer(
      200, {},
      {R"(data: {"id":"c7","model":"qwen2.5:7b","choices":[{"index":0,"delta":{"content":"Hi"},)"
       R"("logprobs":{"content":[{"token":"Hi","logprob":-0.5,"bytes":[72,105],)"
       R"("top_logprobs":[{"token":"Hi","logprob":-0.5,"bytes":[72,105]},)"
       R"({"token":"Yo","logprob":-1.5,"bytes":[89,111]}]}],"refusal":null},)"
       R"("finish_reason":"stop"}]})"
       "\n\n"
       "data: [DONE]\n\n"}));
  ChatRequest request = Hello(ApiFlavor::kOpenAI);
  request.logprobs = true;
  request.top_logprobs = 2;
  request.report_confidence = true;  // duet's own: not the server's to see
  const auto events = Run(backend, request);
  const auto requests = client_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_NE(requests[0].body.find(R"("logprobs":true,"top_logprobs":2)"), std::string::npos)
      << requests[0].body;
  EXPECT_EQ(requests[0].body.find("confidence"), std::string::npos) << requests[0].body;
  std::vector<TokenLogprob> logprobs;
  for (const ChatEvent& event : events) {
    logprobs.insert(logprobs.end(), event.logprobs.begin(), event.logprobs.end());
    // A server's logprobs give no entropy: no confidence summary.
    EXPECT_FALSE(event.confidence.has_value());
  }
  ASSERT_EQ(logprobs.size(), 1u);
  EXPECT_EQ(logprobs[0], (TokenLogprob{"Hi", -0.5, {{"Hi", -0.5}, {"Yo", -1.5}}}));
}

TEST_F(OpenAIBackendTest, UpstreamErrorsKeepTheirMeaning) {
  auto backend = Make();
  client_.Push(Answer(404, {}, {R"({"error":"model 'qwen2.5:7b' not found"})"}));
  const auto events = Run(backend, Hello(ApiFlavor::kOpenAI));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, NotFound("model 'qwen2.5:7b' not found"));
}

TEST_F(OpenAIBackendTest, ServesOnlyItsModels) {
  auto backend = Make();
  EXPECT_TRUE(backend.Serves("qwen2.5:7b"));
  EXPECT_FALSE(backend.Serves("claude-haiku-4-5"));
  EXPECT_EQ(backend.ListModels().at(0).owned_by, "ollama");
}

}  // namespace
}  // namespace duet::openai
