#include "route/classify/text_features.h"

#include <algorithm>
#include <array>
#include <bit>

#include "route/classify/concept_stems.h"

namespace duet {
namespace {

// Feature families get distinct seeds so "ab" the word and "ab" the
// trigram never share a bucket by construction.
enum Family : uint64_t {
  kWord = 0x9e3779b97f4a7c15ull,
  kWordPair = 0xc2b2ae3d27d4eb4full,
  kCharGram = 0x165667b19e3779f9ull,
  kCjkGram = 0x27d4eb2f165667c5ull,
  kShape = 0x85ebca77c2b2ae63ull,
  kConcept = 0x94d049bb133111ebull,
};

constexpr uint64_t kMix = 0xff51afd7ed558ccdull;

uint64_t Combine(uint64_t hash, uint64_t value) {
  hash ^= value + 0x9e3779b97f4a7c15ull + (hash << 6) + (hash >> 2);
  return hash;
}

uint32_t Bucket(uint64_t hash) {
  hash ^= hash >> 33;
  hash *= kMix;
  hash ^= hash >> 33;
  return static_cast<uint32_t>(hash) & (kFeatureBuckets - 1);
}

enum class CharClass { kSeparator, kWord, kCjk };

struct CodePoint {
  uint32_t value;
  CharClass cls;
};

// Decodes one UTF-8 sequence at text[*pos]; invalid bytes decode as
// themselves (Latin-1), which is good enough for features.
uint32_t Decode(std::string_view text, size_t* pos) {
  const auto byte = [&](size_t i) {
    return static_cast<unsigned char>(text[i]);
  };
  const unsigned char lead = byte(*pos);
  int length = 1;
  uint32_t value = lead;
  if (lead >= 0xF0) {
    length = 4;
    value = lead & 0x07u;
  } else if (lead >= 0xE0) {
    length = 3;
    value = lead & 0x0Fu;
  } else if (lead >= 0xC0) {
    length = 2;
    value = lead & 0x1Fu;
  }
  if (length == 1 || *pos + static_cast<size_t>(length) > text.size()) {
    ++*pos;
    return lead;
  }
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(*pos + static_cast<size_t>(i));
    if ((next & 0xC0u) != 0x80u) {
      ++*pos;
      return lead;
    }
    value = (value << 6) | (next & 0x3Fu);
  }
  *pos += static_cast<size_t>(length);
  return value;
}

constexpr CodePoint Classify(uint32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
      return {cp, CharClass::kWord};
    }
    if (cp >= 'A' && cp <= 'Z') {
      return {cp + 32, CharClass::kWord};
    }
    if (cp == '_') {
      return {cp, CharClass::kWord};
    }
    return {cp, CharClass::kSeparator};
  }
  // Latin-1 capitals fold to lower case (À..Þ, not ×).
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) {
    return {cp + 32, CharClass::kWord};
  }
  if ((cp >= 0x3040 && cp <= 0x30FF) ||  // kana
      (cp >= 0x3400 && cp <= 0x9FFF) ||  // CJK ideographs
      (cp >= 0xAC00 && cp <= 0xD7AF)) {  // Hangul
    return {cp, CharClass::kCjk};
  }
  if ((cp >= 0x2000 && cp <= 0x206F) ||  // general punctuation
      (cp >= 0x3000 && cp <= 0x303F) ||  // CJK punctuation
      (cp >= 0xFF00 && cp <= 0xFF65) ||  // full-width forms
      cp == 0xA0 || cp == 0xAB || cp == 0xBB || cp == 0xBF || cp == 0xA1) {
    return {cp, CharClass::kSeparator};
  }
  return {cp, CharClass::kWord};
}

// Classify for each ASCII byte, looked up instead of decoded: nearly every
// byte of a prompt is ASCII.
constexpr std::array<CodePoint, 0x80> kAsciiCodePoints = [] {
  std::array<CodePoint, 0x80> table{};
  for (uint32_t c = 0; c < 0x80; ++c) {
    table[c] = Classify(c);
  }
  return table;
}();

// Decodes and classifies the character at text[*pos], moving past it.
CodePoint NextCodePoint(std::string_view text, size_t* pos) {
  const auto byte = static_cast<unsigned char>(text[*pos]);
  if (byte < 0x80) {
    ++*pos;
    return kAsciiCodePoints[byte];
  }
  return Classify(Decode(text, pos));
}

// Stem hashes (over folded code points) to concept ids, in a small
// open-addressing table: a lookup per word prefix must cost nanoseconds.
class ConceptTable {
 public:
  ConceptTable() {
    for (const ConceptStem& entry : kConceptStems) {
      uint64_t hash = kConcept;
      size_t pos = 0;
      size_t length = 0;
      bool plain = true;
      while (pos < entry.stem.size()) {
        const CodePoint cp = NextCodePoint(entry.stem, &pos);
        plain = plain && cp.cls != CharClass::kSeparator;
        hash = Combine(hash, cp.value);
        ++length;
      }
      if (plain && length < 32) {
        Insert(hash, entry.concept_id);
        lengths_ |= 1u << length;
      }
    }
  }

  // The concept whose stem hashes to `hash`, or -1.
  int Find(uint64_t hash) const {
    for (size_t slot = hash & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
      if (keys_[slot] == 0) {
        return -1;
      }
      if (keys_[slot] == hash) {
        return static_cast<int>(values_[slot]);
      }
    }
  }

  // Whether some stem has `length` characters.
  bool HasLength(size_t length) const { return length < 32 && ((lengths_ >> length) & 1u) != 0; }

 private:
  static constexpr size_t kSlots = 1024;  // well over twice the stems
  static_assert(std::size(kConceptStems) * 2 < kSlots);

  void Insert(uint64_t hash, uint32_t concept_id) {
    size_t slot = hash & (kSlots - 1);
    while (keys_[slot] != 0 && keys_[slot] != hash) {
      slot = (slot + 1) & (kSlots - 1);
    }
    keys_[slot] = hash;
    values_[slot] = concept_id;
  }

  std::array<uint64_t, kSlots> keys_{};
  std::array<uint32_t, kSlots> values_{};
  uint32_t lengths_ = 0;
};

const ConceptTable& Concepts() {
  static const ConceptTable table;
  return table;
}

// Emits the word's hash, its pair with the previous word, and its
// character 4-grams, with the word's boundaries as characters so prefixes
// and suffixes are features too. (4-grams alone classified the corpus as
// well as 3- and 4-grams together, at half the features.)
class Emitter {
 public:
  explicit Emitter(std::vector<uint32_t>* out) : out_(out) {}

  void Word(const uint32_t* chars, size_t length) {
    if (length == 0) {
      return;
    }
    uint64_t word_hash = kWord;
    for (size_t i = 0; i < length; ++i) {
      word_hash = Combine(word_hash, chars[i]);
    }
    out_->push_back(Bucket(word_hash));
    {
      const ConceptTable& concepts = Concepts();
      uint64_t prefix = kConcept;
      for (size_t i = 0; i < length && i < 12; ++i) {
        prefix = Combine(prefix, chars[i]);
        if (concepts.HasLength(i + 1)) {
          if (const int concept_id = concepts.Find(prefix); concept_id >= 0) {
            out_->push_back(Bucket(Combine(kConcept, static_cast<uint64_t>(concept_id))));
            break;
          }
        }
      }
    }
    if (previous_word_ != 0) {
      out_->push_back(Bucket(Combine(Combine(kWordPair, previous_word_),
                                     word_hash)));
    }
    previous_word_ = word_hash;
    // Long tokens (hashes, base64, identifiers) add noise, not meaning.
    if (length > 24) {
      return;
    }
    std::array<uint32_t, 28> padded{};
    padded[0] = '^';
    std::copy(chars, chars + length, padded.begin() + 1);
    padded[length + 1] = '$';
    const size_t total = length + 2;
    constexpr size_t kGram = 4;
    if (total < kGram) {
      out_->push_back(Bucket(Combine(Combine(Combine(kCharGram, padded[0]), padded[1]),
                                     padded[2])));
      return;
    }
    for (size_t start = 0; start + kGram <= total; ++start) {
      uint64_t gram = kCharGram;
      for (size_t i = 0; i < kGram; ++i) {
        gram = Combine(gram, padded[start + i]);
      }
      out_->push_back(Bucket(gram));
    }
  }

  // CJK runs: unigrams, bigrams and trigrams of characters.
  void CjkRun(const uint32_t* chars, size_t length) {
    const ConceptTable& concepts = Concepts();
    for (size_t i = 0; i < length; ++i) {
      uint64_t sub = kConcept;
      for (size_t n = 1; n <= 5 && i + n <= length; ++n) {
        sub = Combine(sub, chars[i + n - 1]);
        if (n >= 2 && concepts.HasLength(n)) {
          if (const int concept_id = concepts.Find(sub); concept_id >= 0) {
            out_->push_back(Bucket(Combine(kConcept, static_cast<uint64_t>(concept_id))));
          }
        }
      }
    }
    for (size_t i = 0; i < length; ++i) {
      uint64_t gram = kCjkGram;
      for (size_t n = 1; n <= 3 && i + n <= length; ++n) {
        gram = Combine(gram, chars[i + n - 1]);
        out_->push_back(Bucket(Combine(gram, n)));
      }
    }
    previous_word_ = 0;
  }

  void Shape(std::string_view name, uint64_t value) {
    uint64_t hash = kShape;
    for (char c : name) {
      hash = Combine(hash, static_cast<unsigned char>(c));
    }
    out_->push_back(Bucket(Combine(hash, value)));
  }

 private:
  std::vector<uint32_t>* out_;
  uint64_t previous_word_ = 0;
};

uint64_t Log2Bucket(int64_t value) {
  return value <= 0 ? 0 : static_cast<uint64_t>(std::bit_width(
                              static_cast<uint64_t>(value)));
}

void ExtractShape(const ClassifierInput& input, Emitter* emit) {
  const std::string_view text = input.text;
  const auto lines = static_cast<int64_t>(std::count(text.begin(), text.end(), '\n'));
  const bool has_fence = text.find("```") != std::string_view::npos;
  const auto questions = static_cast<int64_t>(
      std::count(text.begin(), text.end(), '?'));
  emit->Shape("tokens", Log2Bucket(input.request_tokens));
  emit->Shape("lines", Log2Bucket(lines));
  emit->Shape("fence", has_fence ? 1 : 0);
  emit->Shape("questions", std::min<int64_t>(questions, 4));
  emit->Shape("turns", Log2Bucket(input.prior_turns));
  emit->Shape("tools", input.has_tools ? 1 : 0);
}

// Moves `cut` back to the start of a UTF-8 sequence.
size_t CharBoundary(std::string_view text, size_t cut) {
  while (cut > 0 && cut < text.size() &&
         (static_cast<unsigned char>(text[cut]) & 0xC0u) == 0x80u) {
    --cut;
  }
  return cut;
}

}  // namespace

std::string HeadAndTail(std::string_view text, size_t head_bytes, size_t tail_bytes) {
  if (text.size() <= head_bytes + tail_bytes) {
    return std::string(text);
  }
  const size_t head_end = CharBoundary(text, head_bytes);
  if (tail_bytes == 0) {
    return std::string(text.substr(0, head_end));
  }
  const size_t tail_start = CharBoundary(text, text.size() - tail_bytes);
  std::string out;
  out.reserve(head_end + (text.size() - tail_start) + 5);
  out.append(text.substr(0, head_end));
  out.append("\n…\n");
  out.append(text.substr(tail_start));
  return out;
}

void ExtractFeatures(const ClassifierInput& input,
                     std::vector<uint32_t>* buckets) {
  buckets->clear();
  buckets->reserve(input.text.size() * 3 + 16);
  Emitter emit(buckets);
  ExtractShape(input, &emit);

  // One run of same-class characters at a time, folded to lower case.
  constexpr size_t kMaxRun = 64;
  std::array<uint32_t, kMaxRun> run{};
  size_t run_length = 0;
  CharClass run_class = CharClass::kSeparator;
  const auto flush = [&] {
    if (run_class == CharClass::kWord) {
      emit.Word(run.data(), run_length);
    } else if (run_class == CharClass::kCjk) {
      emit.CjkRun(run.data(), run_length);
    }
    run_length = 0;
  };

  const std::string_view text = input.text;
  size_t pos = 0;
  while (pos < text.size()) {
    const CodePoint cp = NextCodePoint(text, &pos);
    if (cp.cls != run_class || run_length == kMaxRun) {
      flush();
      run_class = cp.cls;
    }
    if (cp.cls == CharClass::kSeparator) {
      continue;
    }
    run[run_length++] = cp.value;
  }
  flush();
}

}  // namespace duet
