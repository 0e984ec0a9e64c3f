#include "backend/llama/structured_output.h"

#include <exception>
#include <utility>

#include "chat.h"  // llama.cpp common
#include "core/ids.h"

namespace duet::llama {

StructuredOutput::StructuredOutput(
    std::shared_ptr<const common_chat_parser_params> params, bool continues_prefill)
    : params_(std::move(params)),
      previous_(std::make_unique<common_chat_msg>()) {
  if (continues_prefill) {
    try {
      *previous_ = common_chat_parse("", /*is_partial=*/true, *params_);
      before_ = std::make_unique<common_chat_msg>(*previous_);
    } catch (const std::exception&) {
      // Unreadable alone: the prefill is then not part of what is parsed.
    }
  }
}

StructuredOutput::~StructuredOutput() = default;

void StructuredOutput::Append(std::string_view text,
                              std::vector<ChatEvent>* events) {
  if (text.empty()) {
    return;
  }
  text_ += text;
  Update(/*partial=*/true, events);
}

void StructuredOutput::Finish(std::vector<ChatEvent>* events) {
  Update(/*partial=*/false, events);
  if (next_index_ == 0) {
    OpenBlock(Open::kText, ContentBlock::Text(""), events);
  }
  CloseBlock(events);
}

void StructuredOutput::Update(bool partial, std::vector<ChatEvent>* events) {
  common_chat_msg parsed;
  try {
    parsed = common_chat_parse(text_, partial, *params_);
  } catch (const std::exception&) {
    if (partial) {
      return;  // not readable yet: wait for more text
    }
    // The complete answer does not follow the format: it is all content.
    parsed = before_ ? *before_ : common_chat_msg();
    parsed.role = "assistant";
    parsed.content += text_;
  }
  Emit(parsed, events);
}

void StructuredOutput::Emit(const common_chat_msg& parsed,
                            std::vector<ChatEvent>* events) {
  for (const common_chat_msg_diff& diff :
       common_chat_msg_diff::compute_diffs(*previous_, parsed)) {
    if (!diff.reasoning_content_delta.empty()) {
      if (open_ != Open::kThinking) {
        OpenBlock(Open::kThinking, ContentBlock::Thinking("", ""), events);
      }
      events->push_back(ChatEvent::Delta(open_index_,
                                         ChatEvent::DeltaKind::kThinking,
                                         diff.reasoning_content_delta));
    }
    if (!diff.content_delta.empty()) {
      if (open_ != Open::kText) {
        OpenBlock(Open::kText, ContentBlock::Text(""), events);
      }
      events->push_back(ChatEvent::Delta(
          open_index_, ChatEvent::DeltaKind::kText, diff.content_delta));
    }
    if (diff.tool_call_index != std::string::npos) {
      const size_t call = diff.tool_call_index;
      if (call >= tool_blocks_.size() || open_ != Open::kToolUse ||
          open_tool_ != call) {
        if (call < tool_blocks_.size()) {
          continue;  // a late change to a closed call: blocks are final
        }
        const std::string& id = diff.tool_call_delta.id;
        OpenBlock(Open::kToolUse,
                  ContentBlock::ToolUse(id.empty() ? NewId("toolu_") : id,
                                        diff.tool_call_delta.name, RawJson{}),
                  events);
        open_tool_ = call;
        tool_blocks_.push_back(open_index_);
      }
      if (!diff.tool_call_delta.arguments.empty()) {
        events->push_back(ChatEvent::Delta(open_index_,
                                           ChatEvent::DeltaKind::kInputJson,
                                           diff.tool_call_delta.arguments));
      }
    }
  }
  *previous_ = parsed;
}

void StructuredOutput::OpenBlock(Open kind, ContentBlock block,
                                 std::vector<ChatEvent>* events) {
  CloseBlock(events);
  open_ = kind;
  open_index_ = next_index_++;
  events->push_back(ChatEvent::BlockStart(open_index_, std::move(block)));
}

void StructuredOutput::CloseBlock(std::vector<ChatEvent>* events) {
  if (open_ == Open::kNone) {
    return;
  }
  events->push_back(ChatEvent::BlockStop(open_index_));
  open_ = Open::kNone;
}

}  // namespace duet::llama
