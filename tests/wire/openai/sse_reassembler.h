// Reassembles a Chat Completions SSE transcript the way openai-node's
// ChatCompletionStream does (protocols.md §3.3): split frames on blank lines,
// stop at `data: [DONE]`, throw on a top-level "error", append
// delta.content and delta.reasoning_content, and build tool calls by
// `index`, the first fragment carrying id and name and later ones argument
// text. It also checks what a client relies on without saying so: one id and
// created for every chunk, role only in the first, each tool call opened
// before it grows, at most one finish_reason, usage only at the end, and
// logprobs only on chunks with content.
// Violations are reported as gtest failures.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace duet::wire::openai::test_support {

struct ReassembledToolCall {
  std::string id;
  std::string name;
  std::string arguments;
};

struct ReassembledStream {
  std::string id;
  std::string model;
  int64_t created = 0;
  std::string role;
  std::string content;
  std::string reasoning;
  std::vector<ReassembledToolCall> tool_calls;
  std::string finish_reason;
  std::optional<nlohmann::json> usage;
  std::optional<nlohmann::json> error;
  // Every choices[0].logprobs.content entry, in chunk order, as openai-node
  // collects them.
  nlohmann::json logprobs = nlohmann::json::array();
  bool done = false;  // saw data: [DONE]
  int chunks = 0;
};

inline void ApplyDelta(const nlohmann::json& delta, bool first,
                       ReassembledStream* stream) {
  if (delta.contains("role")) {
    EXPECT_TRUE(first) << "role after the first chunk";
    stream->role = delta["role"].get<std::string>();
  }
  if (delta.contains("content") && !delta["content"].is_null()) {
    stream->content += delta["content"].get<std::string>();
  }
  if (delta.contains("reasoning_content")) {
    stream->reasoning += delta["reasoning_content"].get<std::string>();
  }
  if (!delta.contains("tool_calls")) {
    return;
  }
  for (const nlohmann::json& call : delta["tool_calls"]) {
    const size_t index = call.at("index").get<size_t>();
    if (index == stream->tool_calls.size()) {
      // A new call: openai-node needs id, type and name in its first piece.
      EXPECT_EQ(call.at("type"), "function");
      stream->tool_calls.push_back(ReassembledToolCall{
          call.at("id").get<std::string>(), call.at("function").at("name").get<std::string>(),
          ""});
    } else {
      ASSERT_LT(index, stream->tool_calls.size()) << "tool call index skipped ahead";
      EXPECT_FALSE(call.contains("id")) << "a later fragment renamed call " << index;
    }
    if (call.contains("function") && call["function"].contains("arguments")) {
      stream->tool_calls[index].arguments += call["function"]["arguments"].get<std::string>();
    }
  }
}

inline void ApplyChunk(const nlohmann::json& chunk, ReassembledStream* stream) {
  const bool first = stream->chunks == 0;
  ++stream->chunks;
  EXPECT_EQ(chunk.at("object"), "chat.completion.chunk");
  if (first) {
    stream->id = chunk.at("id").get<std::string>();
    stream->model = chunk.at("model").get<std::string>();
    stream->created = chunk.at("created").get<int64_t>();
  } else {
    EXPECT_EQ(chunk.at("id"), stream->id);
    EXPECT_EQ(chunk.at("model"), stream->model);
    EXPECT_EQ(chunk.at("created"), stream->created);
  }
  EXPECT_FALSE(stream->usage.has_value()) << "a chunk after the usage chunk";
  const nlohmann::json& choices = chunk.at("choices");
  if (choices.empty()) {
    stream->usage = chunk.at("usage");
    EXPECT_TRUE(stream->usage->is_object());
    return;
  }
  if (chunk.contains("usage")) {
    EXPECT_TRUE(chunk["usage"].is_null());
  }
  ASSERT_EQ(choices.size(), 1u);
  const nlohmann::json& choice = choices[0];
  EXPECT_EQ(choice.at("index"), 0);
  if (const nlohmann::json& logprobs = choice.at("logprobs"); !logprobs.is_null()) {
    EXPECT_TRUE(choice.at("delta").contains("content")) << "logprobs without content";
    EXPECT_TRUE(logprobs.at("refusal").is_null());
    EXPECT_FALSE(logprobs.at("content").empty()) << "an empty logprobs object";
    for (const nlohmann::json& entry : logprobs.at("content")) {
      stream->logprobs.push_back(entry);
    }
  }
  ApplyDelta(choice.at("delta"), first, stream);
  if (!choice.at("finish_reason").is_null()) {
    EXPECT_TRUE(stream->finish_reason.empty()) << "finish_reason twice";
    stream->finish_reason = choice["finish_reason"].get<std::string>();
  }
}

// Reassembles `transcript`. Data after [DONE] or an error is a failure.
inline ReassembledStream Reassemble(std::string_view transcript) {
  ReassembledStream stream;
  size_t position = 0;
  while (position < transcript.size()) {
    const size_t end = transcript.find("\n\n", position);
    if (end == std::string_view::npos) {
      ADD_FAILURE() << "unterminated frame at byte " << position;
      break;
    }
    const std::string_view frame = transcript.substr(position, end - position);
    position = end + 2;
    EXPECT_FALSE(stream.done || stream.error.has_value()) << "frame after the end: " << frame;
    constexpr std::string_view kData = "data: ";
    if (frame.substr(0, kData.size()) != kData || frame.find('\n') != std::string_view::npos) {
      ADD_FAILURE() << "not a single data line: " << frame;
      continue;
    }
    const std::string_view data = frame.substr(kData.size());
    if (data == "[DONE]") {
      stream.done = true;
      continue;
    }
    const nlohmann::json chunk = nlohmann::json::parse(data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object()) {
      ADD_FAILURE() << "not a JSON object: " << data;
      continue;
    }
    if (chunk.contains("error")) {
      stream.error = chunk["error"];  // openai-node throws APIError here.
      continue;
    }
    ApplyChunk(chunk, &stream);
  }
  return stream;
}

}  // namespace duet::wire::openai::test_support
