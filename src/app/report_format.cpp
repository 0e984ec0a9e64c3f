#include "app/report_format.h"

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>

#include "core/terminal_text.h"

namespace duet {
namespace {

// UTF-8 characters: every byte that does not continue a sequence.
size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(),
      [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace

void WriteTable(const std::vector<std::vector<std::string>>& table,
                const std::vector<Align>& align, std::ostream& out) {
  std::vector<std::vector<std::string>> rows;
  rows.reserve(table.size());
  for (const std::vector<std::string>& row : table) {
    std::vector<std::string>& safe = rows.emplace_back();
    safe.reserve(row.size());
    for (const std::string& cell : row) {
      safe.push_back(TerminalSafe(cell));
    }
  }
  std::vector<size_t> widths;
  for (const std::vector<std::string>& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t column = 0; column < row.size(); ++column) {
      widths[column] = std::max(widths[column], DisplayWidth(row[column]));
    }
  }
  for (const std::vector<std::string>& row : rows) {
    std::string line = " ";
    for (size_t column = 0; column < row.size(); ++column) {
      const std::string padding(widths[column] - DisplayWidth(row[column]),
                                ' ');
      const bool right =
          column < align.size() && align[column] == Align::kRight;
      line += " ";
      line += right ? padding + row[column] : row[column] + padding;
      line += " ";
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << "\n";
  }
}

std::string FormatCount(int64_t count) {
  const auto scaled = [](double value, const char* suffix) {
    std::string text = fmt::format("{:.1f}", value);
    if (text.ends_with(".0")) {
      text.resize(text.size() - 2);
    }
    return text + suffix;
  };
  const auto value = static_cast<double>(count);
  if (std::fabs(value) >= 999'950) {
    return scaled(value / 1e6, "M");
  }
  if (std::fabs(value) >= 1'000) {
    return scaled(value / 1e3, "K");
  }
  return std::to_string(count);
}

std::string FormatShare(std::optional<double> share) {
  if (!share || !std::isfinite(*share)) {
    return "n/a";
  }
  // + 0.0 turns a rounded -0 into 0, so "-0%" is never printed.
  return fmt::format("{:.0f}%", std::round(*share * 100) + 0.0);
}

void WriteWrapped(std::string_view text, std::string_view first_prefix,
                  std::string_view next_prefix, size_t width,
                  std::ostream& out) {
  std::string line(first_prefix);
  size_t line_width = DisplayWidth(first_prefix);
  bool line_has_word = false;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find(' ', at), text.size());
    const std::string word = TerminalSafe(text.substr(at, end - at));
    at = end + 1;
    if (word.empty()) {
      continue;
    }
    const size_t word_width = DisplayWidth(word);
    if (line_has_word && line_width + 1 + word_width > width) {
      out << line << "\n";
      line = next_prefix;
      line_width = DisplayWidth(next_prefix);
      line_has_word = false;
    }
    if (line_has_word) {
      line += ' ';
      ++line_width;
    }
    line += word;
    line_width += word_width;
    line_has_word = true;
  }
  out << line << "\n";
}

void JsonNumber(JsonWriter& w, std::string_view key,
                std::optional<double> value) {
  w.Key(key);
  if (!value || !std::isfinite(*value)) {
    w.Null();
    return;
  }
  const double rounded = std::round(*value * 1e6) / 1e6;
  if (rounded == std::trunc(rounded) && std::fabs(rounded) < 1e15) {
    w.Int(static_cast<int64_t>(rounded));
  } else {
    w.Double(rounded);
  }
}

}  // namespace duet
