// ClaudeCatalog: the built-in catalogue loads and matches the price table
// it was written from; bad catalogues are refused with the place named.
#include "model/claude_catalog.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

// List prices, USD per million tokens.
struct Prices {
  double input, output, cache_5m, cache_1h, cache_read;
};

void ExpectPrices(const ClaudeModel& model, const Prices& prices) {
  EXPECT_DOUBLE_EQ(model.input_price, prices.input) << model.id;
  EXPECT_DOUBLE_EQ(model.output_price, prices.output) << model.id;
  EXPECT_DOUBLE_EQ(model.cache_write_5m_price, prices.cache_5m) << model.id;
  EXPECT_DOUBLE_EQ(model.cache_write_1h_price, prices.cache_1h) << model.id;
  EXPECT_DOUBLE_EQ(model.cache_read_price, prices.cache_read) << model.id;
}

TEST(ClaudeCatalogTest, BuiltInCatalogueParsesAndKnowsAliases) {
  Result<ClaudeCatalog> parsed = ClaudeCatalog::Load("");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  const ClaudeCatalog& catalog = *parsed;
  EXPECT_GE(catalog.models().size(), 9u);
  const ClaudeModel* haiku = catalog.Find("claude-haiku-4-5-20251001");
  ASSERT_NE(haiku, nullptr);
  EXPECT_EQ(haiku->id, "claude-haiku-4-5");
  EXPECT_EQ(haiku->tier, "haiku");
  EXPECT_EQ(catalog.Find("claude-nonexistent"), nullptr);
}

TEST(ClaudeCatalogTest, BuiltInPricesMatchTheProtocolReference) {
  // protocols.md §2: USD per million tokens.
  struct Row {
    const char* id;
    Prices prices;
    int64_t context;
  };
  const Row rows[] = {
      {"claude-haiku-4-5", {1, 5, 1.25, 2, 0.10}, 200'000},
      {"claude-sonnet-4-5", {3, 15, 3.75, 6, 0.30}, 200'000},
      {"claude-opus-4-5", {5, 25, 6.25, 10, 0.50}, 200'000},
      {"claude-sonnet-5", {2, 10, 2.50, 4, 0.20}, 1'000'000},
  };
  for (const Row& row : rows) {
    const ClaudeModel* model = ClaudeCatalog::BuiltIn().Find(row.id);
    ASSERT_NE(model, nullptr) << row.id;
    ExpectPrices(*model, row.prices);
    EXPECT_EQ(model->context_window, row.context) << row.id;
  }
  EXPECT_TRUE(ClaudeCatalog::BuiltIn().Find("claude-sonnet-5")->fixed_sampling);
  EXPECT_TRUE(ClaudeCatalog::BuiltIn().Find("claude-opus-4-7")->adaptive_thinking_only);
  EXPECT_FALSE(ClaudeCatalog::BuiltIn().Find("claude-opus-4-5")->adaptive_thinking_only);
}

TEST(ClaudeCatalogTest, DefaultsForOptionalKeys) {
  Result<ClaudeCatalog> parsed =
      ClaudeCatalog::Parse("[[model]]\nid = \"m\"\n", "test.toml");
  ASSERT_TRUE(parsed);
  const ClaudeModel& model = parsed->models().at(0);
  EXPECT_EQ(model.display_name, "m");
  EXPECT_EQ(model.tier, "other");
  EXPECT_FALSE(model.fixed_sampling);
  EXPECT_FALSE(model.retired);
  EXPECT_EQ(parsed->batch_discount(), 0.5);
}

TEST(ClaudeCatalogTest, TheGuidesRetiredModelsKeepTheirPrices) {
  // protocols.md §2.1: the three models the guide priced (policy.md §3).
  struct Row {
    const char* alias;
    const char* id;
    const char* tier;
    Prices prices;
    int64_t max_output;
  };
  const Row rows[] = {
      {"claude-3-5-haiku-latest", "claude-3-5-haiku-20241022", "haiku",
       {0.80, 4, 1.00, 1.60, 0.08}, 8192},
      {"claude-3-5-sonnet-latest", "claude-3-5-sonnet-20241022", "sonnet",
       {3, 15, 3.75, 6, 0.30}, 8192},
      {"claude-3-5-sonnet-20240620", "claude-3-5-sonnet-20241022", "sonnet",
       {3, 15, 3.75, 6, 0.30}, 8192},
      {"claude-3-opus-latest", "claude-3-opus-20240229", "opus", {15, 75, 18.75, 30, 1.50}, 4096},
  };
  for (const Row& row : rows) {
    const ClaudeModel* model = ClaudeCatalog::BuiltIn().Find(row.alias);
    ASSERT_NE(model, nullptr) << row.alias;
    EXPECT_EQ(model->id, row.id);
    EXPECT_EQ(model->tier, row.tier);
    EXPECT_TRUE(model->retired) << row.id;
    ExpectPrices(*model, row.prices);
    EXPECT_EQ(model->max_output_tokens, row.max_output) << row.id;
  }
  // The Message Batches API halves every price.
  EXPECT_EQ(ClaudeCatalog::BuiltIn().batch_discount(), 0.5);
  EXPECT_FALSE(ClaudeCatalog::BuiltIn().Find("claude-haiku-4-5")->retired);
}

TEST(ClaudeCatalogTest, RetiredModelsAreFoundButNotSendable) {
  Result<ClaudeCatalog> parsed = ClaudeCatalog::Parse(
      "batch_discount = 0.25\n"
      "[[model]]\nid = \"old\"\naliases = [\"old-latest\"]\nretired = true\n"
      "[[model]]\nid = \"new\"\nretired = false\n",
      "test.toml");
  ASSERT_TRUE(parsed) << parsed.error().ToString();
  EXPECT_EQ(parsed->batch_discount(), 0.25);
  ASSERT_NE(parsed->Find("old-latest"), nullptr);
  EXPECT_TRUE(parsed->Find("old-latest")->retired);

  Result<const ClaudeModel*> retired = parsed->FindSendable("old-latest");
  ASSERT_FALSE(retired);
  EXPECT_EQ(retired.error(),
            NotFound("model: old-latest: retired; duet does not send requests to it"));
  Result<const ClaudeModel*> unknown = parsed->FindSendable("nope");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error(), NotFound("model: nope"));
  Result<const ClaudeModel*> current = parsed->FindSendable("new");
  ASSERT_TRUE(current);
  EXPECT_EQ((*current)->id, "new");
}

TEST(ClaudeCatalogTest, BadCataloguesNameTheProblem) {
  struct Case {
    const char* toml;
    const char* message;
  };
  const Case cases[] = {
      {"[[model]]\nname = \"x\"\n", "test.toml: model 1.id: required"},
      {"[[model]]\nid = \"a\"\ninput = -1\n", "test.toml: model a.input: expected a number >= 0"},
      {"[[model]]\nid = \"a\"\ncontext_window = 0\n",
       "test.toml: model a.context_window: expected an integer > 0"},
      {"[[model]]\nid = \"a\"\ntier = \"huge\"\n",
       "test.toml: model a.tier: expected haiku, sonnet, opus or other"},
      {"[[model]]\nid = \"a\"\ncolour = 1\n", "test.toml: model a.colour: unknown key"},
      {"[[model]]\nid = \"a\"\n[[model]]\nid = \"b\"\naliases = [\"a\"]\n",
       "test.toml: model b: 'a' is listed twice"},
      {"models = 1\n",
       "test.toml: models: unknown key (batch_discount and [[model]] tables only)"},
      {"[[model]]\nid = \"a\"\nretired = \"yes\"\n",
       "test.toml: model a.retired: expected true or false"},
      {"batch_discount = 1\n[[model]]\nid = \"a\"\n",
       "test.toml: batch_discount: expected a number in [0, 1)"},
      {"batch_discount = -0.1\n[[model]]\nid = \"a\"\n",
       "test.toml: batch_discount: expected a number in [0, 1)"},
      {"batch_discount = \"half\"\n[[model]]\nid = \"a\"\n",
       "test.toml: batch_discount: expected a number in [0, 1)"},
  };
  for (const Case& c : cases) {
    Result<ClaudeCatalog> parsed = ClaudeCatalog::Parse(c.toml, "test.toml");
    ASSERT_FALSE(parsed) << c.toml;
    EXPECT_EQ(parsed.error().message(), c.message);
  }
  EXPECT_EQ(ClaudeCatalog::Load("/nonexistent/catalog.toml").error().code(),
            ErrorCode::kNotFound);
}

}  // namespace
}  // namespace duet
