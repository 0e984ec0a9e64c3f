#include "model/accumulator.h"

#include <utility>

namespace duet {

Status ResponseAccumulator::Fail(std::string what) {
  state_ = State::kFailed;
  return Internal("backend event stream out of order: " + std::move(what));
}

Status ResponseAccumulator::Add(const ChatEvent& event) {
  using Kind = ChatEvent::Kind;
  if (state_ == State::kDone || state_ == State::kFailed) {
    return Fail("event after the end of the message");
  }
  switch (event.kind) {
    case Kind::kPing:
      return Status::Ok();
    case Kind::kError:
      state_ = State::kFailed;
      return event.error.ok() ? Internal("backend failed without a reason")
                              : event.error;
    case Kind::kMessageStart:
      if (state_ != State::kIdle) {
        return Fail("second message_start");
      }
      response_.id = event.message_id;
      response_.model = event.model;
      response_.usage = event.usage;
      state_ = State::kInMessage;
      return Status::Ok();
    case Kind::kBlockStart:
      if (state_ != State::kInMessage ||
          event.index != static_cast<int>(response_.content.size())) {
        return Fail("content_block_start with index " +
                    std::to_string(event.index));
      }
      response_.content.push_back(event.block());
      state_ = State::kInBlock;
      return Status::Ok();
    case Kind::kBlockDelta: {
      if (state_ != State::kInBlock ||
          event.index + 1 != static_cast<int>(response_.content.size())) {
        return Fail("delta outside its block");
      }
      ContentBlock& block = response_.content.back();
      switch (event.delta_kind) {
        case ChatEvent::DeltaKind::kText:
          block.text += event.delta;
          response_.logprobs.insert(response_.logprobs.end(),
                                    event.logprobs.begin(),
                                    event.logprobs.end());
          break;
        case ChatEvent::DeltaKind::kThinking:
          block.text += event.delta;
          break;
        case ChatEvent::DeltaKind::kSignature:
          block.signature += event.delta;
          break;
        case ChatEvent::DeltaKind::kInputJson:
          block.tool_input.text += event.delta;
          break;
      }
      return Status::Ok();
    }
    case Kind::kBlockStop: {
      if (state_ != State::kInBlock ||
          event.index + 1 != static_cast<int>(response_.content.size())) {
        return Fail("content_block_stop outside its block");
      }
      ContentBlock& block = response_.content.back();
      if (block.type == BlockType::kToolUse && block.tool_input.empty()) {
        block.tool_input.text = "{}";
      }
      state_ = State::kInMessage;
      return Status::Ok();
    }
    case Kind::kMessageDelta:
      if (state_ != State::kInMessage && state_ != State::kAfterDelta) {
        return Fail("message_delta inside a block or before message_start");
      }
      response_.stop_reason = event.stop_reason;
      response_.stop_sequence = event.stop_sequence;
      response_.usage = event.usage;
      response_.confidence = event.confidence;
      state_ = State::kAfterDelta;
      return Status::Ok();
    case Kind::kMessageStop:
      if (state_ != State::kAfterDelta) {
        return Fail("message_stop before message_delta");
      }
      state_ = State::kDone;
      return Status::Ok();
  }
  return Fail("unknown event kind");
}

}  // namespace duet
