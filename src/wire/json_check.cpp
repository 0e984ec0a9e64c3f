#include "wire/json_check.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "wire/json_read.h"
#include "wire/json_schema_validator.h"

namespace duet::wire {
namespace {

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view TrimJsonSpace(std::string_view text) {
  while (!text.empty() && IsJsonSpace(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && IsJsonSpace(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view lower) {
  return a.size() == lower.size() &&
         std::equal(a.begin(), a.end(), lower.begin(), [](char x, char y) {
           return (x >= 'A' && x <= 'Z' ? static_cast<char>(x - 'A' + 'a')
                                        : x) == y;
         });
}

// The value inside one fenced code block (```json or a bare ```), or the
// trimmed text itself when it is not fenced. Fences whose info string names
// another language are left alone, so the parser rejects them.
std::string_view StripCodeFence(std::string_view text) {
  text = TrimJsonSpace(text);
  constexpr std::string_view kFence = "```";
  if (text.size() < 2 * kFence.size() || !text.starts_with(kFence) ||
      !text.ends_with(kFence)) {
    return text;
  }
  const size_t line_end = text.find('\n');
  if (line_end == std::string_view::npos) {
    return text;
  }
  const std::string_view info =
      TrimJsonSpace(text.substr(kFence.size(), line_end - kFence.size()));
  if (!info.empty() && !EqualsIgnoringAsciiCase(info, "json")) {
    return text;
  }
  const size_t closing = text.size() - kFence.size();
  if (closing <= line_end || text[closing - 1] != '\n') {
    return text;  // the closing fence must stand on its own line
  }
  return TrimJsonSpace(text.substr(line_end + 1, closing - line_end - 1));
}

// Line and column (both from 1) of byte offset `offset` in `text`.
std::string Where(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  const std::string_view before = text.substr(0, offset);
  const size_t line =
      1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  const size_t last_newline = before.rfind('\n');
  const size_t column = last_newline == std::string_view::npos
                            ? offset + 1
                            : offset - last_newline;
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// Parses `text` (already stripped of fences) into `out`. The reason on
// failure describes where, never what: the text may be anything.
Status ParseValue(std::string_view text, std::string_view prefix, Json* out) {
  if (text.empty()) {
    return InvalidArgument(std::string(prefix) + "empty text");
  }
  if (NestsDeeperThan(text, kMaxCheckedJsonDepth)) {
    return InvalidArgument(std::string(prefix) + "nests deeper than " +
                           std::to_string(kMaxCheckedJsonDepth) + " levels");
  }
  try {
    *out = Json::parse(text);
  } catch (const Json::parse_error& error) {
    // error.byte counts from 1 and points at the byte that broke the parse.
    const size_t offset = error.byte == 0 ? 0 : error.byte - 1;
    std::string reason;
    if (offset >= text.size()) {
      reason = "ends before the value is complete";
    } else if (std::string_view(error.what()).find("expected end of input") !=
               std::string_view::npos) {
      reason = "more text after the value at " + Where(text, offset);
    } else {
      reason = "syntax error at " + Where(text, offset);
    }
    return InvalidArgument(std::string(prefix) + reason);
  } catch (const Json::exception&) {
    // out_of_range.406: a number beyond double's range ("1e999").
    return InvalidArgument(std::string(prefix) + "a number is out of range");
  }
  return Status::Ok();
}

}  // namespace

Status CheckJsonText(std::string_view text) {
  Json value;
  return ParseValue(StripCodeFence(text), "not JSON: ", &value);
}

Status CheckJsonAgainstSchema(std::string_view text,
                              std::string_view schema_json) {
  Json value;
  DUET_RETURN_IF_ERROR(ParseValue(StripCodeFence(text), "not JSON: ", &value));
  Json schema;
  DUET_RETURN_IF_ERROR(
      ParseValue(TrimJsonSpace(schema_json),
                 std::string(kSchemaErrorPrefix) + "not JSON: ", &schema));
  return ValidateAgainstSchema(value, schema);
}

bool IsSchemaError(const Status& status) {
  return !status.ok() && status.message().starts_with(kSchemaErrorPrefix);
}

}  // namespace duet::wire
