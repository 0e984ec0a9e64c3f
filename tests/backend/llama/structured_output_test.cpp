// StructuredOutput with the parser llama.cpp derives from a real chat
// template (the tiny test model's ChatML with tool calls): generated text,
// arriving in arbitrary pieces, becomes text and tool_use blocks.
#include "backend/llama/structured_output.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/llama/prompt.h"
#include "llama.h"
#include "model/accumulator.h"

namespace duet::llama {
namespace {

class StructuredOutputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    llama_log_set([](ggml_log_level, const char*, void*) {}, nullptr);
    llama_backend_init();
    llama_model_params params = llama_model_default_params();
    params.vocab_only = true;  // the template and tokenizer are enough
    model_ = llama_model_load_from_file(DUET_TINY_MODEL, params);
    ASSERT_NE(model_, nullptr);
    Result<std::unique_ptr<ChatTemplates>> templates =
        ChatTemplates::ForModel(model_);
    ASSERT_TRUE(templates.has_value()) << templates.error().message();
    templates_ = templates->release();
  }
  static void TearDownTestSuite() {
    delete templates_;
    llama_model_free(model_);
  }

  // `prefill`: the start of the answer, in a trailing assistant turn.
  static RenderedPrompt RenderWithTools(const std::string& prefill = "") {
    ChatRequest request;
    request.model = "tiny";
    Message message;
    message.content.push_back(ContentBlock::Text("Weather in Paris?"));
    request.messages.push_back(message);
    if (!prefill.empty()) {
      request.messages.push_back({Role::kAssistant, {ContentBlock::Text(prefill)}});
    }
    Tool tool;
    tool.name = "get_weather";
    tool.input_schema.text =
        R"({"type":"object","properties":{"city":{"type":"string"}},"required":["city"]})";
    request.tools.push_back(tool);
    Result<RenderedPrompt> rendered = templates_->Render(request);
    EXPECT_TRUE(rendered.has_value()) << rendered.error().message();
    return rendered ? *rendered : RenderedPrompt{};
  }

  // Feeds `text` in pieces of `piece` bytes, then finishes; folds the
  // events into a response (with message start/stop around them).
  static ChatResponse Run(const std::string& text, size_t piece,
                          const std::string& prefill = "") {
    const RenderedPrompt rendered = RenderWithTools(prefill);
    EXPECT_EQ(rendered.continued, prefill);
    StructuredOutput output(rendered.parser, !prefill.empty());
    std::vector<ChatEvent> events;
    events.push_back(ChatEvent::MessageStart("msg_1", "tiny", {}));
    for (size_t at = 0; at < text.size(); at += piece) {
      output.Append(text.substr(at, piece), &events);
    }
    output.Finish(&events);
    events.push_back(ChatEvent::MessageDelta(StopReason::kToolUse, {}));
    events.push_back(ChatEvent::MessageStop());
    ResponseAccumulator accumulator;
    for (const ChatEvent& event : events) {
      const Status status = accumulator.Add(event);
      EXPECT_TRUE(status.ok()) << status.message();
    }
    EXPECT_TRUE(accumulator.complete());
    EXPECT_EQ(output.tool_calls() > 0, (prefill + text).find("<tool_call>") != std::string::npos);
    return accumulator.response();
  }

  static inline ::llama_model* model_ = nullptr;
  static inline ChatTemplates* templates_ = nullptr;
};

TEST_F(StructuredOutputTest, TemplateWithToolsYieldsAGrammarAndAParser) {
  const RenderedPrompt rendered = RenderWithTools();
  EXPECT_TRUE(rendered.structured);
  EXPECT_FALSE(rendered.grammar.empty());
  EXPECT_NE(rendered.prompt.find("get_weather"), std::string::npos)
      << "the tool definitions must reach the prompt";
}

TEST_F(StructuredOutputTest, ToolCallBecomesAToolUseBlockWhateverThePieces) {
  const std::string text =
      "Let me check.<tool_call>{\"name\": \"get_weather\", "
      "\"arguments\": {\"city\": \"Paris\"}}</tool_call>";
  for (const size_t piece : {1u, 3u, 7u, 200u}) {
    SCOPED_TRACE(piece);
    const ChatResponse response = Run(text, piece);
    ASSERT_EQ(response.content.size(), 2u);
    EXPECT_EQ(response.content[0].type, BlockType::kText);
    EXPECT_EQ(response.content[0].text, "Let me check.");
    const ContentBlock& call = response.content[1];
    ASSERT_EQ(call.type, BlockType::kToolUse);
    EXPECT_EQ(call.tool_name, "get_weather");
    EXPECT_EQ(call.tool_id.rfind("toolu_", 0), 0u);
    EXPECT_EQ(nlohmann::json::parse(call.tool_input.text),
              nlohmann::json::parse(R"({"city":"Paris"})"));
  }
}

// After a prefill the parser reads the prefill and the answer together (a
// tool call may follow text the client wrote), and only the answer is sent.
TEST_F(StructuredOutputTest, AfterAPrefillOnlyTheAnswerIsSent) {
  const std::string call =
      "<tool_call>{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}"
      "</tool_call>";
  for (const size_t piece : {1u, 7u, 200u}) {
    SCOPED_TRACE(piece);
    const ChatResponse text = Run(" I will check the weather.", piece, "Sure,");
    ASSERT_EQ(text.content.size(), 1u);
    EXPECT_EQ(text.content[0].text, " I will check the weather.");

    const ChatResponse then_call = Run(" checking." + call, piece, "Sure,");
    ASSERT_EQ(then_call.content.size(), 2u);
    EXPECT_EQ(then_call.content[0].text, " checking.");
    EXPECT_EQ(then_call.content[1].type, BlockType::kToolUse);
    EXPECT_EQ(nlohmann::json::parse(then_call.content[1].tool_input.text),
              nlohmann::json::parse(R"({"city":"Paris"})"));

    // The prefill opened the call; the answer finishes it.
    const ChatResponse finished_call = Run(call.substr(11), piece, call.substr(0, 11));
    ASSERT_EQ(finished_call.content.size(), 1u);
    EXPECT_EQ(finished_call.content[0].type, BlockType::kToolUse);
    EXPECT_EQ(finished_call.content[0].tool_name, "get_weather");
  }
}

TEST_F(StructuredOutputTest, PlainAnswerIsOneTextBlock) {
  const ChatResponse response = Run("It is sunny in Paris.", 4);
  ASSERT_EQ(response.content.size(), 1u);
  EXPECT_EQ(response.content[0].text, "It is sunny in Paris.");
}

TEST_F(StructuredOutputTest, EmptyAnswerStillHasAnEmptyTextBlock) {
  const ChatResponse response = Run("", 4);
  ASSERT_EQ(response.content.size(), 1u);
  EXPECT_EQ(response.content[0].type, BlockType::kText);
  EXPECT_EQ(response.content[0].text, "");
}

// The thinking template: reasoning in <think> tags becomes a thinking block
// before the text block.
TEST(StructuredOutputThinkingTest, ReasoningBecomesAThinkingBlockFirst) {
  llama_model_params params = llama_model_default_params();
  params.vocab_only = true;
  ::llama_model* model =
      llama_model_load_from_file(DUET_TINY_THINKING_MODEL, params);
  ASSERT_NE(model, nullptr);
  Result<std::unique_ptr<ChatTemplates>> templates = ChatTemplates::ForModel(model);
  ASSERT_TRUE(templates.has_value()) << templates.error().message();
  ChatRequest request;
  Message message;
  message.content.push_back(ContentBlock::Text("Why is the sky blue?"));
  request.messages.push_back(message);
  ThinkingConfig thinking;
  thinking.mode = ThinkingConfig::Mode::kEnabled;
  thinking.budget_tokens = 1024;
  request.thinking = thinking;
  Result<RenderedPrompt> rendered = (*templates)->Render(request);
  ASSERT_TRUE(rendered.has_value()) << rendered.error().message();
  EXPECT_TRUE(rendered->structured);

  const std::string text = "Light scatters.\n</think>\n\nRayleigh scattering.";
  for (const size_t piece : {1u, 5u, 100u}) {
    SCOPED_TRACE(piece);
    StructuredOutput output(rendered->parser);
    std::vector<ChatEvent> events;
    events.push_back(ChatEvent::MessageStart("msg_1", "tiny", {}));
    for (size_t at = 0; at < text.size(); at += piece) {
      output.Append(text.substr(at, piece), &events);
    }
    output.Finish(&events);
    events.push_back(ChatEvent::MessageDelta(StopReason::kEndTurn, {}));
    events.push_back(ChatEvent::MessageStop());
    ResponseAccumulator accumulator;
    for (const ChatEvent& event : events) {
      ASSERT_TRUE(accumulator.Add(event).ok());
    }
    const ChatResponse& response = accumulator.response();
    ASSERT_EQ(response.content.size(), 2u);
    EXPECT_EQ(response.content[0].type, BlockType::kThinking);
    EXPECT_EQ(response.content[0].text.rfind("Light scatters.", 0), 0u)
        << response.content[0].text;
    EXPECT_EQ(response.content[1].type, BlockType::kText);
    EXPECT_EQ(response.content[1].text, "Rayleigh scattering.");
  }
  templates->reset();
  llama_model_free(model);
}

}  // namespace
}  // namespace duet::llama
