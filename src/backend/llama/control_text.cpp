#include "backend/llama/control_text.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <utility>

#include "llama.h"

namespace duet::llama {
namespace {

// A placeholder is kOpen, its spelling's index in hexadecimal digits
// (U+E010 to U+E01F, most significant first) and kClose: private-use
// characters, three bytes each in UTF-8.
constexpr std::string_view kOpen = "\xEE\x80\x80";   // U+E000
constexpr std::string_view kClose = "\xEE\x80\x81";  // U+E001
constexpr std::string_view kDigitLead = "\xEE\x80";  // U+E010 + d: lead bytes
constexpr unsigned char kDigitZero = 0x90;           // and the last byte
constexpr size_t kCharBytes = 3;
constexpr size_t kMaxDigits = 8;

constexpr std::string_view kAltered =
    "the model's chat template changed text that spells one of its control "
    "tokens (it cut it, or escaped it), so the local engine cannot give it "
    "to the model as text";

bool IsSpace(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

ControlText::ControlText(const ::llama_vocab* vocab) {
  const int32_t count = llama_vocab_n_tokens(vocab);
  for (llama_token token = 0; token < count; ++token) {
    const llama_token_attr attr = llama_vocab_get_attr(vocab, token);
    const char* text = llama_vocab_get_text(vocab, token);
    if ((attr & (LLAMA_TOKEN_ATTR_CONTROL | LLAMA_TOKEN_ATTR_UNKNOWN)) == 0 ||
        text == nullptr || *text == '\0') {
      continue;
    }
    spellings_.push_back({.text = text,
                          .lstrip = (attr & LLAMA_TOKEN_ATTR_LSTRIP) != 0,
                          .rstrip = (attr & LLAMA_TOKEN_ATTR_RSTRIP) != 0});
  }
  spellings_.push_back({.text = std::string(kOpen)});

  nodes_.emplace_back();
  for (size_t index = 0; index < spellings_.size(); ++index) {
    const std::string& text = spellings_[index].text;
    uint32_t node = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const auto byte = static_cast<unsigned char>(text[i]);
      uint32_t child = Child(node, byte);
      if (child == 0) {
        child = static_cast<uint32_t>(nodes_.size());
        nodes_.emplace_back();
        if (node == 0) {
          first_[byte] = child;
        } else {
          nodes_[node].next.emplace_back(byte, child);
        }
      }
      node = child;
    }
    if (nodes_[node].spelling < 0) {  // two tokens may share a spelling
      nodes_[node].spelling = static_cast<int32_t>(index);
    }
  }
  for (int byte = 0; byte < 256; ++byte) {
    if (first_[static_cast<size_t>(byte)] != 0) {
      starts_.push_back(static_cast<unsigned char>(byte));
    }
  }
}

size_t ControlText::NextStart(std::string_view text, size_t from,
                              Ahead* ahead) const {
  if (starts_.size() > kSearchedBytes) {
    while (from < text.size() &&
           first_[static_cast<unsigned char>(text[from])] == 0) {
      ++from;
    }
    return std::min(from, text.size());
  }
  size_t next = text.size();
  for (size_t k = 0; k < starts_.size(); ++k) {
    size_t& at = (*ahead)[k];
    if (at == kUnknown || at < from) {
      const void* hit =
          from < text.size()
              ? std::memchr(text.data() + from, starts_[k], text.size() - from)
              : nullptr;
      at = hit == nullptr ? text.size()
                          : static_cast<size_t>(static_cast<const char*>(hit) -
                                                text.data());
    }
    next = std::min(next, at);
  }
  return next;
}

uint32_t ControlText::Child(uint32_t node, unsigned char byte) const {
  if (node == 0) {
    return first_[byte];
  }
  for (const auto& [edge, to] : nodes_[node].next) {
    if (edge == byte) {
      return to;
    }
  }
  return 0;
}

const ControlText::Spelling* ControlText::MatchAt(std::string_view text,
                                                  size_t at) const {
  const Spelling* longest = nullptr;
  for (uint32_t node = Child(0, static_cast<unsigned char>(text[at]));
       node != 0;) {
    if (nodes_[node].spelling >= 0) {
      longest = &spellings_[static_cast<size_t>(nodes_[node].spelling)];
    }
    if (++at == text.size()) {
      break;
    }
    node = Child(node, static_cast<unsigned char>(text[at]));
  }
  return longest;
}

void ControlText::AppendPlaceholder(size_t index, std::string* out) {
  *out += kOpen;
  int shift = 0;
  while (shift + 4 < 64 && (index >> (shift + 4)) != 0) {
    shift += 4;
  }
  for (; shift >= 0; shift -= 4) {
    *out += kDigitLead;
    *out += static_cast<char>(kDigitZero + ((index >> shift) & 0xF));
  }
  *out += kClose;
}

int64_t ControlText::ReadPlaceholder(std::string_view text, size_t at,
                                     size_t* end) const {
  size_t i = at + kOpen.size();
  uint64_t index = 0;
  size_t digits = 0;
  while (i + kCharBytes <= text.size() &&
         text.substr(i, kDigitLead.size()) == kDigitLead) {
    const auto last = static_cast<unsigned char>(text[i + kDigitLead.size()]);
    if (last < kDigitZero || last > kDigitZero + 0xF || ++digits > kMaxDigits) {
      break;
    }
    index = index * 16 + (last - kDigitZero);
    i += kCharBytes;
  }
  if (digits == 0 || digits > kMaxDigits ||
      text.substr(i, kClose.size()) != kClose || index >= spellings_.size()) {
    return -1;
  }
  *end = i + kClose.size();
  return static_cast<int64_t>(index);
}

bool ControlText::Protect(std::string* text) const {
  std::string out;
  size_t copied = 0;  // (*text)[copied, i) is still to be copied to `out`
  bool changed = false;
  Ahead ahead;
  ahead.fill(kUnknown);
  for (size_t i = NextStart(*text, 0, &ahead); i < text->size();
       i = NextStart(*text, i, &ahead)) {
    const Spelling* found = MatchAt(*text, i);
    if (found == nullptr) {
      ++i;
      continue;
    }
    if (!changed) {
      out.reserve(text->size() + 4 * kCharBytes);
      changed = true;
    }
    out.append(*text, copied, i - copied);
    AppendPlaceholder(static_cast<size_t>(found - spellings_.data()), &out);
    i += found->text.size();
    copied = i;
  }
  if (!changed) {
    return false;
  }
  out.append(*text, copied);
  *text = std::move(out);
  return true;
}

bool ControlText::SpellsAny(std::string_view text) const {
  Ahead ahead;
  ahead.fill(kUnknown);
  for (size_t i = NextStart(text, 0, &ahead); i < text.size();
       i = NextStart(text, i + 1, &ahead)) {
    if (MatchAt(text, i) != nullptr) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> ControlText::SpellOut(
    std::string_view text, bool strict,
    std::vector<std::pair<size_t, size_t>>* spelled) const {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t open = text.find(kOpen, i);
    if (open == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    size_t end = 0;
    const int64_t index = ReadPlaceholder(text, open, &end);
    if (index < 0) {
      if (strict) {
        return std::nullopt;
      }
      out.append(text.substr(i, open + kOpen.size() - i));  // kept as it is
      i = open + kOpen.size();
      continue;
    }
    out.append(text.substr(i, open - i));
    const std::string& spelling = spellings_[static_cast<size_t>(index)].text;
    if (spelled != nullptr) {
      spelled->emplace_back(out.size(), out.size() + spelling.size());
    }
    out += spelling;
    i = end;
  }
  return out;
}

std::string ControlText::Restore(std::string_view text) const {
  return *SpellOut(text, /*strict=*/false, nullptr);
}

Result<std::vector<ControlText::Stretch>> ControlText::Cut(
    std::string_view prompt) const {
  if (prompt.find("\\ue000") != std::string_view::npos ||
      prompt.find("\\uE000") != std::string_view::npos) {
    return Error(InvalidArgument(std::string(kAltered)));
  }
  // The placeholders spelled out, and where in `text` each one went.
  std::vector<std::pair<size_t, size_t>> spelled;  // [begin, end)
  std::optional<std::string> spelled_out =
      SpellOut(prompt, /*strict=*/true, &spelled);
  if (!spelled_out) {
    return Error(InvalidArgument(std::string(kAltered)));
  }
  const std::string& text = *spelled_out;

  // The template's own control tokens: the spellings outside `spelled`.
  struct Token {
    size_t begin;
    size_t end;
    const Spelling* spelling;
  };
  std::vector<Token> tokens;
  size_t next = 0;  // the first of `spelled` not yet passed
  for (size_t i = 0; i < text.size();) {
    if (next < spelled.size() && i >= spelled[next].first) {
      i = spelled[next++].second;
      continue;
    }
    const size_t limit =
        next < spelled.size() ? spelled[next].first : text.size();
    const Spelling* found = MatchAt(std::string_view(text).substr(0, limit), i);
    if (found == nullptr) {
      ++i;
      continue;
    }
    tokens.push_back({i, i + found->text.size(), found});
    i += found->text.size();
  }

  // Each stretch of text between two of them that holds a spelled
  // placeholder is plain; the rest is tokenised as prompts are.
  std::vector<Stretch> stretches;
  size_t normal_from = 0;  // where the pending normal stretch starts
  size_t gap_from = 0;     // where the text after the last token starts
  next = 0;
  for (size_t t = 0; t <= tokens.size(); ++t) {
    const size_t gap_to = t < tokens.size() ? tokens[t].begin : text.size();
    bool holds = false;
    for (; next < spelled.size() && spelled[next].first < gap_to; ++next) {
      holds = true;
    }
    if (holds) {
      size_t from = gap_from;
      size_t to = gap_to;
      if (t > 0 && tokens[t - 1].spelling->rstrip) {
        while (from < to && IsSpace(text[from])) {
          ++from;
        }
      }
      if (t < tokens.size() && tokens[t].spelling->lstrip) {
        while (to > from && IsSpace(text[to - 1])) {
          --to;
        }
      }
      if (gap_from > normal_from) {
        stretches.push_back(
            {text.substr(normal_from, gap_from - normal_from), false});
      }
      if (to > from) {
        stretches.push_back({text.substr(from, to - from), true});
      }
      normal_from = gap_to;
    }
    if (t < tokens.size()) {
      gap_from = tokens[t].end;
    }
  }
  if (text.size() > normal_from) {
    stretches.push_back({text.substr(normal_from), false});
  }
  return stretches;
}

}  // namespace duet::llama
