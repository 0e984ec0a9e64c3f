// StructuredOutput: reads a model's generated text with the parser its chat
// template implies (llama.cpp's common chat parser) and turns what it finds
// into canonical stream events: thinking blocks for reasoning, text blocks
// for content, tool_use blocks (input streamed as JSON fragments) for tool
// calls.
//
// The text is re-parsed as it grows (partially, so an unfinished tool call
// is not mistaken for content) and only the difference to the previous
// parse becomes events. A block opens when its first delta arrives and
// closes when a delta of another kind begins or the answer ends; block
// indexes count from 0 in order. Tool calls get ids of the form
// "toolu_..." when the model gives none.
//
// Thread safety: none; one per answer.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/chat.h"

struct common_chat_parser_params;
struct common_chat_msg;

namespace duet::llama {

class StructuredOutput {
 public:
  // `continues_prefill`: the prompt ended with the request's prefill, which
  // the parser reads (in its generation prompt) before the generated text;
  // it is not sent again.
  explicit StructuredOutput(
      std::shared_ptr<const common_chat_parser_params> params,
      bool continues_prefill = false);
  ~StructuredOutput();

  // Adds generated text; appends the events it reveals to `events`.
  void Append(std::string_view text, std::vector<ChatEvent>* events);

  // The answer is over: parses it as complete, emits what is left, closes
  // the open block (or emits an empty text block if there was none).
  void Finish(std::vector<ChatEvent>* events);

  int tool_calls() const { return static_cast<int>(tool_blocks_.size()); }

 private:
  enum class Open { kNone, kText, kThinking, kToolUse };

  void Update(bool partial, std::vector<ChatEvent>* events);
  void Emit(const common_chat_msg& parsed, std::vector<ChatEvent>* events);
  void OpenBlock(Open kind, ContentBlock block, std::vector<ChatEvent>* events);
  void CloseBlock(std::vector<ChatEvent>* events);

  std::shared_ptr<const common_chat_parser_params> params_;
  std::string text_;
  std::unique_ptr<common_chat_msg> previous_;  // what has been sent
  // The parse of the prefill alone (nullptr without one), which an answer
  // that does not follow the format is read as continuing.
  std::unique_ptr<common_chat_msg> before_;
  Open open_ = Open::kNone;
  int open_index_ = -1;
  int next_index_ = 0;
  size_t open_tool_ = 0;            // tool call index of an open tool block
  std::vector<int> tool_blocks_;    // block index per tool call
};

}  // namespace duet::llama
