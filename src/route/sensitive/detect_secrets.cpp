// Credentials and private keys: provider token shapes, JWTs, bearer
// tokens, PEM blocks and connection strings with a password. Passwords
// assigned to keys are in detect_passwords.cpp.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "route/sensitive/detectors.h"
#include "route/sensitive/validators.h"

namespace duet::sensitive {
namespace {

enum Charset : uint8_t {
  kAlnum = 1,        // A-Z a-z 0-9
  kAlnumUnder = 2,   // + '_'
  kAlnumDash = 4,    // + '-'
  kBase64Url = 8,    // + '_' '-'
  kBase64 = 16,      // + '+' '/' '='
  kTokenChars = 32,  // bearer tokens: base64url + '.' '~' '+' '/' '='
};

constexpr std::array<uint8_t, 256> kCharsets = [] {
  std::array<uint8_t, 256> sets{};
  for (int c = 0; c < 256; ++c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
        (c >= '0' && c <= '9')) {
      sets[c] = 0xFF;
    }
  }
  sets['_'] = kAlnumUnder | kBase64Url | kTokenChars;
  sets['-'] = kAlnumDash | kBase64Url | kTokenChars;
  sets['+'] = sets['/'] = sets['='] = kBase64 | kTokenChars;
  sets['.'] = sets['~'] = kTokenChars;
  return sets;
}();

// The longest token body the provider shapes accept.
constexpr size_t kMaxTokenBody = 512;

// End of the run of `charset` bytes starting at `pos`, at most `max` bytes
// on. Remembers the whole run, so prefixes repeated inside one run do not
// measure it again.
size_t RunEnd(ScanContext& ctx, size_t pos, Charset charset,
              size_t max = kMaxTokenBody) {
  RunMemo& memo = ctx.run_memo();
  if (memo.byte_class != charset || pos < memo.begin || pos > memo.end) {
    size_t i = pos;
    while (i < ctx.size() &&
           (kCharsets[static_cast<uint8_t>(ctx.text()[i])] & charset)) {
      ++i;
    }
    memo = {charset, pos, i};
  }
  return std::min(memo.end, pos + max);
}

struct PrefixShape {
  std::string_view prefix;
  Charset body;
  size_t min_length;  // of the body after the prefix
};

constexpr PrefixShape kShapes[] = {
    {"ghp_", kAlnum, 36},       {"gho_", kAlnum, 36},
    {"ghu_", kAlnum, 36},       {"ghs_", kAlnum, 36},
    {"ghr_", kAlnum, 36},       {"github_pat_", kAlnumUnder, 40},
    {"glpat-", kBase64Url, 20}, {"xoxb-", kAlnumDash, 20},
    {"xoxp-", kAlnumDash, 20},  {"xoxa-", kAlnumDash, 20},
    {"xoxr-", kAlnumDash, 20},  {"xoxs-", kAlnumDash, 20},
    {"xoxe-", kAlnumDash, 20},  {"xapp-", kAlnumDash, 20},
    {"sk_live_", kAlnum, 20},   {"rk_live_", kAlnum, 20},
    {"sk-", kBase64Url, 32},    {"AIza", kBase64Url, 35},
    {"npm_", kAlnum, 36},       {"hf_", kAlnum, 30},
};

// The token on jwt.io's front page, printed in countless tutorials.
constexpr std::string_view kJwtIoSignature =
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

size_t DetectJwt(ScanContext& ctx, size_t pos) {
  const size_t header_end = RunEnd(ctx, pos, kBase64Url);
  if (header_end - pos < 10 || ctx.At(header_end) != '.' ||
      !ctx.From(header_end + 1).starts_with("eyJ")) {
    return kNoFinding;
  }
  const size_t payload_end = RunEnd(ctx, header_end + 1, kBase64Url, 16384);
  if (payload_end - header_end < 11 || ctx.At(payload_end) != '.') {
    return kNoFinding;
  }
  const size_t end = RunEnd(ctx, payload_end + 1, kBase64Url, 2048);
  const std::string_view signature =
      ctx.text().substr(payload_end + 1, end - payload_end - 1);
  if (signature.size() < 16 || signature == kJwtIoSignature ||
      !LooksLikeRealSecret(signature)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kCredential, "jwt", pos, end - pos);
}

size_t DetectSendGrid(ScanContext& ctx, size_t pos, size_t prefix_end) {
  const size_t id_end = RunEnd(ctx, prefix_end, kBase64Url);
  if (id_end - prefix_end < 16 || ctx.At(id_end) != '.') {
    return kNoFinding;
  }
  const size_t end = RunEnd(ctx, id_end + 1, kBase64Url);
  if (end - id_end - 1 < 30 ||
      !LooksLikeRealSecret(ctx.text().substr(id_end + 1, end - id_end - 1))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kCredential, "sendgrid_api_key", pos,
                    end - pos);
}

}  // namespace

size_t DetectCredentialPrefix(ScanContext& ctx, const BuiltinKeyword& keyword,
                              size_t pos, size_t prefix_end) {
  if (keyword.text == "eyJ") {
    return DetectJwt(ctx, pos);
  }
  if (keyword.text == "SG.") {
    return DetectSendGrid(ctx, pos, prefix_end);
  }
  const auto shape = std::find_if(
      std::begin(kShapes), std::end(kShapes),
      [&](const PrefixShape& s) { return s.prefix == keyword.text; });
  if (shape == std::end(kShapes)) {
    return kNoFinding;
  }
  const size_t end = RunEnd(ctx, prefix_end, shape->body);
  const std::string_view body = ctx.text().substr(prefix_end, end - prefix_end);
  if (body.size() < shape->min_length || body.size() >= kMaxTokenBody ||
      IsAlnum(ctx.At(end)) || !LooksLikeRealSecret(body)) {
    return kNoFinding;
  }
  const std::string_view rule =
      body.starts_with("ant-") && shape->prefix == "sk-" ? "anthropic_api_key"
                                                         : keyword.rule;
  return ctx.Report(SensitiveKind::kCredential, rule, pos, end - pos);
}

size_t DetectUppercaseSecret(ScanContext& ctx, size_t pos, size_t word_end) {
  const std::string_view word = ctx.text().substr(pos, word_end - pos);
  if (word.size() == 20 &&
      (word.starts_with("AKIA") || word.starts_with("ASIA")) &&
      std::all_of(word.begin(), word.end(),
                  [](char c) {
                    return IsUpper(static_cast<uint8_t>(c)) ||
                           IsDigit(static_cast<uint8_t>(c));
                  }) &&
      LooksLikeRealSecret(word.substr(4))) {
    return ctx.Report(SensitiveKind::kCredential, "aws_access_key_id", pos, 20);
  }
  if (word.size() == 34 && word.starts_with("SK") &&
      std::all_of(word.begin() + 2, word.end(),
                  [](char c) { return IsHexLower(static_cast<uint8_t>(c)); }) &&
      LooksLikeRealSecret(word.substr(2))) {
    return ctx.Report(SensitiveKind::kCredential, "twilio_api_key", pos, 34);
  }
  return kNoFinding;
}

size_t DetectBearer(ScanContext& ctx, size_t keyword_end) {
  size_t start = keyword_end;
  while (ctx.At(start) == ' ') {
    ++start;
  }
  if (start == keyword_end) {
    return kNoFinding;
  }
  const size_t end = RunEnd(ctx, start, kTokenChars, 4096);
  const std::string_view token = ctx.text().substr(start, end - start);
  if (token.size() < 20 || !LooksLikeRealSecret(token)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kCredential, "bearer_token", start,
                    end - start);
}

size_t DetectPrivateKey(ScanContext& ctx, size_t pos) {
  static constexpr std::string_view kBegin = "-----BEGIN ";
  const std::string_view text = ctx.text();
  if (ctx.At(pos + 1) != '-' || !ctx.From(pos).starts_with(kBegin)) {
    return kNoFinding;
  }
  const size_t label_start = pos + kBegin.size();
  const size_t label_end =
      text.substr(0, label_start + 45).find("-----", label_start);
  if (label_end == std::string_view::npos || label_end - label_start > 40) {
    return kNoFinding;
  }
  std::string_view label = text.substr(label_start, label_end - label_start);
  if (label.ends_with(" BLOCK")) {
    label.remove_suffix(6);
  }
  if (!label.ends_with("PRIVATE KEY")) {
    return kNoFinding;
  }
  label.remove_suffix(11);
  static constexpr std::string_view kTypes[] = {
      "", "RSA ", "EC ", "OPENSSH ", "DSA ", "ENCRYPTED ", "PGP "};
  if (std::find(std::begin(kTypes), std::end(kTypes), label) ==
      std::end(kTypes)) {
    return kNoFinding;
  }
  // A real block has key material: a long base64 run soon after.
  const size_t header_end = label_end + 5;
  const size_t body_limit = std::min(text.size(), header_end + 400);
  bool has_body = false;
  for (size_t i = header_end; i < body_limit && !has_body;) {
    const size_t run = RunEnd(ctx, i, kBase64);
    has_body = run - i >= 40;
    i = std::max(run, i + 1);
  }
  if (!has_body) {
    return kNoFinding;
  }
  size_t end = header_end;
  const size_t footer = text.substr(0, std::min(text.size(), pos + 65536))
                            .find("-----END ", header_end);
  if (footer != std::string_view::npos) {
    const size_t footer_end = text.find("-----", footer + 9);
    if (footer_end != std::string_view::npos && footer_end - footer < 60) {
      end = footer_end + 5;
    }
  }
  return ctx.Report(SensitiveKind::kPrivateKey, "pem_private_key", pos,
                    end - pos);
}

size_t DetectConnectionString(ScanContext& ctx, size_t at) {
  // Back over the userinfo to "://", within the same token.
  const std::string_view text = ctx.text();
  const size_t floor = at > 256 ? at - 256 : 0;
  size_t i = at;
  while (i > floor) {
    const uint8_t c = static_cast<uint8_t>(text[i - 1]);
    if (IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' ||
        c == '`' || c == '(' || c == ')' || c == '@') {
      return kNoFinding;
    }
    if (c == '/' && i >= 3 && text[i - 2] == '/' && text[i - 3] == ':') {
      break;
    }
    --i;
  }
  if (i == floor) {
    return kNoFinding;
  }
  const std::string_view userinfo = text.substr(i, at - i);
  const size_t colon = userinfo.find(':');
  if (colon == std::string_view::npos || !IsAlnum(ctx.At(at + 1))) {
    return kNoFinding;
  }
  const std::string_view password = userinfo.substr(colon + 1);
  if (IsPlaceholderValue(password)) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kCredential, "connection_string_password",
                    i + colon + 1, password.size());
}

}  // namespace duet::sensitive
