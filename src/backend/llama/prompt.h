// Turning a canonical ChatRequest into what a local model reads and how its
// output is read back, with the model's own chat template (Jinja, from the
// GGUF) through llama.cpp's common chat library.
//
// Tool definitions go into the template; earlier tool calls and results are
// rendered as the template writes them. When tools are offered, the library
// also derives from the template a grammar for the model's tool-call syntax
// (lazy, triggered by that syntax, unless a tool call is required) and a
// parser that turns the generated text back into content, reasoning and tool
// calls. Images are refused with kInvalidArgument; thinking blocks in the
// history are dropped (the template decides how to replay reasoning).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "model/chat.h"

struct llama_model;
struct common_chat_templates;
struct common_chat_parser_params;

namespace duet::llama {

// How the model's output must be read for one request.
struct RenderedPrompt {
  std::string prompt;
  // Structured output (tools offered, or thinking asked for): the text is
  // parsed into content, reasoning and tool calls; otherwise it is content.
  bool structured = false;
  std::string grammar;        // tool-call grammar, "" for none
  bool grammar_lazy = false;  // applies only once a trigger appears
  std::vector<std::string> trigger_patterns;  // regexes that start it
  std::vector<int32_t> trigger_tokens;        // tokens that start it
  // Tokens of the text the template already wrote for the answer's start;
  // a non-lazy grammar is advanced past them before sampling.
  std::string generation_prompt;
  std::vector<std::string> additional_stops;
  // Special tokens the parser must see as text (a template's <tool_call>,
  // <think>...): they are rendered into the answer instead of dropped.
  std::vector<std::string> preserved_tokens;
  std::shared_ptr<const common_chat_parser_params> parser;
};

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
  Result<RenderedPrompt> Render(const ChatRequest& request) const;

 private:
  explicit ChatTemplates(::common_chat_templates* templates);
  ::common_chat_templates* templates_;
};

}  // namespace duet::llama
