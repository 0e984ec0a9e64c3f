#include "route/escalation/answer_checks.h"

#include <cmath>

#include <fmt/format.h>

#include <iterator>
#include <utility>

#include "route/escalation/refusal_check.h"
#include "route/escalation/repetition_check.h"
#include "route/escalation/utf8_text.h"
#include "wire/json_check.h"

namespace duet {
namespace {

using CheckResult = std::optional<CheckFailure>;

constexpr std::string_view kObjectSchema = R"({"type":"object"})";

CheckResult Fail(std::string_view check, std::string explanation) {
  return CheckFailure{std::string(check), std::move(explanation)};
}

// The answer's text blocks, joined by `separator`; thinking is not text.
std::string AnswerText(const ChatResponse& answer, std::string_view separator) {
  std::string text;
  bool first = true;
  for (const ContentBlock& block : answer.content) {
    if (block.type == BlockType::kText) {
      if (!first) {
        text += separator;
      }
      text += block.text;
      first = false;
    }
  }
  return text;
}

bool HasBlock(const ChatResponse& answer, BlockType type) {
  for (const ContentBlock& block : answer.content) {
    if (block.type == type) {
      return true;
    }
  }
  return false;
}

CheckResult CheckEmpty(const ChatRequest&, const ChatResponse& answer,
                       const AnswerCheckOptions&) {
  if (HasBlock(answer, BlockType::kToolUse)) {
    return std::nullopt;
  }
  for (const ContentBlock& block : answer.content) {
    if (block.type == BlockType::kText &&
        !escalation::TrimUnicodeSpace(block.text).empty()) {
      return std::nullopt;
    }
  }
  const bool thought = HasBlock(answer, BlockType::kThinking) ||
                       HasBlock(answer, BlockType::kRedactedThinking);
  return Fail("empty", thought ? "the answer holds only thinking, no text "
                                 "and no tool call"
                               : "the answer has no text and no tool call");
}

CheckResult CheckTruncated(const ChatRequest& request,
                           const ChatResponse& answer,
                           const AnswerCheckOptions& options) {
  if (answer.stop_reason != StopReason::kMaxTokens) {
    return std::nullopt;
  }
  const bool limited = request.max_tokens.has_value();
  const int64_t budget =
      limited ? *request.max_tokens : answer.usage.output_tokens;
  if (budget > options.truncated_budget_tokens) {
    return std::nullopt;
  }
  const std::string limit = std::to_string(options.truncated_budget_tokens);
  return Fail("truncated",
              (limited ? "the answer used up the request's max_tokens of " +
                             std::to_string(budget)
                       : "the answer stopped at max_tokens after " +
                             std::to_string(budget) + " output tokens") +
                  " and was cut off (budgets up to " + limit +
                  " tokens count as short)");
}

CheckResult CheckRefusal(const ChatRequest&, const ChatResponse& answer,
                         const AnswerCheckOptions&) {
  if (answer.stop_reason == StopReason::kRefusal) {
    return Fail("refusal", "the model stopped with stop_reason refusal");
  }
  const std::optional<std::string_view> language =
      escalation::FindRefusalLanguage(AnswerText(answer, "\n"));
  if (!language) {
    return std::nullopt;
  }
  return Fail("refusal", "the answer opens with a refusal (a " +
                             std::string(*language) + " refusal phrase)");
}

CheckResult CheckRepetition(const ChatRequest&, const ChatResponse& answer,
                            const AnswerCheckOptions&) {
  std::optional<std::string> repetition =
      escalation::FindDegenerateRepetition(AnswerText(answer, "\n"));
  if (!repetition) {
    return std::nullopt;
  }
  return Fail("repetition", "degenerate repetition: " + *repetition);
}

CheckResult CheckJson(const ChatRequest& request, const ChatResponse& answer,
                      const AnswerCheckOptions&) {
  if (!request.response_format.has_value() ||
      request.response_format->kind == ResponseFormat::Kind::kText ||
      HasBlock(answer, BlockType::kToolUse)) {
    return std::nullopt;
  }
  const ResponseFormat& format = *request.response_format;
  // Joined without a separator: a value split across blocks stays whole.
  const std::string text = AnswerText(answer, "");
  Status status;
  std::string_view asked;
  if (format.kind == ResponseFormat::Kind::kJsonObject) {
    asked = "a JSON object (json_object)";
    status = wire::CheckJsonAgainstSchema(text, kObjectSchema);
  } else if (format.schema.empty()) {
    asked = "JSON (json_schema without a schema)";
    status = wire::CheckJsonText(text);
  } else {
    asked = "JSON matching its json_schema";
    status = wire::CheckJsonAgainstSchema(text, format.schema.text);
  }
  if (status.ok() || wire::IsSchemaError(status)) {
    return std::nullopt;
  }
  return Fail("json", "the request asked for " + std::string(asked) +
                          " and the answer is not: " + status.message());
}

const Tool* FindTool(const ChatRequest& request, const std::string& name) {
  for (const Tool& tool : request.tools) {
    if (tool.name == name) {
      return &tool;
    }
  }
  return nullptr;
}

// Why a custom tool's call input does not fit it, or OK; schemas the
// checker cannot apply pass.
Status CheckToolInput(const Tool& tool, const RawJson& input) {
  const std::string_view text =
      input.empty() ? std::string_view("{}") : std::string_view(input.text);
  Status status = wire::CheckJsonAgainstSchema(text, kObjectSchema);
  if (status.ok() && !tool.input_schema.empty()) {
    status = wire::CheckJsonAgainstSchema(text, tool.input_schema.text);
  }
  return wire::IsSchemaError(status) ? Status::Ok() : status;
}

CheckResult CheckTool(const ChatRequest& request, const ChatResponse& answer,
                      const AnswerCheckOptions&) {
  const ToolChoice choice = request.tool_choice.value_or(ToolChoice{});
  size_t calls = 0;
  bool called_chosen = false;
  for (const ContentBlock& block : answer.content) {
    if (block.type != BlockType::kToolUse) {
      continue;
    }
    const std::string ordinal = "tool call " + std::to_string(++calls);
    const Tool* tool = FindTool(request, block.tool_name);
    if (tool == nullptr) {
      return Fail("tool", ordinal +
                              " names a tool the request does not offer "
                              "(it offers " +
                              std::to_string(request.tools.size()) + ")");
    }
    called_chosen = called_chosen || tool->name == choice.name;
    if (!tool->type.empty()) {
      continue;  // a provider tool: its input is the provider's business
    }
    const Status input = CheckToolInput(*tool, block.tool_input);
    if (!input.ok()) {
      return Fail("tool", ordinal +
                              " has input that fails the tool's "
                              "input_schema: " +
                              input.message());
    }
  }
  switch (choice.mode) {
    case ToolChoice::Mode::kAuto:
      return std::nullopt;
    case ToolChoice::Mode::kNone:
      return calls == 0 ? std::nullopt
                        : Fail("tool",
                               "the request's tool_choice is none "
                               "and the answer calls a tool");
    case ToolChoice::Mode::kAny:
    case ToolChoice::Mode::kTool:
      break;
  }
  if (calls == 0) {
    return Fail("tool",
                "the request's tool_choice requires a tool call and "
                "the answer has none");
  }
  if (choice.mode == ToolChoice::Mode::kTool && !called_chosen) {
    return Fail("tool",
                "the request's tool_choice names one tool and the "
                "answer does not call it");
  }
  return std::nullopt;
}

// Opt-in: how sure the model was of what it wrote. The answer's
// confidence comes from the backend (only the local engine scores its
// tokens); without one there is nothing to judge.
CheckResult CheckConfidence(const ChatRequest&, const ChatResponse& answer,
                            const AnswerCheckOptions& options) {
  if (!answer.confidence || answer.confidence->tokens == 0 ||
      answer.confidence->mean_logprob >= options.min_mean_logprob) {
    return std::nullopt;
  }
  const AnswerConfidence& confidence = *answer.confidence;
  return Fail("confidence",
              fmt::format("the model's mean token log-probability was {:.2f} over {} tokens (a "
                          "typical token had a {:.1f}% chance), under "
                          "policy.escalation.min_mean_logprob ({:.2f})",
                          confidence.mean_logprob, confidence.tokens,
                          100 * std::exp(confidence.mean_logprob), options.min_mean_logprob));
}

using CheckFunction = CheckResult (*)(const ChatRequest&, const ChatResponse&,
                                      const AnswerCheckOptions&);

struct NamedCheck {
  std::string_view name;
  CheckFunction function;
};

// The default checks (kAnswerCheckNames' order), then the opt-in ones.
constexpr NamedCheck kChecks[] = {
    {"empty", CheckEmpty},           {"truncated", CheckTruncated}, {"refusal", CheckRefusal},
    {"repetition", CheckRepetition}, {"json", CheckJson},           {"tool", CheckTool},
    {"confidence", CheckConfidence},
};
static_assert(std::size(kChecks) == kAnswerCheckNames.size() + kOptInCheckNames.size());

CheckFunction FindCheck(std::string_view name) {
  for (const NamedCheck& check : kChecks) {
    if (check.name == name) {
      return check.function;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<CheckFailure> CheckAnswer(const ChatRequest& request,
                                        const ChatResponse& answer,
                                        const AnswerCheckOptions& options) {
  for (const std::string& name : options.checks) {
    const CheckFunction check = FindCheck(name);
    if (check == nullptr) {
      continue;
    }
    if (CheckResult failure = check(request, answer, options)) {
      return failure;
    }
  }
  return std::nullopt;
}

Status ValidateCheckNames(const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    if (FindCheck(name) != nullptr) {
      continue;
    }
    std::string known;
    for (const NamedCheck& check : kChecks) {
      known += known.empty() ? "" : ", ";
      known += check.name;
    }
    return InvalidArgument("unknown answer check \"" + name +
                           "\" (known: " + known + ")");
  }
  return Status::Ok();
}

}  // namespace duet
