#include "backend/llama/plain_template.h"

#include <ctime>
#include <exception>
#include <utility>

#include "chat-auto-parser.h"  // llama.cpp common: generation_params
#include "chat.h"              // llama.cpp common
#include "common.h"            // llama.cpp common: common_token_to_piece
#include "llama.h"

namespace duet::llama {
namespace {

// The text of special token `token` as the template sees it; "" for none.
std::string TokenText(const ::llama_vocab* vocab, llama_token token) {
  return token == LLAMA_TOKEN_NULL ? std::string()
                                   : common_token_to_piece(vocab, token, true);
}

// Today's date in `format` (strftime's), local time: what llama.cpp gives
// templates as `datetime` and `date_string`.
std::string Today(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[64];
  const size_t length = std::strftime(text, sizeof(text), format, &local);
  return std::string(text, length);
}

}  // namespace

std::unique_ptr<PlainTemplate> PlainTemplate::Compile(
    const ::llama_model* model, const ::common_chat_templates* templates) {
  const ::llama_vocab* vocab = llama_model_get_vocab(model);
  try {
    // The source llama.cpp compiled (with its own patches applied), and the
    // same BOS and EOS text common_chat_templates_init gives it.
    auto compiled = std::make_unique<common_chat_template>(
        common_chat_templates_source(templates),
        TokenText(vocab, llama_vocab_bos(vocab)),
        TokenText(vocab, llama_vocab_eos(vocab)));
    return std::unique_ptr<PlainTemplate>(
        new PlainTemplate(std::move(compiled), llama_vocab_get_add_bos(vocab),
                          llama_vocab_get_add_eos(vocab)));
  } catch (const std::exception&) {
    return nullptr;
  }
}

PlainTemplate::PlainTemplate(std::unique_ptr<common_chat_template> compiled,
                             bool add_bos, bool add_eos)
    : compiled_(std::move(compiled)), add_bos_(add_bos), add_eos_(add_eos) {}

PlainTemplate::~PlainTemplate() = default;

std::string PlainTemplate::Render(
    const std::vector<common_chat_msg>& messages) const {
  autoparser::generation_params params;
  params.messages = json::array();
  for (const common_chat_msg& message : messages) {
    params.messages.push_back(message.to_json_oaicompat());
  }
  // A template without a system role gets the system text at the start of
  // the next turn, as llama.cpp's routes give it.
  json& turns = params.messages;
  if (!compiled_->original_caps().supports_system_role && !turns.empty() &&
      turns.front().at("role") == "system") {
    if (turns.size() > 1) {
      turns[1]["content"] = turns.front().at("content").get<std::string>() +
                            "\n" + turns[1].at("content").get<std::string>();
    }
    turns.erase(0);
  }
  params.add_generation_prompt = true;
  params.enable_thinking = false;
  params.add_bos = add_bos_;
  params.add_eos = add_eos_;
  params.extra_context =
      json{{"datetime", Today("%b %d %Y")}, {"date_string", Today("%d %b %Y")}};
  return common_chat_template_direct_apply(*compiled_, params);
}

}  // namespace duet::llama
