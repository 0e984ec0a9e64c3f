#include "wire/openai/chat_stream_reader.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "wire/event_json.h"
#include "wire/upstream_error.h"

namespace duet::wire::openai {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

int64_t IntOrZero(object json, std::string_view key) {
  return IntIfPresent(json, key).value_or(0);
}

// A usage count (TokenCountOf), or 0.
int64_t CountOrZero(object json, std::string_view key) {
  return TokenCountIfPresent(json, key).value_or(0);
}

// One entry of a logprobs `bytes` array: a non-negative integer up to 255.
std::optional<char> ByteOf(element value) {
  uint64_t byte = 0;
  if (value.get_uint64().get(byte) != simdjson::SUCCESS || byte > 255) {
    return std::nullopt;
  }
  return static_cast<char>(byte);
}

// A logprobs entry's token and logprob; false when either is missing.
// The exact bytes, when the server sends them, win over `token`, whose
// JSON string cannot hold part of a character.
bool ReadTokenAndLogprob(object item, std::string* token, double* logprob) {
  const std::optional<double> value = NumberIfPresent(item, "logprob");
  if (!value) {
    return false;
  }
  *logprob = *value;
  token->clear();
  if (const std::optional<array> bytes = FindArray(item, "bytes")) {
    for (element entry : *bytes) {
      const std::optional<char> byte = ByteOf(entry);
      if (!byte) {
        token->clear();
        break;
      }
      token->push_back(*byte);
    }
    if (!token->empty()) {
      return true;
    }
  }
  const std::optional<std::string_view> text = StringIfPresent(item, "token");
  if (!text) {
    return false;
  }
  *token = *text;
  return true;
}

// choice.logprobs.content; entries that do not read are skipped.
std::vector<TokenLogprob> ReadLogprobs(object choice) {
  std::vector<TokenLogprob> out;
  const std::optional<object> logprobs = FindObject(choice, "logprobs");
  if (!logprobs) {
    return out;
  }
  const std::optional<array> content = FindArray(*logprobs, "content");
  if (!content) {
    return out;
  }
  for (element value : *content) {
    TokenLogprob entry;
    object item;
    if (value.get_object().get(item) != simdjson::SUCCESS ||
        !ReadTokenAndLogprob(item, &entry.token, &entry.logprob)) {
      continue;
    }
    if (const std::optional<array> top = FindArray(item, "top_logprobs")) {
      for (element candidate_value : *top) {
        TopAlternative alternative;
        object candidate;
        if (candidate_value.get_object().get(candidate) == simdjson::SUCCESS &&
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

// A usage object: prompt_tokens less cached_tokens is input, cached_tokens
// cache reads, completion_tokens output, reasoning_tokens thinking. A
// count that is no count (TokenCountOf) is 0.
void ReadUsage(object usage, Usage* out) {
  int64_t cached = 0;
  if (const std::optional<object> details =
          FindObject(usage, "prompt_tokens_details")) {
    cached = CountOrZero(*details, "cached_tokens");
  }
  out->cache_read_input_tokens = cached;
  out->input_tokens =
      std::max<int64_t>(0, CountOrZero(usage, "prompt_tokens") - cached);
  out->output_tokens = CountOrZero(usage, "completion_tokens");
  if (const std::optional<object> details =
          FindObject(usage, "completion_tokens_details")) {
    out->thinking_tokens = CountOrZero(*details, "reasoning_tokens");
  }
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
  return FeedSseEvents(decoder_, bytes, finished_, &failed_,
                       [&](const SseEvent& sse) { return OnData(sse.data, events); });
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
  EventJson json;
  Result<object> parsed = json.Parse(data);
  if (!parsed) {
    return StreamProtocolError("a chunk is not a JSON object");
  }
  const object chunk = *parsed;
  if (FindMember(chunk, "error")) {
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
    events->push_back(ChatEvent::MessageStart(
        std::string(StringOrEmpty(chunk, "id")),
        std::string(StringOrEmpty(chunk, "model")), {}));
  }
  if (const std::optional<object> usage = FindObject(chunk, "usage")) {
    ReadUsage(*usage, &usage_);
  }
  const std::optional<array> choices = FindArray(chunk, "choices");
  if (!choices) {
    return Status::Ok();
  }
  for (element value : *choices) {
    object choice;
    if (value.get_object().get(choice) != simdjson::SUCCESS ||
        IntOrZero(choice, "index") != 0) {
      continue;
    }
    if (const std::optional<object> delta = FindObject(choice, "delta")) {
      std::string reasoning(StringOrEmpty(*delta, "reasoning_content"));
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
      std::string text(StringOrEmpty(*delta, "content"));
      // Logprobs without text (some servers send a token whose text is
      // not complete yet) belong to the text block only if one is open.
      if (!text.empty() || (!logprobs.empty() && open_ == Open::kText)) {
        Switch(Open::kText, -1, ContentBlock::Text(""), events);
        ChatEvent text_delta = ChatEvent::Delta(
            next_index_ - 1, ChatEvent::DeltaKind::kText, std::move(text));
        text_delta.logprobs = std::move(logprobs);
        events->push_back(std::move(text_delta));
      }
      if (const std::optional<array> calls = FindArray(*delta, "tool_calls")) {
        for (element value_of_call : *calls) {
          object call;
          if (value_of_call.get_object().get(call) != simdjson::SUCCESS) {
            continue;
          }
          const int tool_index = static_cast<int>(IntOrZero(call, "index"));
          const std::optional<object> function = FindObject(call, "function");
          const bool is_new = open_ != Open::kTool || open_tool_ != tool_index;
          if (is_new) {
            Switch(Open::kTool, tool_index,
                   ContentBlock::ToolUse(
                       std::string(StringOrEmpty(call, "id")),
                       function ? std::string(StringOrEmpty(*function, "name"))
                                : std::string(),
                       {}),
                   events);
          }
          if (function) {
            if (std::string_view arguments =
                    StringOrEmpty(*function, "arguments");
                !arguments.empty()) {
              events->push_back(ChatEvent::Delta(
                  next_index_ - 1, ChatEvent::DeltaKind::kInputJson,
                  std::string(arguments)));
            }
          }
        }
      }
    }
    if (const std::optional<std::string_view> reason =
            StringIfPresent(choice, "finish_reason")) {
      finish_seen_ = true;
      stop_reason_ = StopReasonOf(*reason);
    }
  }
  return Status::Ok();
}

}  // namespace duet::wire::openai
