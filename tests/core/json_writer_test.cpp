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

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  AppendJsonString(&out, "a\"b\\c\nd\te\x01");
  EXPECT_EQ(out, R"("a\"b\\c\nd\te\u0001")");
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
