#include "backend/llama/prompt.h"

#include <charconv>
#include <exception>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "chat.h"    // llama.cpp common
#include "common.h"  // llama.cpp common: regex_escape

namespace duet::llama {
namespace {

// What stands for image N while the template renders: numbered, so the
// images can be put in the order their markers come out in, whatever order
// the template writes the messages in.
std::string NumberedImageMarker(size_t n) {
  return "<__duet_image_" + std::to_string(n) + "__>";
}

// Appends image `block` (at `path`) to `images` and its numbered marker to
// `content`; without `images` (a model that reads no images), fails.
Status AddImage(const ContentBlock& block, const std::string& path,
                std::vector<ImageSource>* images, std::string* content) {
  if (images == nullptr) {
    return InvalidArgument(path + ": this local model reads no images (it has no vision "
                                  "projector; give it one with models.NAME.mmproj, or duet run --mmproj)");
  }
  if (block.image.kind != ImageSource::Kind::kBase64) {
    return InvalidArgument(path + ": the local engine takes images as base64 data, not " +
                           (block.image.kind == ImageSource::Kind::kUrl ? "URLs" : "file ids"));
  }
  if (!content->empty()) {
    *content += "\n\n";
  }
  *content += NumberedImageMarker(images->size());
  images->push_back(block.image);
  return Status::Ok();
}

// One template message per canonical message. User turns carrying tool
// results become one "tool" message per result (what templates expect);
// assistant turns carry their tool calls. `where` names the message. Images
// go to `images` (nullptr: refused), their numbered markers into the text.
Result<std::vector<common_chat_msg>> ToTemplateMessages(const Message& message,
                                                        const std::string& where,
                                                        std::vector<ImageSource>* images) {
  std::vector<common_chat_msg> out;
  common_chat_msg turn;
  turn.role = message.role == Role::kUser        ? "user"
              : message.role == Role::kAssistant ? "assistant"
                                                 : "system";
  for (size_t i = 0; i < message.content.size(); ++i) {
    const ContentBlock& block = message.content[i];
    const std::string path = where + ".content." + std::to_string(i);
    switch (block.type) {
      case BlockType::kText:
        if (!turn.content.empty() && !block.text.empty()) {
          turn.content += "\n\n";
        }
        turn.content += block.text;
        break;
      case BlockType::kThinking:
      case BlockType::kRedactedThinking:
        break;  // reasoning from an earlier turn is not replayed
      case BlockType::kToolUse: {
        common_chat_tool_call call;
        call.id = block.tool_id;
        call.name = block.tool_name;
        call.arguments = block.tool_input.empty() ? "{}" : block.tool_input.text;
        turn.tool_calls.push_back(std::move(call));
        break;
      }
      case BlockType::kToolResult: {
        common_chat_msg result;
        result.role = "tool";
        result.tool_call_id = block.tool_use_id;
        for (size_t j = 0; j < block.tool_result_content.size(); ++j) {
          const ContentBlock& part = block.tool_result_content[j];
          if (part.type == BlockType::kImage) {
            DUET_RETURN_IF_ERROR(AddImage(part, path + ".content." + std::to_string(j), images,
                                          &result.content));
            continue;
          }
          if (part.type != BlockType::kText) {
            return Error(InvalidArgument(
                path + ": the local engine takes text and image tool results only"));
          }
          result.content += part.text;
        }
        out.push_back(std::move(result));
        break;
      }
      case BlockType::kImage:
        DUET_RETURN_IF_ERROR(AddImage(block, path, images, &turn.content));
        break;
      default:
        return Error(InvalidArgument(
            path + ": the local engine does not support this content type "
                   "(text, images, tool calls and tool results only)"));
    }
  }
  if (!turn.content.empty() || !turn.tool_calls.empty() || out.empty()) {
    out.push_back(std::move(turn));
  }
  return out;
}

// True when every message block is text: no tool calls or results in the
// history, which some templates (Gemma's) render differently on the full
// route than as pure content.
bool OnlyText(const ChatRequest& request) {
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      if (block.type != BlockType::kText) {
        return false;
      }
    }
  }
  return true;
}

// Replaces the numbered markers in rendered->prompt with kImageMarker and
// puts `images` into rendered->images in the order their markers appear.
Status PlaceImages(std::vector<ImageSource> images, RenderedPrompt* rendered) {
  static constexpr std::string_view kStart = "<__duet_image_";
  static constexpr std::string_view kEnd = "__>";
  std::string& prompt = rendered->prompt;
  std::string placed;
  placed.reserve(prompt.size());
  std::vector<bool> seen(images.size(), false);
  size_t from = 0;
  for (size_t at = prompt.find(kStart); at != std::string::npos;
       at = prompt.find(kStart, from)) {
    const size_t digits = at + kStart.size();
    const size_t end = prompt.find(kEnd, digits);
    size_t n = images.size();  // invalid unless read below
    if (end != std::string::npos) {
      const auto [last, error] =
          std::from_chars(prompt.data() + digits, prompt.data() + end, n);
      if (error != std::errc() || last != prompt.data() + end) {
        n = images.size();
      }
    }
    if (n >= images.size() || seen[n]) {
      return InvalidArgument(
          "the prompt's text contains duet's image marker (<__duet_image_N__>); the "
          "local engine cannot tell it from the images");
    }
    seen[n] = true;
    placed.append(prompt, from, at - from);
    placed += kImageMarker;
    rendered->images.push_back(std::move(images[n]));
    from = end + kEnd.size();
  }
  placed.append(prompt, from, std::string::npos);
  if (rendered->images.size() != images.size()) {
    return InvalidArgument(
        "the model's chat template left out some of the request's images (it "
        "renders images in user turns and tool results only)");
  }
  prompt = std::move(placed);
  return Status::Ok();
}

// llama.cpp's trigger kinds as regexes and tokens, the way its own sampler
// setup reads them.
void AddTriggers(const std::vector<common_grammar_trigger>& triggers,
                 RenderedPrompt* rendered) {
  for (const common_grammar_trigger& trigger : triggers) {
    switch (trigger.type) {
      case COMMON_GRAMMAR_TRIGGER_TYPE_WORD:
        rendered->trigger_patterns.push_back(regex_escape(trigger.value));
        break;
      case COMMON_GRAMMAR_TRIGGER_TYPE_PATTERN:
        rendered->trigger_patterns.push_back(trigger.value);
        break;
      case COMMON_GRAMMAR_TRIGGER_TYPE_PATTERN_FULL: {
        std::string anchored = trigger.value;
        if (anchored.empty() || anchored.front() != '^') {
          anchored.insert(anchored.begin(), '^');
        }
        if (anchored.back() != '$') {
          anchored.push_back('$');
        }
        rendered->trigger_patterns.push_back(anchored);
        break;
      }
      case COMMON_GRAMMAR_TRIGGER_TYPE_TOKEN:
        rendered->trigger_tokens.push_back(trigger.token);
        break;
    }
  }
}

}  // namespace

Result<std::unique_ptr<ChatTemplates>> ChatTemplates::ForModel(
    const ::llama_model* model, bool reads_images) {
  try {
    common_chat_templates_ptr templates = common_chat_templates_init(model, "");
    return std::unique_ptr<ChatTemplates>(
        new ChatTemplates(model, templates.release(), reads_images));
  } catch (const std::exception& error) {
    return Error(InvalidArgument(std::string("the model's chat template "
                                             "cannot be used: ") +
                                 error.what()));
  }
}

ChatTemplates::ChatTemplates(const ::llama_model* model, ::common_chat_templates* templates,
                             bool reads_images)
    : templates_(templates),
      reads_images_(reads_images),
      control_text_(std::make_shared<ControlText>(llama_model_get_vocab(model))) {
  ProbePlainRoute(model);
}

Result<bool> ChatTemplates::ProtectControlText(common_chat_templates_inputs* inputs) const {
  bool changed = false;
  const auto protect = [&](std::string* text) {
    changed = control_text_->Protect(text) || changed;
  };
  for (common_chat_msg& message : inputs->messages) {
    protect(&message.content);
    protect(&message.reasoning_content);
    protect(&message.tool_name);
    protect(&message.tool_call_id);
    for (common_chat_msg_content_part& part : message.content_parts) {
      protect(&part.text);
    }
    for (common_chat_tool_call& call : message.tool_calls) {
      protect(&call.id);
      protect(&call.arguments);
      if (control_text_->SpellsAny(call.name)) {
        return Error(InvalidArgument("a tool call's name (" + call.name +
                                     ") spells one of the model's control tokens"));
      }
    }
  }
  for (size_t i = 0; i < inputs->tools.size(); ++i) {
    common_chat_tool& tool = inputs->tools[i];
    if (control_text_->SpellsAny(tool.name)) {
      return Error(InvalidArgument("tools." + std::to_string(i) +
                                   ".name spells one of the model's control tokens"));
    }
    protect(&tool.description);
    protect(&tool.parameters);
  }
  return changed;
}

void ChatTemplates::RestoreControlText(RenderedPrompt* rendered) const {
  rendered->continued = control_text_->Restore(rendered->continued);
  rendered->generation_prompt = control_text_->Restore(rendered->generation_prompt);
  rendered->control_text = control_text_;
}

void ChatTemplates::ProbePlainRoute(const ::llama_model* model) {
  common_chat_templates_inputs probe;
  probe.use_jinja = true;
  probe.add_generation_prompt = true;
  probe.reasoning_format = COMMON_REASONING_FORMAT_NONE;
  probe.enable_thinking = false;  // as plain requests have it
  const auto add = [&probe](const char* role, const char* content) {
    common_chat_msg message;
    message.role = role;
    message.content = content;
    probe.messages.push_back(std::move(message));
  };
  add("system", "Answer briefly.");
  add("user", "What is 2 + 2?");
  add("assistant", "4.");
  add("user", "And 3 + 3?");
  try {
    const common_chat_params full = common_chat_templates_apply(templates_, probe);
    probe.force_pure_content = true;
    const common_chat_params pure = common_chat_templates_apply(templates_, probe);
    plain_direct_ = !full.prompt.empty() && full.prompt == pure.prompt &&
                    full.generation_prompt == pure.generation_prompt;
    plain_stops_ = full.additional_stops;
  } catch (const std::exception&) {
    plain_direct_ = false;  // every request takes the full route
  }
  if (plain_direct_) {
    ProbeOnePass(model, probe);
  }
}

void ChatTemplates::ProbeOnePass(const ::llama_model* model,
                                 const common_chat_templates_inputs& probe) {
  std::unique_ptr<PlainTemplate> one_pass = PlainTemplate::Compile(model, templates_);
  if (one_pass == nullptr) {
    return;
  }
  // The first probe has a system turn (some routes fold it into the next
  // turn); the second a lone user turn with space around its text (some
  // trim it). Their generation prompts must be the same.
  common_chat_templates_inputs lone = probe;
  lone.messages.clear();
  lone.messages.emplace_back();
  lone.messages.back().role = "user";
  lone.messages.back().content = "  Hello there.\n";
  try {
    std::optional<common_chat_params> first;
    const common_chat_templates_inputs* conversations[] = {&probe, &lone};
    for (const common_chat_templates_inputs* conversation : conversations) {
      common_chat_templates_inputs full_route = *conversation;
      full_route.force_pure_content = false;
      common_chat_params full = common_chat_templates_apply(templates_, full_route);
      if (one_pass->Render(conversation->messages) != full.prompt ||
          (first && full.generation_prompt != first->generation_prompt)) {
        return;
      }
      if (!first) {
        // What the pure-content route gives plain requests besides the prompt.
        common_chat_templates_inputs pure_route = *conversation;
        pure_route.force_pure_content = true;
        first = common_chat_templates_apply(templates_, pure_route);
      }
    }
    auto parser = std::make_shared<common_chat_parser_params>(*first);
    parser->reasoning_format = COMMON_REASONING_FORMAT_NONE;
    parser->parser.load(first->parser);
    one_pass_parser_ = std::move(parser);
    one_pass_generation_prompt_ = first->generation_prompt;
    one_pass_ = std::move(one_pass);
  } catch (const std::exception&) {
    return;  // plain requests take the pure-content route
  }
  // The third probe continues a prefill after the first's turns.
  static constexpr std::string_view kPrefill = "{\"answer\": ";
  common_chat_templates_inputs continuation = probe;
  continuation.force_pure_content = false;
  continuation.add_generation_prompt = false;
  continuation.continue_final_message = COMMON_CHAT_CONTINUATION_CONTENT;
  continuation.messages.emplace_back();
  continuation.messages.back().role = "assistant";
  continuation.messages.back().content = kPrefill;
  try {
    const common_chat_params full = common_chat_templates_apply(templates_, continuation);
    one_pass_continues_ =
        full.prompt == one_pass_->Render(probe.messages) + std::string(kPrefill) &&
        full.generation_prompt == one_pass_generation_prompt_ + std::string(kPrefill);
  } catch (const std::exception&) {
    // Prefills take the full route.
  }
}

ChatTemplates::~ChatTemplates() { common_chat_templates_free(templates_); }

Result<RenderedPrompt> ChatTemplates::Render(const ChatRequest& request) const {
  return RenderRoute(request, /*allow_direct=*/true);
}

Result<RenderedPrompt> ChatTemplates::RenderThroughAnalysis(
    const ChatRequest& request) const {
  return RenderRoute(request, /*allow_direct=*/false);
}

Result<RenderedPrompt> ChatTemplates::RenderRoute(const ChatRequest& request,
                                                  bool allow_direct) const {
  common_chat_templates_inputs inputs;
  inputs.use_jinja = true;
  inputs.add_generation_prompt = true;
  // Anthropic asks with `thinking`; OpenAI with reasoning_effort ("none"
  // turns it off).
  const bool thinking =
      (request.thinking &&
       request.thinking->mode != ThinkingConfig::Mode::kDisabled) ||
      (!request.effort.empty() && request.effort != "none");
  inputs.enable_thinking = thinking;
  inputs.reasoning_format =
      thinking ? COMMON_REASONING_FORMAT_DEEPSEEK : COMMON_REASONING_FORMAT_NONE;
  for (size_t i = 0; i < request.tools.size(); ++i) {
    const Tool& tool = request.tools[i];
    if (!tool.type.empty()) {
      return Error(InvalidArgument(
          "tools." + std::to_string(i) + ": the local engine runs custom "
          "tools only, not provider tools like " + tool.type));
    }
    inputs.tools.push_back(
        {tool.name, tool.description,
         tool.input_schema.empty() ? R"({"type":"object"})"
                                   : tool.input_schema.text});
  }
  if (request.tool_choice) {
    switch (request.tool_choice->mode) {
      case ToolChoice::Mode::kAuto:
        inputs.tool_choice = COMMON_CHAT_TOOL_CHOICE_AUTO;
        break;
      case ToolChoice::Mode::kAny:
        inputs.tool_choice = COMMON_CHAT_TOOL_CHOICE_REQUIRED;
        break;
      case ToolChoice::Mode::kNone:
        inputs.tool_choice = COMMON_CHAT_TOOL_CHOICE_NONE;
        break;
      case ToolChoice::Mode::kTool: {
        // Offer only the named tool, and require a call.
        std::vector<common_chat_tool> named;
        for (const common_chat_tool& tool : inputs.tools) {
          if (tool.name == request.tool_choice->name) {
            named.push_back(tool);
          }
        }
        if (named.empty()) {
          return Error(InvalidArgument("tool_choice.name: no tool named " +
                                       request.tool_choice->name));
        }
        inputs.tools = std::move(named);
        inputs.tool_choice = COMMON_CHAT_TOOL_CHOICE_REQUIRED;
        break;
      }
    }
    inputs.parallel_tool_calls = !request.tool_choice->disable_parallel_tool_use;
  } else {
    inputs.parallel_tool_calls = !inputs.tools.empty();
  }

  if (!request.system.empty()) {
    common_chat_msg system;
    system.role = "system";
    for (const ContentBlock& block : request.system) {
      if (!system.content.empty() && !block.text.empty()) {
        system.content += "\n\n";
      }
      system.content += block.text;
    }
    inputs.messages.push_back(std::move(system));
  }
  std::vector<ImageSource> images;  // in the order of the messages
  for (size_t i = 0; i < request.messages.size(); ++i) {
    Result<std::vector<common_chat_msg>> messages =
        ToTemplateMessages(request.messages[i], "messages." + std::to_string(i),
                           reads_images_ ? &images : nullptr);
    if (!messages) {
      return Error(messages.error());
    }
    for (common_chat_msg& message : *messages) {
      inputs.messages.push_back(std::move(message));
    }
  }

  DUET_ASSIGN_OR_RETURN(const bool protected_text, ProtectControlText(&inputs));

  // A trailing assistant turn is a prefill the answer continues.
  std::string continued;
  if (!inputs.messages.empty() && inputs.messages.back().role == "assistant") {
    common_chat_msg& last = inputs.messages.back();
    if (!last.tool_calls.empty()) {
      return Error(InvalidArgument(
          "messages." + std::to_string(request.messages.size() - 1) +
          ": the last message is an assistant turn with a tool call; the local engine "
          "continues only an assistant turn's text (send the tool's result in a user "
          "turn)"));
    }
    if (last.content.empty()) {
      inputs.messages.pop_back();  // nothing to continue: the answer opens its turn
    } else {
      continued = last.content;
    }
  }

  const bool structured = !inputs.tools.empty() || thinking;
  const bool plain = allow_direct && plain_direct_ && !structured && OnlyText(request);
  const size_t head = inputs.messages.size() - (continued.empty() ? 0 : 1);
  try {
    if (plain && one_pass_ != nullptr && (continued.empty() || one_pass_continues_) &&
        head > 0 && inputs.messages[head - 1].role == "user") {
      if (!continued.empty()) {
        inputs.messages.pop_back();
      }
      RenderedPrompt rendered;
      rendered.prompt = one_pass_->Render(inputs.messages) + continued;
      rendered.generation_prompt = one_pass_generation_prompt_ + continued;
      rendered.continued = std::move(continued);
      rendered.additional_stops = plain_stops_;
      rendered.parser = one_pass_parser_;
      if (protected_text) {
        RestoreControlText(&rendered);
      }
      return rendered;
    }
  } catch (const std::exception& error) {
    return Error(InvalidArgument(
        std::string("the model's chat template failed on this request: ") +
        error.what()));
  }
  // llama.cpp's pure-content route cannot continue a turn.
  inputs.force_pure_content = plain && continued.empty();
  Result<RenderedPrompt> rendered =
      RenderFullRoute(&inputs, continued, structured, std::move(images), protected_text);
  if (rendered && protected_text) {
    RestoreControlText(&*rendered);
  }
  return rendered;
}

Result<RenderedPrompt> ChatTemplates::RenderFullRoute(common_chat_templates_inputs* inputs,
                                                      const std::string& continued,
                                                      bool structured,
                                                      std::vector<ImageSource> images,
                                                      bool protected_text) const {
  try {
    if (!continued.empty()) {
      inputs->add_generation_prompt = false;
      inputs->continue_final_message = COMMON_CHAT_CONTINUATION_CONTENT;
    }
    common_chat_params params = common_chat_templates_apply(templates_, *inputs);
    if (!continued.empty() && !std::string_view(params.prompt).ends_with(continued)) {
      // A template whose parser ignores continue_final_message (llama.cpp's
      // Functionary v3.2 and GigaChat v3) rendered neither the opened turn
      // nor its text: open the turn and append the text.
      inputs->messages.pop_back();
      inputs->add_generation_prompt = true;
      inputs->continue_final_message = COMMON_CHAT_CONTINUATION_NONE;
      params = common_chat_templates_apply(templates_, *inputs);
      params.prompt += continued;
      params.generation_prompt += continued;
    }
    if (inputs->force_pure_content) {
      params.additional_stops = plain_stops_;
    }
    if (protected_text) {
      // Grammars and parsers built from tool schemas read the client's text.
      params.grammar = control_text_->Restore(params.grammar);
      params.parser = control_text_->Restore(params.parser);
    }
    RenderedPrompt rendered;
    rendered.prompt = std::move(params.prompt);
    if (!images.empty()) {
      DUET_RETURN_IF_ERROR(PlaceImages(std::move(images), &rendered));
    }
    rendered.structured = structured;
    if (!inputs->tools.empty() && inputs->tool_choice != COMMON_CHAT_TOOL_CHOICE_NONE) {
      rendered.grammar = params.grammar;
      rendered.grammar_lazy = params.grammar_lazy;
      AddTriggers(params.grammar_triggers, &rendered);
    }
    rendered.generation_prompt = params.generation_prompt;
    rendered.continued = continued;
    rendered.additional_stops = params.additional_stops;
    rendered.preserved_tokens = params.preserved_tokens;
    auto parser = std::make_shared<common_chat_parser_params>(params);
    parser->reasoning_format = inputs->reasoning_format;
    if (!params.parser.empty()) {
      parser->parser.load(params.parser);
    }
    rendered.parser = std::move(parser);
    return rendered;
  } catch (const std::exception& error) {
    return Error(InvalidArgument(
        std::string("the model's chat template failed on this request: ") +
        error.what()));
  }
}

}  // namespace duet::llama
