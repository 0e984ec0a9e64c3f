// LlamaEngine on a generated tiny model (random weights, real tokenizer):
// every request ends with the documented event sequence, and limits, stop
// sequences, seeds, concurrency, the queue and cancellation behave.
#include "backend/llama/engine.h"

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/llama/engine_answer.h"
#include "backend/llama/shipped_vocabularies.h"
#include "llama.h"
#include "model/accumulator.h"
#include "support/collecting_sink.h"

namespace duet::llama {
namespace {

using duet::testing::CollectingSink;

constexpr const char* kModel = "tiny";

ChatRequest Ask(const std::string& text, int64_t max_tokens = 16) {
  ChatRequest request;
  request.model = kModel;
  request.max_tokens = max_tokens;
  request.sampling.temperature = 0;  // greedy: answers repeat
  Message message;
  message.content.push_back(ContentBlock::Text(text));
  request.messages.push_back(std::move(message));
  return request;
}

using Answer = EngineAnswer;

// The tiny model with 256-token slots and one inference thread.
RunnerOptions TinyOptions(int slots = 4, int queue_size = 8) {
  RunnerOptions options;
  options.name = kModel;
  options.path = DUET_TINY_MODEL;
  options.context = 256;
  options.slots = slots;
  options.queue_size = queue_size;
  options.threads = 1;
  options.batch_size = 64;
  return options;
}

class LlamaEngineTest : public ::testing::Test {
 protected:

  static void SetUpTestSuite() {
    Result<std::unique_ptr<LlamaEngine>> engine =
        LlamaEngine::Create({.models = {TinyOptions()}});
    ASSERT_TRUE(engine.has_value()) << engine.error().message();
    engine_ = std::move(*engine).release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }

  static Answer Complete(ChatRequest request,
                         std::shared_ptr<CancelFlag> cancel = nullptr,
                         CollectingSink::Hook hook = nullptr) {
    return RunToEnd(*engine_, std::move(request), std::move(cancel), std::move(hook));
  }

  static std::string Text(const Answer& answer) { return answer.Text(); }

  static inline LlamaEngine* engine_ = nullptr;
};

TEST_F(LlamaEngineTest, ListsTheModelWithItsRealContextWindow) {
  const std::vector<ModelInfo> models = engine_->ListModels();
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].id, kModel);
  EXPECT_EQ(models[0].context_window, 256);
  EXPECT_EQ(models[0].owned_by, "llamacpp");
}

TEST_F(LlamaEngineTest, AnswerIsAWellFormedEventSequence) {
  const Answer answer = Complete(Ask("Hello there", 12));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  ASSERT_GE(answer.events.size(), 5u);
  EXPECT_EQ(answer.events.front().kind, ChatEvent::Kind::kMessageStart);
  EXPECT_EQ(answer.events.back().kind, ChatEvent::Kind::kMessageStop);
  EXPECT_EQ(answer.response.model, kModel);
  EXPECT_GT(answer.response.usage.input_tokens, 5);
  EXPECT_GT(answer.response.usage.output_tokens, 0);
  EXPECT_LE(answer.response.usage.output_tokens, 12);
}

TEST_F(LlamaEngineTest, MaxTokensEndsTheAnswerWithItsStopReason) {
  const Answer answer = Complete(Ask("Count with me", 5));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  // The generated model (fixed seed, greedy) does not emit end-of-generation
  // this early, so the limit is what ends the answer.
  EXPECT_EQ(answer.response.stop_reason, StopReason::kMaxTokens);
  EXPECT_EQ(answer.response.usage.output_tokens, 5);
}

TEST_F(LlamaEngineTest, GreedyAnswersRepeat) {
  const std::string first = Text(Complete(Ask("The weather today", 16)));
  EXPECT_EQ(Text(Complete(Ask("The weather today", 16))), first);
}

TEST_F(LlamaEngineTest, SeededSamplingRepeatsAndSeedsDiffer) {
  auto seeded = [](int64_t seed) {
    ChatRequest request = Ask("Tell me a story", 24);
    request.sampling.temperature = 1.0;
    request.sampling.seed = seed;
    return Text(Complete(std::move(request)));
  };
  const std::string a = seeded(1);
  EXPECT_EQ(seeded(1), a);
  EXPECT_NE(seeded(2), a);
}

// The tiny model's greedy answer repeats one word; a frequency or presence
// penalty makes it pick others (and is applied at temperature 0 too).
TEST_F(LlamaEngineTest, PenaltiesMakeARepeatedTokenLessLikely) {
  const auto distinct_tokens = [](const Answer& answer) {
    std::set<std::string> seen;
    for (const ChatEvent& event : answer.events) {
      if (event.kind == ChatEvent::Kind::kBlockDelta) {
        seen.insert(event.delta);
      }
    }
    return seen.size();
  };
  const Answer plain = Complete(Ask("Say something.", 24));
  ASSERT_TRUE(plain.error.ok()) << plain.error.message();
  ASSERT_LE(distinct_tokens(plain), 3u) << Text(plain);  // the premise
  for (const bool frequency : {true, false}) {
    SCOPED_TRACE(frequency ? "frequency" : "presence");
    ChatRequest request = Ask("Say something.", 24);
    (frequency ? request.sampling.frequency_penalty : request.sampling.presence_penalty) = 2.0;
    const Answer penalised = Complete(std::move(request));
    ASSERT_TRUE(penalised.error.ok()) << penalised.error.message();
    EXPECT_GE(distinct_tokens(penalised), 16u) << Text(penalised);
  }
}

// A bias of +100 makes one token the whole answer (sampler_test.cpp shows
// the rest of the arithmetic). Ids are the model's own; one past its
// vocabulary is the client's error.
TEST_F(LlamaEngineTest, LogitBiasForcesOrBansATokenById) {
  const auto deltas = [](const Answer& answer) {
    std::vector<std::string> texts;
    for (const ChatEvent& event : answer.events) {
      if (event.kind == ChatEvent::Kind::kBlockDelta) {
        texts.push_back(event.delta);
      }
    }
    return texts;
  };
  ChatRequest forced = Ask("Say something.", 6);
  forced.sampling.logit_bias = {{1000, 100.0}};
  const Answer answer = Complete(forced);
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  const std::vector<std::string> texts = deltas(answer);
  ASSERT_EQ(texts.size(), 6u) << Text(answer);
  EXPECT_EQ(std::set<std::string>(texts.begin(), texts.end()).size(), 1u) << Text(answer);

  ChatRequest outside = Ask("Say something.");
  outside.sampling.logit_bias = {{10'000'000, 1.0}};
  const Answer refused = Complete(std::move(outside));
  ASSERT_FALSE(refused.error.ok());
  EXPECT_EQ(refused.error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error.message().find("logit_bias: token 10000000 is not in this model's "
                                         "vocabulary"),
            std::string::npos)
      << refused.error.message();
}

TEST_F(LlamaEngineTest, StopSequenceCutsTheAnswerWhereItAppears) {
  const Answer free_answer = Complete(Ask("Write something", 32));
  const std::string text = Text(free_answer);
  ASSERT_GE(text.size(), 8u) << "the model answered too little to test stops";
  // A stop sequence taken from the middle of the greedy answer.
  const std::string stop = text.substr(text.size() / 2, 3);
  ChatRequest request = Ask("Write something", 32);
  request.stop_sequences = {stop};
  const Answer stopped = Complete(std::move(request));
  ASSERT_TRUE(stopped.error.ok()) << stopped.error.message();
  EXPECT_EQ(stopped.response.stop_reason, StopReason::kStopSequence);
  EXPECT_EQ(stopped.response.stop_sequence, stop);
  EXPECT_EQ(Text(stopped), text.substr(0, text.find(stop)));
}

TEST_F(LlamaEngineTest, NextTurnOfAConversationReusesItsPrefix) {
  const ChatRequest first = Ask("Plan three days in Lisbon, please.", 8);
  const Answer one = Complete(first);
  ASSERT_TRUE(one.error.ok()) << one.error.message();
  const int64_t first_prompt = one.response.usage.input_tokens +
                               one.response.usage.cache_read_input_tokens;

  ChatRequest second = first;
  Message reply;
  reply.role = Role::kAssistant;
  reply.content.push_back(ContentBlock::Text(Text(one)));
  second.messages.push_back(reply);
  Message follow_up;
  follow_up.content.push_back(ContentBlock::Text("And where should we eat?"));
  second.messages.push_back(follow_up);
  Result<int64_t> second_prompt = engine_->CountTokens(second);
  ASSERT_TRUE(second_prompt.has_value());

  const Answer two = Complete(second);
  ASSERT_TRUE(two.error.ok()) << two.error.message();
  const Usage& usage = two.response.usage;
  EXPECT_EQ(usage.input_tokens + usage.cache_read_input_tokens, *second_prompt);
  // The whole first turn is reused (give or take a token where the
  // template joins the answer), and only the new part is decoded.
  EXPECT_GE(usage.cache_read_input_tokens, first_prompt - 2);
  EXPECT_LT(usage.input_tokens, *second_prompt - first_prompt + 8);
}

// Also after a prefill: the grammar starts where the prefill ends, so the
// prefill and the answer together are the JSON.
TEST_F(LlamaEngineTest, JsonSchemaOutputIsValidJsonMatchingTheSchema) {
  for (const std::string prefill : {"", R"({"answer": ")"}) {
    for (const double temperature : {0.0, 1.0}) {
      SCOPED_TRACE(prefill + " at " + std::to_string(temperature));
      ChatRequest request = Ask("Is it raining?", 48);
      if (!prefill.empty()) {
        request.messages.push_back({Role::kAssistant, {ContentBlock::Text(prefill)}});
      }
      request.sampling.temperature = temperature;
      request.sampling.seed = 3;
      ResponseFormat format;
      format.kind = ResponseFormat::Kind::kJsonSchema;
      format.schema.text =
          R"({"type":"object","properties":{"answer":{"enum":["yes","no"]}},)"
          R"("required":["answer"],"additionalProperties":false})";
      request.response_format = format;
      const Answer answer = Complete(std::move(request));
      ASSERT_TRUE(answer.error.ok()) << answer.error.message();
      // The grammar also ends the answer once the JSON is complete.
      EXPECT_EQ(answer.response.stop_reason, StopReason::kEndTurn);
      const nlohmann::json parsed = nlohmann::json::parse(prefill + Text(answer), nullptr,
                                                          /*allow_exceptions=*/false);
      ASSERT_TRUE(parsed.is_object()) << Text(answer);
      ASSERT_EQ(parsed.size(), 1u) << Text(answer);
      EXPECT_TRUE(parsed["answer"] == "yes" || parsed["answer"] == "no") << Text(answer);
    }
  }
}

TEST_F(LlamaEngineTest, APrefillTheJsonSchemaForbidsIsTheClientsError) {
  ChatRequest request = Ask("Is it raining?");
  request.messages.push_back({Role::kAssistant, {ContentBlock::Text(R"({"weather": )")}});
  ResponseFormat format;
  format.kind = ResponseFormat::Kind::kJsonSchema;
  format.schema.text =
      R"({"type":"object","properties":{"answer":{"type":"string"}},)"
      R"("required":["answer"],"additionalProperties":false})";
  request.response_format = format;
  const Answer answer = Complete(std::move(request));
  ASSERT_FALSE(answer.error.ok());
  EXPECT_EQ(answer.error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(answer.error.message().find("the assistant prefill is not the start of an answer "
                                        "that response_format's JSON schema allows"),
            std::string::npos)
      << answer.error.message();
}

TEST_F(LlamaEngineTest, UnusableSchemaIsRefused) {
  ChatRequest request = Ask("hi");
  ResponseFormat format;
  format.kind = ResponseFormat::Kind::kJsonSchema;
  format.schema.text = R"({"type":"object","properties":{"x":{"$ref":"#/nowhere"}}})";
  request.response_format = format;
  const Answer answer = Complete(std::move(request));
  ASSERT_EQ(answer.events.size(), 1u);
  EXPECT_EQ(answer.events[0].kind, ChatEvent::Kind::kError);
  EXPECT_NE(answer.events[0].error.message().find("response_format"),
            std::string::npos)
      << answer.events[0].error.message();
}

// A schema llama.cpp's converter turns into a grammar that llama.cpp then
// refuses: it allows no repetition count above 2000. The client's doing, so
// kInvalidArgument naming what the schema came in, never kInternal.
constexpr char kUnenforceableSchema[] =
    R"({"type":"object","properties":{"ids":{"type":"array","items":{"type":"integer"},)"
    R"("minItems":3000}},"required":["ids"]})";

TEST_F(LlamaEngineTest, SchemaWhoseGrammarLlamaCppRefusesIsTheClientsError) {
  ChatRequest request = Ask("hi");
  ResponseFormat format;
  format.kind = ResponseFormat::Kind::kJsonSchema;
  format.schema.text = kUnenforceableSchema;
  request.response_format = format;
  const Answer answer = Complete(std::move(request));
  ASSERT_EQ(answer.events.size(), 1u);
  ASSERT_EQ(answer.events[0].kind, ChatEvent::Kind::kError);
  EXPECT_EQ(answer.events[0].error.code(), ErrorCode::kInvalidArgument);
  const std::string& message = answer.events[0].error.message();
  EXPECT_EQ(message.rfind("response_format: ", 0), 0u) << message;
  EXPECT_NE(message.find("above 2000"), std::string::npos) << message;
}

TEST_F(LlamaEngineTest, ToolSchemaWhoseGrammarLlamaCppRefusesIsTheClientsError) {
  for (const ToolChoice::Mode mode : {ToolChoice::Mode::kAuto, ToolChoice::Mode::kAny}) {
    SCOPED_TRACE(static_cast<int>(mode));  // a lazy grammar, then a strict one
    ChatRequest request = Ask("Look the ids up.");
    Tool tool;
    tool.name = "lookup";
    tool.input_schema.text = kUnenforceableSchema;
    request.tools = {tool};
    ToolChoice choice;
    choice.mode = mode;
    request.tool_choice = choice;
    const Answer answer = Complete(std::move(request));
    ASSERT_EQ(answer.events.size(), 1u);
    ASSERT_EQ(answer.events[0].kind, ChatEvent::Kind::kError);
    EXPECT_EQ(answer.events[0].error.code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(answer.events[0].error.message().rfind("tools: ", 0), 0u)
        << answer.events[0].error.message();
  }
}

TEST_F(LlamaEngineTest, PromptLongerThanTheContextIsRefusedNotTruncated) {
  std::string long_text;
  for (int i = 0; i < 400; ++i) {
    long_text += "word ";
  }
  const Answer answer = Complete(Ask(long_text));
  ASSERT_EQ(answer.events.size(), 1u);
  ASSERT_EQ(answer.events[0].kind, ChatEvent::Kind::kError);
  EXPECT_EQ(answer.events[0].error.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(answer.events[0].error.message().find("tokens > 255 maximum (the context window of"),
            std::string::npos)
      << answer.events[0].error.message();
}

TEST_F(LlamaEngineTest, UnknownModelIsNotFound) {
  ChatRequest request = Ask("hi");
  request.model = "no-such-model";
  const Answer answer = Complete(std::move(request));
  ASSERT_EQ(answer.events.size(), 1u);
  EXPECT_EQ(answer.events[0].error.code(), ErrorCode::kNotFound);
}

Tool WeatherTool() {
  Tool tool;
  tool.name = "get_weather";
  tool.description = "Current weather for a city";
  tool.input_schema.text =
      R"({"type":"object","properties":{"city":{"type":"string","maxLength":12}},)"
      R"("required":["city"],"additionalProperties":false})";
  return tool;
}

Tool TimeTool() {
  Tool tool;
  tool.name = "get_time";
  tool.description = "Current time in a time zone";
  tool.input_schema.text =
      R"({"type":"object","properties":{"zone":{"enum":["UTC","CET"]}},)"
      R"("required":["zone"],"additionalProperties":false})";
  return tool;
}

// The tool_use blocks of an answer.
std::vector<ContentBlock> ToolUses(const Answer& answer) {
  std::vector<ContentBlock> uses;
  for (const ContentBlock& block : answer.response.content) {
    if (block.type == BlockType::kToolUse) {
      uses.push_back(block);
    }
  }
  return uses;
}

TEST_F(LlamaEngineTest, RequiredToolCallRequestRunsUnderTheToolGrammar) {
  ChatRequest request = Ask("What is the weather in Paris?", 48);
  request.tools = {WeatherTool(), TimeTool()};
  ToolChoice any;
  any.mode = ToolChoice::Mode::kAny;
  request.tool_choice = any;
  const Answer answer = Complete(std::move(request));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  // The template's grammar lets a model write some text before its call,
  // and random weights may never get to the call: whatever tool_use blocks
  // there are must be well-formed, and a call means stop_reason tool_use.
  const std::vector<ContentBlock> uses = ToolUses(answer);
  if (!uses.empty()) {
    EXPECT_EQ(answer.response.stop_reason, StopReason::kToolUse);
  }
  for (const ContentBlock& use : uses) {
    EXPECT_EQ(use.tool_id.rfind("toolu_", 0), 0u) << use.tool_id;
    const nlohmann::json input = nlohmann::json::parse(
        use.tool_input.text, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(input.is_object()) << use.tool_input.text;
    if (use.tool_name == "get_weather") {
      EXPECT_TRUE(input["city"].is_string()) << input;
    } else {
      ASSERT_EQ(use.tool_name, "get_time");
      EXPECT_TRUE(input["zone"] == "UTC" || input["zone"] == "CET") << input;
    }
  }
}

// A required tool call after a prefill: the tool-call grammar starts
// after it. This template's lets text come before the call, so a sentence
// is accepted; so is a prefill spelling the end-of-sequence token, which is
// the client's text (control_text.h), not the token (on which llama.cpp's
// grammar would abort the process).
TEST_F(LlamaEngineTest, APrefillBeforeARequiredToolCall) {
  for (const std::string prefill : {"Let me think.", "</s>"}) {
    SCOPED_TRACE(prefill);
    ChatRequest request = Ask("What is the weather in Paris?", 48);
    request.messages.push_back({Role::kAssistant, {ContentBlock::Text(prefill)}});
    request.tools = {WeatherTool()};
    ToolChoice any;
    any.mode = ToolChoice::Mode::kAny;
    request.tool_choice = any;
    const Answer answer = Complete(std::move(request));
    EXPECT_TRUE(answer.error.ok()) << answer.error.message();
  }
  EXPECT_TRUE(Complete(Ask("Still there?")).error.ok());
}

// Text that spells a control token is text: "a</s>b" costs the tokens of
// that text, not those of "a", the end-of-sequence token and "b".
TEST_F(LlamaEngineTest, TextSpellingAControlTokenIsTokenisedAsText) {
  llama_model_params params = llama_model_default_params();
  params.vocab_only = true;
  VocabPtr vocab(llama_model_load_from_file(DUET_TINY_MODEL, params));
  ASSERT_NE(vocab, nullptr);
  const ::llama_vocab* tokens = llama_model_get_vocab(vocab.get());
  const auto count_text = [&](const std::string& text, bool parse_special) {
    std::vector<llama_token> out(64);
    return llama_tokenize(tokens, text.data(), static_cast<int32_t>(text.size()), out.data(),
                          static_cast<int32_t>(out.size()), false, parse_special);
  };
  ASSERT_EQ(count_text("</s>", true), 1);  // the tiny model's vocabulary has it
  Result<int64_t> plain = engine_->CountTokens(Ask("a b"));
  Result<int64_t> spelled = engine_->CountTokens(Ask("a</s>b"));
  ASSERT_TRUE(plain.has_value() && spelled.has_value());
  EXPECT_EQ(*spelled - *plain, count_text("a</s>b", false) - count_text("a b", false));
  EXPECT_GT(*spelled - *plain, 1);
}

TEST_F(LlamaEngineTest, NamedToolChoiceOffersOnlyThatTool) {
  ChatRequest request = Ask("What time is it?", 48);
  request.tools = {WeatherTool(), TimeTool()};
  ToolChoice named;
  named.mode = ToolChoice::Mode::kTool;
  named.name = "get_time";
  request.tool_choice = named;
  const Answer answer = Complete(std::move(request));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  for (const ContentBlock& use : ToolUses(answer)) {
    EXPECT_EQ(use.tool_name, "get_time");  // the only tool offered
  }
}

TEST_F(LlamaEngineTest, ToolResultsInTheHistoryAreAnswered) {
  ChatRequest request = Ask("Weather in Paris?", 8);
  request.tools = {WeatherTool()};
  Message call;
  call.role = Role::kAssistant;
  call.content.push_back(ContentBlock::ToolUse(
      "toolu_1", "get_weather", RawJson{R"({"city":"Paris"})"}));
  request.messages.push_back(call);
  Message result;
  ContentBlock tool_result;
  tool_result.type = BlockType::kToolResult;
  tool_result.tool_use_id = "toolu_1";
  tool_result.tool_result_content.push_back(ContentBlock::Text("Sunny, 21 C"));
  result.content.push_back(tool_result);
  request.messages.push_back(result);
  Result<int64_t> tokens = engine_->CountTokens(request);
  ASSERT_TRUE(tokens.has_value()) << tokens.error().message();
  const Answer answer = Complete(std::move(request));
  EXPECT_TRUE(answer.error.ok()) << answer.error.message();
  EXPECT_FALSE(answer.response.content.empty());
}

TEST_F(LlamaEngineTest, OptionalToolsLeaveAPlainAnswerAlone) {
  ChatRequest request = Ask("Just say hello.", 12);
  request.tools = {WeatherTool()};  // tool_choice auto: the grammar is lazy
  const Answer answer = Complete(std::move(request));
  ASSERT_TRUE(answer.error.ok()) << answer.error.message();
  ASSERT_FALSE(answer.response.content.empty());
  if (ToolUses(answer).empty()) {
    EXPECT_EQ(answer.response.content[0].type, BlockType::kText);
    EXPECT_NE(answer.response.stop_reason, StopReason::kToolUse);
  }
}

TEST_F(LlamaEngineTest, ProviderToolsAreRefused) {
  ChatRequest request = Ask("hi");
  Tool search;
  search.name = "web_search";
  search.type = "web_search_20250305";
  request.tools.push_back(search);
  const Answer answer = Complete(std::move(request));
  ASSERT_EQ(answer.events.size(), 1u);
  EXPECT_EQ(answer.events[0].error.code(), ErrorCode::kInvalidArgument);
}

TEST_F(LlamaEngineTest, ConcurrentAnswersMatchTheirSoloAnswers) {
  const std::vector<std::string> prompts = {"alpha beta", "gamma delta",
                                            "epsilon", "zeta eta theta"};
  std::vector<std::string> solo;
  for (const std::string& prompt : prompts) {
    solo.push_back(Text(Complete(Ask(prompt, 12))));
  }
  // All four at once share decode steps (one batch, four sequences).
  std::vector<std::shared_ptr<CollectingSink>> sinks;
  for (const std::string& prompt : prompts) {
    auto sink = std::make_shared<CollectingSink>();
    engine_->Generate(Ask(prompt, 12), sink, std::make_shared<CancelFlag>());
    sinks.push_back(sink);
  }
  for (size_t i = 0; i < prompts.size(); ++i) {
    ASSERT_TRUE(sinks[i]->WaitForTerminal());
    ResponseAccumulator accumulator;
    for (const ChatEvent& event : sinks[i]->events()) {
      ASSERT_TRUE(accumulator.Add(event).ok());
    }
    ASSERT_TRUE(accumulator.complete());
    std::string text;
    for (const ContentBlock& block : accumulator.response().content) {
      text += block.text;
    }
    EXPECT_EQ(text, solo[i]) << "prompt " << prompts[i];
  }
}

TEST_F(LlamaEngineTest, CancelMidAnswerEndsWithCancelledAndFreesTheSlot) {
  auto cancel = std::make_shared<CancelFlag>();
  int deltas = 0;
  const Answer answer = Complete(Ask("Go on and on", 200), cancel,
                            [&](const ChatEvent& event) {
                              if (event.kind == ChatEvent::Kind::kBlockDelta &&
                                  ++deltas == 2) {
                                cancel->Cancel();
                              }
                            });
  ASSERT_GE(deltas, 2) << "the answer ended before it could be cancelled";
  EXPECT_EQ(answer.events.back().kind, ChatEvent::Kind::kError);
  EXPECT_EQ(answer.events.back().error.code(), ErrorCode::kCancelled);
  // Every slot is usable afterwards.
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(Complete(Ask("again", 4)).error.ok());
  }
}

TEST(LlamaEngineQueueTest, FullQueueIsResourceExhausted) {
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {TinyOptions(/*slots=*/1, /*queue_size=*/1)}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();
  // Many requests at once: one runs, one waits, the rest are turned away.
  std::vector<std::shared_ptr<CollectingSink>> sinks;
  for (int i = 0; i < 6; ++i) {
    auto sink = std::make_shared<CollectingSink>();
    (*engine)->Generate(Ask("busy " + std::to_string(i), 64), sink,
                        std::make_shared<CancelFlag>());
    sinks.push_back(sink);
  }
  int exhausted = 0;
  int answered = 0;
  for (const auto& sink : sinks) {
    ASSERT_TRUE(sink->WaitForTerminal());
    const std::vector<ChatEvent> events = sink->events();
    const ChatEvent& last = events.back();
    if (last.kind == ChatEvent::Kind::kError) {
      EXPECT_EQ(last.error.code(), ErrorCode::kResourceExhausted);
      EXPECT_EQ(events.size(), 1u);
      ++exhausted;
    } else {
      ++answered;
    }
  }
  EXPECT_GE(answered, 1);
  EXPECT_GE(exhausted, 1);
  EXPECT_EQ(answered + exhausted, 6);
}

TEST(LlamaEngineQueueTest, WaitingRequestCancelledLeavesTheQueueAtOnce) {
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {TinyOptions(/*slots=*/1, /*queue_size=*/4)}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();
  auto running_cancel = std::make_shared<CancelFlag>();
  auto running = std::make_shared<CollectingSink>();
  (*engine)->Generate(Ask("long answer", 240), running, running_cancel);
  ASSERT_TRUE(running->WaitForEvents(3));  // it holds the only slot

  auto waiting_cancel = std::make_shared<CancelFlag>();
  auto waiting = std::make_shared<CollectingSink>();
  (*engine)->Generate(Ask("waiting"), waiting, waiting_cancel);
  waiting_cancel->Cancel();
  ASSERT_TRUE(waiting->WaitForTerminal(std::chrono::seconds(10)));
  const std::vector<ChatEvent> events = waiting->events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error.code(), ErrorCode::kCancelled);
  EXPECT_EQ(running->terminal_count(), 0) << "the running answer was not done";
  running_cancel->Cancel();
  EXPECT_TRUE(running->WaitForTerminal());
}

TEST(LlamaEngineLoadTest, MissingFileIsNotFoundAndNamesTheModel) {
  RunnerOptions options;
  options.name = "ghost";
  options.path = "/nonexistent/model.gguf";
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {options}});
  ASSERT_FALSE(engine.has_value());
  EXPECT_EQ(engine.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(engine.error().message().find("ghost"), std::string::npos);
}

// A prompt decoded over several steps pings its stream between them, after
// message_start and before the first token; with the default interval a
// quick prompt does not.
TEST(LlamaEnginePrefillTest, LongPromptPingsWhileItIsDecoded) {
  RunnerOptions options = TinyOptions(/*slots=*/1);
  options.batch_size = 8;  // a 100-token prompt takes over ten steps
  options.prefill_ping_interval = std::chrono::milliseconds(0);
  Result<std::unique_ptr<LlamaEngine>> engine =
      LlamaEngine::Create({.models = {options}});
  ASSERT_TRUE(engine.has_value()) << engine.error().message();

  std::string prompt;
  for (int i = 0; i < 50; ++i) {
    prompt += "word ";
  }
  auto sink = std::make_shared<CollectingSink>();
  (*engine)->Generate(Ask(prompt, 2), sink, std::make_shared<CancelFlag>());
  ASSERT_TRUE(sink->WaitForTerminal());
  const std::vector<ChatEvent> events = sink->events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().kind, ChatEvent::Kind::kMessageStart);
  const int64_t prompt_tokens = events.front().usage.input_tokens;
  ASSERT_GT(prompt_tokens, 16);
  int pings_before_first_token = 0;
  int pings_after = 0;
  bool generating = false;
  for (const ChatEvent& event : events) {
    if (event.kind == ChatEvent::Kind::kBlockDelta) {
      generating = true;
    } else if (event.kind == ChatEvent::Kind::kPing) {
      ++(generating ? pings_after : pings_before_first_token);
    }
  }
  // One ping after each step that left prompt tokens to decode.
  EXPECT_EQ(pings_before_first_token, (prompt_tokens - 1) / 8);
  EXPECT_EQ(pings_after, 0);
}

TEST_F(LlamaEngineTest, QuickPromptIsNotPinged) {
  const Answer answer = Complete(Ask("Hello there", 4));
  for (const ChatEvent& event : answer.events) {
    EXPECT_NE(event.kind, ChatEvent::Kind::kPing);
  }
}

}  // namespace
}  // namespace duet::llama
