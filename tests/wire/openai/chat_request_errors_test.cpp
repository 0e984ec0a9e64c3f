// ParseChatCompletionRequest on bad input: every validation error with its
// exact message, and hostile bodies (malformed, wrong types, invalid UTF-8,
// huge, deeply nested, truncated or corrupted) that must never crash.

#include <gtest/gtest.h>

#include <string>

#include "wire/openai/chat_request.h"

namespace duet::wire::openai {
namespace {

constexpr std::string_view kUserHi = R"({"role":"user","content":"Hi"})";

// The error message for `body`; fails the test when it parses or when the
// code is not kInvalidArgument.
std::string ErrorOf(std::string_view body) {
  Result<ChatRequest> result = ParseChatCompletionRequest(body);
  if (result.has_value()) {
    ADD_FAILURE() << "parsed, expected an error: " << body;
    return "";
  }
  EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument) << body;
  return result.error().message();
}

// A request with one user message and the extra top-level `fields`.
std::string WithFields(std::string_view fields) {
  return std::string(R"({"model":"m","messages":[)") + std::string(kUserHi) + "]," +
         std::string(fields) + "}";
}

// A request whose messages array is `messages`.
std::string WithMessages(std::string_view messages) {
  return std::string(R"({"model":"m","messages":)") + std::string(messages) + "}";
}

TEST(OpenAIChatRequestErrorsTest, RequiredTopLevelFields) {
  EXPECT_EQ(ErrorOf(R"({"messages":[{"role":"user","content":"Hi"}]})"),
            "model: Field required");
  EXPECT_EQ(ErrorOf(R"({"model":null,"messages":[]})"), "model: Field required");
  EXPECT_EQ(ErrorOf(R"({"model":"m"})"), "messages: Field required");
  EXPECT_EQ(ErrorOf(R"({"model":"m","messages":{}})"), "messages: expected an array");
  EXPECT_EQ(ErrorOf(R"({"model":"m","messages":[]})"),
            "messages: expected at least one message");
  EXPECT_EQ(ErrorOf(R"({"model":7,"messages":[]})"), "model: expected a string");
}

TEST(OpenAIChatRequestErrorsTest, MessageFieldsNameTheirPath) {
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":"a"},"hi"])")),
            "messages.1: expected an object");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":"a"},
                                     {"role":"assistant","content":"b"},{"content":"c"}])")),
            "messages.2.role: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"function","content":"a"}])")),
            "messages.0.role: expected one of system, developer, user, assistant, tool");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user"}])")),
            "messages.0.content: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"system","content":null}])")),
            "messages.0.content: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":42}])")),
            "messages.0.content: expected a string or an array of content parts");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":["hi"]}])")),
            "messages.0.content.0: expected an object");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":[{"text":"hi"}]}])")),
            "messages.0.content.0.type: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":[{"type":"text"}]}])")),
            "messages.0.content.0.text: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"tool","content":"x"}])")),
            "messages.0.tool_call_id: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"assistant","reasoning_content":7}])")),
            "messages.0.reasoning_content: expected a string");
}

TEST(OpenAIChatRequestErrorsTest, UnsupportedContentPartTypes) {
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":[{"type":"text","text":"a"},
      {"type":"input_audio","input_audio":{"data":"AAA=","format":"wav"}}]}])")),
            "messages.0.content.1.type: unsupported content part type \"input_audio\"");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":[
      {"type":"file","file":{"file_id":"file-1"}}]}])")),
            "messages.0.content.0.type: unsupported content part type \"file\"");
  // Images only in user turns; refusals only in assistant turns.
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"system","content":[
      {"type":"image_url","image_url":{"url":"https://x/y.png"}}]}])")),
            "messages.0.content.0.type: unsupported content part type \"image_url\"");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":[
      {"type":"refusal","refusal":"no"}]}])")),
            "messages.0.content.0.type: unsupported content part type \"refusal\"");
}

TEST(OpenAIChatRequestErrorsTest, BadImageUrls) {
  const std::string expected =
      "messages.0.content.0.image_url.url: expected a base64 data URL "
      "(data:<media type>;base64,<data>) or an http(s) URL";
  for (std::string_view url : {"ftp://x/y.png", "data:image/png,abc", "data:;base64,abc",
                               "data:image/png;base64,", "data:image/png;base64", "cat.png"}) {
    EXPECT_EQ(ErrorOf(WithMessages(std::string(R"([{"role":"user","content":[
        {"type":"image_url","image_url":{"url":")") + std::string(url) + R"("}}]}])")),
              expected)
        << url;
  }
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"user","content":[{"type":"image_url"}]}])")),
            "messages.0.content.0.image_url: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(
                R"([{"role":"user","content":[{"type":"image_url","image_url":"https://x"}]}])")),
            "messages.0.content.0.image_url: expected an object");
}

TEST(OpenAIChatRequestErrorsTest, BadToolCalls) {
  const auto call_error = [](std::string_view call) {
    return ErrorOf(WithMessages(std::string(R"([{"role":"user","content":"a"},
        {"role":"assistant","tool_calls":[)") + std::string(call) + "]}]"));
  };
  const std::string arguments = "messages.1.tool_calls.0.function.arguments";
  EXPECT_EQ(call_error(R"({"id":"c","function":{"name":"f","arguments":"[1,2]"}})"),
            arguments + ": expected a JSON object");
  EXPECT_EQ(call_error(R"({"id":"c","function":{"name":"f","arguments":"{\"a\":"}})"),
            arguments + ": invalid JSON");
  EXPECT_EQ(call_error(R"({"id":"c","function":{"name":"f","arguments":{"a":1}}})"),
            arguments + ": expected a string holding a JSON object");
  EXPECT_EQ(call_error(R"({"function":{"name":"f","arguments":"{}"}})"),
            "messages.1.tool_calls.0.id: Field required");
  EXPECT_EQ(call_error(R"({"id":"c","type":"custom","custom":{"name":"f","input":"x"}})"),
            "messages.1.tool_calls.0.type: unsupported tool call type \"custom\"");
  EXPECT_EQ(call_error(R"({"id":"c"})"), "messages.1.tool_calls.0.function: Field required");
  EXPECT_EQ(call_error(R"({"id":"c","function":{"arguments":"{}"}})"),
            "messages.1.tool_calls.0.function.name: Field required");
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"assistant","tool_calls":{}}])")),
            "messages.0.tool_calls: expected an array");
}

TEST(OpenAIChatRequestErrorsTest, BadTopLevelValues) {
  EXPECT_EQ(ErrorOf(WithFields(R"("n":2)")), "n: only n=1 is supported");
  EXPECT_EQ(ErrorOf(WithFields(R"("stop":["a","b","c","d","e"])")),
            "stop: expected at most 4 stop sequences");
  EXPECT_EQ(ErrorOf(WithFields(R"("stop":["a",1])")), "stop.1: expected a string");
  EXPECT_EQ(ErrorOf(WithFields(R"("stop":5)")), "stop: expected a string or an array of strings");
  EXPECT_EQ(ErrorOf(WithFields(R"("temperature":"hot")")), "temperature: expected a number");
  EXPECT_EQ(ErrorOf(WithFields(R"("stream":"yes")")), "stream: expected a boolean");
  EXPECT_EQ(ErrorOf(WithFields(R"("stream_options":true)")), "stream_options: expected an object");
  EXPECT_EQ(ErrorOf(WithFields(R"("max_tokens":1.5)")), "max_tokens: expected an integer");
  EXPECT_EQ(ErrorOf(WithFields(R"("max_completion_tokens":0)")),
            "max_completion_tokens: must be at least 1");
  // Out of int64 range: rejected before any conversion could overflow.
  EXPECT_EQ(ErrorOf(WithFields(R"("max_tokens":1e300)")), "max_tokens: expected an integer");
  EXPECT_EQ(ErrorOf(WithFields(R"("seed":18446744073709551615)")), "seed: expected an integer");
  EXPECT_EQ(ErrorOf(WithFields(R"("reasoning_effort":3)")), "reasoning_effort: expected a string");
  EXPECT_EQ(ErrorOf(WithFields(R"("user":{})")), "user: expected a string");
}

TEST(OpenAIChatRequestErrorsTest, BadLogprobsFields) {
  const std::string range = "top_logprobs: expected an integer between 0 and 20";
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":true,"top_logprobs":21)")), range);
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":true,"top_logprobs":-1)")), range);
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":true,"top_logprobs":2.5)")), range);
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":true,"top_logprobs":"3")")), range);
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":true,"top_logprobs":1e300)")), range);
  EXPECT_EQ(ErrorOf(WithFields(R"("top_logprobs":3)")),
            "top_logprobs: requires logprobs to be true");
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":false,"top_logprobs":3)")),
            "top_logprobs: requires logprobs to be true");
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":"yes")")), "logprobs: expected a boolean");
  EXPECT_EQ(ErrorOf(WithFields(R"("logprobs":1)")), "logprobs: expected a boolean");
}

TEST(OpenAIChatRequestErrorsTest, BadToolsToolChoiceAndResponseFormat) {
  EXPECT_EQ(ErrorOf(WithFields(R"("tools":{})")), "tools: expected an array");
  EXPECT_EQ(ErrorOf(WithFields(R"("tools":[{"type":"custom","custom":{"name":"x"}}])")),
            "tools.0.type: unsupported tool type \"custom\"; expected \"function\"");
  EXPECT_EQ(ErrorOf(WithFields(R"("tools":[{"type":"function"}])")),
            "tools.0.function: Field required");
  EXPECT_EQ(ErrorOf(WithFields(R"("tools":[{"type":"function","function":{"description":"d"}}])")),
            "tools.0.function.name: Field required");
  EXPECT_EQ(ErrorOf(WithFields(
                R"("tools":[{"type":"function","function":{"name":"f","parameters":[]}}])")),
            "tools.0.function.parameters: expected an object");
  EXPECT_EQ(ErrorOf(WithFields(R"("tool_choice":"any")")),
            "tool_choice: expected one of none, auto, required");
  EXPECT_EQ(ErrorOf(WithFields(R"("tool_choice":1)")),
            "tool_choice: expected a string or an object");
  EXPECT_EQ(ErrorOf(WithFields(R"("tool_choice":{"type":"allowed_tools","allowed_tools":{}})")),
            "tool_choice.type: unsupported tool_choice type \"allowed_tools\"; expected "
            "\"function\"");
  EXPECT_EQ(ErrorOf(WithFields(R"("tool_choice":{"type":"function","function":{}})")),
            "tool_choice.function.name: Field required");
  EXPECT_EQ(ErrorOf(WithFields(R"("parallel_tool_calls":0)")),
            "parallel_tool_calls: expected a boolean");
  EXPECT_EQ(ErrorOf(WithFields(R"("response_format":{"type":"yaml"})")),
            "response_format.type: expected one of text, json_object, json_schema");
  EXPECT_EQ(ErrorOf(WithFields(R"("response_format":{"type":"json_schema"})")),
            "response_format.json_schema: Field required");
  EXPECT_EQ(ErrorOf(WithFields(
                R"("response_format":{"type":"json_schema","json_schema":{"schema":true}})")),
            "response_format.json_schema.schema: expected an object");
}

TEST(OpenAIChatRequestErrorsTest, MalformedBodies) {
  EXPECT_EQ(ErrorOf("[]"), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf("null"), "request body must be a JSON object");
  EXPECT_EQ(ErrorOf("\"text\""), "request body must be a JSON object");
  for (std::string_view body : {"", "{", "{\"model\":", "{\"model\":\"m\",}", "nul", "{} {}",
                                "{'model':'m'}"}) {
    EXPECT_EQ(ErrorOf(body).rfind("malformed JSON body", 0), 0u) << body;
  }
  // A number too large for a double: nlohmann reports it with a different
  // exception type than syntax errors; still a client error, not a crash.
  EXPECT_FALSE(ErrorOf(R"({"model":"m","temperature":1e999999})").empty());
}

TEST(OpenAIChatRequestErrorsTest, InvalidUtf8IsRejectedNotPassedOn) {
  const std::string body = std::string(R"({"model":"m","messages":[{"role":"user","content":"a)") +
                           "\xFF\xC3" + R"("}]})";
  EXPECT_EQ(ErrorOf(body).rfind("malformed JSON body", 0), 0u);
}

TEST(OpenAIChatRequestErrorsTest, DeepNestingIsRejectedWithoutRecursing) {
  // 100,000 levels would overflow the stack of any recursive walk.
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(ErrorOf(WithFields(R"("metadata":)" + deep)),
            "request body: JSON nests deeper than 128 levels");
  std::string deep_arguments = "{\\\"a\\\":";
  deep_arguments += std::string(1000, '[') + std::string(1000, ']') + "}";
  EXPECT_EQ(ErrorOf(WithMessages(R"([{"role":"assistant","tool_calls":[{"id":"c",
      "function":{"name":"f","arguments":")" + deep_arguments + R"("}}]}])")),
            "messages.0.tool_calls.0.function.arguments: JSON nests deeper than 128 levels");
  // Brackets inside strings do not count.
  const std::string brackets(1000, '[');
  EXPECT_TRUE(ParseChatCompletionRequest(
                  WithMessages(R"([{"role":"user","content":")" + brackets + R"("}])"))
                  .has_value());
}

TEST(OpenAIChatRequestErrorsTest, HugeTextIsCarriedWhole) {
  const std::string text(4 * 1024 * 1024, 'x');
  Result<ChatRequest> result =
      ParseChatCompletionRequest(WithMessages(R"([{"role":"user","content":")" + text + R"("}])"));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->messages[0].content[0].text.size(), text.size());
}

// A compact fuzz: every truncation and a handful of corruptions of a rich
// body must give a value or kInvalidArgument, never a crash (the sanitizer
// build catches UB).
TEST(OpenAIChatRequestErrorsTest, TruncatedAndCorruptedBodiesNeverCrash) {
  const std::string body = R"({"model":"m","messages":[
      {"role":"system","content":"s"},
      {"role":"user","content":[{"type":"text","text":"t"},
        {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]},
      {"role":"assistant","content":null,"reasoning_content":"r","tool_calls":[
        {"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":[1,2.5,null]}"}}]},
      {"role":"tool","tool_call_id":"c","content":"ok"}],
    "max_tokens":9,"stop":["x"],"temperature":0.5,"n":1,"stream":true,
    "stream_options":{"include_usage":true},
    "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
    "tool_choice":{"type":"function","function":{"name":"f"}},"parallel_tool_calls":false,
    "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{}}},
    "reasoning_effort":"low","user":"u","logit_bias":{"1":-100}})";
  ASSERT_TRUE(ParseChatCompletionRequest(body).has_value());
  int errors = 0;
  for (size_t length = 0; length < body.size(); ++length) {
    Result<ChatRequest> result = ParseChatCompletionRequest(body.substr(0, length));
    if (!result.has_value()) {
      EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
      ++errors;
    }
  }
  EXPECT_EQ(errors, static_cast<int>(body.size()));  // No prefix is a whole object.
  for (size_t position = 0; position < body.size(); ++position) {
    for (char replacement : {'"', '{', ']', '0', 'n', '\\', '\x80'}) {
      std::string corrupted = body;
      corrupted[position] = replacement;
      Result<ChatRequest> result = ParseChatCompletionRequest(corrupted);
      if (!result.has_value()) {
        EXPECT_EQ(result.error().code(), ErrorCode::kInvalidArgument);
      }
    }
  }
}

}  // namespace
}  // namespace duet::wire::openai
