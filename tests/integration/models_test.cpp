// GET /health, GET /v1/models and GET /v1/models/{id} against the real
// binary: the model list must satisfy both SDKs (protocols.md §1.13, §3.5).
#include <set>

#include "integration/integration_test.h"

namespace duet::integration {
namespace {

class ModelsTest : public SharedServerTest<ModelsTest> {};

HttpRequest Get(std::string target, Headers headers = {}) {
  HttpRequest request;
  request.method = "GET";
  request.target = std::move(target);
  request.headers = std::move(headers);
  return request;
}

TEST_F(ModelsTest, HealthAnswersOk) {
  const auto response = Fetch(port(), Get("/health"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(ParseJson(response->body), Json({{"status", "ok"}}));
  EXPECT_FALSE(response->chunked);
  EXPECT_EQ(response->Header("content-length"),
            std::to_string(response->body.size()));
  EXPECT_EQ(response->Header("server"), "duet");
}

TEST_F(ModelsTest, ListCarriesBothSdkShapes) {
  const auto response = Fetch(port(), Get("/v1/models"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->Header("content-type"), "application/json");
  EXPECT_EQ(response->Header("request-id").rfind("req_", 0), 0u);
  EXPECT_EQ(response->Header("x-request-id"), response->Header("request-id"));
  const Json body = ParseJson(response->body);
  // OpenAI: {"object":"list","data":[{id, object, created, owned_by}]}.
  EXPECT_EQ(body["object"], "list");
  // Anthropic: {"data":[{type, id, display_name, created_at}], has_more,
  // first_id, last_id}.
  EXPECT_EQ(body["has_more"], false);
  ASSERT_TRUE(body["data"].is_array());
  std::set<std::string> ids;
  for (const Json& model : body["data"]) {
    ids.insert(model.value("id", ""));
    EXPECT_EQ(model["object"], "model") << model;
    EXPECT_EQ(model["type"], "model") << model;
    EXPECT_TRUE(model["created"].is_number_integer()) << model;
    EXPECT_EQ(model["owned_by"], "duet-test") << model;
    EXPECT_TRUE(model["display_name"].is_string()) << model;
    EXPECT_TRUE(model["created_at"].is_string()) << model;
  }
  EXPECT_EQ(ids, (std::set<std::string>{"scripted-1", "scripted-2"}));
  EXPECT_EQ(body["first_id"], body["data"].front()["id"]);
  EXPECT_EQ(body["last_id"], body["data"].back()["id"]);
}

TEST_F(ModelsTest, GetOneModel) {
  const auto response = Fetch(port(), Get("/v1/models/scripted-1"));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(response->status, 200);
  const Json model = ParseJson(response->body);
  EXPECT_EQ(model["id"], "scripted-1");
  EXPECT_EQ(model["object"], "model");
  EXPECT_EQ(model["type"], "model");
  EXPECT_EQ(model["owned_by"], "duet-test");
  EXPECT_EQ(model["max_input_tokens"], 32768);
  EXPECT_EQ(model["max_tokens"], 8192);
}

TEST_F(ModelsTest, UnknownModelIsNotFoundInOpenAIShape) {
  const auto response = Fetch(port(), Get("/v1/models/no-such-model"));
  ASSERT_TRUE(response.has_value());
  const Json error =
      ExpectOpenAIError(*response, 404, "invalid_request_error");
  EXPECT_EQ(error["code"], "model_not_found");
  EXPECT_NE(error.value("message", "").find("no-such-model"),
            std::string::npos);
}

TEST_F(ModelsTest, UnknownModelIsNotFoundInAnthropicShape) {
  const auto response =
      Fetch(port(), Get("/v1/models/no-such-model",
                        {{"anthropic-version", "2023-06-01"}}));
  ASSERT_TRUE(response.has_value());
  EXPECT_EQ(ExpectAnthropicError(*response, 404, "not_found_error"),
            "model: no-such-model");
}

}  // namespace
}  // namespace duet::integration
