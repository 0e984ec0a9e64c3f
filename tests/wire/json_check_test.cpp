// CheckJsonText and CheckJsonAgainstSchema: the JSON half of the answer
// checks (issue 7).
#include "wire/json_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

namespace duet::wire {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

std::string Nested(char open, char close, int depth) {
  return std::string(static_cast<size_t>(depth), open) +
         std::string(static_cast<size_t>(depth), close);
}

// The message of a failed schema check, "" when it passed.
std::string Violation(std::string_view text, std::string_view schema) {
  const Status status = CheckJsonAgainstSchema(text, schema);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  }
  return status.message();
}

TEST(CheckJsonTextTest, AcceptsOneValueWithWhitespaceAround) {
  for (const char* text :
       {R"({"a":1})", "  [1, 2, 3]\n", "\n\t\"text\"  ", "42", "null",
        "  {\n  \"nested\": {\"b\": [true]}\n}\n"}) {
    EXPECT_TRUE(CheckJsonText(text).ok()) << text;
  }
}

TEST(CheckJsonTextTest, AcceptsOneFencedBlockBecauseSmallModelsAddFences) {
  EXPECT_TRUE(CheckJsonText("```json\n{\"a\": 1}\n```").ok());
  EXPECT_TRUE(CheckJsonText("\n```JSON\n[1]\n```\n").ok());
  EXPECT_TRUE(CheckJsonText("```\n{\"a\": 1}\n```").ok());
  EXPECT_TRUE(CheckJsonText("``` json \r\n{\"a\": 1}\r\n```").ok());
}

TEST(CheckJsonTextTest, RefusesTextThatIsNotExactlyOneValue) {
  for (const char* text :
       {"", "   \n ", "Here is the JSON: {\"a\": 1}", "{\"a\": 1} Done!",
        "{\"a\": 1}{\"b\": 2}", "{\"a\": 1", "{'a': 1}", "{\"a\": 1} // c",
        "```python\n{\"a\": 1}\n```", "```json\n{\"a\": 1}\n```\nMore text",
        "```json {\"a\": 1}```", "NaN", "{\"a\": \"\xff\"}"}) {
    const Status status = CheckJsonText(text);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << text;
    EXPECT_THAT(status.message(), StartsWith("not JSON: ")) << text;
  }
}

TEST(CheckJsonTextTest, ReasonSaysWhereButNeverQuotesTheText) {
  EXPECT_EQ(CheckJsonText("").message(), "not JSON: empty text");
  EXPECT_EQ(CheckJsonText("{\"a\": 1,\n \"b\": secret}").message(),
            "not JSON: syntax error at line 2, column 7");
  EXPECT_EQ(CheckJsonText("{\"a\": [1, 2").message(),
            "not JSON: ends before the value is complete");
  EXPECT_EQ(CheckJsonText("{\"a\": 1} and then some secret").message(),
            "not JSON: more text after the value at line 1, column 10");
  EXPECT_EQ(CheckJsonText(R"({"a": [1e999]})").message(),
            "not JSON: a number is out of range");
  EXPECT_EQ(CheckJsonAgainstSchema("1", R"({"maximum": -1e999})").message(),
            "schema: not JSON: a number is out of range");
  EXPECT_THAT(CheckJsonText("password hunter2").message(),
              Not(HasSubstr("hunter2")));
}

TEST(CheckJsonTextTest, HostileNestingIsRefusedWithoutCrashing) {
  EXPECT_TRUE(CheckJsonText(Nested('[', ']', kMaxCheckedJsonDepth)).ok());
  EXPECT_EQ(CheckJsonText(Nested('[', ']', kMaxCheckedJsonDepth + 1)).message(),
            "not JSON: nests deeper than 128 levels");
  EXPECT_FALSE(CheckJsonText(Nested('[', ']', 1'000'000)).ok());
  EXPECT_FALSE(CheckJsonText(std::string(1'000'000, '{')).ok());
  // Brackets inside strings are not nesting.
  EXPECT_TRUE(CheckJsonText("\"" + std::string(10'000, '[') + "\"").ok());
}

TEST(JsonSchemaTest, TypeMismatchNamesThePath) {
  const char* schema = R"({
    "type": "object",
    "properties": {"items": {"type": "array", "items": {
      "type": "object", "properties": {"name": {"type": "string"}}}}}})";
  EXPECT_EQ(
      Violation(R"({"items": [{"name": "a"}, {"name": "b"}, {"name": 3}]})",
                schema),
      "$.items[2].name: expected string, got number");
  EXPECT_EQ(Violation(R"({"items": [{"name": "a"}]})", schema), "");
  EXPECT_EQ(Violation(R"([1])", schema), "$: expected object, got array");
}

TEST(JsonSchemaTest, TypeArraysAndIntegerVersusNumber) {
  EXPECT_EQ(Violation("2", R"({"type": "integer"})"), "");
  EXPECT_EQ(Violation("2.0", R"({"type": "integer"})"), "");
  EXPECT_EQ(Violation("-7", R"({"type": "integer"})"), "");
  EXPECT_EQ(Violation("2.5", R"({"type": "integer"})"),
            "$: expected integer, got number");
  EXPECT_EQ(Violation("2.5", R"({"type": "number"})"), "");
  EXPECT_EQ(Violation("null", R"({"type": ["string", "null"]})"), "");
  EXPECT_EQ(Violation("true", R"({"type": ["integer", "string", "null"]})"),
            "$: expected integer, string or null, got boolean");
  EXPECT_EQ(Violation(R"("1")", R"({"type": "number"})"),
            "$: expected number, got string");
}

TEST(JsonSchemaTest, RequiredAndAdditionalProperties) {
  const char* schema = R"({
    "type": "object", "required": ["user"], "additionalProperties": false,
    "properties": {"user": {"type": "object", "required": ["name", "email"],
                            "properties": {"name": {"type": "string"}}}}})";
  EXPECT_EQ(Violation(R"({"user": {"name": "Ana", "email": "a@b.c"}})", schema),
            "");
  EXPECT_EQ(Violation(R"({"user": {"name": "Ana"}})", schema),
            "$.user.email: required property missing");
  EXPECT_EQ(Violation(R"({})", schema), "$.user: required property missing");
  EXPECT_EQ(
      Violation(R"({"user": {"name": "A", "email": "e"}, "extra": 1})", schema),
      "$.extra: property not allowed (additionalProperties is false)");
  // additionalProperties as a schema applies to the undeclared members.
  EXPECT_EQ(Violation(R"({"a": 1, "b": "x"})",
                      R"({"additionalProperties": {"type": "integer"}})"),
            "$.b: expected integer, got string");
}

TEST(JsonSchemaTest, EnumAndConstCompareJsonValues) {
  EXPECT_EQ(Violation(R"("red")", R"({"enum": ["red", "green"]})"), "");
  EXPECT_EQ(Violation(R"("blue")", R"({"enum": ["red", "green"]})"),
            "$: not one of the 2 values the schema's enum allows");
  EXPECT_EQ(Violation("1.0", R"({"enum": [1, 2]})"), "");
  EXPECT_EQ(
      Violation(R"({"b": 2, "a": [1]})", R"({"const": {"a": [1], "b": 2}})"),
      "");
  EXPECT_EQ(
      Violation(R"({"a": [1], "b": 3})", R"({"const": {"a": [1], "b": 2}})"),
      "$: not the value the schema's const requires");
  EXPECT_EQ(Violation("null", R"({"const": null})"), "");
  EXPECT_EQ(Violation("0", R"({"const": null})"),
            "$: not the value the schema's const requires");
}

TEST(JsonSchemaTest, SizesAndBounds) {
  EXPECT_EQ(Violation("[1]", R"({"minItems": 2})"),
            "$: fewer items than minItems 2");
  EXPECT_EQ(Violation("[1, 2, 3]", R"({"maxItems": 2})"),
            "$: more items than maxItems 2");
  EXPECT_EQ(Violation(R"("")", R"({"minLength": 1})"),
            "$: shorter than minLength 1");
  // Lengths count characters, not bytes.
  EXPECT_EQ(Violation(R"("héllo")", R"({"maxLength": 5})"), "");
  EXPECT_EQ(Violation(R"("日本語")", R"({"maxLength": 3})"), "");
  EXPECT_EQ(Violation(R"("日本語です")", R"({"maxLength": 3})"),
            "$: longer than maxLength 3");
  EXPECT_EQ(Violation("-1", R"({"minimum": 0})"), "$: below minimum 0");
  EXPECT_EQ(Violation("0", R"({"minimum": 0, "maximum": 10})"), "");
  EXPECT_EQ(Violation("10.5", R"({"maximum": 10})"), "$: above maximum 10");
  EXPECT_EQ(Violation("0", R"({"exclusiveMinimum": 0})"),
            "$: not above exclusiveMinimum 0");
  EXPECT_EQ(Violation("10", R"({"exclusiveMaximum": 10})"),
            "$: not below exclusiveMaximum 10");
  // Draft 4's boolean form.
  EXPECT_EQ(Violation("0", R"({"minimum": 0, "exclusiveMinimum": true})"),
            "$: not above minimum 0");
  // Bounds that do not apply to the value's type are ignored.
  EXPECT_EQ(Violation(R"("abc")", R"({"minimum": 5, "minItems": 9})"), "");
}

TEST(JsonSchemaTest, AnyOfOneOfAllOf) {
  const char* any = R"({"anyOf": [{"type": "string"}, {"type": "integer"}]})";
  EXPECT_EQ(Violation(R"("x")", any), "");
  EXPECT_EQ(Violation("3", any), "");
  EXPECT_EQ(Violation("[3]", any),
            "$: matches none of the 2 anyOf alternatives");
  // oneOf is read as "at least one".
  EXPECT_EQ(
      Violation("3", R"({"oneOf": [{"type": "integer"}, {"minimum": 0}]})"),
      "");
  EXPECT_EQ(
      Violation(R"({"v": true})",
                R"({"properties": {"v": {"oneOf": [{"type": "string"}]}}})"),
      "$.v: matches none of the 1 oneOf alternatives");
  EXPECT_EQ(Violation("12", R"({"allOf": [{"minimum": 0}, {"maximum": 10}]})"),
            "$: above maximum 10");
}

TEST(JsonSchemaTest, LocalReferencesAndRecursiveSchemas) {
  // What pydantic and zod emit for nested models.
  const char* schema = R"({
    "$defs": {"Item": {"type": "object", "required": ["sku"],
                       "properties": {"sku": {"type": "string"}}}},
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/$defs/Item"}}}})";
  EXPECT_EQ(Violation(R"({"items": [{"sku": "A1"}]})", schema), "");
  EXPECT_EQ(Violation(R"({"items": [{"sku": "A1"}, {}]})", schema),
            "$.items[1].sku: required property missing");
  const char* tree = R"({
    "type": "object", "required": ["name"],
    "properties": {"name": {"type": "string"},
                   "children": {"type": "array", "items": {"$ref": "#"}}}})";
  EXPECT_EQ(
      Violation(
          R"({"name": "a", "children": [{"name": "b", "children": [{"name": 1}]}]})",
          tree),
      "$.children[0].children[0].name: expected string, got number");
  EXPECT_EQ(Violation("1", R"({"definitions": {"N": {"type": "string"}},
                                "$ref": "#/definitions/N"})"),
            "$: expected string, got number");
  // Remote references are not followed.
  EXPECT_EQ(Violation("1", R"({"$ref": "https://example.invalid/s.json"})"),
            "");
}

TEST(JsonSchemaTest, BooleanSchemasAndUnknownKeywords) {
  EXPECT_EQ(Violation(R"({"a": 1})", "true"), "");
  EXPECT_EQ(Violation(R"({"a": 1})", R"({"properties": {"a": false}})"),
            "$.a: no value is allowed here");
  EXPECT_EQ(Violation(R"("not-an-email")",
                      R"({"type": "string", "format": "email", "pattern": "^x$",
                          "title": "T", "x-vendor": {"anything": [1]}})"),
            "");
}

TEST(JsonSchemaTest, PathsEscapeKeysThatAreNotIdentifiers) {
  EXPECT_EQ(Violation(R"({"first name": 1})",
                      R"({"properties": {"first name": {"type": "string"}}})"),
            R"($["first name"]: expected string, got number)");
  EXPECT_EQ(Violation(R"({"名前": 1})",
                      R"({"properties": {"名前": {"type": "string"}}})"),
            R"($["\u540d\u524d"]: expected string, got number)");
}

TEST(JsonSchemaTest, MessagesNeverQuoteTheValue) {
  const std::string message = Violation(
      R"({"token": "sk-secret-123", "n": 99999})",
      R"({"properties": {"token": {"maxLength": 3}, "n": {"maximum": 5}}})");
  EXPECT_EQ(message, "$.token: longer than maxLength 3");
  EXPECT_EQ(
      Violation(R"({"n": 99999})", R"({"properties": {"n": {"maximum": 5}}})"),
      "$.n: above maximum 5");
}

TEST(JsonSchemaTest, TextIsCheckedBeforeTheSchema) {
  EXPECT_THAT(Violation("{oops", "{also not json"), StartsWith("not JSON: "));
  EXPECT_EQ(Violation("```json\n{\"a\": 1}\n```", R"({"required": ["a"]})"),
            "");
}

TEST(JsonSchemaTest, UnusableSchemasAreSchemaErrors) {
  struct Case {
    const char* value;
    const char* schema;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"{}", ""},
           {"{}", "{not json"},
           {"{}", "[1]"},
           {"{}", R"({"type": "strnig"})"},
           {"{}", R"({"type": []})"},
           {"{}", R"({"required": "a"})"},
           {"{}", R"({"properties": []})"},
           {"{}", R"({"enum": 3})"},
           {"{}", R"({"anyOf": []})"},
           {"{}", R"({"$ref": "#/$defs/Missing"})"},
           {"{}", R"({"$ref": 7})"},
           {R"({"a": 1})", R"({"additionalProperties": 1})"},
           // Size and bound keywords are read where they apply.
           {R"("abc")", R"({"minLength": -1})"},
           {"[]", R"({"maxItems": 1.5})"},
           {"3", R"({"minimum": "0"})"}}) {
    const Status status = CheckJsonAgainstSchema(c.value, c.schema);
    EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument) << c.schema;
    EXPECT_THAT(status.message(), StartsWith("schema: ")) << c.schema;
    EXPECT_TRUE(IsSchemaError(status)) << c.schema;
  }
  EXPECT_FALSE(
      IsSchemaError(CheckJsonAgainstSchema("1", R"({"type": "string"})")));
  EXPECT_FALSE(IsSchemaError(CheckJsonAgainstSchema("{", R"({})")));
  EXPECT_FALSE(IsSchemaError(Status::Ok()));
}

TEST(JsonSchemaTest, HostileSchemasAndValuesAreRefusedWithoutCrashing) {
  // Nesting in the value or the schema.
  EXPECT_THAT(Violation(Nested('[', ']', 100'000), "{}"),
              StartsWith("not JSON: nests deeper"));
  std::string deep_schema;
  for (int i = 0; i < 10'000; ++i) {
    deep_schema += R"({"items":)";
  }
  deep_schema += "{}" + std::string(10'000, '}');
  EXPECT_THAT(Violation("[]", deep_schema),
              StartsWith("schema: not JSON: nests"));
  // A $ref cycle that consumes no value.
  EXPECT_THAT(Violation("1", R"({"$ref": "#"})"),
              AllOf(StartsWith("schema: "), HasSubstr("a $ref cycle?")));
  EXPECT_THAT(Violation("1", R"({"$defs": {"A": {"$ref": "#/$defs/B"},
                                           "B": {"$ref": "#/$defs/A"}},
                                 "$ref": "#/$defs/A"})"),
              StartsWith("schema: "));
  // References that double the work at every level: bounded, not 2^40.
  std::string doubling = R"({"$defs": {"D0": {"type": "string"})";
  for (int i = 1; i <= 40; ++i) {
    const std::string previous = "\"#/$defs/D" + std::to_string(i - 1) + "\"";
    doubling += ", \"D" + std::to_string(i) +
                "\": {\"anyOf\": [{\"$ref\": " + previous +
                "}, {\"$ref\": " + previous + "}]}";
  }
  doubling += R"(}, "$ref": "#/$defs/D40"})";
  EXPECT_THAT(Violation("1", doubling),
              AllOf(StartsWith("schema: "), HasSubstr("too costly")));
  EXPECT_EQ(Violation(R"("fine")", doubling), "");
}

}  // namespace
}  // namespace duet::wire
