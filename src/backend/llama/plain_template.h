// PlainTemplate: a model's chat template compiled for plain conversations
// (text turns, no tools, no thinking, ending with a user turn), rendered in
// one pass.
//
// llama.cpp's pure-content route (common_chat_templates_apply with
// force_pure_content) renders every request three times: the prompt, then
// the conversation without and with the generation prompt, to find the
// latter. Most of a render is fixed cost (the Jinja context and its
// globals), about 0.1 ms each on the dev VM. For a plain conversation ending
// with a user turn the generation prompt does not depend on the messages, so
// ChatTemplates finds it once at load and renders each request once here.
//
// It renders the messages as llama.cpp's own route would, folding a system
// turn into the next one for templates without a system role, but with
// none of that route's other per-template workarounds (trimming
// whitespace...). ChatTemplates therefore uses it only after it renders
// probe conversations exactly as the full route does (prompt.cpp,
// ProbePlainRoute).
#pragma once

#include <memory>
#include <string>
#include <vector>

struct llama_model;
struct common_chat_templates;
struct common_chat_template;
struct common_chat_msg;

namespace duet::llama {

class PlainTemplate {
 public:
  // Compiles the default template of `templates` (made by
  // common_chat_templates_init for `model`) with the model's BOS and EOS
  // tokens. Returns nullptr when it cannot be compiled. Neither pointer is
  // kept.
  static std::unique_ptr<PlainTemplate> Compile(
      const ::llama_model* model, const ::common_chat_templates* templates);
  ~PlainTemplate();
  PlainTemplate(const PlainTemplate&) = delete;
  PlainTemplate& operator=(const PlainTemplate&) = delete;

  // The prompt for `messages` with the assistant's turn opened and thinking
  // off, a leading BOS (and trailing EOS) the tokeniser adds removed.
  // Throws what the template throws (std::exception). Thread-safe.
  std::string Render(const std::vector<common_chat_msg>& messages) const;

 private:
  PlainTemplate(std::unique_ptr<common_chat_template> compiled, bool add_bos,
                bool add_eos);

  std::unique_ptr<common_chat_template> compiled_;
  const bool add_bos_;
  const bool add_eos_;
};

}  // namespace duet::llama
