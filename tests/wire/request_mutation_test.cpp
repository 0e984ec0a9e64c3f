// Hostile input for both request parsers: every value of a rich request
// replaced by each other JSON type, every truncation, and random byte
// changes. The contracts under test (messages_request.h, chat_request.h):
// a parser never crashes, fails only with kInvalidArgument and a message,
// and whatever it accepts survives Write then Parse unchanged.
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "wire/anthropic/messages_request.h"
#include "wire/openai/chat_request.h"

namespace duet::wire {
namespace {

using Json = nlohmann::ordered_json;

struct Adapter {
  const char* name;
  std::function<Result<ChatRequest>(std::string_view)> parse;
  std::function<std::string(const ChatRequest&)> write;
  std::string seed;  // a request that uses most of the protocol
};

const std::vector<Adapter>& Adapters() {
  static const std::vector<Adapter> adapters = {
      {"anthropic",
       [](std::string_view body) {
         return anthropic::ParseMessagesRequest(body);
       },
       anthropic::WriteMessagesRequest,
       R"({"model":"m","max_tokens":2048,"stream":true,
"system":[{"type":"text","text":"Be brief.","cache_control":{"type":"ephemeral"}}],
"metadata":{"user_id":"u1"},"stop_sequences":["###"],
"temperature":0.5,"top_p":0.9,"top_k":40,
"thinking":{"type":"enabled","budget_tokens":1024},
"tool_choice":{"type":"auto"},
"tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],
"messages":[
{"role":"user","content":[{"type":"text","text":"Look"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]},
{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"sig"},{"type":"text","text":"Checking."},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}],"is_error":false},{"type":"text","text":"And?"}]}]})"},
      {"openai",
       [](std::string_view body) {
         return openai::ParseChatCompletionRequest(body);
       },
       openai::WriteChatCompletionRequest,
       R"({"model":"m","max_completion_tokens":2048,"stream":true,
"stream_options":{"include_usage":true},"stop":["###"],
"temperature":0.5,"top_p":0.9,"seed":7,"user":"u1",
"response_format":{"type":"json_object"},
"tool_choice":"auto",
"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
"messages":[
{"role":"system","content":"Be brief."},
{"role":"user","content":[{"type":"text","text":"Look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo="}}]},
{"role":"assistant","content":"Checking.","tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
{"role":"tool","tool_call_id":"call_1","content":"sunny"},
{"role":"user","content":"And?"}]})"},
  };
  return adapters;
}

// Checks the contracts for one body; returns true when it was accepted.
bool CheckContracts(const Adapter& adapter, std::string_view body) {
  Result<ChatRequest> parsed = adapter.parse(body);
  if (!parsed) {
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument)
        << parsed.error().message() << "\nbody: " << body;
    EXPECT_FALSE(parsed.error().message().empty()) << body;
    return false;
  }
  const std::string written = adapter.write(*parsed);
  Result<ChatRequest> reparsed = adapter.parse(written);
  EXPECT_TRUE(reparsed.has_value())
      << (reparsed ? "" : reparsed.error().message()) << "\nbody: " << body
      << "\nwritten: " << written;
  if (reparsed) {
    EXPECT_TRUE(*reparsed == *parsed) << "body: " << body
                                      << "\nwritten: " << written;
  }
  return true;
}

// Every JSON value in `root`, by JSON pointer.
void CollectPointers(const Json& value, const Json::json_pointer& at,
                     std::vector<Json::json_pointer>* out) {
  out->push_back(at);
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) {
      CollectPointers(child, at / key, out);
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      CollectPointers(value[i], at / i, out);
    }
  }
}

class RequestMutationTest : public ::testing::TestWithParam<Adapter> {};

TEST_P(RequestMutationTest, SeedIsAcceptedAndRoundTrips) {
  EXPECT_TRUE(CheckContracts(GetParam(), GetParam().seed));
}

TEST_P(RequestMutationTest, EveryValueReplacedByEveryOtherType) {
  const Adapter& adapter = GetParam();
  const Json seed = Json::parse(adapter.seed);
  std::vector<Json::json_pointer> pointers;
  CollectPointers(seed, Json::json_pointer(), &pointers);
  const std::vector<Json> replacements = {
      nullptr, true, 0, -1, 1.5, 1e300, "", "text", Json::array(),
      Json::array({1, "a"}), Json::object(), Json::object({{"type", "x"}})};
  int accepted = 0;
  int rejected = 0;
  for (const Json::json_pointer& pointer : pointers) {
    for (const Json& replacement : replacements) {
      Json mutant = seed;
      mutant[pointer] = replacement;
      SCOPED_TRACE(pointer.to_string() + " = " + replacement.dump());
      (CheckContracts(adapter, mutant.dump()) ? accepted : rejected)++;
    }
    if (!pointer.empty()) {
      Json mutant = seed;
      mutant.at(pointer.parent_pointer()).is_object()
          ? static_cast<void>(
                mutant.at(pointer.parent_pointer()).erase(pointer.back()))
          : static_cast<void>(mutant.at(pointer.parent_pointer())
                                  .erase(std::stoul(pointer.back())));
      SCOPED_TRACE("removed " + pointer.to_string());
      (CheckContracts(adapter, mutant.dump()) ? accepted : rejected)++;
    }
  }
  // Both outcomes occur: the parser neither accepts nor rejects blindly.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

TEST_P(RequestMutationTest, EveryTruncationIsRejectedCleanly) {
  const std::string& seed = GetParam().seed;
  for (size_t length = 0; length < seed.size(); ++length) {
    SCOPED_TRACE(length);
    Result<ChatRequest> parsed = GetParam().parse(seed.substr(0, length));
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
  }
}

TEST_P(RequestMutationTest, RandomByteChangesNeverBreakTheContracts) {
  const Adapter& adapter = GetParam();
  std::mt19937 random(20261125);  // fixed: failures reproduce
  const std::string alphabet = "{}[]\",:\\0123456789.eE-+ntrufalsu\x80\xff ";
  for (int round = 0; round < 3000; ++round) {
    std::string mutant = adapter.seed;
    const int changes = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < changes; ++i) {
      const size_t at = random() % mutant.size();
      const char with = alphabet[random() % alphabet.size()];
      switch (random() % 3) {
        case 0:
          mutant[at] = with;
          break;
        case 1:
          mutant.insert(mutant.begin() + static_cast<std::ptrdiff_t>(at), with);
          break;
        default:
          mutant.erase(at, 1);
          break;
      }
    }
    SCOPED_TRACE(mutant);
    CheckContracts(adapter, mutant);
    if (HasFailure()) {
      return;  // one reproducible case is enough
    }
  }
}

TEST_P(RequestMutationTest, DeepNestingIsRejectedNotRecursedInto) {
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  Json seed = Json::parse(GetParam().seed);
  std::string body = seed.dump();
  body.insert(1, "\"extra_field\":" + deep + ",");
  Result<ChatRequest> parsed = GetParam().parse(body);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code(), ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(
    BothApis, RequestMutationTest, ::testing::ValuesIn(Adapters()),
    [](const ::testing::TestParamInfo<Adapter>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace duet::wire
