// ParseJsonObject: simdjson reads the text and nlohmann's tree is built from
// it, so every case here is checked against nlohmann's own parser: the same
// tree (values, key order, number kinds), and the same errors.
#include "wire/json_read.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace duet::wire {
namespace {

Json NlohmannParse(const std::string& text) {
  return Json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
}

// Equal values, and each number of the same kind (==, which compares 1 and
// 1u and 1.0 as equal, cannot tell).
void ExpectSameTree(const Json& actual, const Json& expected,
                    const std::string& where) {
  ASSERT_EQ(actual.type(), expected.type()) << where;
  if (expected.is_object()) {
    ASSERT_EQ(actual.size(), expected.size()) << where;
    auto a = actual.begin();
    for (auto e = expected.begin(); e != expected.end(); ++e, ++a) {
      ASSERT_EQ(a.key(), e.key()) << where;  // same order
      ExpectSameTree(*a, *e, where + "." + e.key());
    }
  } else if (expected.is_array()) {
    ASSERT_EQ(actual.size(), expected.size()) << where;
    for (size_t i = 0; i < expected.size(); ++i) {
      ExpectSameTree(actual[i], expected[i], where + "." + std::to_string(i));
    }
  } else {
    EXPECT_EQ(actual, expected) << where;
  }
}

void ExpectParsesAsNlohmannDoes(const std::string& text) {
  const Json expected = NlohmannParse(text);
  ASSERT_TRUE(expected.is_object()) << text;
  Result<Json> parsed = ParseJsonObject(text);
  ASSERT_TRUE(parsed.has_value()) << text;
  ExpectSameTree(*parsed, expected, text.substr(0, 60));
  EXPECT_EQ(parsed->dump(), expected.dump()) << text;
}

TEST(ParseJsonObjectTest, BuildsTheTreeNlohmannBuilds) {
  const std::vector<std::string> texts = {
      "{}",
      R"({"model":"claude-haiku-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}]})",
      // Key order as written, not sorted; nested empties.
      R"({"z":1,"a":{"y":[],"b":{}},"m":[[],[{}],null]})",
      // Every number kind: unsigned, negative, beyond int64 (unsigned),
      // beyond uint64 (a float to nlohmann), fractions and exponents.
      R"({"u":0,"i":-5,"big":18446744073709551615,"huge":100000000000000000000,)"
      R"("min":-9223372036854775808,"f":1.5,"e":-2.5e-3,"e2":1E+2,"one":1.0,"nz":-0.0})",
      R"({"t":true,"f":false,"n":null})",
      // Escapes, \u0000 inside a string, surrogate pairs, raw UTF-8.
      R"({"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0000!","u":"日本語 ünï"})",
      // A repeated key: first position, last value.
      R"({"a":1,"b":2,"a":{"x":3}})",
      // Whitespace everywhere JSON allows it.
      " \t\n{ \"a\" : [ 1 , 2 ] ,\r\n \"b\" : \"c\" } \n",
      // A byte order mark and integers beyond 64 bits go to nlohmann.
      "\xEF\xBB\xBF{\"a\":\"bom\"}",
  };
  for (const std::string& text : texts) {
    ExpectParsesAsNlohmannDoes(text);
  }
}

TEST(ParseJsonObjectTest, NestingBeyondSimdjsonsLimitStillParses) {
  const std::string deep = std::string(1500, '[') + std::string(1500, ']');
  ExpectParsesAsNlohmannDoes("{\"a\":" + deep + "}");
}

TEST(ParseJsonObjectTest, MinusZeroIsTheOneNumberWhoseKindDiffers) {
  // Documented in json_read.h: same value and text, unsigned instead of
  // signed.
  Result<Json> parsed = ParseJsonObject(R"({"a":-0})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ((*parsed)["a"], NlohmannParse(R"({"a":-0})")["a"]);
  EXPECT_EQ(parsed->dump(), R"({"a":0})");
  EXPECT_TRUE((*parsed)["a"].is_number_unsigned());
}

// Random documents, written compactly and indented, parse to nlohmann's
// tree: a broad check of strings, numbers and shapes together.
Json RandomValue(std::mt19937_64& random, int depth) {
  const int kind = static_cast<int>(random() % (depth > 3 ? 6 : 8));
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return random() % 2 == 0;
    case 2:
      return static_cast<int64_t>(random()) >> (random() % 64);
    case 3:
      return random() >> (random() % 64);
    case 4:
      return std::ldexp(static_cast<double>(static_cast<int64_t>(random())),
                        static_cast<int>(random() % 200) - 100);
    case 5: {
      static const std::vector<std::string> pieces = {
          "a",    "Z",    " ",
          "\"",   "\\",   "/",
          "\n",   "\t",   std::string(1, '\0'),
          "\x1f", "é",    "日",
          "😀",    "\x7f", "{",
          "]",    ",",    ":"};
      std::string text;
      const size_t length = random() % 12;
      for (size_t i = 0; i < length; ++i) {
        text += pieces[random() % pieces.size()];
      }
      return text;
    }
    case 6: {
      Json array = Json::array();
      const size_t length = random() % 5;
      for (size_t i = 0; i < length; ++i) {
        array.push_back(RandomValue(random, depth + 1));
      }
      return array;
    }
    default: {
      Json object = Json::object();
      const size_t length = random() % 5;
      for (size_t i = 0; i < length; ++i) {
        object["k" + std::to_string(random() % 8)] =
            RandomValue(random, depth + 1);
      }
      return object;
    }
  }
}

TEST(ParseJsonObjectTest, RandomDocumentsParseToNlohmannsTree) {
  std::mt19937_64 random(20261127);
  for (int round = 0; round < 400; ++round) {
    Json document = Json::object();
    const size_t members = 1 + random() % 6;
    for (size_t i = 0; i < members; ++i) {
      document["m" + std::to_string(i)] = RandomValue(random, 0);
    }
    ExpectParsesAsNlohmannDoes(document.dump());
    ExpectParsesAsNlohmannDoes(document.dump(2));
  }
}

TEST(ParseJsonObjectTest, ErrorsAreNlohmannsWithItsPosition) {
  for (const std::string text :
       {"{\"a\":1", "{\"a\":tru}", "{\"a\":1,}", "{\"a\":\"\xff\"}"}) {
    Result<Json> parsed = ParseJsonObject(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    std::string expected;
    try {
      const Json ignored = Json::parse(text);
      ADD_FAILURE() << "nlohmann accepted " << ignored.dump();
    } catch (const Json::parse_error& e) {
      expected = std::string("malformed JSON body: ") + e.what();
    }
    EXPECT_EQ(parsed.error(), InvalidArgument(expected)) << text;
  }
}

TEST(ParseJsonObjectTest, JsonThatIsNotAnObjectIsRefusedAsSuch) {
  for (const std::string text :
       {"[1,2]", "42", "\"text\"", "null", "[100000000000000000000]"}) {
    Result<Json> parsed = ParseJsonObject(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error(),
              InvalidArgument("request body must be a JSON object"))
        << text;
  }
}

// NestingDepth's first version, stepping through every byte: the oracle
// for the faster one.
size_t NestingDepthByteByByte(std::string_view json) {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// An object nesting exactly `depth` levels of objects and arrays, with a
// sibling member holding brackets in a string, which do not count.
std::string NestedObject(size_t depth, bool arrays) {
  std::string open;
  std::string close;
  for (size_t level = 1; level < depth; ++level) {
    open += arrays ? "[" : "{\"k\":";
    close += arrays ? "]" : "}";
  }
  return "{\"text\":\"[[[[{{{{\",\"v\":" + open + "1" + close + "}";
}

// The limit holds at its boundary on both paths: where simdjson reads the
// text (checked while the tree is built) and where it refuses it (a byte
// order mark, which nlohmann accepts: checked by a scan first).
TEST(ParseJsonObjectTest, RefusesNestingPastTheLimitOnBothPaths) {
  const NestingLimit limit{.max_depth = 6, .too_deep = InvalidArgument("too deep")};
  for (const bool arrays : {false, true}) {
    for (const std::string prefix : {"", "\xEF\xBB\xBF"}) {
      SCOPED_TRACE(std::string(arrays ? "arrays" : "objects") +
                   (prefix.empty() ? "" : ", byte order mark"));
      for (size_t depth = 1; depth <= 6; ++depth) {
        ASSERT_EQ(NestingDepth(NestedObject(depth, arrays)), depth);
        Result<Json> parsed = ParseJsonObject(prefix + NestedObject(depth, arrays), limit);
        ASSERT_TRUE(parsed.has_value()) << depth << ": " << parsed.error().ToString();
        ExpectSameTree(*parsed, NlohmannParse(prefix + NestedObject(depth, arrays)), "tree");
      }
      for (const size_t depth : {7, 8, 200, 2000}) {
        Result<Json> parsed = ParseJsonObject(prefix + NestedObject(depth, arrays), limit);
        ASSERT_FALSE(parsed.has_value()) << depth;
        EXPECT_EQ(parsed.error(), InvalidArgument("too deep")) << depth;
      }
    }
  }
  // Without a limit, the same deep text parses.
  EXPECT_TRUE(ParseJsonObject(NestedObject(200, true)).has_value());
}

TEST(NestingDepthTest, CountsBracketsOutsideStringsOnly) {
  EXPECT_EQ(NestingDepth("42"), 0u);
  EXPECT_EQ(NestingDepth(R"({"a":[1,{"b":[]}]})"), 4u);
  EXPECT_EQ(NestingDepth(R"({"a":"[[[{{{"})"), 1u);
  // An escaped quote does not end a string; an escaped backslash does not
  // escape the quote after it.
  EXPECT_EQ(NestingDepth(R"({"a\"[[[[":1})"), 1u);
  EXPECT_EQ(NestingDepth(R"({"a":"\\","b":[[]]})"), 3u);
  EXPECT_EQ(NestingDepth(R"({"a":"unterminated [[[)"), 1u);
  EXPECT_EQ(NestingDepth("]]}{"), 1u);
  EXPECT_TRUE(NestsDeeperThan("[[[]]]", 2));
  EXPECT_FALSE(NestsDeeperThan("[[[]]]", 3));
}

TEST(NestingDepthTest, AgreesWithTheByteByByteCountOnRandomText) {
  std::mt19937_64 random(42);
  const std::string alphabet = "\"\\[]{}a ";
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t length = random() % 40;
    for (size_t i = 0; i < length; ++i) {
      text += alphabet[random() % alphabet.size()];
    }
    ASSERT_EQ(NestingDepth(text), NestingDepthByteByByte(text)) << text;
  }
}

}  // namespace
}  // namespace duet::wire
