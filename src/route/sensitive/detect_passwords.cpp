// Passwords and secrets assigned to a key in config-like text:
// `password = ...`, `"api_key": "..."`, `DB_PASSWORD=...`, `密码：...`,
// `<password>...</password>`, "my password is ...", and the code and
// templates that look like them but are not (`password = os.getenv(...)`,
// `first_pass = 1`, `password: <password>`).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "route/sensitive/detectors.h"
#include "route/sensitive/validators.h"

namespace duet::sensitive {
namespace {

// Key names that say the value is not the secret itself
// ("password_min_length", "secret_name", "token_url").
bool IsMetadataKey(std::string_view suffix) {
  static constexpr std::string_view kWords[] = {
      "length",   "len",      "policy",  "reset",  "hint",     "field",
      "label",    "prompt",   "min",     "max",    "strength", "rule",
      "requir",   "enable",   "file",    "path",   "url",      "uri",
      "type",     "valid",    "expir",   "count",  "attempt",  "timeout",
      "age",      "mode",     "manager", "format", "prefix",   "name",
      "id",       "less",     "store",   "limit",  "pattern",  "version",
      "provider", "endpoint", "header",  "ref",    "env",      "hash",
      "auth",     "desc",
  };
  const std::string lower = AsciiLowered(suffix);
  return std::any_of(
      std::begin(kWords), std::end(kWords),
      [&](std::string_view w) { return lower.find(w) != std::string::npos; });
}

bool IsIdentifierChain(std::string_view value) {
  // config.password, os.environ, self.pwd: code, not a value.
  bool dotted = false;
  bool at_start = true;
  for (char ch : value) {
    const uint8_t c = static_cast<uint8_t>(ch);
    if (c == '.') {
      if (at_start) {
        return false;
      }
      dotted = at_start = true;
    } else if (IsAlpha(c) || c == '_' || (!at_start && IsDigit(c))) {
      at_start = false;
    } else {
      return false;
    }
  }
  return dotted && !at_start;
}

// 0x10100, 3.14, 1_000: a number in code, not a secret.
bool IsNumberLiteral(std::string_view value) {
  if (value.size() > 2 && value[0] == '0' &&
      (value[1] == 'x' || value[1] == 'X')) {
    return std::all_of(value.begin() + 2, value.end(), [](char c) {
      const uint8_t b = AsciiLower(static_cast<uint8_t>(c));
      return IsDigit(b) || (b >= 'a' && b <= 'f');
    });
  }
  return std::all_of(value.begin(), value.end(), [](char c) {
    return IsDigit(static_cast<uint8_t>(c)) || c == '.' || c == '_' || c == '-';
  });
}

// What may follow an unquoted value on its line; anything else means the
// "value" was the first word of a sentence ("Password: use 12 characters").
bool EndsValue(const ScanContext& ctx, size_t pos) {
  while (ctx.At(pos) == ' ' || ctx.At(pos) == '\t') {
    ++pos;
  }
  const uint8_t c = ctx.At(pos);
  // A full stop ends a value when a sentence or a quotation ends with it
  // ("... mot de passe : Brioche_84!Lagny. »").
  const uint8_t next = ctx.At(pos + 1);
  const bool full_stop = c == '.' && (pos + 1 >= ctx.size() || next == ' ' || next == '\n' ||
                                      next == '"' || next == '\'' || next >= 0x80);
  return pos >= ctx.size() || c == '\n' || c == '\r' || c == ',' || c == ';' ||
         c == '&' || c == '}' || c == ')' || c == ']' || c == '#' || full_stop ||
         ctx.From(pos).starts_with("»") || ctx.From(pos).starts_with("」") ||
         (c == '/' && ctx.At(pos + 1) == '/');
}

struct Value {
  size_t begin = 0;
  size_t end = 0;
  bool quoted = false;
};

// Reads the value of a `key <op> value` assignment whose key ends at
// `key_end`; false when there is no assignment or the value is code.
bool ReadAssignedValue(const ScanContext& ctx, size_t key_start, size_t key_end,
                       bool allow_is, Value* value) {
  size_t i = key_end;
  const bool xml = ctx.Before(key_start) == '<';
  if (ctx.At(i) == '\\' && (ctx.At(i + 1) == '"' || ctx.At(i + 1) == '\'')) {
    i += 2;  // \"password\": inside a JSON string
  } else if (ctx.At(i) == '"' || ctx.At(i) == '\'' || ctx.At(i) == '`') {
    ++i;
  }
  const size_t before_spaces = i;
  while (ctx.At(i) == ' ' || ctx.At(i) == '\t') {
    ++i;
  }
  bool strict_end = true;  // the value must end its line
  if (xml && ctx.At(i) == '>') {
    value->begin = i + 1;
    value->end =
        ctx.text().substr(0, value->begin + 257).find('<', value->begin);
    return value->end != std::string_view::npos &&
           value->end - value->begin <= 256 &&
           ctx.From(value->end).starts_with("</") &&
           ctx.text()
                   .substr(value->begin, value->end - value->begin)
                   .find('\n') == std::string_view::npos;
  }
  if (ctx.At(i) == ':' && ctx.At(i + 1) == ':') {
    return false;  // C++ scope: ov::pass::pattern
  }
  if (ctx.At(i) == ':') {
    i += ctx.At(i + 1) == '=' ? 2 : 1;
  } else if (ctx.At(i) == '=') {
    if (ctx.At(i + 1) == '=') {
      return false;  // a comparison
    }
    strict_end = i != before_spaces || ctx.At(i + 1) == ' ';
    i += ctx.At(i + 1) == '>' ? 2 : 1;
  } else if (ctx.From(i).starts_with("\xEF\xBC\x9A")) {  // '：'
    i += 3;
  } else if (allow_is && StartsWithLower(ctx.text(), i, "is ")) {
    i += 3;
  } else {
    return false;
  }
  while (ctx.At(i) == ' ' || ctx.At(i) == '\t') {
    ++i;
  }
  uint8_t quote = 0;
  bool escaped = false;
  if (ctx.At(i) == '\\' && (ctx.At(i + 1) == '"' || ctx.At(i + 1) == '\'')) {
    quote = ctx.At(i + 1);
    escaped = true;
    i += 2;
  } else if (ctx.At(i) == '"' || ctx.At(i) == '\'' || ctx.At(i) == '`') {
    quote = ctx.At(i++);
  }
  value->begin = i;
  value->quoted = quote != 0;
  const size_t limit = std::min(ctx.size(), i + 256);
  if (quote != 0) {
    while (i < limit && ctx.At(i) != quote && ctx.At(i) != '\n') {
      if (escaped && ctx.At(i) == '\\' && ctx.At(i + 1) == quote) {
        break;
      }
      ++i;
    }
    if (ctx.At(i) != quote && !(escaped && ctx.At(i) == '\\')) {
      return false;
    }
    value->end = i;
    return true;
  }
  while (i < limit && ctx.At(i) > ' ' && ctx.At(i) != ',' && ctx.At(i) != ';' &&
         ctx.At(i) != '&' && ctx.At(i) != '"' && ctx.At(i) != '\'' &&
         ctx.At(i) != ')' && ctx.At(i) != '}' && ctx.At(i) != ']' &&
         ctx.At(i) != '(' && ctx.At(i) != '[') {
    ++i;
  }
  if (ctx.At(i) == '(' || ctx.At(i) == '[' || ctx.At(value->begin) == '{') {
    return false;  // a call, an index, an object or an initialiser: code
  }
  const size_t raw_end = i;
  while (i > value->begin && ctx.At(i - 1) == '.' &&
         (i >= ctx.size() || IsSpace(ctx.At(i)))) {
    --i;  // the full stop of a sentence
  }
  value->end = i;
  return !strict_end || EndsValue(ctx, raw_end);
}

// Code that builds the value instead of holding it: a variable inside a
// string ('$pass', "${DB_PASS}", '$_POST[password]') or the end of a
// string followed by a concatenation (password = '" . md5($p) . "').
bool IsInterpolation(std::string_view value) {
  if (value.size() >= 2 && value[0] == '$') {
    const std::string_view name = value.substr(1);
    const bool variable = std::all_of(name.begin(), name.end(), [](char c) {
      return IsAlnum(static_cast<uint8_t>(c)) || c == '_';
    });
    return variable || name.front() == '{' || name.starts_with("_POST") ||
           name.starts_with("_GET") || name.starts_with("_REQUEST");
  }
  if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
    size_t i = 1;
    while (i < value.size() && value[i] == ' ') {
      ++i;
    }
    return i < value.size() && (value[i] == '.' || value[i] == '+');
  }
  return false;
}

}  // namespace

size_t DetectAssignment(ScanContext& ctx, Cue cue, size_t pos, size_t key_end) {
  // "pass", "pwd", "token" and "secret" are also words of code (first_pass
  // = 1, pass_desc = {}, __token = "mt19937"): they count alone, or at the
  // end of an UPPERCASE name (DB_PASS).
  const size_t key_length = key_end - pos;
  const bool short_key =
      key_length <= 6 && cue != Cue::kAwsSecretKey && ctx.At(pos) < 0x80;
  if (short_key && ((ctx.At(key_end) == '_' && key_length <= 4) ||
                    (ctx.Before(pos) == '_' && !IsUpper(ctx.At(pos))))) {
    return kNoFinding;
  }
  // `cond ? "PASS" : "FAIL"` is a ternary, not a key.
  size_t before = pos;
  if (ctx.Before(before) == '"' || ctx.Before(before) == '\'') {
    --before;
  }
  while (ctx.Before(before) == ' ') {
    --before;
  }
  if (ctx.Before(before) == '?') {
    return kNoFinding;
  }
  // The key may go on as an identifier: DB_PASSWORD_PROD, passwordHash.
  size_t name_end = key_end;
  while (name_end < key_end + 40 &&
         (IsAlnum(ctx.At(name_end)) || ctx.At(name_end) == '_' ||
          (ctx.At(name_end) == '-' && IsAlnum(ctx.At(name_end + 1))))) {
    ++name_end;
  }
  if (IsMetadataKey(ctx.text().substr(key_end, name_end - key_end))) {
    return kNoFinding;
  }
  Value value;
  if (!ReadAssignedValue(ctx, pos, name_end, cue == Cue::kPasswordKey,
                         &value)) {
    return kNoFinding;
  }
  const std::string_view text =
      ctx.text().substr(value.begin, value.end - value.begin);
  if (IsPlaceholderValue(text) || (!value.quoted && IsIdentifierChain(text)) ||
      IsInterpolation(text)) {
    return kNoFinding;
  }
  const size_t length = value.end - value.begin;
  if (cue == Cue::kAwsSecretKey) {
    const bool base64 = std::all_of(text.begin(), text.end(), [](char c) {
      return IsAlnum(static_cast<uint8_t>(c)) || c == '/' || c == '+' ||
             c == '=';
    });
    if (length != 40 || !base64 || !LooksLikeRealSecret(text)) {
      return kNoFinding;
    }
    return ctx.Report(SensitiveKind::kCredential, "aws_secret_access_key",
                      value.begin, length);
  }
  if (cue == Cue::kSecretKey) {
    // A generated key, or at least a typed secret with letters and digits
    // (secret=hunter22); never words with spaces ('Token embedding').
    const bool letters_and_digits =
        length >= 6 &&
        std::any_of(text.begin(), text.end(),
                    [](char c) { return IsDigit(static_cast<uint8_t>(c)); }) &&
        std::any_of(text.begin(), text.end(),
                    [](char c) { return IsAlpha(static_cast<uint8_t>(c)); });
    if (text.find(' ') != std::string_view::npos || IsIdentifierChain(text) ||
        IsNumberLiteral(text) ||
        !(letters_and_digits || (length >= 12 && LooksLikeRealSecret(text)))) {
      return kNoFinding;
    }
    // Short values that name what they stand for: key-123, test-token-1.
    const std::string lower = AsciiLowered(text);
    if (length < 16 && (lower.find("key") != std::string::npos ||
                        lower.find("token") != std::string::npos ||
                        lower.find("secret") != std::string::npos ||
                        lower.find("test") != std::string::npos ||
                        lower.find("demo") != std::string::npos)) {
      return kNoFinding;
    }
    return ctx.Report(SensitiveKind::kCredential, "secret_assignment",
                      value.begin, length);
  }
  // A password. Unquoted values that read like code or a path are not.
  if (!value.quoted) {
    const uint8_t first = static_cast<uint8_t>(text.front());
    if (first == '/' || first == '~' || first == '$' || first == '@') {
      return kNoFinding;
    }
    const std::string lower = AsciiLowered(text);
    const bool identifier = std::all_of(text.begin(), text.end(), [](char c) {
      return IsAlpha(static_cast<uint8_t>(c)) || c == '_';
    });
    if (identifier && (lower.find("pass") != std::string::npos ||
                       lower.find("pwd") != std::string::npos ||
                       lower.find("secret") != std::string::npos)) {
      return kNoFinding;  // password = new_password
    }
    const bool has_digit_or_symbol =
        std::any_of(text.begin(), text.end(),
                    [](char c) { return !IsAlpha(static_cast<uint8_t>(c)); });
    if (StartsWithLower(ctx.text(), value.begin - 3, "is ") &&
        !has_digit_or_symbol) {
      return kNoFinding;  // "the password is secure"
    }
    if (length < 3) {
      return kNoFinding;
    }
  }
  return ctx.Report(SensitiveKind::kPassword, "password_assignment",
                    value.begin, length);
}

}  // namespace duet::sensitive
