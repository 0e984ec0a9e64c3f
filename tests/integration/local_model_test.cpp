// The local engine through the real binary: duet serves the generated tiny
// GGUF model (--model tiny=...) on both APIs, streaming and not, and its
// limits come back as each API's own errors.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

using std::chrono::milliseconds;

constexpr int kContext = 256;

// A greedy request for the tiny model, in either API's shape (the two share
// these fields); OpenAI streams also ask for the usage chunk.
std::string LocalBody(bool openai, const std::string& text, int max_tokens,
                      bool stream) {
  Json body = {{"model", "tiny"},
               {"max_tokens", max_tokens},
               {"temperature", 0},
               {"messages", {{{"role", "user"}, {"content", text}}}}};
  if (stream) {
    body["stream"] = true;
    if (openai) {
      body["stream_options"] = {{"include_usage", true}};
    }
  }
  return body.dump();
}

std::string LocalAnthropicBody(const std::string& text, int max_tokens,
                               bool stream = false) {
  return LocalBody(false, text, max_tokens, stream);
}

std::string LocalOpenAIBody(const std::string& text, int max_tokens,
                            bool stream = false) {
  return LocalBody(true, text, max_tokens, stream);
}

std::string LongPrompt() {
  std::string text;
  for (int i = 0; i < 2 * kContext; ++i) {
    text += "word ";
  }
  return text;
}

class LocalModelTest : public SharedServerTest<LocalModelTest> {
 public:
  static std::vector<std::string> ExtraFlags() {
    return {"--model", std::string("tiny=") + DUET_TINY_MODEL, "--set",
            "local.context=" + std::to_string(kContext), "--set",
            "local.slots=2", "--set", "local.threads=1"};
  }

 protected:
  void SetUp() override {
    if (std::string(DUET_TINY_MODEL).empty()) {
      GTEST_SKIP() << "built without llama.cpp";
    }
    SharedServerTest<LocalModelTest>::SetUp();
  }

  HttpResponse Post(const HttpRequest& request) {
    std::string error;
    auto response = Fetch(port(), request, &error);
    if (!response) {
      ADD_FAILURE() << error;
      return HttpResponse();
    }
    return *response;
  }
};

TEST_F(LocalModelTest, ListedWithItsRealContextWindow) {
  HttpRequest request;
  request.target = "/v1/models/tiny";
  const Json model = ParseJson(Post(request).body);
  EXPECT_EQ(model["id"], "tiny");
  EXPECT_EQ(model["owned_by"], "llamacpp");
  EXPECT_EQ(model["max_input_tokens"], kContext);
}

TEST_F(LocalModelTest, AnthropicAnswerStopsAtMaxTokens) {
  const HttpResponse response =
      Post(AnthropicPost(LocalAnthropicBody("Hello", 6)));
  ASSERT_EQ(response.status, 200) << response.body;
  const Json body = ParseJson(response.body);
  EXPECT_EQ(body["model"], "tiny");
  EXPECT_EQ(body["stop_reason"], "max_tokens");
  EXPECT_EQ(body["usage"]["output_tokens"], 6);
  EXPECT_GT(body["usage"]["input_tokens"].get<int>() +
                body["usage"]["cache_read_input_tokens"].get<int>(),
            1);
  EXPECT_FALSE(body["content"][0]["text"].get<std::string>().empty());
}

TEST_F(LocalModelTest, StreamedAnswerEqualsTheWholeAnswer) {
  const Json whole =
      ParseJson(Post(AnthropicPost(LocalAnthropicBody("Tell me", 10))).body);
  const HttpResponse streamed =
      Post(AnthropicPost(LocalAnthropicBody("Tell me", 10, true)));
  const std::vector<SseEvent> events = ExpectAnthropicStream(streamed);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().event, "message_stop");
  EXPECT_EQ(AnthropicStreamText(events), whole["content"][0]["text"]);
}

TEST_F(LocalModelTest, OpenAIStreamEndsWithLengthUsageAndDone) {
  const HttpResponse response =
      Post(OpenAIPost(LocalOpenAIBody("Hello", 4, true)));
  const std::vector<Json> chunks = ExpectOpenAIStream(response);
  ASSERT_GE(chunks.size(), 3u);
  const Json& finish = chunks[chunks.size() - 2];
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(chunks.back()["usage"]["completion_tokens"], 4);
  const Json whole =
      ParseJson(Post(OpenAIPost(LocalOpenAIBody("Hello", 4))).body);
  EXPECT_EQ(OpenAIStreamText(chunks), whole["choices"][0]["message"]["content"]);
}

TEST_F(LocalModelTest, RepeatedPromptIsServedFromTheCache) {
  const std::string body = LocalAnthropicBody("Repeat after me", 3);
  const Json first = ParseJson(Post(AnthropicPost(body)).body);
  const Json again = ParseJson(Post(AnthropicPost(body)).body);
  const int prompt = first["usage"]["input_tokens"].get<int>() +
                     first["usage"]["cache_read_input_tokens"].get<int>();
  // Everything but the last prompt token (whose logits start the answer).
  EXPECT_EQ(again["usage"]["cache_read_input_tokens"], prompt - 1);
  EXPECT_EQ(again["usage"]["input_tokens"], 1);
  EXPECT_EQ(again["content"], first["content"]);
  // OpenAI clients see the reuse as cached_tokens.
  const Json openai = ParseJson(
      Post(OpenAIPost(LocalOpenAIBody("Repeat after me", 3))).body);
  EXPECT_GT(openai["usage"]["prompt_tokens_details"]["cached_tokens"].get<int>(),
            0);
}

TEST_F(LocalModelTest, StopSequenceCutsTheAnswerInEachApi) {
  const Json whole =
      ParseJson(Post(AnthropicPost(LocalAnthropicBody("Write on", 24))).body);
  const std::string text = whole["content"][0]["text"];
  ASSERT_GE(text.size(), 8u) << "too little text to pick a stop sequence";
  const std::string stop = text.substr(text.size() / 2, 3);
  const std::string before = text.substr(0, text.find(stop));

  Json anthropic = ParseJson(LocalAnthropicBody("Write on", 24));
  anthropic["stop_sequences"] = {stop};
  const Json cut = ParseJson(Post(AnthropicPost(anthropic.dump())).body);
  EXPECT_EQ(cut["stop_reason"], "stop_sequence");
  EXPECT_EQ(cut["stop_sequence"], stop);
  EXPECT_EQ(cut["content"][0]["text"], before);

  Json openai = ParseJson(LocalOpenAIBody("Write on", 24, /*stream=*/true));
  openai["stop"] = stop;
  const std::vector<Json> chunks = ExpectOpenAIStream(Post(OpenAIPost(openai.dump())));
  ASSERT_GE(chunks.size(), 2u);
  EXPECT_EQ(OpenAIStreamText(chunks), before);
  EXPECT_EQ(chunks[chunks.size() - 2]["choices"][0]["finish_reason"], "stop");
}

// The raw bytes of a logprobs.content entry (its `token` string may have
// U+FFFD where the token holds part of a character).
std::string TokenBytes(const Json& entry) {
  std::string bytes;
  for (const Json& byte : entry["bytes"]) {
    bytes.push_back(static_cast<char>(byte.get<int>()));
  }
  return bytes;
}

TEST_F(LocalModelTest, OpenAILogprobsComeBackStreamedAndNot) {
  Json body = ParseJson(LocalOpenAIBody("Tell me a fact", 8));
  body["logprobs"] = true;
  body["top_logprobs"] = 3;
  const HttpResponse whole = Post(OpenAIPost(body.dump()));
  ASSERT_EQ(whole.status, 200) << whole.body;
  const Json completion = ParseJson(whole.body);
  const Json& choice = completion["choices"][0];
  const Json& logprobs = choice["logprobs"];
  ASSERT_TRUE(logprobs.is_object()) << completion;
  EXPECT_TRUE(logprobs["refusal"].is_null());
  const Json& content = logprobs["content"];
  // Greedy and cut by max_tokens: one entry per completion token.
  ASSERT_EQ(content.size(), completion["usage"]["completion_tokens"].get<size_t>());
  std::string spelled;
  for (const Json& entry : content) {
    EXPECT_TRUE(entry["token"].is_string());
    EXPECT_LE(entry["logprob"].get<double>(), 0.0);
    spelled += TokenBytes(entry);
    const Json& top = entry["top_logprobs"];
    ASSERT_EQ(top.size(), 3u) << entry;
    EXPECT_GE(top[0]["logprob"].get<double>(), top[1]["logprob"].get<double>());
    EXPECT_GE(top[1]["logprob"].get<double>(), top[2]["logprob"].get<double>());
    EXPECT_EQ(top[0]["bytes"], entry["bytes"]);  // greedy took the likeliest
  }
  const std::string text = choice["message"]["content"];
  EXPECT_EQ(spelled.substr(0, text.size()), text);

  body["stream"] = true;
  const std::vector<Json> chunks = ExpectOpenAIStream(Post(OpenAIPost(body.dump())));
  std::vector<Json> streamed;
  for (const Json& chunk : chunks) {
    if (chunk["choices"].empty()) {
      continue;  // the usage chunk
    }
    const Json& chunk_logprobs = chunk["choices"][0]["logprobs"];
    if (chunk_logprobs.is_null()) {
      continue;
    }
    EXPECT_TRUE(chunk["choices"][0]["delta"].contains("content")) << chunk;
    for (const Json& entry : chunk_logprobs["content"]) {
      streamed.push_back(entry);
    }
  }
  EXPECT_EQ(OpenAIStreamText(chunks), text);
  ASSERT_EQ(streamed.size(), content.size());
  for (size_t i = 0; i < streamed.size(); ++i) {
    EXPECT_EQ(streamed[i]["bytes"], content[i]["bytes"]) << i;
    // The second answer decodes its prompt from the cache: float noise.
    EXPECT_NEAR(streamed[i]["logprob"].get<double>(), content[i]["logprob"].get<double>(),
                1e-3)
        << i;
  }
}

TEST_F(LocalModelTest, OpenAILogprobsAreNullUnlessAskedAndValidated) {
  const Json plain = ParseJson(Post(OpenAIPost(LocalOpenAIBody("Hello", 3))).body);
  EXPECT_TRUE(plain["choices"][0]["logprobs"].is_null()) << plain;
  for (const Json& chunk :
       ExpectOpenAIStream(Post(OpenAIPost(LocalOpenAIBody("Hello", 3, true))))) {
    if (!chunk["choices"].empty()) {
      EXPECT_TRUE(chunk["choices"][0]["logprobs"].is_null()) << chunk;
    }
  }
  Json too_many = ParseJson(LocalOpenAIBody("Hello", 3));
  too_many["logprobs"] = true;
  too_many["top_logprobs"] = 21;
  EXPECT_EQ(ExpectOpenAIError(Post(OpenAIPost(too_many.dump())), 400,
                              "invalid_request_error")["message"],
            "top_logprobs: expected an integer between 0 and 20");
  Json without = ParseJson(LocalOpenAIBody("Hello", 3));
  without["top_logprobs"] = 2;
  EXPECT_EQ(ExpectOpenAIError(Post(OpenAIPost(without.dump())), 400,
                              "invalid_request_error")["message"],
            "top_logprobs: requires logprobs to be true");
}

TEST_F(LocalModelTest, ConcurrentAnswersAreIndependent) {
  // Each of 4 different questions, asked alone and then all at once (the
  // server's 2 slots batch them), gets the same greedy answer.
  const std::vector<std::string> questions = {"one two", "three four",
                                              "five six", "seven eight"};
  std::vector<std::string> alone;
  for (const std::string& question : questions) {
    alone.push_back(ParseJson(Post(AnthropicPost(LocalAnthropicBody(question, 10))).body)
                        ["content"][0]["text"]);
  }
  std::vector<std::string> together(questions.size());
  std::vector<std::thread> clients;
  const uint16_t server_port = port();
  for (size_t i = 0; i < questions.size(); ++i) {
    clients.emplace_back([&, i] {
      const auto response = Fetch(
          server_port, AnthropicPost(LocalAnthropicBody(questions[i], 10, true)));
      if (response) {
        together[i] = AnthropicStreamText(ParseSse(response->body));
      }
    });
  }
  for (std::thread& client : clients) {
    client.join();
  }
  EXPECT_EQ(together, alone);
}

TEST_F(LocalModelTest, OpenAIResponseFormatGivesSchemaValidJson) {
  Json body = ParseJson(LocalOpenAIBody("Is it raining?", 48));
  body["response_format"] = {
      {"type", "json_schema"},
      {"json_schema",
       {{"name", "verdict"},
        {"schema",
         {{"type", "object"},
          {"properties", {{"raining", {{"type", "boolean"}}}}},
          {"required", {"raining"}},
          {"additionalProperties", false}}}}}};
  const HttpResponse response = Post(OpenAIPost(body.dump()));
  ASSERT_EQ(response.status, 200) << response.body;
  const Json completion = ParseJson(response.body);
  EXPECT_EQ(completion["choices"][0]["finish_reason"], "stop");
  const Json content = Json::parse(
      completion["choices"][0]["message"]["content"].get<std::string>(), nullptr,
      false);
  ASSERT_TRUE(content.is_object()) << completion;
  EXPECT_TRUE(content["raining"].is_boolean()) << content;
}

// llama.cpp refuses the grammar of a schema that repeats more than 2000
// times: the client's error (400 in each shape), not the server's.
TEST_F(LocalModelTest, SchemaTheEngineCannotEnforceIsA400InEachShape) {
  const Json schema = {{"type", "array"}, {"items", {{"type", "string"}}}, {"minItems", 5000}};
  Json openai_body = ParseJson(LocalOpenAIBody("List names.", 8));
  openai_body["response_format"] = {{"type", "json_schema"},
                                    {"json_schema", {{"name", "names"}, {"schema", schema}}}};
  const Json openai = ExpectOpenAIError(Post(OpenAIPost(openai_body.dump())), 400,
                                        "invalid_request_error");
  EXPECT_EQ(openai["message"].get<std::string>().rfind("response_format: ", 0), 0u) << openai;

  Json anthropic_body = ParseJson(LocalAnthropicBody("List names.", 8));
  anthropic_body["tools"] = {
      {{"name", "save_names"},
       {"input_schema",
        {{"type", "object"}, {"properties", {{"names", schema}}}, {"required", {"names"}}}}}};
  const std::string anthropic = ExpectAnthropicError(Post(AnthropicPost(anthropic_body.dump())),
                                                     400, "invalid_request_error");
  EXPECT_NE(anthropic.find("tools: the local engine cannot enforce these input schemas"),
            std::string::npos)
      << anthropic;
}

TEST_F(LocalModelTest, PromptBeyondTheContextIsA400InEachShape) {
  const std::string anthropic = ExpectAnthropicError(
      Post(AnthropicPost(LocalAnthropicBody(LongPrompt(), 4))), 400,
      "invalid_request_error");
  EXPECT_NE(anthropic.find("> 255 maximum (the context window of tiny is 256 tokens)"), std::string::npos)
      << anthropic;
  const Json openai = ExpectOpenAIError(
      Post(OpenAIPost(LocalOpenAIBody(LongPrompt(), 4, true))), 400,
      "invalid_request_error");
  EXPECT_NE(openai["message"].get<std::string>().find("prompt is too long"),
            std::string::npos);
}

TEST_F(LocalModelTest, CountTokensUsesTheModelsTokenizer) {
  const HttpResponse response = Post(AnthropicPost(
      R"({"model":"tiny","messages":[{"role":"user","content":"Hello"}]})",
      "/v1/messages/count_tokens"));
  ASSERT_EQ(response.status, 200) << response.body;
  const int tokens = ParseJson(response.body)["input_tokens"];
  const Json answer =
      ParseJson(Post(AnthropicPost(LocalAnthropicBody("Hello", 1))).body);
  // Tokens reused from an earlier answer's cache count as cache reads.
  EXPECT_EQ(tokens, answer["usage"]["input_tokens"].get<int>() +
                        answer["usage"]["cache_read_input_tokens"].get<int>());
}

// A model whose template thinks in <think> tags: thinking requests come
// back as thinking blocks (Anthropic) and reasoning_content (OpenAI).
class ThinkingModelTest : public SharedServerTest<ThinkingModelTest> {
 public:
  static std::vector<std::string> ExtraFlags() {
    return {"--model", std::string("thinker=") + DUET_TINY_THINKING_MODEL,
            "--set", "local.context=256", "--set", "local.threads=1"};
  }

 protected:
  void SetUp() override {
    if (std::string(DUET_TINY_THINKING_MODEL).empty()) {
      GTEST_SKIP() << "built without llama.cpp";
    }
    SharedServerTest<ThinkingModelTest>::SetUp();
  }
};

TEST_F(ThinkingModelTest, AnthropicThinkingStreamsAThinkingBlockFirst) {
  // The template opens <think>; random weights never close it, so the
  // whole answer is reasoning.
  const Json body = {{"model", "thinker"},
                     {"max_tokens", 2048},
                     {"thinking", {{"type", "enabled"}, {"budget_tokens", 1024}}},
                     {"stream", true},
                     {"messages", {{{"role", "user"}, {"content", "Why?"}}}}};
  const auto response = Fetch(port(), AnthropicPost(body.dump()));
  ASSERT_TRUE(response.has_value());
  const std::vector<SseEvent> events = ExpectAnthropicStream(*response);
  ASSERT_GE(events.size(), 3u);
  const Json first_block = ParseJson(events[1].data);
  EXPECT_EQ(first_block["content_block"]["type"], "thinking") << events[1].data;
  bool thinking_delta = false;
  for (const SseEvent& event : events) {
    thinking_delta |= event.data.find("\"thinking_delta\"") != std::string::npos;
  }
  EXPECT_TRUE(thinking_delta);
  EXPECT_EQ(events.back().event, "message_stop");
}

TEST_F(ThinkingModelTest, WithoutThinkingTheAnswerIsText) {
  const Json body = {{"model", "thinker"},
                     {"max_tokens", 6},
                     {"temperature", 0},
                     {"messages", {{{"role", "user"}, {"content", "Why?"}}}}};
  const auto response = Fetch(port(), AnthropicPost(body.dump()));
  ASSERT_TRUE(response.has_value());
  const Json answer = ParseJson(response->body);
  ASSERT_EQ(answer["content"].size(), 1u) << answer;
  EXPECT_EQ(answer["content"][0]["type"], "text");
}

// A prefill with thinking asked for: the template's thought is closed
// before the prefilled text, so the model continues the text and the
// answer is content only (without the prefill it is all reasoning: the
// next test).
TEST_F(ThinkingModelTest, APrefillIsContinuedAsContentAfterAClosedThought) {
  const Json body = {{"model", "thinker"},
                     {"max_tokens", 8},
                     {"temperature", 0},
                     {"reasoning_effort", "low"},
                     {"messages",
                      {{{"role", "user"}, {"content", "Why?"}},
                       {{"role", "assistant"}, {"content", "Because"}}}}};
  const auto response = Fetch(port(), OpenAIPost(body.dump()));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  const Json message = ParseJson(response->body)["choices"][0]["message"];
  EXPECT_EQ(message.value("reasoning_content", ""), "") << message;
  const std::string content = message.value("content", "");
  EXPECT_FALSE(content.empty()) << message;
  EXPECT_FALSE(content.starts_with("Because")) << message;
}

TEST_F(ThinkingModelTest, OpenAIReasoningEffortGivesReasoningContent) {
  const Json body = {{"model", "thinker"},
                     {"max_tokens", 8},
                     {"reasoning_effort", "low"},
                     {"messages", {{{"role", "user"}, {"content", "Why?"}}}}};
  const auto response = Fetch(port(), OpenAIPost(body.dump()));
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->status, 200) << response->body;
  const Json completion = ParseJson(response->body);
  EXPECT_FALSE(completion["choices"][0]["message"]
                   .value("reasoning_content", "")
                   .empty())
      << completion;
}

// A server with one slot and no queue: what happens when it is busy, and
// that a client who leaves gives its slot back.
class BusyLocalModelTest : public IntegrationTest {
 protected:
  void SetUp() override {
    if (std::string(DUET_TINY_MODEL).empty()) {
      GTEST_SKIP() << "built without llama.cpp";
    }
    ASSERT_NO_FATAL_FAILURE(StartServer(
        {"--model", std::string("tiny=") + DUET_TINY_MODEL, "--set",
         "local.context=2048", "--set", "local.slots=1", "--set",
         "local.queue_size=0", "--set", "local.threads=1"}));
  }

  // Starts a long streamed answer and waits until it is generating.
  void StartLongStream(HttpConnection& connection) {
    ASSERT_TRUE(connection.Connect(port()));
    ASSERT_TRUE(connection.Send(
        AnthropicPost(LocalAnthropicBody("Go on", 1500, /*stream=*/true))));
    const auto head = connection.ReadResponseHead(milliseconds(10'000));
    ASSERT_TRUE(head.has_value()) << connection.error();
    ASSERT_EQ(head->status, 200);
  }
};

TEST_F(BusyLocalModelTest, FullModelAnswers429InEachShape) {
  HttpConnection busy;
  ASSERT_NO_FATAL_FAILURE(StartLongStream(busy));
  const auto anthropic =
      Fetch(port(), AnthropicPost(LocalAnthropicBody("me too", 4)));
  ASSERT_TRUE(anthropic.has_value());
  const std::string message =
      ExpectAnthropicError(*anthropic, 429, "rate_limit_error");
  EXPECT_NE(message.find("busy"), std::string::npos) << message;
  EXPECT_EQ(anthropic->Header("x-should-retry"), "true");
  const auto openai = Fetch(port(), OpenAIPost(LocalOpenAIBody("me too", 4)));
  ASSERT_TRUE(openai.has_value());
  ExpectOpenAIError(*openai, 429, "rate_limit_error");
}

TEST_F(BusyLocalModelTest, ClientThatLeavesMidStreamFreesTheSlot) {
  {
    HttpConnection leaving;
    ASSERT_NO_FATAL_FAILURE(StartLongStream(leaving));
    EXPECT_FALSE(leaving.ReadSomeRaw(milliseconds(5000)).empty());
  }  // closed mid-answer: about 1500 tokens were still to come
  // With one slot and no queue, only a freed slot can take this request.
  const auto deadline = std::chrono::steady_clock::now() + milliseconds(10'000);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto response =
        Fetch(port(), AnthropicPost(LocalAnthropicBody("my turn", 3)));
    ASSERT_TRUE(response.has_value());
    status = response->status;
    if (status == 200) {
      break;
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(status, 200) << "the abandoned answer kept its slot";
}

}  // namespace
}  // namespace duet::integration
