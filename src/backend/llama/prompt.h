// Turning a canonical ChatRequest into the prompt text a local model reads,
// with the model's own chat template (Jinja, from the GGUF) through
// llama.cpp's common chat library.
//
// This first version of the engine answers with text only: requests that
// carry tool definitions, tool calls or results, or images are refused with
// kInvalidArgument naming what is not supported yet, rather than being
// silently flattened into text. Thinking blocks in the history are dropped
// (the model never saw them as its own tokens), and the model's thinking
// mode is off.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "model/chat.h"

struct llama_model;
struct common_chat_templates;

namespace duet::llama {

// The chat templates of one loaded model. Thread-safe after construction
// (templates are read-only).
class ChatTemplates {
 public:
  // Reads the model's template; a model without one gets llama.cpp's
  // default (ChatML). Returns kInvalidArgument when the template cannot be
  // parsed.
  static Result<std::unique_ptr<ChatTemplates>> ForModel(
      const ::llama_model* model);
  ~ChatTemplates();

  // The prompt for `request`, ending with the assistant's turn opened.
  Result<std::string> Render(const ChatRequest& request) const;

 private:
  explicit ChatTemplates(::common_chat_templates* templates);
  ::common_chat_templates* templates_;
};

}  // namespace duet::llama
