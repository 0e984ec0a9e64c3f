// EventJson and its lenient reads: the simdjson parse of upstream stream
// events must accept, refuse and read exactly what nlohmann and json_read.h's
// lenient reads do, so most cases here are checked against those too.
#include "wire/event_json.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wire/json_read.h"

namespace duet::wire {
namespace {

using simdjson::dom::object;

// Texts nlohmann refuses, or accepts as something other than an object.
const std::vector<std::string>& NotObjects() {
  static const std::vector<std::string> texts = {
      "",
      "   ",
      "not json",
      "{\"a\":1",                                 // truncated
      "{\"type\":\"content_block_delta\",\"ind",  // truncated mid-key
      "{\"a\":\"unterminated}",
      "{\"a\":1}x",
      "{\"a\":1} {\"b\":2}",
      "{\"a\":1,}",
      "{'a':1}",
      "{\"a\":01}",
      "{\"a\":1.}",
      "{\"a\":+1}",
      "{\"a\":NaN}",
      "{\"a\":1e400}",  // overflows a double
      "{\"a\":tru}",
      "{\"a\":\"\\x\"}",
      "{\"a\":\"\\u12G4\"}",
      "{\"a\":\"\\ud800\"}",         // lone high surrogate
      "{\"a\":\"\\udc00\"}",         // lone low surrogate
      "{\"a\":\"\\ud800\\u0041\"}",  // high then not low
      "{\"a\":\"\\ud800\\ud800\"}",
      "{\"a\":\"\xff\"}",                   // not UTF-8
      "{\"a\":\"\xc3\"}",                   // cut UTF-8 sequence
      "{\"a\":\"\xed\xa0\x80\"}",           // a surrogate in UTF-8
      "{\"a\":\"\xc0\xaf\"}",               // overlong
      "{\"a\":\"tab\there\"}",              // unescaped control
      std::string("{\"a\":\"x\0y\"}", 11),  // NUL inside a string
      "{\"a\":1} // comment",
      "[{\"a\":1}]",
      "[]",
      "42",
      "\"text\"",
      "null",
      "true",
  };
  return texts;
}

// nlohmann's verdict, as ParseJsonObject gives it (without the exception
// ParseJsonObject lets out for a number that overflows a double).
Result<Json> NlohmannObject(std::string_view text) {
  Json parsed = Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return Error(InvalidArgument("not an object"));
  }
  return parsed;
}

TEST(EventJsonTest, RefusesWhatNlohmannRefuses) {
  for (const std::string& text : NotObjects()) {
    EventJson json;
    EXPECT_FALSE(json.Parse(text).has_value()) << text;
    EXPECT_FALSE(NlohmannObject(text).has_value()) << text;
  }
}

TEST(EventJsonTest, ANumberThatOverflowsADoubleIsMalformedNotAnException) {
  EventJson json;
  Result<object> parsed = json.Parse("{\"logprob\":-1e400}");
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error(), InvalidArgument("malformed JSON"));
}

TEST(EventJsonTest, SaysWhetherTextWasMalformedOrNotAnObject) {
  EventJson json;
  Result<object> truncated = json.Parse("{\"a\":");
  ASSERT_FALSE(truncated.has_value());
  EXPECT_EQ(truncated.error(), InvalidArgument("malformed JSON"));
  Result<object> array = json.Parse("[1,2]");
  ASSERT_FALSE(array.has_value());
  EXPECT_EQ(array.error(), InvalidArgument("not a JSON object"));
  // The same for valid JSON simdjson alone refuses.
  Result<object> big_array = json.Parse("[100000000000000000000]");
  ASSERT_FALSE(big_array.has_value());
  EXPECT_EQ(big_array.error(), InvalidArgument("not a JSON object"));
}

TEST(EventJsonTest, AcceptsWhatOnlyNlohmannWouldWithTheSameValues) {
  // Valid for nlohmann, refused by simdjson alone: a byte order mark,
  // integers beyond 64 bits (floats to nlohmann), a NUL byte (where
  // nlohmann's input ends) and deep nesting.
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  const std::vector<std::string> texts = {
      "\xEF\xBB\xBF{\"a\":\"bom\"}",
      "{\"a\":100000000000000000000,\"b\":\"big\"}",
      "{\"a\":-9223372036854775809}",
      std::string("{\"a\":\"nul\"}\0trailing", 20),
      "{\"a\":" + deep + ",\"b\":\"deep\"}",
  };
  for (const std::string& text : texts) {
    Result<Json> expected = NlohmannObject(text);
    ASSERT_TRUE(expected.has_value()) << text.substr(0, 40);
    EventJson json;
    Result<object> parsed = json.Parse(text);
    ASSERT_TRUE(parsed.has_value()) << text.substr(0, 40);
    EXPECT_EQ(StringOrEmpty(*parsed, "a"), StringOrEmpty(*expected, "a"));
    EXPECT_EQ(StringOrEmpty(*parsed, "b"), StringOrEmpty(*expected, "b"));
    EXPECT_EQ(IntIfPresent(*parsed, "a"), IntIfPresent(*expected, "a"));
  }
  EventJson json;
  Result<object> big = json.Parse("{\"a\":100000000000000000000}");
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(NumberIfPresent(*big, "a"), 1e20);
  EXPECT_EQ(IntIfPresent(*big, "a"), std::nullopt);
}

TEST(EventJsonTest, DecodesEscapesAndSurrogatePairs) {
  EventJson json;
  Result<object> parsed = json.Parse(
      R"({"text":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0000!"})");
  ASSERT_TRUE(parsed.has_value());
  const std::string expected =
      std::string("caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\" \\ / \b\f\n\r\t ") +
      '\0' + "!";
  EXPECT_EQ(StringOrEmpty(*parsed, "text"), expected);
}

TEST(EventJsonTest, ReadsIntegersLikeIntIfPresent) {
  const std::string text =
      R"({"small":42,"negative":-7,"minus_zero":-0,"float":2.0,)"
      R"("fraction":2.5,"exponent":1e2,"max":9223372036854775807,)"
      R"("min":-9223372036854775808,"above_max":9223372036854775808,)"
      R"("max_unsigned":18446744073709551615,"string":"3","null":null,)"
      R"("array":[1],"true":true})";
  Result<Json> expected = NlohmannObject(text);
  ASSERT_TRUE(expected.has_value());
  EventJson json;
  Result<object> parsed = json.Parse(text);
  ASSERT_TRUE(parsed.has_value());
  for (const char* key :
       {"small", "negative", "minus_zero", "float", "fraction", "exponent",
        "max", "min", "above_max", "max_unsigned", "string", "null", "array",
        "true", "absent"}) {
    EXPECT_EQ(IntIfPresent(*parsed, key), IntIfPresent(*expected, key)) << key;
  }
  EXPECT_EQ(IntIfPresent(*parsed, "negative"), -7);
  EXPECT_EQ(IntIfPresent(*parsed, "minus_zero"), 0);
  EXPECT_EQ(IntIfPresent(*parsed, "float"), std::nullopt);
  EXPECT_EQ(IntIfPresent(*parsed, "above_max"),
            std::numeric_limits<int64_t>::min());
  EXPECT_EQ(IntIfPresent(*parsed, "max_unsigned"), -1);
}

TEST(EventJsonTest, ReadsNumbersAsDoubles) {
  EventJson json;
  Result<object> parsed = json.Parse(
      R"({"int":-3,"big":18446744073709551615,"float":-0.125,"tiny":1e-400,)"
      R"("string":"1","null":null})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(NumberIfPresent(*parsed, "int"), -3.0);
  EXPECT_EQ(NumberIfPresent(*parsed, "big"), 18446744073709551615.0);
  EXPECT_EQ(NumberIfPresent(*parsed, "float"), -0.125);
  EXPECT_EQ(NumberIfPresent(*parsed, "tiny"), 0.0);
  EXPECT_EQ(NumberIfPresent(*parsed, "string"), std::nullopt);
  EXPECT_EQ(NumberIfPresent(*parsed, "null"), std::nullopt);
  EXPECT_EQ(NumberIfPresent(*parsed, "absent"), std::nullopt);
}

TEST(EventJsonTest, NullAndMistypedMembersAreNotGiven) {
  EventJson json;
  Result<object> parsed = json.Parse(
      R"({"null":null,"number":1,"string":"s","empty":"","object":{"k":1},)"
      R"("array":[1,2]})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_FALSE(FindMember(*parsed, "null").has_value());
  EXPECT_FALSE(FindMember(*parsed, "absent").has_value());
  EXPECT_TRUE(FindMember(*parsed, "number").has_value());
  EXPECT_EQ(StringOrEmpty(*parsed, "number"), "");
  EXPECT_EQ(StringOrEmpty(*parsed, "string"), "s");
  EXPECT_EQ(StringIfPresent(*parsed, "empty"), std::string_view());
  EXPECT_EQ(StringIfPresent(*parsed, "null"), std::nullopt);
  EXPECT_EQ(StringIfPresent(*parsed, "number"), std::nullopt);
  EXPECT_TRUE(FindObject(*parsed, "object").has_value());
  EXPECT_FALSE(FindObject(*parsed, "array").has_value());
  EXPECT_FALSE(FindObject(*parsed, "null").has_value());
  ASSERT_TRUE(FindArray(*parsed, "array").has_value());
  EXPECT_EQ(FindArray(*parsed, "array")->size(), 2u);
  EXPECT_FALSE(FindArray(*parsed, "object").has_value());
}

TEST(EventJsonTest, ARepeatedKeyReadsAsItsLastValueLikeNlohmann) {
  const std::string text =
      R"({"type":"ping","type":"message_stop","n":1,"n":null,"s":"a","s":2})";
  Result<Json> expected = NlohmannObject(text);
  ASSERT_TRUE(expected.has_value());
  EventJson json;
  Result<object> parsed = json.Parse(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(StringOrEmpty(*parsed, "type"), "message_stop");
  EXPECT_EQ(StringOrEmpty(*parsed, "type"), StringOrEmpty(*expected, "type"));
  EXPECT_FALSE(FindMember(*parsed, "n").has_value());
  EXPECT_EQ(FindMember(*expected, "n"), nullptr);
  EXPECT_EQ(StringOrEmpty(*parsed, "s"), StringOrEmpty(*expected, "s"));
}

TEST(EventJsonTest, ParsesAgainAndLargeEventsAndSeveralAtOnce) {
  EventJson first;
  Result<object> one = first.Parse(R"({"n":1})");
  ASSERT_TRUE(one.has_value());
  // A second EventJson on this thread while the first is alive: both stay
  // readable (the second gets a parser of its own).
  EventJson second;
  Result<object> two = second.Parse(R"({"n":2})");
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(IntIfPresent(*one, "n"), 1);
  EXPECT_EQ(IntIfPresent(*two, "n"), 2);

  const std::string large_text(EventJson::kSharedParserBytes + 100, 'x');
  Result<object> large = first.Parse(R"({"text":")" + large_text + R"("})");
  ASSERT_TRUE(large.has_value());
  EXPECT_EQ(StringOrEmpty(*large, "text"), large_text);
  EXPECT_EQ(IntIfPresent(*two, "n"), 2);

  Result<object> again = first.Parse(R"({"n":3})");
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(IntIfPresent(*again, "n"), 3);
}

}  // namespace
}  // namespace duet::wire
