// Turning a canonical ChatRequest into what a local model reads and how its
// output is read back, with the model's own chat template (Jinja, from the
// GGUF) through llama.cpp's common chat library.
//
// Tool definitions go into the template; earlier tool calls and results are
// rendered as the template writes them. When tools are offered, the library
// also derives from the template a grammar for the model's tool-call syntax
// (lazy, triggered by that syntax, unless a tool call is required) and a
// parser that turns the generated text back into content, reasoning and tool
// calls. Images (for a model with a vision projector, vision.h) are
// rendered as kImageMarker where they stand, with their data in
// RenderedPrompt::images; a model without one refuses them with
// kInvalidArgument. Thinking blocks in the history are dropped (the template
// decides how to replay reasoning).
//
// A request whose last turn is the assistant's, with text, is a prefill:
// the prompt ends with that text inside the assistant's open turn, and the
// answer continues it (as the Anthropic API, llama-server and Ollama do). The
// answer does not repeat it. A trailing assistant turn with a tool call is
// refused (kInvalidArgument); one with no text opens a new turn.
//
// What the client sent that spells one of the model's control tokens
// (<|im_end|>) is rendered as placeholders and tokenised as text
// (control_text.h): no message can end its turn or open another.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "backend/llama/control_text.h"
#include "backend/llama/plain_template.h"
#include "core/status.h"
#include "model/chat.h"

struct llama_model;
struct common_chat_templates;
struct common_chat_parser_params;
struct common_chat_templates_inputs;

namespace duet::llama {

// What stands for each image in RenderedPrompt::prompt.
inline constexpr std::string_view kImageMarker = "<__duet_image__>";

// How the model's output must be read for one request.
struct RenderedPrompt {
  std::string prompt;
  // The request's images, in the order of their kImageMarker in `prompt`.
  std::vector<ImageSource> images;
  // Structured output (tools offered, or thinking asked for): the text is
  // parsed into content, reasoning and tool calls; otherwise it is content.
  bool structured = false;
  std::string grammar;        // tool-call grammar, "" for none
  bool grammar_lazy = false;  // applies only once a trigger appears
  std::vector<std::string> trigger_patterns;  // regexes that start it
  std::vector<int32_t> trigger_tokens;        // tokens that start it
  // Text the template already wrote for the answer's start, prefill
  // included; a non-lazy tool-call grammar is advanced past it before
  // sampling.
  std::string generation_prompt;
  // The request's prefill (its trailing assistant text), which ends
  // `prompt`; "" for none. The answer continues it without repeating it.
  std::string continued;
  std::vector<std::string> additional_stops;
  // Special tokens the parser must see as text (a template's <tool_call>,
  // <think>...): they are rendered into the answer instead of dropped.
  std::vector<std::string> preserved_tokens;
  std::shared_ptr<const common_chat_parser_params> parser;
  // Set when `prompt` holds placeholders for client text that spells a
  // control token: it must be tokenised through ControlText::Cut. The
  // fields above other than `prompt` hold that text spelled out.
  std::shared_ptr<const ControlText> control_text;
};

// The chat templates of one loaded model. Thread-safe after construction
// (templates are read-only).
class ChatTemplates {
 public:
  // Reads the model's template; a model without one gets llama.cpp's
  // default (ChatML). Images are rendered when `reads_images` (the model
  // has a vision projector), refused otherwise. Returns kInvalidArgument
  // when the template cannot be parsed.
  static Result<std::unique_ptr<ChatTemplates>> ForModel(
      const ::llama_model* model, bool reads_images = false);
  ~ChatTemplates();

  // The prompt for `request`, ending with the assistant's turn opened.
  //
  // Requests with tools or thinking go through llama.cpp's full route
  // (common_chat_templates_apply), which analyses the template on every
  // call to build the answer's parser. Plain requests (text only: no tools
  // offered, no thinking, no tool calls or results in the history) need no
  // parser, so when the model's template allows it they skip that analysis
  // (about 0.6 of the 1.4 ms a 500-token prompt takes to render and
  // tokenise): they are rendered as pure content, with the stop strings the
  // analysis found once at load. The template allows it when both routes
  // render a probe conversation to the same prompt and the same generation
  // prompt. (Tool history stays on the full route: Gemma's template, for
  // one, renders tool results differently there.) Those ending with a user
  // turn are rendered in one pass instead of llama.cpp's three
  // (PlainTemplate) when the template renders two probe conversations that
  // way exactly as the full route does; so are those ending with a prefill
  // when a third probe shows the full route's continuation of a turn to be
  // the one-pass render of the turns before it followed by its text.
  Result<RenderedPrompt> Render(const ChatRequest& request) const;
  // Render, always through llama.cpp's full route: what the quick route
  // must equal (tests compare them).
  Result<RenderedPrompt> RenderThroughAnalysis(const ChatRequest& request) const;

  // True when plain requests take the quick route (see Render).
  bool renders_plain_requests_directly() const { return plain_direct_; }
  // True when those ending with a user turn are rendered in one pass.
  bool renders_plain_requests_in_one_pass() const { return one_pass_ != nullptr; }
  // True when those ending with a prefill are too.
  bool renders_plain_prefills_in_one_pass() const { return one_pass_continues_; }

 private:
  Result<RenderedPrompt> RenderRoute(const ChatRequest& request,
                                     bool allow_direct) const;
  ChatTemplates(const ::llama_model* model, ::common_chat_templates* templates,
                bool reads_images);
  // Replaces in `inputs` every text the client sent that spells a control
  // token with placeholders (control_text.h); false when none does. A tool
  // name that spells one is refused (kInvalidArgument): names are
  // identifiers, and grammars are built from them.
  Result<bool> ProtectControlText(common_chat_templates_inputs* inputs) const;
  // Spells out the placeholders in what `rendered` holds besides its
  // prompt, and marks the prompt as holding some.
  void RestoreControlText(RenderedPrompt* rendered) const;
  // Compares the two routes on a probe conversation; sets plain_direct_
  // and plain_stops_, then tries the one-pass render (ProbeOnePass).
  void ProbePlainRoute(const ::llama_model* model);
  // Sets one_pass_ when it renders the probe conversations exactly as the
  // full route does, each with the same generation prompt, and
  // one_pass_continues_ when it also continues a prefill as the full route
  // does.
  void ProbeOnePass(const ::llama_model* model, const common_chat_templates_inputs& probe);
  // The full route for `inputs`, which ends with the prefill `continued`
  // when that is not "" (see Render). `protected_text`: `inputs` hold
  // placeholders (ProtectControlText), which the grammar and the parser
  // must read as the client's text.
  Result<RenderedPrompt> RenderFullRoute(common_chat_templates_inputs* inputs,
                                         const std::string& continued, bool structured,
                                         std::vector<ImageSource> images,
                                         bool protected_text) const;

  ::common_chat_templates* templates_;
  const bool reads_images_;
  std::shared_ptr<const ControlText> control_text_;
  bool plain_direct_ = false;
  std::vector<std::string> plain_stops_;  // the full route's additional stops
  // Plain requests ending with a user turn: one render (PlainTemplate),
  // with the generation prompt and the (content-only) parser found at
  // load. nullptr: they take llama.cpp's pure-content route.
  std::unique_ptr<PlainTemplate> one_pass_;
  std::string one_pass_generation_prompt_;
  bool one_pass_continues_ = false;
  std::shared_ptr<const common_chat_parser_params> one_pass_parser_;
};

}  // namespace duet::llama
