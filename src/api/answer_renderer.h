// AnswerRenderer: turns canonical answer events into one API's wire format.
//
// One renderer per request. The Anthropic and OpenAI implementations wrap the
// protocol adapters (anthropic/, openai/); ChatBridge drives them.
// Thread safety: none; used by one request's event sequence.
#pragma once

#include <memory>
#include <string>

#include "api/http/exchange.h"
#include "model/chat.h"

namespace duet::api {

class AnswerRenderer {
 public:
  virtual ~AnswerRenderer() = default;

  virtual ApiFlavor flavor() const = 0;
  // Appends the SSE bytes for `event` (possibly none).
  virtual void AppendStreamEvent(const ChatEvent& event, std::string* out) = 0;
  // The non-streaming response body for a complete answer.
  virtual std::string RenderResponse(const ChatResponse& response) = 0;
};

// `created_unix` stamps OpenAI's `created`; `include_usage` is OpenAI's
// stream_options.include_usage.
std::unique_ptr<AnswerRenderer> MakeAnthropicRenderer();
std::unique_ptr<AnswerRenderer> MakeOpenAIRenderer(const std::string& model,
                                                   int64_t created_unix,
                                                   bool include_usage);

}  // namespace duet::api
