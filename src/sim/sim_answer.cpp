#include "sim/sim_answer.h"

#include <algorithm>

#include "model/text_size.h"

namespace duet::sim {
namespace {

constexpr std::string_view kSignature = "c2ltdWxhdGVkIHNpZ25hdHVyZQ==";

int64_t TokensForChars(size_t chars) {
  return std::max<int64_t>(1, static_cast<int64_t>((chars + 3) / 4));
}

// The largest prefix of `text` with at most `max_chars` characters.
size_t PrefixBytes(std::string_view text, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == max_chars) {
        return i;
      }
      ++chars;
    }
  }
  return text.size();
}

// Cut points of `text` into pieces of at most `size` bytes that never split
// a UTF-8 sequence (a piece grows past `size` only for one long sequence).
std::vector<std::string> Pieces(std::string_view text, size_t size) {
  std::vector<std::string> pieces;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + size);
    while (end < text.size() &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      ++end;
    }
    pieces.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return pieces;
}

std::string EchoText(const ChatRequest& request) {
  for (auto message = request.messages.rbegin();
       message != request.messages.rend(); ++message) {
    if (message->role != Role::kUser) {
      continue;
    }
    std::string text;
    std::string tool_text;
    for (const ContentBlock& block : message->content) {
      if (block.type == BlockType::kText) {
        text += (text.empty() ? "" : "\n") + block.text;
      } else if (block.type == BlockType::kToolResult) {
        for (const ContentBlock& inner : block.tool_result_content) {
          if (inner.type == BlockType::kText) {
            tool_text += (tool_text.empty() ? "" : "\n") + inner.text;
          }
        }
      }
    }
    if (!text.empty()) {
      return text;
    }
    if (!tool_text.empty()) {
      return tool_text;
    }
    break;
  }
  return "(empty)";
}

}  // namespace

int64_t CountInputTokens(const ChatRequest& request) {
  return TokensForChars(RequestChars(request));
}

int64_t CountOutputTokens(std::string_view text) {
  return TokensForChars(CountChars(text));
}

ChatResponse BuildAnswer(const ChatRequest& request, const SimTurn& turn,
                         std::string message_id) {
  ChatResponse answer;
  answer.id = std::move(message_id);
  answer.model = request.model;

  std::vector<ContentBlock> content = turn.content;
  if (content.empty()) {
    content.push_back(ContentBlock::Text(EchoText(request)));
  }
  const bool thinking = request.thinking.has_value() &&
                        request.thinking->mode != ThinkingConfig::Mode::kDisabled;
  const bool has_thinking =
      std::any_of(content.begin(), content.end(), [](const ContentBlock& b) {
        return b.type == BlockType::kThinking;
      });
  if (thinking && !has_thinking) {
    const std::string prompt = EchoText(request);
    content.insert(content.begin(),
                   ContentBlock::Thinking(
                       "Considering: " + prompt.substr(0, PrefixBytes(prompt, 60)),
                       ""));
  }

  int tool_number = 0;
  size_t budget_chars = request.max_tokens
                            ? static_cast<size_t>(std::max<int64_t>(0, *request.max_tokens)) * 4
                            : SIZE_MAX;
  size_t output_chars = 0;
  StopReason reason = StopReason::kEndTurn;
  bool cut = false;
  for (ContentBlock& block : content) {
    if (block.type == BlockType::kThinking) {
      block.signature = std::string(kSignature);
    }
    if (block.type == BlockType::kToolUse) {
      ++tool_number;
      if (block.tool_id.empty()) {
        block.tool_id = "toolu_sim_" + std::to_string(tool_number);
      }
      reason = StopReason::kToolUse;
    }
    if (block.type == BlockType::kText) {
      // The text is written left to right: the stop sequence that is
      // complete first ends it, whatever its place in stop_sequences.
      size_t stop_at = std::string::npos;
      size_t stop_end = std::string::npos;
      for (const std::string& stop : request.stop_sequences) {
        const size_t at = stop.empty() ? std::string::npos : block.text.find(stop);
        if (at != std::string::npos && at + stop.size() < stop_end) {
          stop_at = at;
          stop_end = at + stop.size();
          answer.stop_sequence = stop;
        }
      }
      if (stop_at != std::string::npos) {
        block.text.resize(stop_at);
        reason = StopReason::kStopSequence;
        cut = true;
      }
    }
    if (block.type == BlockType::kText || block.type == BlockType::kThinking) {
      const size_t chars = CountChars(block.text);
      if (output_chars + chars > budget_chars) {
        // Tool input before this block may already exceed the budget.
        const size_t left =
            budget_chars > output_chars ? budget_chars - output_chars : 0;
        block.text.resize(PrefixBytes(block.text, left));
        answer.stop_sequence.clear();
        reason = StopReason::kMaxTokens;
        cut = true;
      }
    }
    output_chars += BlockChars(block) -
                    (block.type == BlockType::kToolUse ? CountChars(block.tool_name) : 0);
    answer.content.push_back(std::move(block));
    if (cut) {
      break;
    }
  }
  if (turn.stop_reason) {
    reason = *turn.stop_reason;
  }
  answer.stop_reason = reason;
  answer.usage.input_tokens = CountInputTokens(request);
  answer.usage.output_tokens = TokensForChars(output_chars);
  return answer;
}

std::vector<ChatEvent> StreamEvents(const ChatResponse& answer) {
  using Delta = ChatEvent::DeltaKind;
  std::vector<ChatEvent> events;
  Usage start_usage = answer.usage;
  start_usage.output_tokens = 1;
  events.push_back(ChatEvent::MessageStart(answer.id, answer.model, start_usage));
  for (size_t i = 0; i < answer.content.size(); ++i) {
    const ContentBlock& block = answer.content[i];
    const int index = static_cast<int>(i);
    ContentBlock empty = block;
    empty.text.clear();
    empty.signature.clear();
    empty.tool_input = RawJson{};
    events.push_back(ChatEvent::BlockStart(index, std::move(empty)));
    if (i == 0) {
      events.push_back(ChatEvent::Ping());
    }
    switch (block.type) {
      case BlockType::kText:
        for (std::string& piece : Pieces(block.text, 16)) {
          events.push_back(ChatEvent::Delta(index, Delta::kText, std::move(piece)));
        }
        break;
      case BlockType::kThinking:
        for (std::string& piece : Pieces(block.text, 16)) {
          events.push_back(
              ChatEvent::Delta(index, Delta::kThinking, std::move(piece)));
        }
        events.push_back(ChatEvent::Delta(index, Delta::kSignature, block.signature));
        break;
      case BlockType::kToolUse:
        events.push_back(ChatEvent::Delta(index, Delta::kInputJson, ""));
        for (std::string& piece : Pieces(block.tool_input.text, 7)) {
          events.push_back(
              ChatEvent::Delta(index, Delta::kInputJson, std::move(piece)));
        }
        break;
      default:
        break;
    }
    events.push_back(ChatEvent::BlockStop(index));
  }
  events.push_back(ChatEvent::MessageDelta(answer.stop_reason, answer.usage,
                                           answer.stop_sequence));
  events.push_back(ChatEvent::MessageStop());
  return events;
}

}  // namespace duet::sim
