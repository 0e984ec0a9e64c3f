// Personal data: email addresses and dates of birth.
#include <algorithm>
#include <string>
#include <string_view>

#include "core/ascii.h"
#include "route/sensitive/detectors.h"

namespace duet::sensitive {
namespace {

bool IsLocalPartChar(uint8_t c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

bool OneOf(std::string_view value,
           std::initializer_list<std::string_view> options) {
  return std::find(options.begin(), options.end(), value) != options.end();
}

// Addresses that stand for "some address": documentation, templates,
// machines rather than people.
bool IsPlaceholderEmail(std::string_view local, std::string_view domain,
                        std::string_view tld) {
  if (OneOf(local,
            {"user",       "username",     "you",       "yourname",
             "your.name",  "your_name",    "your-name", "youremail",
             "your.email", "name",         "firstname", "firstname.lastname",
             "first.last", "john.doe",     "jane.doe",  "johndoe",
             "janedoe",    "someone",      "somebody",  "email",
             "foo",        "bar",          "test",      "example",
             "git",        "mailer-daemon"}) ||
      local.starts_with("noreply") || local.starts_with("no-reply") ||
      local.starts_with("no_reply") || local.starts_with("donotreply") ||
      local.starts_with("do-not-reply")) {
    return true;
  }
  if (OneOf(tld,
            {"test", "example", "invalid", "localhost", "local",
             // file names such as logo@2x.png
             "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css",
             "scss", "js", "ts", "tsx", "jsx", "json", "yaml", "yml", "toml",
             "lock", "txt", "html", "htm", "xml", "pdf", "zip",
             // systemd template units: pg_dump@15-main.service
             "service", "timer", "socket", "target", "mount", "slice", "scope",
             "swap", "device", "automount"})) {
    return true;
  }
  if (OneOf(domain,
            {"domain.com", "yourdomain.com", "your-domain.com", "mydomain.com",
             "company.com", "yourcompany.com", "email.com", "foo.com",
             "bar.com", "baz.com", "foobar.com", "website.com", "sample.com",
             "somewhere.com", "domain.tld"})) {
    return true;
  }
  // example.com, mail.example.org, example.de, test.com; noreply relays.
  size_t label_start = 0;
  while (label_start < domain.size()) {
    size_t dot = domain.find('.', label_start);
    if (dot == std::string_view::npos) {
      dot = domain.size();
    }
    const std::string_view label =
        domain.substr(label_start, dot - label_start);
    if (label == "example" || label == "test" || label == "localhost" ||
        label.find("noreply") != std::string_view::npos) {
      return true;
    }
    label_start = dot + 1;
  }
  return false;
}

struct Month {
  std::string_view name;
  int number;
};

// English, German, Spanish and French month names and abbreviations,
// longest first within each month so "sept" wins over "sep".
constexpr Month kMonths[] = {
    {"january", 1},   {"januar", 1},     {"jänner", 1},     {"janvier", 1},
    {"enero", 1},     {"jan", 1},        {"february", 2},   {"februar", 2},
    {"febrero", 2},   {"février", 2},    {"feb", 2},        {"march", 3},
    {"märz", 3},      {"marzo", 3},      {"mars", 3},       {"mar", 3},
    {"april", 4},     {"abril", 4},      {"avril", 4},      {"apr", 4},
    {"may", 5},       {"mai", 5},        {"mayo", 5},       {"june", 6},
    {"juni", 6},      {"junio", 6},      {"juin", 6},       {"jun", 6},
    {"july", 7},      {"juli", 7},       {"julio", 7},      {"juillet", 7},
    {"jul", 7},       {"august", 8},     {"agosto", 8},     {"août", 8},
    {"aug", 8},       {"september", 9},  {"septiembre", 9}, {"setiembre", 9},
    {"septembre", 9}, {"sept", 9},       {"sep", 9},        {"october", 10},
    {"oktober", 10},  {"octubre", 10},   {"octobre", 10},   {"oct", 10},
    {"november", 11}, {"noviembre", 11}, {"novembre", 11},  {"nov", 11},
    {"december", 12}, {"dezember", 12},  {"diciembre", 12}, {"décembre", 12},
    {"dec", 12},
};

// A month name at `pos` (whole word, optional '.'); its end and number.
size_t ReadMonth(const ScanContext& ctx, size_t pos, int* month) {
  // Every month name above starts with one of these letters.
  const uint8_t first = AsciiLower(ctx.At(pos));
  if (std::string_view("jfmasonde").find(static_cast<char>(first)) ==
          std::string_view::npos ||
      first == 0) {
    return kNoFinding;
  }
  size_t best_end = kNoFinding;
  for (const Month& m : kMonths) {
    if (!StartsWithLower(ctx.text(), pos, m.name)) {
      continue;
    }
    size_t end = pos + m.name.size();
    if (IsAlpha(ctx.At(end)) || ctx.At(end) >= 0x80) {
      continue;
    }
    if (ctx.At(end) == '.') {
      ++end;
    }
    if (end > best_end || best_end == kNoFinding) {
      best_end = end;
      *month = m.number;
    }
  }
  return best_end;
}

// Reads 1..max_len digits; returns the count and sets *value.
size_t ReadNumber(const ScanContext& ctx, size_t pos, size_t max_len,
                  int* value) {
  size_t i = pos;
  *value = 0;
  while (IsDigit(ctx.At(i)) && i - pos < max_len) {
    *value = *value * 10 + (ctx.At(i) - '0');
    ++i;
  }
  return IsDigit(ctx.At(i)) ? 0 : i - pos;
}

bool PlausibleDate(int year, int month, int day) {
  return year >= 1900 && year <= 2099 && month >= 1 && month <= 12 &&
         day >= 1 && day <= 31;
}

size_t SkipSpaces(const ScanContext& ctx, size_t i) {
  while (ctx.At(i) == ' ') {
    ++i;
  }
  return i;
}

// "4 March 1988", "4th of March, 1988", "4. März 1988",
// "14 de febrero de 1990", "14 février 1990", after the day's digits.
size_t ParseDayMonthYear(const ScanContext& ctx, size_t i, int day) {
  if (StartsWithLower(ctx.text(), i, "st") ||
      StartsWithLower(ctx.text(), i, "nd") ||
      StartsWithLower(ctx.text(), i, "rd") ||
      StartsWithLower(ctx.text(), i, "th")) {
    i += 2;
  }
  if (ctx.At(i) == '.') {
    ++i;
  }
  i = SkipSpaces(ctx, i);
  if (StartsWithLower(ctx.text(), i, "of ") ||
      StartsWithLower(ctx.text(), i, "de ")) {
    i += 3;
  }
  int month = 0;
  const size_t month_end = ReadMonth(ctx, i, &month);
  if (month_end == kNoFinding) {
    return kNoFinding;
  }
  i = month_end;
  if (ctx.At(i) == ',') {
    ++i;
  }
  i = SkipSpaces(ctx, i);
  if (StartsWithLower(ctx.text(), i, "de ")) {
    i += 3;
  }
  int year = 0;
  const size_t year_len = ReadNumber(ctx, i, 4, &year);
  if (year_len != 4 || !PlausibleDate(year, month, day)) {
    return kNoFinding;
  }
  return i + 4;
}

// A date at `pos`: numeric (03/11/1961, 1990-02-14, 14.02.1990,
// 1990年2月14日) or with a month name. Returns its end or kNoFinding.
size_t ParseDate(const ScanContext& ctx, size_t pos) {
  int first = 0;
  if (!IsDigit(ctx.At(pos))) {
    int month = 0;  // "March 4, 1988"
    size_t i = ReadMonth(ctx, pos, &month);
    if (i == kNoFinding) {
      return kNoFinding;
    }
    i = SkipSpaces(ctx, i);
    int day = 0;
    const size_t day_len = ReadNumber(ctx, i, 2, &day);
    if (day_len == 0) {
      return kNoFinding;
    }
    i += day_len;
    for (std::string_view suffix : {"st", "nd", "rd", "th"}) {
      if (StartsWithLower(ctx.text(), i, suffix)) {
        i += 2;
      }
    }
    if (ctx.At(i) == ',') {
      ++i;
    }
    i = SkipSpaces(ctx, i);
    int year = 0;
    if (ReadNumber(ctx, i, 4, &year) != 4 || !PlausibleDate(year, month, day)) {
      return kNoFinding;
    }
    return i + 4;
  }
  const size_t first_len = ReadNumber(ctx, pos, 4, &first);
  size_t i = pos + first_len;
  const uint8_t sep = ctx.At(i);
  int second = 0;
  int third = 0;
  if (first_len == 4 && ctx.From(SkipSpaces(ctx, i)).starts_with("年")) {
    // 1990年2月14日, also typed with spaces: 1990 年 2 月 14 日.
    i = SkipSpaces(ctx, SkipSpaces(ctx, i) + 3);
    const size_t month_len = ReadNumber(ctx, i, 2, &second);
    const size_t month_end = SkipSpaces(ctx, i + month_len);
    if (month_len == 0 || !ctx.From(month_end).starts_with("月")) {
      return kNoFinding;
    }
    i = SkipSpaces(ctx, month_end + 3);
    const size_t day_len = ReadNumber(ctx, i, 2, &third);
    if (day_len == 0 || !PlausibleDate(first, second, third)) {
      return kNoFinding;
    }
    i += day_len;
    const size_t day_end = SkipSpaces(ctx, i);
    return ctx.From(day_end).starts_with("日") ? day_end + 3 : i;
  }
  if ((sep != '/' && sep != '-' && sep != '.') || !IsDigit(ctx.At(i + 1))) {
    return first_len <= 2 ? ParseDayMonthYear(ctx, i, first) : kNoFinding;
  }
  const size_t second_len = ReadNumber(ctx, i + 1, 2, &second);
  if (second_len == 0 || ctx.At(i + 1 + second_len) != sep) {
    return kNoFinding;
  }
  i += 1 + second_len + 1;
  const size_t third_len = ReadNumber(ctx, i, 4, &third);
  i += third_len;
  if (first_len == 4 && third_len <= 2 && PlausibleDate(first, second, third)) {
    return i;  // 1990-02-14
  }
  if (first_len > 2 || (third_len != 4 && third_len != 2)) {
    return kNoFinding;
  }
  const int year = third_len == 2 ? 1900 + third : third;
  // Day first or month first: either reading must be a date.
  if (PlausibleDate(year, second, first) ||
      PlausibleDate(year, first, second)) {
    return i;
  }
  return kNoFinding;
}

}  // namespace

size_t DetectAtSign(ScanContext& ctx, size_t at) {
  const size_t connection = DetectConnectionString(ctx, at);
  if (connection != kNoFinding) {
    return connection;
  }
  const std::string_view text = ctx.text();
  size_t start = at;
  while (start > 0 && at - start < 64 &&
         IsLocalPartChar(static_cast<uint8_t>(text[start - 1]))) {
    --start;
  }
  while (start < at && (text[start] == '.' || text[start] == '-')) {
    ++start;
  }
  if (start == at) {
    return kNoFinding;
  }
  const uint8_t before = ctx.Before(start);
  if (before == '/' ||
      (before == ':' &&
       !(start >= 7 && StartsWithLower(text, start - 7, "mailto:")))) {
    return kNoFinding;  // ssh://git@host, scheme://user@host
  }
  size_t i = at + 1;
  size_t end = i;
  size_t last_label = i;
  int labels = 0;
  for (;;) {
    const size_t label_start = i;
    while (IsAlnum(ctx.At(i)) || ctx.At(i) == '-') {
      ++i;
    }
    if (i == label_start || i - label_start > 63) {
      break;
    }
    ++labels;
    last_label = label_start;
    end = i;
    if (ctx.At(i) == '.' && IsAlnum(ctx.At(i + 1))) {
      ++i;
      continue;
    }
    break;
  }
  const std::string_view tld = text.substr(last_label, end - last_label);
  if (labels < 2 || tld.size() < 2 || tld.size() > 24 ||
      !std::all_of(tld.begin(), tld.end(),
                   [](char c) { return IsAlpha(static_cast<uint8_t>(c)); })) {
    return kNoFinding;
  }
  const std::string local = AsciiLowered(text.substr(start, at - start));
  const std::string domain = AsciiLowered(text.substr(at + 1, end - at - 1));
  if (IsPlaceholderEmail(local, domain, AsciiLowered(tld))) {
    return kNoFinding;
  }
  return ctx.Report(SensitiveKind::kEmail, "email", start, end - start);
}

size_t DetectDateOfBirth(ScanContext& ctx, size_t cue_end) {
  const size_t limit = std::min(ctx.size(), cue_end + 40);
  for (size_t i = cue_end; i < limit; ++i) {
    const uint8_t c = ctx.At(i);
    if (IsDigit(c) ? IsDigit(ctx.Before(i))
                   : (!IsAlpha(c) || IsAlpha(ctx.Before(i)))) {
      continue;  // dates start at a digit or at the start of a word
    }
    const size_t end = ParseDate(ctx, i);
    if (end != kNoFinding && !IsAlnum(ctx.At(end))) {
      return ctx.Report(SensitiveKind::kDateOfBirth, "date_of_birth", i,
                        end - i);
    }
  }
  return kNoFinding;
}

}  // namespace duet::sensitive
