// `duet plan` as a user runs it: the guide's scenarios (policy.md §4) with
// the guide's own dollar figures, the same as JSON, a usage given by
// flags, and bad flags refused with exit code 2 naming the flag. Expected
// figures are the guide's, not the planner's output.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/integration_test.h"
#include "integration/run_duet.h"
#include "ledger/ledger_store.h"

namespace duet::integration {
namespace {

// Column 1 is the guide's price.
std::string GuidePrice(const std::string& section, const std::string& tier) {
  const std::vector<std::string> cells = Row(section, tier);
  return cells.size() > 1 ? cells[1] : "";
}

TEST(PlanCliTest, TheGuidesScenariosWithTheGuidesFigures) {
  const CommandResult result = RunDuet("plan");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string& out = result.output;
  // Heavy usage: 10M in, 2M out on Sonnet = $60.
  const std::string heavy = Section(out, "== heavy usage");
  EXPECT_NE(heavy.find("10M input + 2M output tokens a month"),
            std::string::npos)
      << heavy;
  EXPECT_EQ(GuidePrice(heavy, "sonnet"), "$60");
  // 1: 1.5M in, 1.5M out: Sonnet $27, Haiku $7.20.
  const std::string light = Section(out, "== 1. light personal use");
  EXPECT_NE(light.find("1.5M input + 1.5M output tokens a month"),
            std::string::npos)
      << light;
  EXPECT_EQ(GuidePrice(light, "sonnet"), "$27");
  EXPECT_EQ(GuidePrice(light, "haiku"), "$7.20");
  EXPECT_NE(light.find("guide's estimate: ~$5 electricity"), std::string::npos)
      << light;
  // 2: 15M in, 15M out: $270 and $72.
  const std::string developer = Section(out, "== 2. developer daily driver");
  EXPECT_NE(developer.find("15M input + 15M output"), std::string::npos)
      << developer;
  EXPECT_EQ(GuidePrice(developer, "sonnet"), "$270");
  EXPECT_EQ(GuidePrice(developer, "haiku"), "$72");
  EXPECT_NE(developer.find("guide's estimate: ~$15 electricity"),
            std::string::npos);
  // 3: 500M in, 500M out: $9,000 and $2,400; the $3,000 server pays for
  // itself against Haiku in 1-2 months.
  const std::string production = Section(out, "== 3. production app");
  EXPECT_NE(production.find("500M input + 500M output"), std::string::npos)
      << production;
  EXPECT_EQ(GuidePrice(production, "sonnet"), "$9,000");
  EXPECT_EQ(GuidePrice(production, "haiku"), "$2,400");
  const std::vector<std::string> server =
      Row(production, "$3,000 server with two RTX 3090s");
  ASSERT_GE(server.size(), 3u);
  const double months = std::stod(server[2]);  // haiku: "1.3 / 1.0"
  EXPECT_GE(months, 1.0);
  EXPECT_LE(months, 2.0);
}

TEST(PlanCliTest, JsonCarriesTheSameFigures) {
  const CommandResult result = RunDuet("plan --json");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Json plan = ParseJson(result.output);
  ASSERT_TRUE(plan.contains("plans")) << result.output;
  ASSERT_EQ(plan["plans"].size(), 4u);
  const auto guide_usd = [&](size_t scenario,
                             const std::string& tier) -> double {
    for (const Json& row : plan["plans"][scenario]["claude"]) {
      if (row["tier"] == tier) {
        return row["guide"]["monthly_usd"].get<double>();
      }
    }
    ADD_FAILURE() << "no tier " << tier;
    return -1;
  };
  EXPECT_DOUBLE_EQ(guide_usd(0, "sonnet"), 60);
  EXPECT_DOUBLE_EQ(guide_usd(1, "sonnet"), 27);
  EXPECT_DOUBLE_EQ(guide_usd(1, "haiku"), 7.2);
  EXPECT_DOUBLE_EQ(guide_usd(2, "sonnet"), 270);
  EXPECT_DOUBLE_EQ(guide_usd(2, "haiku"), 72);
  EXPECT_DOUBLE_EQ(guide_usd(3, "sonnet"), 9000);
  EXPECT_DOUBLE_EQ(guide_usd(3, "haiku"), 2400);
  EXPECT_EQ(plan["plans"][1]["input_tokens"], 1'500'000);
  EXPECT_EQ(plan["plans"][1]["claude"][0]["guide"]["model"],
            "claude-3-5-haiku-20241022");
  EXPECT_EQ(plan["assumptions"]["batch_discount"], 0.5);
  // The $3,000 server against Haiku at scenario 3: 1-2 months.
  const Json& server = plan["plans"][3]["break_even"][2];
  EXPECT_EQ(server["hardware_usd"], 3000);
  EXPECT_EQ(server["months"][0]["tier"], "haiku");
  EXPECT_GE(server["months"][0]["vs_guide"].get<double>(), 1.0);
  EXPECT_LE(server["months"][0]["vs_guide"].get<double>(), 2.0);
}

TEST(PlanCliTest, UsageFromFlags) {
  // 100 queries a day x (500 in + 500 out) = the guide's scenario 1.
  CommandResult result = RunDuet(
      "plan --queries-per-day 100 --input-tokens 500 --output-tokens 500");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::string mine = Section(result.output, "== your usage");
  EXPECT_NE(mine.find("1.5M input + 1.5M output tokens a month"),
            std::string::npos)
      << mine;
  EXPECT_EQ(GuidePrice(mine, "sonnet"), "$27");
  EXPECT_EQ(GuidePrice(mine, "haiku"), "$7.20");
  EXPECT_EQ(result.output.find("== 1."),
            std::string::npos);  // only the usage asked for

  // Monthly totals and your own hardware: $600 against the guide's $60
  // Sonnet month saves $60 - electricity, about 10.1 months.
  result = RunDuet("plan --input-mtok 10 --output-mtok 2 --hardware-usd 600");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  mine = Section(result.output, "== your usage");
  EXPECT_EQ(GuidePrice(mine, "sonnet"), "$60");
  const std::vector<std::string> hardware = Row(mine, "$600 your hardware");
  ASSERT_GE(hardware.size(), 4u);
  EXPECT_EQ(hardware[1], "$25 a month");  // $600 over 24 months
  EXPECT_EQ(hardware[3], "10.1 / 10.1");
}

TEST(PlanCliTest, PricedUpstreamsFromTheConfiguration) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("duet-plan-test-" + std::to_string(::getpid()) + ".toml");
  std::ofstream(path)
      << "[upstreams.together]\nbase_url = \"https://open.example\"\n"
         "models = [\"llama-3.3-70b\"]\ninput_price = 0.88\n"
         "output_price = 0.88\n";
  // 1.5M + 1.5M tokens at $0.88 per million: $2.64.
  const CommandResult result =
      RunDuet("plan --queries-per-day 100 --config '" + path.string() + "'");
  std::filesystem::remove(path);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(Row(result.output, "upstream together"),
            (std::vector<std::string>{"upstream together", "$2.64"}));
}

TEST(PlanCliTest, BadFlagsNameTheFlag) {
  struct Case {
    const char* arguments;
    const char* message;
  };
  const Case cases[] = {
      {"--queries-per-day abc",
       "duet plan: --queries-per-day: expected a number >= 0, got 'abc'"},
      {"--queries-per-month=-5",
       "duet plan: --queries-per-month: expected a number >= 0, got '-5'"},
      {"--queries-per-day 10 --input-tokens 1k",
       "duet plan: --input-tokens: expected a number >= 0, got '1k'"},
      {"--hardware-usd lots",
       "duet plan: --hardware-usd: expected a number >= 0, got 'lots'"},
      {"--queries-per-day 10 --queries-per-month 300",
       "duet plan: --queries-per-day and --queries-per-month cannot be used "
       "together"},
      {"--queries-per-day 10 --input-mtok 3",
       "duet plan: --queries-per-day and --input-mtok cannot be used together"},
      {"--output-tokens 300",
       "duet plan: --output-tokens needs --queries-per-day or "
       "--queries-per-month"},
      {"--input-mtok 3", "duet plan: --input-mtok needs --output-mtok"},
  };
  for (const Case& c : cases) {
    const CommandResult result = RunDuet(std::string("plan ") + c.arguments);
    EXPECT_EQ(result.exit_code, 2) << c.arguments;
    EXPECT_EQ(result.output, std::string(c.message) + "\n") << c.arguments;
  }
}

TEST(PlanCliTest, FromTheLedgerProjectsTheUsersOwnMonth) {
  const std::string dir = ::testing::TempDir() + "duet-plan-ledger";
  std::filesystem::remove_all(dir);
  const std::string path = dir + "/ledger.db";
  {
    Result<LedgerStore> store = LedgerStore::Open(path, {});
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    constexpr int64_t kDay = 86'400'000;
    LedgerEntry old;  // 15 days ago: the ledger covers 15 days
    old.request_id = "req_old";
    old.started_at_ms = now - 15 * kDay;
    old.usage = {.input_tokens = 900'000, .output_tokens = 500'000,
                 .cache_read_input_tokens = 100'000};
    old.cost_usd = 10.5;
    LedgerEntry recent;
    recent.request_id = "req_recent";
    recent.started_at_ms = now - 1'000;
    recent.usage = {.input_tokens = 500'000, .output_tokens = 250'000};
    recent.local = true;
    recent.cost_usd = 0.25;
    LedgerEntry too_old;  // outside the 30-day window
    too_old.request_id = "req_too_old";
    too_old.started_at_ms = now - 40 * kDay;
    too_old.usage = {.input_tokens = 99'000'000, .output_tokens = 99'000'000};
    ASSERT_TRUE(store->Insert(std::vector{old, recent, too_old}).ok());
  }
  CommandResult result = RunDuet("plan --from-ledger --ledger " + path);
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string mine = Section(result.output, "== your last 30 days (the ledger)");
  EXPECT_NE(mine.find("2 requests over 15.0 days, projected to 30 days; they cost "
                      "$10.75 ($10.50 of it cloud)"),
            std::string::npos)
      << mine;
  // 1.5M in + 0.75M out over 15 days, doubled: 3M in + 1.5M out a month;
  // at Sonnet 3.5's $3/$15 that is $9 + $22.50.
  EXPECT_NE(mine.find("3M input + 1.5M output tokens a month"), std::string::npos) << mine;
  EXPECT_EQ(GuidePrice(mine, "sonnet"), "$31.50");

  result = RunDuet("plan --from-ledger --ledger " + dir + "/none.db");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("no ledger at " + dir + "/none.db yet"), std::string::npos)
      << result.output;
  result = RunDuet("plan --from-ledger --queries-per-day 5 --ledger " + path);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  result = RunDuet("plan --ledger " + path);
  EXPECT_EQ(result.exit_code, 2) << result.output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace duet::integration
