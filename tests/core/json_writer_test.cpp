#include "core/json_writer.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

TEST(JsonWriterTest, NestedContainersGetCommasInTheRightPlaces) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("type", "message");
  w.Key("content");
  w.BeginArray();
  w.BeginObject();
  w.Field("index", 0);
  w.EndObject();
  w.Int(7);
  w.Null();
  w.EndArray();
  w.Key("ok");
  w.Bool(true);
  w.Key("empty");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  EXPECT_EQ(out,
            R"({"type":"message","content":[{"index":0},7,null],"ok":true,"empty":{}})");
}

// Short plain keys take a fast path; keys that need escaping and long keys
// do not. Either way a key is escaped and separated from the one before.
TEST(JsonWriterTest, KeysOfEveryKindAreEscapedAndSeparated) {
  const std::string long_key(60, 'k');
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("plain", 1);
  w.Field("say \"hi\"", 2);
  w.Field(long_key, 3);
  w.Field("", 4);
  w.Field("tab\there", 5);
  w.EndObject();
  EXPECT_EQ(out, "{\"plain\":1,\"say \\\"hi\\\"\":2,\"" + long_key +
                     "\":3,\"\":4,\"tab\\there\":5}");
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\te\x01");
  EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001")");
}

// The writer scans eight bytes at a time: a byte that needs escaping or
// checking must be found at every position of a word, in the tail after
// the last whole word, and in a string that has no whole word at all.
TEST(JsonWriterTest, FindsASpecialByteAtEveryPositionOfALongString) {
  struct Case {
    std::string byte;
    std::string written;
  };
  const Case cases[] = {
      {"\"", "\\\""},
      {"\\", "\\\\"},
      {"\n", "\\n"},
      {std::string(1, '\0'), "\\u0000"},
      {"\x1f", "\\u001f"},
      {"\x7f", "\x7f"},  // DEL is printable to JSON
      {" ", " "},
      {"\xC3\xA9", "\xC3\xA9"},      // valid UTF-8 is kept
      {"\xFF", "\xEF\xBF\xBD"},      // an invalid byte is replaced
      {"\x80", "\xEF\xBF\xBD"},
  };
  // Up to 41 bytes: the first special byte in the first or second block of
  // sixteen, or in the tail of eight or fewer after them.
  const std::string filler = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const Case& c : cases) {
    for (size_t length : {size_t{0}, size_t{5}, size_t{8}, size_t{19}, size_t{31}, size_t{40}}) {
      for (size_t at = 0; at <= length; ++at) {
        const std::string value = filler.substr(0, at) + c.byte + filler.substr(at, length - at);
        std::string out = "[";
        AppendJsonString(&out, value);
        EXPECT_EQ(out, "[\"" + filler.substr(0, at) + c.written + filler.substr(at, length - at) +
                           "\"")
            << "byte " << static_cast<int>(static_cast<unsigned char>(c.byte[0])) << " at " << at
            << " of " << length + 1;
      }
    }
  }
}

// Escapes close together: after each one the scan restarts mid-word, so
// every pair of positions in a few words is tried, against a byte-at-a-time
// escaper written here.
TEST(JsonWriterTest, EscapesEveryPairOfSpecialBytes) {
  const auto reference = [](std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\x02':
          out += "\\u0002";
          break;
        case '\xFF':
          out += "\xEF\xBF\xBD";
          break;
        default:
          out += c;
      }
    }
    return out + "\"";
  };
  const std::string specials[] = {"\"", "\\", "\n", "\x02", "\xFF", "\xC3\xA9"};
  // 39 bytes: two blocks of sixteen and a tail.
  const std::string filler = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM";
  for (const std::string& first : specials) {
    for (const std::string& second : specials) {
      for (size_t a = 0; a < filler.size(); ++a) {
        for (size_t b = a; b < filler.size(); ++b) {
          std::string value = filler;
          value.insert(b, second);
          value.insert(a, first);
          std::string out;
          AppendJsonString(&out, value);
          ASSERT_EQ(out, reference(value)) << a << " " << b;
        }
      }
    }
  }
}

// Escapes up to six times the length of what they replace, after text
// already written: the output grows as far as it must, and no further.
TEST(JsonWriterTest, StringsOfNothingButEscapesGrowTheOutput) {
  for (size_t count : {size_t{1}, size_t{7}, size_t{100}, size_t{5000}}) {
    std::string out = "{\"key\":";
    AppendJsonString(&out, std::string(count, '\x01'));
    std::string expected = "{\"key\":\"";
    for (size_t i = 0; i < count; ++i) {
      expected += "\\u0001";
    }
    EXPECT_EQ(out, expected + "\"") << count;

    out = "[";
    std::string mixed;
    for (size_t i = 0; i < count; ++i) {
      mixed += i % 2 ? "\xFF" : "\"";
    }
    AppendJsonString(&out, mixed);
    expected = "[\"";
    for (size_t i = 0; i < count; ++i) {
      expected += i % 2 ? "\xEF\xBF\xBD" : "\\\"";
    }
    EXPECT_EQ(out, expected + "\"") << count;
  }
}

TEST(JsonWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  std::string out;
  AppendJsonString(&out, "h\xC3\xA9llo \xE4\xB8\xAD \xF0\x9F\x98\x80");
  EXPECT_EQ(out, "\"h\xC3\xA9llo \xE4\xB8\xAD \xF0\x9F\x98\x80\"");

  out.clear();
  // A lone continuation byte, a truncated 3-byte sequence, an overlong '/'.
  AppendJsonString(&out, "a\x80z\xE4\xB8q\xC0\xAF");
  EXPECT_EQ(out,
            "\"a\xEF\xBF\xBDz\xEF\xBF\xBD\xEF\xBF\xBDq\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(JsonWriterTest, DoublesRoundTripAndNonFiniteBecomesNull) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.Double(0.7);
  w.Double(1.0);
  w.Double(1.0 / 0.0);
  w.EndArray();
  EXPECT_EQ(out, "[0.7,1,null]");
}

TEST(JsonWriterTest, RawIsInsertedVerbatim) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("input");
  w.Raw(R"({"city":"Paris"})");
  w.Field("after", 1);
  w.EndObject();
  EXPECT_EQ(out, R"({"input":{"city":"Paris"},"after":1})");
}

}  // namespace
}  // namespace duet
