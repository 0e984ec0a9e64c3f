// JsonWriter: appends compact JSON to a std::string, in the order written.
//
// The renderers on the hot path (one SSE event per generated token) use this
// instead of building a DOM: no allocation beyond the output buffer, keys come
// out in the order the wire formats document, and the output is always valid
// JSON, even when a string holds invalid UTF-8 (such bytes become U+FFFD).
//
// Usage:
//   std::string out;
//   JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("type"); w.String("ping");
//   w.EndObject();                         // out == {"type":"ping"}
//
// REQUIRES: calls form well-nested JSON (a Key before each value inside an
// object; nesting at most kMaxDepth). Misuse is a programming error and is
// caught by assert in debug builds.
// Thread safety: none; one writer per thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace duet {

class JsonWriter {
 public:
  static constexpr int kMaxDepth = 64;

  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);

  void String(std::string_view value);
  void Int(int64_t value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Appends `json` verbatim as one value. REQUIRES: `json` is valid JSON.
  void Raw(std::string_view json);

  // Key + value in one call, for the common flat fields.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, int64_t value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, int value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }

 private:
  void BeforeValue();

  std::string* out_;
  int depth_ = 0;
  // has_element_[d]: the container at depth d already holds an element, so
  // the next one needs a comma.
  bool has_element_[kMaxDepth + 1] = {};
  bool after_key_ = false;
};

// Appends `value` as a quoted JSON string (with escapes) to `out`.
void AppendJsonString(std::string* out, std::string_view value);

}  // namespace duet
