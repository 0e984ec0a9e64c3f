#include "support/scripted_script.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>
#include <utility>

#include "core/status.h"

namespace duet::testing {
namespace {

constexpr std::string_view kThinkingText = "Let me think about that.";
constexpr std::string_view kSignature = "sig-scripted";
constexpr std::size_t kMaxInputJsonFragment = 5;
constexpr std::size_t kMidstreamDeltas = 3;

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

struct ToolDirective {
  std::string name;
  std::string input_json;
};

struct Directives {
  bool think = false;
  bool midstream_error = false;
  bool refuse = false;
  std::vector<ToolDirective> tools;
  std::optional<ErrorCode> error;
  std::optional<int64_t> slow_ms;
  std::optional<int64_t> words;
  // The message text with every directive removed, trimmed.
  std::string remaining_text;
};

// The outcome of reading one "[[...]]" candidate.
struct DirectiveMatch {
  enum class Kind { kNotADirective, kDirective, kMalformed };
  Kind kind = Kind::kNotADirective;
  std::size_t end = 0;  // one past the closing "]]" (kDirective)
  std::string problem;  // kMalformed
};

DirectiveMatch Malformed(std::string problem) {
  return {DirectiveMatch::Kind::kMalformed, 0, std::move(problem)};
}

DirectiveMatch Matched(std::size_t end) {
  return {DirectiveMatch::Kind::kDirective, end, {}};
}

std::optional<ErrorCode> ErrorCodeFromName(std::string_view name) {
  constexpr ErrorCode kCodes[] = {
      ErrorCode::kInvalidArgument,   ErrorCode::kUnauthenticated,
      ErrorCode::kPermissionDenied,  ErrorCode::kNotFound,
      ErrorCode::kPayloadTooLarge,   ErrorCode::kHeadersTooLarge,
      ErrorCode::kResourceExhausted, ErrorCode::kUnavailable,
      ErrorCode::kDeadlineExceeded,  ErrorCode::kCancelled,
      ErrorCode::kInternal,
  };
  for (ErrorCode code : kCodes) {
    if (ErrorCodeName(code) == name) {
      return code;
    }
  }
  return std::nullopt;
}

// Parses a non-negative decimal of at most nine digits.
std::optional<int64_t> ParseCount(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  return value;
}

// Returns one past the '}' that closes the object starting at text[start],
// honouring strings and escapes, or npos when it never closes.
std::size_t EndOfJsonObject(std::string_view text, std::size_t start) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth == 0) {
        return c == '}' ? i + 1 : std::string_view::npos;
      }
    }
  }
  return std::string_view::npos;
}

DirectiveMatch ReadToolDirective(std::string_view text, std::size_t pos,
                                 Directives* directives) {
  std::size_t name_start = pos;
  while (pos < text.size() && !IsSpace(text[pos]) && text[pos] != ']' &&
         text[pos] != '{') {
    ++pos;
  }
  std::string name(text.substr(name_start, pos - name_start));
  if (name.empty()) {
    return Malformed("tool directive without a name");
  }
  while (pos < text.size() && IsSpace(text[pos])) {
    ++pos;
  }
  std::string input_json = "{}";
  if (pos < text.size() && text[pos] == '{') {
    std::size_t end = EndOfJsonObject(text, pos);
    if (end == std::string_view::npos) {
      return Malformed("tool " + name + ": input is not a JSON object");
    }
    input_json = std::string(text.substr(pos, end - pos));
    pos = end;
    while (pos < text.size() && IsSpace(text[pos])) {
      ++pos;
    }
  }
  if (text.substr(pos, 2) != "]]") {
    return Malformed("tool " + name + ": expected ]] after the input");
  }
  directives->tools.push_back({std::move(name), std::move(input_json)});
  return Matched(pos + 2);
}

// Reads the candidate directive whose "[[" starts at `start`.
DirectiveMatch ReadDirective(std::string_view text, std::size_t start,
                             Directives* directives) {
  std::string_view rest = text.substr(start + 2);
  auto is = [&](std::string_view word) { return rest.starts_with(word); };
  if (is("think]]")) {
    directives->think = true;
    return Matched(start + 2 + 7);
  }
  if (is("refuse]]")) {
    directives->refuse = true;
    return Matched(start + 2 + 8);
  }
  if (is("midstream-error]]")) {
    directives->midstream_error = true;
    return Matched(start + 2 + 17);
  }
  if (is("tool:")) {
    return ReadToolDirective(text, start + 2 + 5, directives);
  }
  for (std::string_view prefix : {"error:", "slow:", "words:"}) {
    if (!is(prefix)) {
      continue;
    }
    std::size_t argument_start = start + 2 + prefix.size();
    std::size_t close = text.find("]]", argument_start);
    if (close == std::string_view::npos) {
      return Malformed(std::string(prefix) + " directive without ]]");
    }
    std::string_view argument =
        text.substr(argument_start, close - argument_start);
    if (prefix == "error:") {
      directives->error = ErrorCodeFromName(argument);
      if (!directives->error) {
        return Malformed("unknown error code " + std::string(argument));
      }
    } else {
      std::optional<int64_t> count = ParseCount(argument);
      if (!count) {
        return Malformed(std::string(prefix) + " needs a count, got " +
                         std::string(argument));
      }
      (prefix == "slow:" ? directives->slow_ms : directives->words) = count;
    }
    return Matched(close + 2);
  }
  return {};
}

Result<Directives> ParseDirectives(std::string_view text) {
  Directives directives;
  std::string remaining;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t open = text.find("[[", pos);
    if (open == std::string_view::npos) {
      remaining.append(text.substr(pos));
      break;
    }
    remaining.append(text.substr(pos, open - pos));
    DirectiveMatch match = ReadDirective(text, open, &directives);
    switch (match.kind) {
      case DirectiveMatch::Kind::kNotADirective:
        remaining.append("[[");
        pos = open + 2;
        break;
      case DirectiveMatch::Kind::kDirective:
        pos = match.end;
        break;
      case DirectiveMatch::Kind::kMalformed:
        return Error(InvalidArgument("scripted directive: " + match.problem));
    }
  }
  directives.remaining_text = std::string(Trim(remaining));
  return directives;
}

int64_t CountTextBytes(const ContentBlock& block) {
  switch (block.type) {
    case BlockType::kText:
    case BlockType::kThinking:
      return static_cast<int64_t>(block.text.size());
    case BlockType::kToolUse:
      return static_cast<int64_t>(block.tool_input.text.size());
    case BlockType::kToolResult: {
      int64_t bytes = 0;
      for (const ContentBlock& inner : block.tool_result_content) {
        if (inner.type == BlockType::kText) {
          bytes += static_cast<int64_t>(inner.text.size());
        }
      }
      return bytes;
    }
    case BlockType::kImage:
    case BlockType::kRedactedThinking:
    case BlockType::kOther:
      return 0;
  }
  return 0;
}

// The text of the last user message: its text blocks and the text inside its
// tool_result blocks, in order, joined with single spaces.
std::string LastUserText(const ChatRequest& request) {
  auto last_user = std::find_if(
      request.messages.rbegin(), request.messages.rend(),
      [](const Message& message) { return message.role == Role::kUser; });
  if (last_user == request.messages.rend()) {
    return {};
  }
  std::string text;
  auto append = [&text](const std::string& part) {
    if (!text.empty()) {
      text += ' ';
    }
    text += part;
  };
  for (const ContentBlock& block : last_user->content) {
    if (block.type == BlockType::kText) {
      append(block.text);
    } else if (block.type == BlockType::kToolResult) {
      for (const ContentBlock& inner : block.tool_result_content) {
        if (inner.type == BlockType::kText) {
          append(inner.text);
        }
      }
    }
  }
  return text;
}

// The answer text before stop sequences and max_tokens are applied.
std::string AnswerText(const Directives& directives) {
  if (directives.words) {
    std::string text;
    for (int64_t i = 1; i <= *directives.words; ++i) {
      if (i > 1) {
        text += ' ';
      }
      text += "w" + std::to_string(i);
    }
    return text;
  }
  if (!directives.tools.empty()) {
    std::string text = "Calling ";
    for (std::size_t i = 0; i < directives.tools.size(); ++i) {
      if (i > 0) {
        text += ", ";
      }
      text += directives.tools[i].name;
    }
    return text + ".";
  }
  if (directives.remaining_text.empty()) {
    return "You said:";
  }
  return "You said: " + directives.remaining_text;
}

// Splits JSON text into fragments of at most kMaxInputJsonFragment bytes,
// never inside a UTF-8 sequence, so each fragment is valid text.
std::vector<std::string> JsonFragments(std::string_view json) {
  std::vector<std::string> fragments = {""};
  std::size_t pos = 0;
  while (pos < json.size()) {
    std::size_t length = std::min(kMaxInputJsonFragment, json.size() - pos);
    auto is_continuation = [&](std::size_t at) {
      return (static_cast<unsigned char>(json[at]) & 0xC0) == 0x80;
    };
    while (pos + length < json.size() && length > 1 &&
           is_continuation(pos + length)) {
      --length;
    }
    fragments.emplace_back(json.substr(pos, length));
    pos += length;
  }
  return fragments;
}

// Appends the start of the block at `index` and its deltas; the caller adds
// the stop (a mid-stream failure has none).
void AppendBlockStartAndDeltas(int index, ContentBlock empty_block, ChatEvent::DeltaKind kind,
                 const std::vector<std::string>& deltas,
                 std::vector<ChatEvent>* events) {
  events->push_back(ChatEvent::BlockStart(index, std::move(empty_block)));
  for (const std::string& delta : deltas) {
    events->push_back(ChatEvent::Delta(index, kind, delta));
  }
}

Script MidstreamErrorScript(const std::string& text, Script script) {
  std::vector<std::string> pieces = SplitWordsKeepingSpace(text);
  pieces.resize(std::min(pieces.size(), kMidstreamDeltas));
  AppendBlockStartAndDeltas(0, ContentBlock::Text(""), ChatEvent::DeltaKind::kText, pieces,
              &script.events);
  script.events.push_back(ChatEvent::Failure(Unavailable("Overloaded")));
  return script;
}

Script RefusalScript(const Usage& start_usage, Script script) {
  script.events.push_back(ChatEvent::BlockStart(0, ContentBlock::Text("")));
  script.events.push_back(ChatEvent::BlockStop(0));
  Usage usage = start_usage;
  script.events.push_back(ChatEvent::MessageDelta(StopReason::kRefusal, usage));
  script.events.push_back(ChatEvent::MessageStop());
  return script;
}

}  // namespace

int64_t CountWords(std::string_view text) {
  int64_t words = 0;
  bool in_word = false;
  for (char c : text) {
    if (IsSpace(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      ++words;
    }
  }
  return words;
}

std::vector<std::string> SplitWordsKeepingSpace(std::string_view text) {
  std::vector<std::string> pieces;
  std::size_t pos = 0;
  while (pos < text.size() && IsSpace(text[pos])) {
    ++pos;
  }
  std::size_t piece_start = 0;
  while (pos < text.size()) {
    while (pos < text.size() && !IsSpace(text[pos])) {
      ++pos;
    }
    while (pos < text.size() && IsSpace(text[pos])) {
      ++pos;
    }
    pieces.emplace_back(text.substr(piece_start, pos - piece_start));
    piece_start = pos;
  }
  return pieces;
}

int64_t CountScriptedInputTokens(const ChatRequest& request) {
  int64_t bytes = 0;
  for (const ContentBlock& block : request.system) {
    bytes += CountTextBytes(block);
  }
  for (const Message& message : request.messages) {
    for (const ContentBlock& block : message.content) {
      bytes += CountTextBytes(block);
    }
  }
  return std::max<int64_t>(1, (bytes + 3) / 4);
}

Script BuildScript(const ChatRequest& request, const std::string& model,
                   const ScriptIds& ids) {
  Script script;
  Result<Directives> parsed = ParseDirectives(LastUserText(request));
  if (!parsed) {
    script.events.push_back(ChatEvent::Failure(std::move(parsed).error()));
    return script;
  }
  const Directives& directives = *parsed;
  if (directives.slow_ms) {
    script.delay_between_events = std::chrono::milliseconds(*directives.slow_ms);
    script.delay_from_directive = true;
  }
  if (directives.error) {
    script.events.push_back(
        ChatEvent::Failure(Status(*directives.error, "scripted failure")));
    return script;
  }

  Usage usage{.input_tokens = CountScriptedInputTokens(request),
              .output_tokens = 1};
  script.events.push_back(ChatEvent::MessageStart(
      "msg_scripted_" + std::to_string(ids.message_number), model, usage));
  std::string text = AnswerText(directives);
  if (directives.midstream_error) {
    return MidstreamErrorScript(text, std::move(script));
  }
  if (directives.refuse) {
    return RefusalScript(usage, std::move(script));
  }

  // A stop sequence ends generation where it starts: the text is cut before
  // it and the tool calls that would have followed never happen.
  std::string stop_sequence;
  std::size_t stop_at = std::string::npos;
  for (const std::string& candidate : request.stop_sequences) {
    std::size_t found = candidate.empty() ? std::string::npos
                                          : text.find(candidate);
    if (found < stop_at) {
      stop_at = found;
      stop_sequence = candidate;
    }
  }
  std::vector<ToolDirective> tools = directives.tools;
  if (stop_at != std::string::npos) {
    text.resize(stop_at);
    tools.clear();
  }

  // max_tokens is a budget of words spent in emission order: thinking, text,
  // then whole tool calls. A block that gets no words is left out.
  int64_t budget = request.max_tokens
                       ? std::max<int64_t>(0, *request.max_tokens)
                       : std::numeric_limits<int64_t>::max();
  bool cut = false;
  int next_index = 0;
  int64_t thinking_words = 0;
  auto take = [&](std::vector<std::string> pieces) {
    if (static_cast<int64_t>(pieces.size()) > budget) {
      pieces.resize(static_cast<std::size_t>(budget));
      cut = true;
    }
    budget -= static_cast<int64_t>(pieces.size());
    return pieces;
  };
  if (directives.think) {
    std::vector<std::string> pieces = take(SplitWordsKeepingSpace(kThinkingText));
    if (!pieces.empty()) {
      thinking_words = static_cast<int64_t>(pieces.size());
      AppendBlockStartAndDeltas(next_index, ContentBlock::Thinking("", ""),
                  ChatEvent::DeltaKind::kThinking, pieces, &script.events);
      script.events.push_back(ChatEvent::Delta(
          next_index, ChatEvent::DeltaKind::kSignature, std::string(kSignature)));
      script.events.push_back(ChatEvent::BlockStop(next_index));
      ++next_index;
    }
  }
  int64_t text_words = 0;
  if (!cut) {
    std::vector<std::string> all_pieces = SplitWordsKeepingSpace(text);
    std::vector<std::string> pieces = take(all_pieces);
    text_words = static_cast<int64_t>(pieces.size());
    if (!pieces.empty() || all_pieces.empty()) {
      AppendBlockStartAndDeltas(next_index, ContentBlock::Text(""),
                  ChatEvent::DeltaKind::kText, pieces, &script.events);
      script.events.push_back(ChatEvent::BlockStop(next_index));
      ++next_index;
    }
  }
  int64_t tool_words = 0;
  if (cut) {
    tools.clear();
  }
  for (const ToolDirective& tool : tools) {
    int64_t words = CountWords(tool.input_json);
    if (words > budget) {
      cut = true;
      break;
    }
    budget -= words;
    tool_words += words;
    std::string id = "toolu_scripted_" +
                     std::to_string(ids.first_tool_number + script.tool_calls);
    ++script.tool_calls;
    AppendBlockStartAndDeltas(next_index, ContentBlock::ToolUse(std::move(id), tool.name, {}),
                ChatEvent::DeltaKind::kInputJson, JsonFragments(tool.input_json),
                &script.events);
    script.events.push_back(ChatEvent::BlockStop(next_index));
    ++next_index;
  }
  if (next_index == 0) {
    script.events.push_back(ChatEvent::BlockStart(0, ContentBlock::Text("")));
    script.events.push_back(ChatEvent::BlockStop(0));
  }

  StopReason reason = StopReason::kEndTurn;
  if (cut) {
    reason = StopReason::kMaxTokens;
    stop_sequence.clear();
  } else if (stop_at != std::string::npos) {
    reason = StopReason::kStopSequence;
  } else if (script.tool_calls > 0) {
    reason = StopReason::kToolUse;
  }
  usage.output_tokens =
      std::max<int64_t>(1, thinking_words + text_words + tool_words);
  usage.thinking_tokens = thinking_words;
  script.events.push_back(
      ChatEvent::MessageDelta(reason, usage, std::move(stop_sequence)));
  script.events.push_back(ChatEvent::MessageStop());
  return script;
}

}  // namespace duet::testing
