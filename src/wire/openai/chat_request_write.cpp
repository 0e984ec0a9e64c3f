// WriteChatCompletionRequest: ChatRequest -> Chat Completions request JSON.
// Tool definitions and friends are written by chat_request_tools.cpp.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/openai/chat_request.h"
#include "wire/openai/chat_request_internal.h"
#include "core/json_writer.h"

namespace duet::wire::openai {
namespace {

using BlockList = std::vector<const ContentBlock*>;

void WriteTextPart(const ContentBlock& block, JsonWriter* writer) {
  writer->BeginObject();
  writer->Field("type", "text");
  writer->Field("text", block.text);
  if (!block.cache_control.empty()) {
    writer->Key("cache_control");
    writer->Raw(block.cache_control.text);
  }
  writer->EndObject();
}

void WriteImagePart(const ImageSource& image, JsonWriter* writer) {
  writer->BeginObject();
  writer->Field("type", "image_url");
  writer->Key("image_url");
  writer->BeginObject();
  writer->Key("url");
  if (image.kind == ImageSource::Kind::kBase64) {
    writer->String("data:" + image.media_type + ";base64," + image.data);
  } else {
    writer->String(image.data);
  }
  writer->EndObject();
  writer->EndObject();
}

// `content` holding text and image blocks: one plain text block as a string
// (what every OpenAI-compatible server reads), anything else as parts, and
// nothing at all as "" or, when `null_when_empty`, null.
void WriteContent(const BlockList& blocks, bool null_when_empty,
                  JsonWriter* writer) {
  writer->Key("content");
  if (blocks.empty()) {
    if (null_when_empty) {
      writer->Null();
    } else {
      writer->String("");
    }
    return;
  }
  if (blocks.size() == 1 && blocks[0]->type == BlockType::kText &&
      blocks[0]->cache_control.empty()) {
    writer->String(blocks[0]->text);
    return;
  }
  writer->BeginArray();
  for (const ContentBlock* block : blocks) {
    if (block->type == BlockType::kText) {
      WriteTextPart(*block, writer);
    } else {
      WriteImagePart(block->image, writer);
    }
  }
  writer->EndArray();
}

void WriteSystem(const std::vector<ContentBlock>& system, JsonWriter* writer) {
  BlockList texts;
  for (const ContentBlock& block : system) {
    if (block.type == BlockType::kText) {
      texts.push_back(&block);
    }
  }
  if (texts.empty()) {
    return;
  }
  writer->BeginObject();
  writer->Field("role", "system");
  WriteContent(texts, /*null_when_empty=*/false, writer);
  writer->EndObject();
}

void WriteToolMessage(const ContentBlock& result, JsonWriter* writer) {
  BlockList texts;
  for (const ContentBlock& block : result.tool_result_content) {
    if (block.type == BlockType::kText) {
      texts.push_back(&block);  // Tool messages take text parts only.
    }
  }
  writer->BeginObject();
  writer->Field("role", "tool");
  writer->Field("tool_call_id", result.tool_use_id);
  WriteContent(texts, /*null_when_empty=*/false, writer);
  writer->EndObject();
}

// Tool results become `tool` messages (one per result, as OpenAI wants them),
// followed by one user message for the remaining text and images.
void WriteUserMessage(const Message& message, JsonWriter* writer) {
  BlockList rest;
  bool any_tool_result = false;
  for (const ContentBlock& block : message.content) {
    if (block.type == BlockType::kToolResult) {
      WriteToolMessage(block, writer);
      any_tool_result = true;
    } else if (block.type == BlockType::kText ||
               (block.type == BlockType::kImage &&
                block.image.kind != ImageSource::Kind::kFile)) {
      rest.push_back(&block);  // A file id means nothing to another server.
    }
  }
  if (any_tool_result && rest.empty()) {
    return;
  }
  writer->BeginObject();
  writer->Field("role", "user");
  WriteContent(rest, /*null_when_empty=*/false, writer);
  writer->EndObject();
}

// What one OpenAI assistant message can hold, in the order the parser reads
// it back: reasoning, then text, then tool calls.
struct AssistantTurn {
  const ContentBlock* thinking = nullptr;
  BlockList texts;
  BlockList calls;
};

void WriteAssistantTurn(const AssistantTurn& turn, JsonWriter* writer) {
  writer->BeginObject();
  writer->Field("role", "assistant");
  // null content is what OpenAI sends beside tool calls; Ollama rejects it
  // anywhere else.
  WriteContent(turn.texts, /*null_when_empty=*/!turn.calls.empty(), writer);
  if (turn.thinking != nullptr) {
    writer->Field("reasoning_content", turn.thinking->text);
  }
  if (!turn.calls.empty()) {
    writer->Key("tool_calls");
    writer->BeginArray();
    for (const ContentBlock* call : turn.calls) {
      writer->BeginObject();
      writer->Field("id", call->tool_id);
      writer->Field("type", "function");
      writer->Key("function");
      writer->BeginObject();
      writer->Field("name", call->tool_name);
      writer->Field("arguments", call->tool_input.empty()
                                     ? std::string_view("{}")
                                     : std::string_view(call->tool_input.text));
      writer->EndObject();
      writer->EndObject();
    }
    writer->EndArray();
  }
  writer->EndObject();
}

// One canonical assistant message becomes as many OpenAI assistant messages
// as it takes to keep its blocks in order (a second thinking block, or text
// after a tool call, starts a new one); the parser merges them back.
void WriteAssistantMessage(const Message& message, JsonWriter* writer) {
  AssistantTurn turn;
  int phase = 0;  // 0: nothing yet, 1: thinking, 2: text, 3: tool calls.
  bool wrote_any = false;
  const auto flush = [&] {
    WriteAssistantTurn(turn, writer);
    turn = AssistantTurn{};
    phase = 0;
    wrote_any = true;
  };
  for (const ContentBlock& block : message.content) {
    int block_phase = 0;
    if (block.type == BlockType::kThinking && !block.text.empty()) {
      block_phase = 1;  // Signatures mean nothing to other servers.
    } else if (block.type == BlockType::kText) {
      block_phase = 2;
    } else if (block.type == BlockType::kToolUse) {
      block_phase = 3;
    } else {
      continue;  // Redacted thinking, images, kOther: see chat_request.h.
    }
    if (block_phase < phase || (block_phase == 1 && phase == 1)) {
      flush();
    }
    phase = block_phase;
    if (block_phase == 1) {
      turn.thinking = &block;
    } else if (block_phase == 2) {
      turn.texts.push_back(&block);
    } else {
      turn.calls.push_back(&block);
    }
  }
  if (phase != 0 || !wrote_any) {
    WriteAssistantTurn(turn, writer);
  }
}

void WriteMessages(const ChatRequest& request, JsonWriter* writer) {
  writer->Key("messages");
  writer->BeginArray();
  WriteSystem(request.system, writer);
  for (const Message& message : request.messages) {
    if (message.role == Role::kUser) {
      WriteUserMessage(message, writer);
    } else if (message.role == Role::kSystem) {
      WriteSystem(message.content, writer);  // in place, as a system message
    } else {
      WriteAssistantMessage(message, writer);
    }
  }
  writer->EndArray();
}

}  // namespace

std::string WriteChatCompletionRequest(const ChatRequest& request) {
  std::string out;
  JsonWriter writer(&out);
  writer.BeginObject();
  writer.Field("model", request.model);
  WriteMessages(request, &writer);
  if (request.max_tokens.has_value()) {
    writer.Field("max_tokens", *request.max_tokens);
  }
  if (!request.stop_sequences.empty()) {
    writer.Key("stop");
    writer.BeginArray();
    for (const std::string& stop : request.stop_sequences) {
      writer.String(stop);
    }
    writer.EndArray();
  }
  const SamplingParams& sampling = request.sampling;
  const auto number = [&writer](std::string_view key, const std::optional<double>& value) {
    if (value.has_value()) {
      writer.Key(key);
      writer.Double(*value);
    }
  };
  number("temperature", sampling.temperature);
  number("top_p", sampling.top_p);
  if (sampling.top_k.has_value()) {
    writer.Field("top_k", *sampling.top_k);
  }
  number("min_p", sampling.min_p);
  if (sampling.seed.has_value()) {
    writer.Field("seed", *sampling.seed);
  }
  number("presence_penalty", sampling.presence_penalty);
  number("frequency_penalty", sampling.frequency_penalty);
  if (!sampling.logit_bias.empty()) {
    writer.Key("logit_bias");
    writer.BeginObject();
    for (const auto& [id, bias] : sampling.logit_bias) {
      writer.Key(std::to_string(id));
      writer.Double(bias);
    }
    writer.EndObject();
  }
  if (request.logprobs) {
    writer.Field("logprobs", true);
    if (request.top_logprobs > 0) {
      writer.Field("top_logprobs", request.top_logprobs);
    }
  }
  if (request.stream) {
    writer.Field("stream", true);
    if (request.stream_include_usage) {
      writer.Key("stream_options");
      writer.BeginObject();
      writer.Field("include_usage", true);
      writer.EndObject();
    }
  }
  internal::WriteToolFields(request, &writer);
  if (!request.effort.empty()) {
    writer.Field("reasoning_effort", request.effort);
  }
  if (!request.user_id.empty()) {
    writer.Field("user", request.user_id);
  }
  if (request.source == ApiFlavor::kOpenAI) {
    for (const auto& [key, value] : request.extra) {
      if (!internal::IsModelledRequestField(key) && !value.empty()) {
        writer.Key(key);
        writer.Raw(value.text);
      }
    }
  }
  writer.EndObject();
  return out;
}

}  // namespace duet::wire::openai
