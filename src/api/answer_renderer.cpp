#include "api/answer_renderer.h"

#include "wire/anthropic/messages_response.h"
#include "wire/anthropic/messages_stream.h"
#include "wire/openai/chat_response.h"
#include "wire/openai/chat_stream.h"
#include "core/ids.h"

namespace duet::api {
namespace {

class AnthropicRenderer final : public AnswerRenderer {
 public:
  ApiFlavor flavor() const override { return ApiFlavor::kAnthropic; }
  void AppendStreamEvent(const ChatEvent& event, std::string* out) override {
    writer_.Append(event, out);
  }
  std::string RenderResponse(const ChatResponse& response) override {
    return wire::anthropic::WriteMessage(response);
  }

 private:
  wire::anthropic::StreamWriter writer_;
};

class OpenAIRenderer final : public AnswerRenderer {
 public:
  OpenAIRenderer(std::string id, const std::string& model,
                 int64_t created_unix, bool include_usage)
      : id_(id),
        created_unix_(created_unix),
        writer_(std::move(id), model, created_unix, include_usage) {}

  ApiFlavor flavor() const override { return ApiFlavor::kOpenAI; }
  void AppendStreamEvent(const ChatEvent& event, std::string* out) override {
    writer_.Append(event, out);
  }
  std::string RenderResponse(const ChatResponse& response) override {
    ChatResponse with_id = response;
    with_id.id = id_;
    return wire::openai::WriteChatCompletion(with_id, created_unix_);
  }

 private:
  std::string id_;
  int64_t created_unix_;
  wire::openai::StreamWriter writer_;
};

}  // namespace

std::unique_ptr<AnswerRenderer> MakeAnthropicRenderer() {
  return std::make_unique<AnthropicRenderer>();
}

std::unique_ptr<AnswerRenderer> MakeOpenAIRenderer(const std::string& model,
                                                   int64_t created_unix,
                                                   bool include_usage) {
  return std::make_unique<OpenAIRenderer>(NewId("chatcmpl-"), model,
                                          created_unix, include_usage);
}

}  // namespace duet::api
