#include "wire/openai/chat_stream_reader.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "wire/json_read.h"
#include "wire/upstream_error.h"

namespace duet::wire::openai {
namespace {

int64_t IntOrZero(const Json& object, std::string_view key) {
  return IntIfPresent(object, key).value_or(0);
}

// A logprobs entry's token and logprob; false when either is missing.
// The exact bytes, when the server sends them, win over `token`, whose
// JSON string cannot hold part of a character.
bool ReadTokenAndLogprob(const Json& item, std::string* token,
                         double* logprob) {
  const Json* value = FindMember(item, "logprob");
  if (value == nullptr || !value->is_number()) {
    return false;
  }
  *logprob = value->get<double>();
  token->clear();
  if (const Json* bytes = FindMember(item, "bytes");
      bytes != nullptr && bytes->is_array()) {
    for (const Json& byte : *bytes) {
      if (!byte.is_number_unsigned() || byte.get<uint64_t>() > 255) {
        token->clear();
        break;
      }
      token->push_back(static_cast<char>(byte.get<uint64_t>()));
    }
    if (!token->empty()) {
      return true;
    }
  }
  const Json* text = FindMember(item, "token");
  if (text == nullptr || !text->is_string()) {
    return false;
  }
  *token = text->get<std::string>();
  return true;
}

// choice.logprobs.content; entries that do not read are skipped.
std::vector<TokenLogprob> ReadLogprobs(const Json& choice) {
  std::vector<TokenLogprob> out;
  const Json* logprobs = FindMember(choice, "logprobs");
  if (logprobs == nullptr || !logprobs->is_object()) {
    return out;
  }
  const Json* content = FindMember(*logprobs, "content");
  if (content == nullptr || !content->is_array()) {
    return out;
  }
  for (const Json& item : *content) {
    TokenLogprob entry;
    if (!item.is_object() ||
        !ReadTokenAndLogprob(item, &entry.token, &entry.logprob)) {
      continue;
    }
    if (const Json* top = FindMember(item, "top_logprobs");
        top != nullptr && top->is_array()) {
      for (const Json& candidate : *top) {
        TopAlternative alternative;
        if (candidate.is_object() &&
            ReadTokenAndLogprob(candidate, &alternative.token,
                                &alternative.logprob)) {
          entry.top.push_back(std::move(alternative));
        }
      }
    }
    out.push_back(std::move(entry));
  }
  return out;
}

StopReason StopReasonOf(std::string_view finish_reason) {
  if (finish_reason == "length") return StopReason::kMaxTokens;
  if (finish_reason == "tool_calls" || finish_reason == "function_call") {
    return StopReason::kToolUse;
  }
  if (finish_reason == "content_filter") return StopReason::kRefusal;
  return StopReason::kEndTurn;
}

}  // namespace

Status StreamReader::Feed(std::string_view bytes, std::vector<ChatEvent>* events) {
  if (failed_ || finished_) {
    return Status::Ok();
  }
  pending_.clear();
  if (!decoder_.Feed(bytes, &pending_)) {
    failed_ = true;
    return StreamProtocolError("an event exceeds the size limit");
  }
  for (const SseEvent& sse : pending_) {
    Status status = OnData(sse.data, events);
    if (!status.ok()) {
      failed_ = true;
      return status;
    }
    if (finished_) {
      break;
    }
  }
  return Status::Ok();
}

Status StreamReader::Finish(std::vector<ChatEvent>* events) {
  if (finished_) {
    return Status::Ok();
  }
  if (failed_ || !finish_seen_) {
    return StreamProtocolError("the stream ended before its finish_reason");
  }
  End(events);
  return Status::Ok();
}

void StreamReader::Switch(Open kind, int tool_index, ContentBlock start,
                          std::vector<ChatEvent>* events) {
  if (open_ == kind && (kind != Open::kTool || open_tool_ == tool_index)) {
    return;
  }
  if (open_ != Open::kNone) {
    events->push_back(ChatEvent::BlockStop(next_index_ - 1));
  }
  events->push_back(ChatEvent::BlockStart(next_index_++, std::move(start)));
  open_ = kind;
  open_tool_ = tool_index;
}

void StreamReader::End(std::vector<ChatEvent>* events) {
  if (open_ != Open::kNone) {
    events->push_back(ChatEvent::BlockStop(next_index_ - 1));
    open_ = Open::kNone;
  }
  events->push_back(ChatEvent::MessageDelta(stop_reason_, usage_));
  events->push_back(ChatEvent::MessageStop());
  finished_ = true;
}

Status StreamReader::OnData(std::string_view data, std::vector<ChatEvent>* events) {
  if (data == "[DONE]") {
    if (!started_) {
      return StreamProtocolError("[DONE] before any chunk");
    }
    End(events);
    return Status::Ok();
  }
  Result<Json> parsed = ParseJsonObject(data);
  if (!parsed) {
    return StreamProtocolError("a chunk is not a JSON object");
  }
  const Json& chunk = *parsed;
  if (const Json* error = FindMember(chunk, "error"); error != nullptr) {
    // Servers report mid-stream failures in the API's error shape.
    Status status = StatusFromUpstreamError(ApiFlavor::kOpenAI, 500,
                                            std::string(data));
    if (status.code() == ErrorCode::kInternal) {
      status = Status(ErrorCode::kUnavailable, status.message());
    }
    finished_ = true;
    events->push_back(ChatEvent::Failure(std::move(status)));
    return Status::Ok();
  }
  if (!started_) {
    started_ = true;
    events->push_back(ChatEvent::MessageStart(StringOrEmpty(chunk, "id"),
                                              StringOrEmpty(chunk, "model"), {}));
  }
  if (const Json* usage = FindMember(chunk, "usage");
      usage != nullptr && usage->is_object()) {
    int64_t cached = 0;
    if (const Json* details = FindMember(*usage, "prompt_tokens_details");
        details != nullptr && details->is_object()) {
      cached = IntOrZero(*details, "cached_tokens");
    }
    usage_.cache_read_input_tokens = cached;
    usage_.input_tokens = std::max<int64_t>(0, IntOrZero(*usage, "prompt_tokens") - cached);
    usage_.output_tokens = IntOrZero(*usage, "completion_tokens");
    if (const Json* details = FindMember(*usage, "completion_tokens_details");
        details != nullptr && details->is_object()) {
      usage_.thinking_tokens = IntOrZero(*details, "reasoning_tokens");
    }
  }
  const Json* choices = FindMember(chunk, "choices");
  if (choices == nullptr || !choices->is_array()) {
    return Status::Ok();
  }
  for (const Json& choice : *choices) {
    if (!choice.is_object() || IntOrZero(choice, "index") != 0) {
      continue;
    }
    if (const Json* delta = FindMember(choice, "delta");
        delta != nullptr && delta->is_object()) {
      std::string reasoning = StringOrEmpty(*delta, "reasoning_content");
      if (reasoning.empty()) {
        reasoning = StringOrEmpty(*delta, "reasoning");
      }
      if (!reasoning.empty()) {
        Switch(Open::kThinking, -1, ContentBlock::Thinking("", ""), events);
        events->push_back(ChatEvent::Delta(next_index_ - 1,
                                           ChatEvent::DeltaKind::kThinking,
                                           std::move(reasoning)));
      }
      std::vector<TokenLogprob> logprobs = ReadLogprobs(choice);
      std::string text = StringOrEmpty(*delta, "content");
      // Logprobs without text (some servers send a token whose text is
      // not complete yet) belong to the text block only if one is open.
      if (!text.empty() || (!logprobs.empty() && open_ == Open::kText)) {
        Switch(Open::kText, -1, ContentBlock::Text(""), events);
        ChatEvent text_delta = ChatEvent::Delta(
            next_index_ - 1, ChatEvent::DeltaKind::kText, std::move(text));
        text_delta.logprobs = std::move(logprobs);
        events->push_back(std::move(text_delta));
      }
      if (const Json* calls = FindMember(*delta, "tool_calls");
          calls != nullptr && calls->is_array()) {
        for (const Json& call : *calls) {
          if (!call.is_object()) {
            continue;
          }
          const int tool_index = static_cast<int>(IntOrZero(call, "index"));
          const Json* function = FindMember(call, "function");
          const bool is_new = open_ != Open::kTool || open_tool_ != tool_index;
          if (is_new) {
            Switch(Open::kTool, tool_index,
                   ContentBlock::ToolUse(StringOrEmpty(call, "id"),
                                         function != nullptr && function->is_object()
                                             ? StringOrEmpty(*function, "name")
                                             : std::string(),
                                         {}),
                   events);
          }
          if (function != nullptr && function->is_object()) {
            if (std::string arguments = StringOrEmpty(*function, "arguments");
                !arguments.empty()) {
              events->push_back(ChatEvent::Delta(next_index_ - 1,
                                                 ChatEvent::DeltaKind::kInputJson,
                                                 std::move(arguments)));
            }
          }
        }
      }
    }
    if (const Json* reason = FindMember(choice, "finish_reason");
        reason != nullptr && reason->is_string()) {
      finish_seen_ = true;
      stop_reason_ = StopReasonOf(reason->get_ref<const std::string&>());
    }
  }
  return Status::Ok();
}

}  // namespace duet::wire::openai
