#include "model/chat.h"

#include <utility>

namespace duet {

ContentBlock ContentBlock::Text(std::string text) {
  ContentBlock block;
  block.type = BlockType::kText;
  block.text = std::move(text);
  return block;
}

ContentBlock ContentBlock::ToolUse(std::string id, std::string name,
                                   RawJson input) {
  ContentBlock block;
  block.type = BlockType::kToolUse;
  block.tool_id = std::move(id);
  block.tool_name = std::move(name);
  block.tool_input = std::move(input);
  return block;
}

ContentBlock ContentBlock::Thinking(std::string thinking,
                                    std::string signature) {
  ContentBlock block;
  block.type = BlockType::kThinking;
  block.text = std::move(thinking);
  block.signature = std::move(signature);
  return block;
}

ChatEvent ChatEvent::MessageStart(std::string id, std::string model,
                                  Usage usage) {
  ChatEvent event;
  event.kind = Kind::kMessageStart;
  event.message_id = std::move(id);
  event.model = std::move(model);
  event.usage = usage;
  return event;
}

ChatEvent ChatEvent::BlockStart(int index, ContentBlock empty_block) {
  ChatEvent event;
  event.kind = Kind::kBlockStart;
  event.index = index;
  event.mutable_block() = std::move(empty_block);
  return event;
}

ChatEvent ChatEvent::Delta(int index, DeltaKind kind, std::string text) {
  ChatEvent event;
  event.kind = Kind::kBlockDelta;
  event.index = index;
  event.delta_kind = kind;
  event.delta = std::move(text);
  return event;
}

ChatEvent ChatEvent::BlockStop(int index) {
  ChatEvent event;
  event.kind = Kind::kBlockStop;
  event.index = index;
  return event;
}

ChatEvent ChatEvent::MessageDelta(StopReason reason, Usage usage,
                                  std::string stop_sequence) {
  ChatEvent event;
  event.kind = Kind::kMessageDelta;
  event.stop_reason = reason;
  event.usage = usage;
  event.stop_sequence = std::move(stop_sequence);
  return event;
}

ChatEvent ChatEvent::MessageStop() {
  ChatEvent event;
  event.kind = Kind::kMessageStop;
  return event;
}

ChatEvent ChatEvent::Ping() { return ChatEvent(); }

ChatEvent ChatEvent::Failure(Status status) {
  ChatEvent event;
  event.kind = Kind::kError;
  event.error = std::move(status);
  return event;
}

}  // namespace duet
