// Shapes for the reports duet prints (`duet report`, `duet plan`): aligned
// plain-text tables, counts and shares as people read them, wrapped
// sentences, and the JSON helpers both reports' --json use. Money is
// cost/money.h's FormatUsd.
//
// Widths count UTF-8 characters, not bytes, so "–" and "→" take one column.
// Table cells and wrapped text may come from outside duet (the model names
// upstreams reported, kept in the ledger): their control characters are
// printed as '?' (core/terminal_text.h).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json_writer.h"

namespace duet {

enum class Align { kLeft, kRight };

// Writes `rows` (the first is the header) indented by two spaces, each
// column padded to its widest cell and separated by two spaces. `align`
// gives each column's alignment; columns beyond it are left-aligned.
// Trailing spaces are not written.
void WriteTable(const std::vector<std::vector<std::string>>& rows,
                const std::vector<Align>& align, std::ostream& out);

// "1.2M", "340K", "750": counts as people say them (one decimal at most).
std::string FormatCount(int64_t count);

// "42%" (rounded to the whole percent), "-250%"; "n/a" for nullopt.
std::string FormatShare(std::optional<double> share);

// Writes `text` in lines of at most `width` columns (a longer word gets a
// line of its own): the first line after `first_prefix`, the next ones
// after `next_prefix`.
void WriteWrapped(std::string_view text, std::string_view first_prefix,
                  std::string_view next_prefix, size_t width,
                  std::ostream& out);

// key: value rounded to the millionth (of a dollar, hour, token...): exact
// enough to add up, without binary noise such as 7.199999999999999. Whole
// numbers are written as integers (10000000, not 1e+07); nullopt, NaN and
// infinities as null.
void JsonNumber(JsonWriter& w, std::string_view key,
                std::optional<double> value);

// key: {...}, its members written by `members()`.
template <typename Members>
void JsonObject(JsonWriter& w, std::string_view key, Members members) {
  w.Key(key);
  w.BeginObject();
  members();
  w.EndObject();
}

// key: [{...}, ...], one object per item, its members written by
// `members(item)`.
template <typename Items, typename Members>
void JsonObjectArray(JsonWriter& w, std::string_view key, const Items& items,
                     Members members) {
  w.Key(key);
  w.BeginArray();
  for (const auto& item : items) {
    w.BeginObject();
    members(item);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace duet
