// `duet report` as a user runs it, over a ledger file written here with
// LedgerStore: the January 2025 report in text and JSON, the other ways to
// name a period and a ledger, and the errors (no ledger yet: exit 1; a bad
// flag: exit 2 naming it). Expected figures are worked out by hand from
// the rows below, not copied from the command's output.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integration/integration_test.h"
#include "integration/run_duet.h"
#include "ledger/ledger_store.h"
#include "ledger/ledger_test_util.h"

namespace duet::integration {
namespace {

// Unix milliseconds of 00:00 UTC on that day, plus `seconds`.
int64_t At(int year, unsigned month, unsigned day, int64_t seconds = 0) {
  return duet::testing::UtcMidnightMs(year, month, day) + seconds * 1000;
}

LedgerEntry Entry(const std::string& id, int64_t at, const std::string& task,
                  bool local, const std::string& model, int64_t input,
                  int64_t output, double cost_usd) {
  LedgerEntry row;
  row.request_id = id;
  row.started_at_ms = at;
  row.api = "anthropic";
  row.side = local ? "local" : "cloud";
  row.task = task;
  row.rule = "task";
  row.backend = local ? "llama" : "anthropic";
  row.model = model;
  row.local = local;
  row.usage.input_tokens = input;
  row.usage.output_tokens = output;
  row.cost_usd = cost_usd;
  return row;
}

void SetTierCosts(LedgerEntry* row, double haiku, double sonnet, double opus) {
  row->claude_haiku_usd = haiku;
  row->claude_sonnet_usd = sonnet;
  row->claude_opus_usd = opus;
}

// January 2025: six requests, and rows and a loss either side of it.
void WriteLedger(const std::string& path) {
  Result<LedgerStore> store = LedgerStore::Open(path, {});
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  LedgerEntry qa = Entry("r1", At(2025, 1, 3), "chat/general_qa", true,
                         "qwen3-32b", 1000, 500, 0.01);
  qa.local_busy_seconds = 1800;
  SetTierCosts(&qa, 0.20, 0.75, 3.75);
  LedgerEntry draft = Entry("r2", At(2025, 1, 4), "writing/first_draft", true,
                            "qwen3-32b", 3000, 1500, 0.03);
  draft.local_busy_seconds = 5400;
  SetTierCosts(&draft, 0.60, 2.25, 11.25);
  LedgerEntry review = Entry("r3", At(2025, 1, 5), "coding/code_review", false,
                             "claude-sonnet-4-6", 10'000, 2'000, 0.06);
  SetTierCosts(&review, 0.016, 0.06, 0.30);
  // The client named Opus for a question the policy keeps local.
  LedgerEntry opus = Entry("r4", At(2025, 1, 6), "chat/general_qa", false,
                           "claude-opus-4-6", 2000, 1000, 1.20);
  opus.rule = "explicit_model";
  SetTierCosts(&opus, 0.10, 0.30, 1.20);
  // Claude was overloaded; the local model answered instead.
  LedgerEntry fallback = Entry("r5", At(2025, 1, 7), "coding/code_review", true,
                               "qwen3-32b", 500, 200, 0.004);
  fallback.side = "cloud";
  fallback.outcome = AnswerOutcome::kFallback;
  fallback.fallback_reason = "anthropic: Overloaded";
  SetTierCosts(&fallback, 0.01, 0.03, 0.15);
  // Too long for the local window.
  LedgerEntry refused =
      Entry("r6", At(2025, 1, 31, 86'399), "analysis/summarization", true,
            "qwen3-32b", 0, 0, 0);
  refused.outcome = AnswerOutcome::kError;
  refused.error_kind = "invalid_argument";
  refused.error_message =
      "prompt is too long: 9000 tokens > 8191 maximum (the context window of "
      "qwen3-32b is 8192 tokens)";
  // Outside January.
  const LedgerEntry december =
      Entry("r0", At(2025, 1, 1) - 1, "chat/general_qa", false,
            "claude-sonnet-4-6", 1, 1, 100);
  const LedgerEntry february = Entry("r7", At(2025, 2, 1), "chat/general_qa",
                                     false, "claude-sonnet-4-6", 1, 1, 100);
  ASSERT_TRUE(store
                  ->Insert(std::vector{december, qa, draft, review, opus,
                                       fallback, refused, february})
                  .ok());
  ASSERT_TRUE(store
                  ->RecordLoss({.at_ms = At(2025, 1, 15),
                                .rows = 7,
                                .reason = "ledger: database is locked"})
                  .ok());
  ASSERT_TRUE(
      store
          ->RecordLoss({.at_ms = At(2025, 2, 2), .rows = 99, .reason = "later"})
          .ok());
}

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        ::testing::TempDir() + "duet-report-cli-" + std::to_string(::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ + "/duet");
    path_ = dir_ + "/duet/ledger.db";
    WriteLedger(path_);
    config_ = dir_ + "/duet.toml";
    std::ofstream(config_) << "[costs]\nhardware_usd = 900\n"
                              "hardware_months = 30\n"
                              "[policy.budget]\nmonthly_usd = 50\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // $900 of hardware over 30 months ($30 a month) and a $50 monthly cap.
  std::string Report(const std::string& flags) const {
    return "report --ledger '" + path_ + "' --config '" + config_ + "' " +
           flags;
  }

  std::string dir_;
  std::string path_;
  std::string config_;
};

TEST_F(ReportCliTest, JanuaryInText) {
  const CommandResult result = RunDuet(Report("--month 2025-01"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string& out = result.output;
  EXPECT_NE(out.find("duet report: 2025-01-01 00:00 to 2025-02-01 00:00 UTC "
                     "(31 days)\nledger: " +
                     path_ + "\n"),
            std::string::npos)
      << out;

  const std::string totals = Section(out, "== Totals");
  EXPECT_EQ(Row(totals, "requests")[1], "6 (5 answered)");
  // 1,000 + 3,000 + 10,000 + 2,000 + 500 in; 500 + 1,500 + 2,000 + 1,000 +
  // 200 out.
  EXPECT_EQ(Row(totals, "tokens")[1], "16.5K in, 5.2K out");
  // $0.01 + $0.03 + $0.06 + $1.20 + $0.004; cloud $1.26.
  EXPECT_EQ(Row(totals, "spend")[1], "$1.30: cloud $1.26, local $0.04");
  EXPECT_EQ(Row(totals, "local busy")[1], "2.0 hours");
  // $30 a month for 31 days.
  EXPECT_EQ(Row(totals, "hardware")[1],
            "$31 ($30/month amortized, for 31 days)");
  EXPECT_EQ(Row(totals, "shadow")[1], "none");  // no shadow evaluation ran
  EXPECT_EQ(Row(totals, "total cost")[1], "$32.30 (spend + shadow + hardware)");

  const std::string sides = Section(out, "== Spend by side");
  EXPECT_EQ(Row(sides, "cloud"),
            (std::vector<std::string>{"cloud", "2", "12K", "3K", "$1.26"}));
  // The fallback was answered locally.
  EXPECT_EQ(Row(sides, "local"),
            (std::vector<std::string>{"local", "4", "4.5K", "2.2K", "$0.04"}));
  EXPECT_EQ(Row(Section(out, "== Spend by backend"), "anthropic")[4], "$1.26");
  const std::string models = Section(out, "== Spend by model");
  EXPECT_EQ(Row(models, "claude-opus-4-6")[4], "$1.20");
  EXPECT_EQ(Row(models, "qwen3-32b")[1], "4");

  // Sonnet: $0.75 + $2.25 + $0.06 + $0.30 + $0.03 = $3.39 against $1.304.
  const std::string savings =
      Section(out, "== Savings against sending everything to Claude");
  EXPECT_EQ(
      Row(savings, "sonnet"),
      (std::vector<std::string>{"sonnet", "$3.39", "$2.09", "62%", "-$28.91"}));
  EXPECT_EQ(Row(savings, "haiku")[2], "-$0.38");  // $0.926 - $1.304
  EXPECT_EQ(Row(savings, "opus")[1], "$16.65");

  const std::string mix = Section(out, "== Route mix by task");
  EXPECT_EQ(Row(mix, "code_review"),
            (std::vector<std::string>{"code_review", "2", "1", "1", "50%",
                                      "$0.06", "cloud/sonnet"}));
  EXPECT_EQ(Row(mix, "general_qa"),
            (std::vector<std::string>{"general_qa", "2", "1", "1", "50%",
                                      "$1.20", "local"}));
  EXPECT_LT(out.find("  code_review"), out.find("  summarization"));

  const std::string outcomes = Section(out, "== Outcomes");
  EXPECT_EQ(Row(outcomes, "ok")[1], "4");
  EXPECT_EQ(Row(outcomes, "fallback")[1], "1");
  EXPECT_EQ(Row(outcomes, "error")[1], "1");
  EXPECT_NE(outcomes.find("1  anthropic: Overloaded"), std::string::npos)
      << outcomes;
  EXPECT_NE(outcomes.find("1  invalid_argument"), std::string::npos)
      << outcomes;

  // Nothing was spent this month (the ledger is about January 2025).
  const std::string budget = Section(out, "== Budget");
  EXPECT_EQ(Row(budget, "overall"),
            (std::vector<std::string>{"overall", "month", "$0", "$50", "0%"}));

  const std::string losses = Section(out, "== Ledger losses");
  EXPECT_NE(losses.find("7 rows could not be written in this period"),
            std::string::npos)
      << losses;
  EXPECT_NE(losses.find("2025-01-15 00:00  7 rows: ledger: database is locked"),
            std::string::npos)
      << losses;

  const std::string signals = Section(out, "== Signals");
  // $1.20 of $1.26.
  EXPECT_NE(signals.find("overpaying: 95% of your cloud spend went to tasks"),
            std::string::npos)
      << signals;
  EXPECT_NE(signals.find("Opus used where Haiku would do: $1.20 of Opus"),
            std::string::npos)
      << signals;
  EXPECT_NE(signals.find("outgrown_local: you may have outgrown local"),
            std::string::npos)
      << signals;
  // $1.26 in 31 days is far below $30 a month of hardware.
  EXPECT_EQ(signals.find("projected"), std::string::npos) << signals;

  // Readable at 80 columns.
  size_t line_start = 0;
  while (line_start < out.size()) {
    const size_t line_end = out.find('\n', line_start);
    const std::string line = out.substr(line_start, line_end - line_start);
    if (line.find("ledger: /") != 0) {
      EXPECT_LE(line.size(), 80u) << line;
    }
    line_start = line_end == std::string::npos ? out.size() : line_end + 1;
  }
}

TEST_F(ReportCliTest, JanuaryInJson) {
  const CommandResult result = RunDuet(Report("--month 2025-01 --json"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const Json report = ParseJson(result.output);
  EXPECT_EQ(report["ledger"], path_);
  EXPECT_EQ(report["period"]["since"], "2025-01-01T00:00:00Z");
  EXPECT_EQ(report["period"]["until"], "2025-02-01T00:00:00Z");
  EXPECT_EQ(report["period"]["days"], 31);
  const Json& totals = report["totals"];
  EXPECT_EQ(totals["requests"], 6);
  EXPECT_EQ(totals["answered"], 5);
  EXPECT_EQ(totals["input_tokens"], 16'500);
  EXPECT_EQ(totals["output_tokens"], 5'200);
  EXPECT_DOUBLE_EQ(totals["spend_usd"].get<double>(), 1.304);
  EXPECT_DOUBLE_EQ(totals["cloud_spend_usd"].get<double>(), 1.26);
  EXPECT_DOUBLE_EQ(totals["electricity_usd"].get<double>(), 0.044);
  EXPECT_EQ(totals["local_busy_hours"], 2);
  EXPECT_EQ(totals["hardware_usd"], 31);
  EXPECT_DOUBLE_EQ(totals["total_cost_usd"].get<double>(), 32.304);
  EXPECT_EQ(report["by_side"][0]["side"], "cloud");
  EXPECT_EQ(report["by_model"][0]["model"], "claude-opus-4-6");
  const Json& sonnet = report["savings"][1];
  EXPECT_EQ(sonnet["tier"], "sonnet");
  EXPECT_DOUBLE_EQ(sonnet["claude_usd"].get<double>(), 3.39);
  EXPECT_DOUBLE_EQ(sonnet["saved_usd"].get<double>(), 2.086);
  EXPECT_NEAR(sonnet["saved_share"].get<double>(), 2.086 / 3.39, 1e-6);
  EXPECT_EQ(report["route_mix"][0]["task"], "code_review");
  EXPECT_EQ(report["route_mix"][0]["policy"]["side"], "cloud");
  EXPECT_EQ(report["outcomes"]["fallback_reasons"][0]["reason"],
            "anthropic: Overloaded");
  EXPECT_EQ(report["budget"]["caps"][0]["cap_usd"], 50);
  EXPECT_EQ(report["losses"]["rows"], 7);
  std::vector<std::string> signal_ids;
  for (const Json& signal : report["signals"]) {
    signal_ids.push_back(signal["id"].get<std::string>());
  }
  EXPECT_EQ(signal_ids, (std::vector<std::string>{"local_capable_cloud_spend",
                                                  "opus_where_haiku_would_do",
                                                  "outgrown_local"}));
  const Json& outgrown = report["signals"][2]["figures"];
  EXPECT_EQ(outgrown["context_refusals"], 1);
  EXPECT_EQ(outgrown["requests"], 6);
}

// The model name is what the upstream reported and a fallback reason quotes
// its error message: neither may drive the operator's terminal.
TEST_F(ReportCliTest, TextFromUpstreamsCannotDriveTheTerminal) {
  {
    Result<LedgerStore> store = LedgerStore::Open(path_, {});
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    LedgerEntry row = Entry("r8", At(2025, 1, 8), "chat/general_qa", false,
                            "evil\x1b[2J\x1b]0;owned\x07", 10, 10, 0.5);
    row.outcome = AnswerOutcome::kFallback;
    row.fallback_reason = "upstream: \x1b[31mred\r\nfake line \xC2\x9B" "0m";
    ASSERT_TRUE(store->Insert(std::vector{row}).ok());
  }
  const CommandResult result = RunDuet(Report("--month 2025-01"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string& out = result.output;
  for (const char control : {'\x1b', '\x07', '\r'}) {
    EXPECT_EQ(out.find(control), std::string::npos) << int{control};
  }
  EXPECT_EQ(out.find("\xC2\x9B"), std::string::npos);
  const std::vector<std::string> model =
      Row(Section(out, "== Spend by model"), "evil?[2J?]0;owned?");
  ASSERT_EQ(model.size(), 5u) << out;
  EXPECT_EQ(model[4], "$0.50");
  EXPECT_NE(Section(out, "== Outcomes")
                .find("1  upstream: ?[31mred??fake line ?0m"),
            std::string::npos)
      << out;
}

TEST_F(ReportCliTest, OtherWaysToNameThePeriodAndTheLedger) {
  const auto requests = [](const CommandResult& result) -> int64_t {
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return result.exit_code == 0
               ? ParseJson(result.output)["totals"]["requests"].get<int64_t>()
               : -1;
  };
  EXPECT_EQ(
      requests(RunDuet(Report("--since 2025-01-01 --until 2025-02-01 --json"))),
      6);
  EXPECT_EQ(requests(RunDuet(Report("--days 31 --until 2025-02-01 --json"))),
            6);
  // Until the 31st: the last row (on the 31st) is left out.
  EXPECT_EQ(
      requests(RunDuet(Report("--since 2025-01-01 --until 2025-01-31 --json"))),
      5);
  // The ledger from ledger.path, and from the default path.
  EXPECT_EQ(
      requests(RunDuet("report --month 2025-01 --json --set ledger.path='" +
                       path_ + "'")),
      6);
  EXPECT_EQ(requests(RunDuet("report --month 2025-01 --json",
                             "XDG_DATA_HOME='" + dir_ + "'")),
            6);
}

TEST_F(ReportCliTest, NoLedgerYet) {
  const std::string missing = dir_ + "/elsewhere/ledger.db";
  CommandResult result = RunDuet("report --ledger '" + missing + "'");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_EQ(result.output, "duet report: no ledger at " + missing +
                               " yet: run `duet serve` first (it records "
                               "every request there), or give --ledger PATH\n");
  // Neither XDG_DATA_HOME nor HOME: no default path.
  result = RunDuet("report");
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find("duet report: no ledger path"),
            std::string::npos)
      << result.output;
}

TEST_F(ReportCliTest, BadFlagsNameTheFlag) {
  struct Case {
    const char* flags;
    const char* message;
  };
  const Case cases[] = {
      {"--month 2025-1", "--month: expected a month YYYY-MM, got '2025-1'"},
      {"--since 2025-02-30",
       "--since: expected a date YYYY-MM-DD, got '2025-02-30'"},
      {"--until tomorrow",
       "--until: expected a date YYYY-MM-DD, got 'tomorrow'"},
      {"--days 0",
       "--days: expected a whole number of days from 1 to 36500, got '0'"},
      {"--days 1.5",
       "--days: expected a whole number of days from 1 to 36500, got '1.5'"},
      {"--since 2025-01-01 --days 3",
       "--since and --days cannot be used together"},
      {"--month 2025-01 --since 2025-01-01",
       "--since and --month cannot be used together"},
      {"--month 2025-01 --until 2025-01-10",
       "--month and --until cannot be used together"},
      {"--since 2025-02-01 --until 2025-01-01",
       "--until: the period from 2025-02-01 00:00 to 2025-01-01 00:00 UTC is "
       "empty (--until is exclusive)"},
  };
  for (const Case& c : cases) {
    const CommandResult result = RunDuet(Report(c.flags));
    EXPECT_EQ(result.exit_code, 2) << c.flags;
    EXPECT_EQ(result.output, "duet report: " + std::string(c.message) + "\n")
        << c.flags;
  }
}

}  // namespace
}  // namespace duet::integration
