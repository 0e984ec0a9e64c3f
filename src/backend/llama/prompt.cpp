#include "backend/llama/prompt.h"

#include <exception>
#include <utility>
#include <vector>

#include "chat.h"  // llama.cpp common

namespace duet::llama {
namespace {

std::string_view RoleName(Role role) {
  return role == Role::kUser ? "user" : "assistant";
}

// The text of `blocks`, or kInvalidArgument for what the engine cannot
// render yet. `where` names the blocks in errors ("messages.2").
Result<std::string> TextOf(const std::vector<ContentBlock>& blocks,
                           const std::string& where) {
  std::string text;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const ContentBlock& block = blocks[i];
    switch (block.type) {
      case BlockType::kText:
        if (!text.empty() && !block.text.empty()) {
          text += "\n\n";
        }
        text += block.text;
        break;
      case BlockType::kThinking:
      case BlockType::kRedactedThinking:
        break;  // reasoning from an earlier turn is not replayed
      default:
        return Error(InvalidArgument(
            where + ".content." + std::to_string(i) +
            ": the local engine does not support this content type yet "
            "(text only)"));
    }
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<ChatTemplates>> ChatTemplates::ForModel(
    const ::llama_model* model) {
  try {
    common_chat_templates_ptr templates = common_chat_templates_init(model, "");
    return std::unique_ptr<ChatTemplates>(new ChatTemplates(templates.release()));
  } catch (const std::exception& error) {
    return Error(InvalidArgument(std::string("the model's chat template "
                                             "cannot be used: ") +
                                 error.what()));
  }
}

ChatTemplates::ChatTemplates(::common_chat_templates* templates)
    : templates_(templates) {}

ChatTemplates::~ChatTemplates() { common_chat_templates_free(templates_); }

Result<std::string> ChatTemplates::Render(const ChatRequest& request) const {
  if (!request.tools.empty()) {
    return Error(InvalidArgument(
        "tools: the local engine does not support tool use yet"));
  }
  common_chat_templates_inputs inputs;
  inputs.use_jinja = true;
  inputs.add_generation_prompt = true;
  inputs.enable_thinking = false;
  if (!request.system.empty()) {
    Result<std::string> system = TextOf(request.system, "system");
    if (!system) {
      return Error(system.error());
    }
    common_chat_msg message;
    message.role = "system";
    message.content = std::move(*system);
    inputs.messages.push_back(std::move(message));
  }
  for (size_t i = 0; i < request.messages.size(); ++i) {
    Result<std::string> text = TextOf(request.messages[i].content,
                                      "messages." + std::to_string(i));
    if (!text) {
      return Error(text.error());
    }
    common_chat_msg message;
    message.role = std::string(RoleName(request.messages[i].role));
    message.content = std::move(*text);
    inputs.messages.push_back(std::move(message));
  }
  try {
    return common_chat_templates_apply(templates_, inputs).prompt;
  } catch (const std::exception& error) {
    return Error(InvalidArgument(
        std::string("the model's chat template failed on this request: ") +
        error.what()));
  }
}

}  // namespace duet::llama
