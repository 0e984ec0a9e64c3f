// ClaudeCatalog: the built-in catalogue loads and matches the price table
// it was written from; bad catalogues are refused with the place named.
#include "model/claude_catalog.h"

#include <gtest/gtest.h>

namespace duet {
namespace {

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
    double input, output, cache_5m, cache_1h, cache_read;
    int64_t context;
  };
  const Row rows[] = {
      {"claude-haiku-4-5", 1, 5, 1.25, 2, 0.10, 200'000},
      {"claude-sonnet-4-5", 3, 15, 3.75, 6, 0.30, 200'000},
      {"claude-opus-4-5", 5, 25, 6.25, 10, 0.50, 200'000},
      {"claude-sonnet-5", 2, 10, 2.50, 4, 0.20, 1'000'000},
  };
  for (const Row& row : rows) {
    const ClaudeModel* model = ClaudeCatalog::BuiltIn().Find(row.id);
    ASSERT_NE(model, nullptr) << row.id;
    EXPECT_DOUBLE_EQ(model->input_price, row.input) << row.id;
    EXPECT_DOUBLE_EQ(model->output_price, row.output) << row.id;
    EXPECT_DOUBLE_EQ(model->cache_write_5m_price, row.cache_5m) << row.id;
    EXPECT_DOUBLE_EQ(model->cache_write_1h_price, row.cache_1h) << row.id;
    EXPECT_DOUBLE_EQ(model->cache_read_price, row.cache_read) << row.id;
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
      {"models = 1\n", "test.toml: models: unknown key ([[model]] tables only)"},
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
