// Client text that spells a control token stays text.
//
// A model's control tokens (<|im_start|>, <|im_end|>, </s>, [INST], ...)
// frame its chat turns. llama.cpp's tokenizer, asked to parse special
// tokens (as it must be, for the ones the template writes), reads their
// spelling as the token wherever it stands in a prompt. So a message that
// spells one would end its turn and open any turn it likes: a web page
// returned as a tool result, or a document sent to be summarised, could
// open a system turn of its own. The Anthropic and OpenAI APIs give text no
// such power; neither does duet (llama-server and Ollama do).
//
// How: before the template runs, ChatTemplates replaces each control
// token's spelling in what the client sent (Protect) with a placeholder,
// made of private-use characters that no template or tokenizer gives any
// meaning. The rendered prompt is then cut (Cut) at the template's own
// control tokens, where llama.cpp's tokenizer cuts text anyway, and each
// stretch between them that holds a placeholder is tokenised with the
// placeholder spelled out again, as plain text (parse_special off). Its
// tokens are those the text would have if no token were spelled that way:
// a faithful rendering of what the client wrote, and nothing more.
//
// Which tokens: those llama.cpp parses only when asked to, control and
// unknown ones. User-defined tokens (a template's <tool_call>, <think>) are
// read as tokens in any text, by llama.cpp and here alike.
//
// Thread safety: const after construction; every member may be called
// from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

struct llama_vocab;

namespace duet::llama {

class ControlText {
 public:
  // `vocab` is read here only.
  explicit ControlText(const ::llama_vocab* vocab);

  // Replaces in `*text` each spelling of a control token, and each
  // placeholder character already there, with a placeholder. Returns false
  // when there was none (`*text` is then unchanged).
  bool Protect(std::string* text) const;
  // True when `text` holds a spelling Protect would replace.
  bool SpellsAny(std::string_view text) const;
  // `text` with its placeholders spelled out again.
  std::string Restore(std::string_view text) const;

  // A part of a prompt to tokenise on its own, placeholders spelled out:
  // `plain` parts as text, the others as prompts are (special tokens
  // parsed).
  struct Stretch {
    std::string text;
    bool plain = false;
  };
  // `prompt`, rendered from protected text, cut into stretches whose
  // tokens, one after the other, are the prompt's. Whitespace that a
  // neighbouring control token strips (llama.cpp's lstrip and rstrip) is
  // left out of the plain stretches, as llama.cpp leaves it out of text.
  // kInvalidArgument when the template changed a placeholder (cut it, or
  // wrote it as JSON \u escapes), so that the text cannot be restored.
  Result<std::vector<Stretch>> Cut(std::string_view prompt) const;

  // How many control tokens the vocabulary spells.
  size_t size() const { return spellings_.size() - 1; }

 private:
  struct Spelling {
    std::string text;
    bool lstrip = false;  // strips the whitespace before it
    bool rstrip = false;  // and after it
  };

  // The trie node `node` leads to by `byte` (0: none).
  uint32_t Child(uint32_t node, unsigned char byte) const;
  // The longest spelling that starts at text[at] and ends within `text`;
  // nullptr for none.
  const Spelling* MatchAt(std::string_view text, size_t at) const;
  // Up to this many distinct first bytes, NextStart finds them with memchr.
  static constexpr size_t kSearchedBytes = 4;
  using Ahead = std::array<size_t, kSearchedBytes>;
  // The first position at or after `from` whose byte starts a spelling
  // (text.size() for none). `ahead` remembers, per first byte, where it
  // occurs next; fill it with kUnknown before the first call on a text.
  size_t NextStart(std::string_view text, size_t from, Ahead* ahead) const;
  static constexpr size_t kUnknown = static_cast<size_t>(-1);
  // Appends the placeholder of spelling `index` to `*out`.
  static void AppendPlaceholder(size_t index, std::string* out);
  // Reads the placeholder at text[at] (which starts with its opening
  // character); returns its spelling's index and sets `*end` past it, or
  // returns -1 when it is malformed.
  int64_t ReadPlaceholder(std::string_view text, size_t at, size_t* end) const;
  // `text` with its placeholders spelled out, each one's place in the
  // result appended to `*spelled` ([begin, end)) when that is not null.
  // A malformed placeholder is kept as it is, or, when `strict`, makes the
  // result nullopt.
  std::optional<std::string> SpellOut(
      std::string_view text, bool strict,
      std::vector<std::pair<size_t, size_t>>* spelled) const;

  // Placeholder n stands for spellings_[n]; the last one is the opening
  // character itself.
  std::vector<Spelling> spellings_;
  // The spellings as a trie of bytes: nodes_[0] is the root, whose
  // children are first_ by byte (0: none); a node ending a spelling holds
  // its index.
  struct Node {
    std::vector<std::pair<unsigned char, uint32_t>> next;
    int32_t spelling = -1;
  };
  std::vector<Node> nodes_;
  std::array<uint32_t, 256> first_{};
  // The distinct first bytes of the spellings.
  std::vector<unsigned char> starts_;
};

}  // namespace duet::llama
