#include "ledger/ledger_store.h"

#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/ledger_test_util.h"

namespace duet {
namespace {

using testing::SampleEntry;
using testing::ScratchDir;

std::vector<LedgerEntry> ReadAll(LedgerStore& store) {
  std::vector<LedgerEntry> rows;
  EXPECT_TRUE(store.ForEach(0, INT64_MAX, [&](const LedgerEntry& e) { rows.push_back(e); })
                  .ok());
  return rows;
}

void ExpectSameEntry(const LedgerEntry& a, const LedgerEntry& b) {
  EXPECT_EQ(a.request_id, b.request_id);
  EXPECT_EQ(a.started_at_ms, b.started_at_ms);
  EXPECT_EQ(a.client_key, b.client_key);
  EXPECT_EQ(a.api, b.api);
  EXPECT_EQ(a.requested_model, b.requested_model);
  EXPECT_EQ(a.stream, b.stream);
  EXPECT_EQ(a.side, b.side);
  EXPECT_EQ(a.task, b.task);
  EXPECT_EQ(a.rule, b.rule);
  EXPECT_EQ(a.reason, b.reason);
  EXPECT_EQ(a.sensitive, b.sensitive);
  EXPECT_EQ(a.fallback_reason, b.fallback_reason);
  EXPECT_EQ(a.backend, b.backend);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.local, b.local);
  EXPECT_EQ(a.usage, b.usage);
  EXPECT_EQ(a.stop_reason, b.stop_reason);
  EXPECT_EQ(a.ttft_ms, b.ttft_ms);
  EXPECT_EQ(a.latency_ms, b.latency_ms);
  EXPECT_DOUBLE_EQ(a.local_busy_seconds, b.local_busy_seconds);
  EXPECT_EQ(a.outcome, b.outcome);
  EXPECT_EQ(a.error_kind, b.error_kind);
  EXPECT_EQ(a.error_message, b.error_message);
  EXPECT_DOUBLE_EQ(a.cost_usd, b.cost_usd);
  EXPECT_DOUBLE_EQ(a.claude_haiku_usd, b.claude_haiku_usd);
  EXPECT_DOUBLE_EQ(a.claude_sonnet_usd, b.claude_sonnet_usd);
  EXPECT_DOUBLE_EQ(a.claude_opus_usd, b.claude_opus_usd);
  EXPECT_EQ(a.prompt, b.prompt);
  EXPECT_EQ(a.answer, b.answer);
  EXPECT_EQ(a.escalation, b.escalation);
  EXPECT_EQ(a.escalation_reason, b.escalation_reason);
  EXPECT_EQ(a.local_attempt_model, b.local_attempt_model);
  EXPECT_EQ(a.local_attempt_input_tokens, b.local_attempt_input_tokens);
  EXPECT_EQ(a.local_attempt_output_tokens, b.local_attempt_output_tokens);
  EXPECT_DOUBLE_EQ(a.local_attempt_seconds, b.local_attempt_seconds);
  EXPECT_DOUBLE_EQ(a.local_attempt_usd, b.local_attempt_usd);
  EXPECT_EQ(a.workflow, b.workflow);
  EXPECT_EQ(a.escalation_outcome, b.escalation_outcome);
  EXPECT_EQ(a.review, b.review);
}

TEST(LedgerStoreTest, CreatesItsFolderInWalModeAtTheCurrentSchema) {
  ScratchDir dir;
  const std::string path = dir.File("nested/deeper/ledger.db");
  Result<LedgerStore> store = LedgerStore::Open(path, {});
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  EXPECT_EQ(store->schema_version(), kLedgerSchemaVersion);
  EXPECT_TRUE(std::filesystem::exists(path));

  Result<SqliteDb> raw = SqliteDb::Open(path, {.read_only = true});
  ASSERT_TRUE(raw.has_value());
  Result<SqliteStatement> mode = raw->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.has_value());
  ASSERT_TRUE(mode->Step().value_or(false));
  EXPECT_EQ(mode->Text(0), "wal");
}

TEST(LedgerStoreTest, EveryFieldRoundTrips) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  LedgerEntry cloud = SampleEntry("req_1", 1'000);
  cloud.outcome = AnswerOutcome::kEscalated;
  cloud.escalation = "repetition";
  cloud.escalation_reason = "the same 3 words repeat 9 times";
  cloud.local_attempt_model = "qwen";
  cloud.local_attempt_input_tokens = 1300;
  cloud.local_attempt_output_tokens = 512;
  cloud.local_attempt_seconds = 4.5;
  cloud.local_attempt_usd = 0.0000656;
  cloud.escalation_outcome = "changed";
  LedgerEntry local = SampleEntry("req_2", 2'000);
  local.local = true;
  local.side = "local";
  local.backend = "llama";
  local.model = "qwen";
  local.ttft_ms = -1;  // no output
  local.outcome = AnswerOutcome::kError;
  local.error_kind = "resource_exhausted";
  local.error_message = "the local queue is full";
  local.workflow = "polish";
  local.review = "disagree";
  local.prompt = R"({"messages":[]})";
  local.answer = "draft";
  ASSERT_TRUE(store->Insert(std::vector{cloud, local}).ok());

  const std::vector<LedgerEntry> rows = ReadAll(*store);
  ASSERT_EQ(rows.size(), 2u);
  ExpectSameEntry(rows[0], cloud);
  ExpectSameEntry(rows[1], local);
}

// Full batches are written several rows per statement and the rest one by
// one: every row of batches around that size comes back whole and in order.
TEST(LedgerStoreTest, BatchesOfEverySizeRoundTripRowByRowInOrder) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  std::vector<LedgerEntry> written;
  int serial = 0;
  for (const int size : {1, 15, 16, 17, 33, 48}) {
    std::vector<LedgerEntry> batch;
    for (int i = 0; i < size; ++i, ++serial) {
      LedgerEntry entry = SampleEntry("req_" + std::to_string(serial), serial);
      // Each row differs in every kind of column, null ones included.
      entry.usage.input_tokens = 1000 + serial;
      entry.usage.output_tokens = 7 * serial;
      entry.ttft_ms = serial % 3 == 0 ? -1 : serial;
      entry.local = serial % 2 == 0;
      entry.cost_usd = 0.001 * serial;
      entry.review = "review " + std::to_string(serial);
      if (serial % 4 == 1) {
        entry.prompt = "prompt " + std::to_string(serial);
      }
      if (serial % 5 == 2) {
        entry.answer = "answer " + std::to_string(serial);
      }
      batch.push_back(entry);
    }
    ASSERT_TRUE(store->Insert(batch).ok()) << size;
    written.insert(written.end(), batch.begin(), batch.end());
  }
  const std::vector<LedgerEntry> rows = ReadAll(*store);
  ASSERT_EQ(rows.size(), written.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE("row " + std::to_string(i));
    ExpectSameEntry(rows[i], written[i]);
  }
}

TEST(LedgerStoreTest, SensitiveRequestsNeverKeepTheirContent) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  LedgerEntry entry = SampleEntry("req_s", 1);
  entry.sensitive = true;
  entry.prompt = "my card is 4111 1111 1111 1111";
  entry.answer = "noted";
  ASSERT_TRUE(store->Insert(std::vector{entry}).ok());
  const std::vector<LedgerEntry> rows = ReadAll(*store);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].prompt.has_value());
  EXPECT_FALSE(rows[0].answer.has_value());
}

TEST(LedgerStoreTest, AFailedBatchWritesNothingSoARetryAddsNoDuplicates) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  std::vector<LedgerEntry> batch;
  for (int i = 0; i < 400; ++i) {
    LedgerEntry entry = SampleEntry("req_" + std::to_string(i), i);
    entry.reason.assign(300, 'x');
    batch.push_back(std::move(entry));
  }
  {
    // A "disk" that fills up part-way through the batch.
    Result<LedgerStore> small = LedgerStore::Open(path, {.max_pages = 12});
    ASSERT_TRUE(small.has_value());
    const Status status = small->Insert(batch);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), ErrorCode::kResourceExhausted) << status.ToString();
    EXPECT_TRUE(ReadAll(*small).empty());  // not one row of the failed batch
  }
  Result<LedgerStore> store = LedgerStore::Open(path, {});
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store->Insert(batch).ok());
  EXPECT_EQ(ReadAll(*store).size(), 400u);
}

TEST(LedgerStoreTest, ReadsATimeWindowAndCloudSpendPerDay) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  constexpr int64_t kDay = 86'400'000;
  LedgerEntry first = SampleEntry("req_1", 10 * kDay + 5);
  first.cost_usd = 1.25;
  LedgerEntry second = SampleEntry("req_2", 10 * kDay + 500);
  second.cost_usd = 0.75;
  LedgerEntry next_day = SampleEntry("req_3", 11 * kDay + 1);
  next_day.cost_usd = 2;
  LedgerEntry local = SampleEntry("req_4", 11 * kDay + 2);
  local.local = true;
  local.cost_usd = 0.001;
  ASSERT_TRUE(store->Insert(std::vector{first, second, next_day, local}).ok());

  int seen = 0;
  ASSERT_TRUE(store->ForEach(10 * kDay + 100, 11 * kDay + 2, [&](const LedgerEntry& e) {
                     EXPECT_TRUE(e.request_id == "req_2" || e.request_id == "req_3");
                     ++seen;
                   })
                  .ok());
  EXPECT_EQ(seen, 2);

  Result<std::vector<DailySpend>> spend = store->CloudSpendSince(0);
  ASSERT_TRUE(spend.has_value());
  ASSERT_EQ(spend->size(), 2u);  // the local row is not cloud spend
  EXPECT_EQ((*spend)[0].day_start_unix_seconds, 10 * 86'400);
  EXPECT_DOUBLE_EQ((*spend)[0].cost_usd, 2.0);
  EXPECT_EQ((*spend)[1].day_start_unix_seconds, 11 * 86'400);
  EXPECT_DOUBLE_EQ((*spend)[1].cost_usd, 2.0);
  EXPECT_EQ((*spend)[1].client_key, "key-0123456789ab");
}

// Three keys, two models, three days, some local rows, in batches of
// uneven sizes: what a month's writer does.
std::vector<std::vector<LedgerEntry>> SpendBatches() {
  constexpr int64_t kDay = 86'400'000;
  std::vector<std::vector<LedgerEntry>> batches(7);
  for (int i = 0; i < 90; ++i) {
    LedgerEntry entry = SampleEntry("req_" + std::to_string(i), (20 + i % 3) * kDay + i);
    entry.client_key = i % 4 == 0 ? "" : "key-00000000000" + std::to_string(i % 3);
    entry.model = i % 5 < 2 ? "claude-haiku-4-5" : "claude-sonnet-4-6";
    entry.local = i % 7 == 0;
    entry.cost_usd = 0.001 * (i + 1);
    batches[static_cast<size_t>(i * i % 7)].push_back(entry);
  }
  return batches;
}

// "key|model|day" -> spend, summed here from the entries themselves.
std::map<std::string, double> ExpectedCloudSpend(
    const std::vector<std::vector<LedgerEntry>>& batches, int64_t from_day) {
  std::map<std::string, double> spend;
  for (const auto& batch : batches) {
    for (const LedgerEntry& e : batch) {
      const int64_t day = e.started_at_ms / 86'400'000;
      if (!e.local && day >= from_day) {
        spend[e.client_key + "|" + e.model + "|" + std::to_string(day)] += e.cost_usd;
      }
    }
  }
  return spend;
}

std::map<std::string, double> CloudSpend(LedgerStore& store, int64_t since_ms) {
  Result<std::vector<DailySpend>> read = store.CloudSpendSince(since_ms);
  EXPECT_TRUE(read.has_value()) << read.error().ToString();
  std::map<std::string, double> spend;
  int64_t last_day = 0;
  for (const DailySpend& day : read.value_or(std::vector<DailySpend>{})) {
    EXPECT_GE(day.day_start_unix_seconds, last_day);  // oldest first
    last_day = day.day_start_unix_seconds;
    spend[day.client_key + "|" + day.model + "|" +
          std::to_string(day.day_start_unix_seconds / 86'400)] += day.cost_usd;
  }
  return spend;
}

void ExpectSameSpend(const std::map<std::string, double>& actual,
                     const std::map<std::string, double>& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (const auto& [group, cost] : expected) {
    ASSERT_TRUE(actual.contains(group)) << group;
    EXPECT_NEAR(actual.at(group), cost, 1e-9) << group;
  }
}

TEST(LedgerStoreTest, CloudSpendPerDayAddsUpAcrossBatches) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  const auto batches = SpendBatches();
  for (const auto& batch : batches) {
    ASSERT_TRUE(store->Insert(batch).ok());
  }
  ExpectSameSpend(CloudSpend(*store, 0), ExpectedCloudSpend(batches, 0));
  // From the day holding `since_ms` on, that whole day included.
  ExpectSameSpend(CloudSpend(*store, 21 * 86'400'000LL + 5), ExpectedCloudSpend(batches, 21));
  EXPECT_TRUE(CloudSpend(*store, 23 * 86'400'000LL).empty());
}

// A version 5 file's per-day spend is computed from its rows when it is
// migrated, once, even when two connections open it at the same time.
TEST(LedgerStoreTest, MigratingAVersionFiveLedgerSumsItsCloudSpendOnce) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  const auto batches = SpendBatches();
  {
    Result<LedgerStore> store = LedgerStore::Open(path, {});
    ASSERT_TRUE(store.has_value());
    for (const auto& batch : batches) {
      ASSERT_TRUE(store->Insert(batch).ok());
    }
  }
  {
    Result<SqliteDb> raw = SqliteDb::Open(path, {});
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE(raw->Exec("DROP TABLE cloud_spend_by_day; PRAGMA user_version = 5").ok());
  }
  std::vector<Result<LedgerStore>> opened;
  opened.push_back(Error(InvalidArgument("not opened")));
  opened.push_back(Error(InvalidArgument("not opened")));
  {
    std::vector<std::thread> openers;
    for (auto& slot : opened) {
      openers.emplace_back([&slot, &path] {
        slot = LedgerStore::Open(path, {.busy_timeout_ms = 10'000});
      });
    }
    for (std::thread& opener : openers) {
      opener.join();
    }
  }
  for (auto& store : opened) {
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    EXPECT_EQ(store->schema_version(), kLedgerSchemaVersion);
  }
  ExpectSameSpend(CloudSpend(*opened[0], 0), ExpectedCloudSpend(batches, 0));
  // And new rows add to the migrated sums.
  ASSERT_TRUE(opened[1]->Insert(batches[0]).ok());
  auto twice = batches;
  twice.push_back(batches[0]);
  ExpectSameSpend(CloudSpend(*opened[0], 0), ExpectedCloudSpend(twice, 0));
}

TEST(LedgerStoreTest, FeedbackIsKeptAndReadByTime) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store->InsertFeedback(std::vector<FeedbackEntry>{
                                        {"req_1", 10, "key-0123456789ab", 1.0, ""},
                                        {"req_2", 20, "", 0.25, "too long"},
                                        {"req_3", 30, "", 0.0, ""}})
                  .ok());
  Result<std::vector<FeedbackEntry>> feedback = store->Feedback(10, 30);
  ASSERT_TRUE(feedback.has_value());
  ASSERT_EQ(feedback->size(), 2u);
  EXPECT_EQ((*feedback)[0].request_id, "req_1");
  EXPECT_EQ((*feedback)[0].client_key, "key-0123456789ab");
  EXPECT_EQ((*feedback)[1].score, 0.25);
  EXPECT_EQ((*feedback)[1].comment, "too long");
}

TEST(LedgerStoreTest, ShadowEvaluationsAreKeptAndTheirSpendIsReadPerDay) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  constexpr int64_t kDay = 86'400'000;
  const ShadowEntry first{.request_id = "req_1",
                          .finished_at_ms = 2 * kDay + 5,
                          .task = "writing/first_draft",
                          .local_model = "qwen",
                          .claude_model = "claude-haiku-4-5",
                          .input_tokens = 1000,
                          .output_tokens = 500,
                          .cost_usd = 0.0035,
                          .judge = "qwen",
                          .verdict = "different",
                          .detail = ""};
  ShadowEntry second = first;
  second.request_id = "req_2";
  second.finished_at_ms = 2 * kDay + 9;
  second.verdict = "failed";
  second.detail = "claude: unavailable: overloaded";
  second.cost_usd = 0.001;
  ShadowEntry next_day = first;
  next_day.request_id = "req_3";
  next_day.finished_at_ms = 3 * kDay;
  ASSERT_TRUE(store->InsertShadow(std::vector{first, second, next_day}).ok());

  Result<std::vector<ShadowEntry>> read = store->Shadow(2 * kDay, 3 * kDay);
  ASSERT_TRUE(read.has_value());
  ASSERT_EQ(read->size(), 2u);
  const ShadowEntry& row = (*read)[0];
  EXPECT_EQ(row.request_id, "req_1");
  EXPECT_EQ(row.finished_at_ms, first.finished_at_ms);
  EXPECT_EQ(row.task, first.task);
  EXPECT_EQ(row.local_model, "qwen");
  EXPECT_EQ(row.claude_model, "claude-haiku-4-5");
  EXPECT_EQ(row.input_tokens, 1000);
  EXPECT_EQ(row.output_tokens, 500);
  EXPECT_DOUBLE_EQ(row.cost_usd, 0.0035);
  EXPECT_EQ(row.judge, "qwen");
  EXPECT_EQ(row.verdict, "different");
  EXPECT_EQ((*read)[1].detail, "claude: unavailable: overloaded");

  Result<std::vector<DailySpend>> spend = store->ShadowSpendSince(2 * kDay);
  ASSERT_TRUE(spend.has_value());
  ASSERT_EQ(spend->size(), 2u);
  EXPECT_EQ((*spend)[0].day_start_unix_seconds, 2 * 86'400);
  EXPECT_DOUBLE_EQ((*spend)[0].cost_usd, 0.0045);
  EXPECT_EQ((*spend)[0].model, "claude-haiku-4-5");
  EXPECT_EQ((*spend)[1].day_start_unix_seconds, 3 * 86'400);
  // Shadow spend is not request spend.
  Result<std::vector<DailySpend>> requests = store->CloudSpendSince(0);
  ASSERT_TRUE(requests.has_value());
  EXPECT_TRUE(requests->empty());
}

TEST(LedgerStoreTest, LossesAreKept) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("l.db"), {});
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE(store->RecordLoss({.at_ms = 42, .rows = 7, .reason = "disk full"}).ok());
  Result<std::vector<LedgerLoss>> losses = store->Losses(0, 100);
  ASSERT_TRUE(losses.has_value());
  ASSERT_EQ(losses->size(), 1u);
  EXPECT_EQ((*losses)[0].rows, 7);
  EXPECT_EQ((*losses)[0].reason, "disk full");
}

TEST(LedgerStoreTest, ReopeningKeepsRowsAndANewerSchemaIsRefused) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  {
    Result<LedgerStore> store = LedgerStore::Open(path, {});
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(store->Insert(std::vector{SampleEntry("req_1", 1)}).ok());
  }
  {
    Result<LedgerStore> again = LedgerStore::Open(path, {.read_only = true});
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(ReadAll(*again).size(), 1u);
  }
  {
    Result<SqliteDb> raw = SqliteDb::Open(path, {});
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE(raw->Exec("PRAGMA user_version = 99").ok());
  }
  Result<LedgerStore> newer = LedgerStore::Open(path, {});
  ASSERT_FALSE(newer.has_value());
  EXPECT_NE(newer.error().message().find("schema version 99, newer than this duet knows"),
            std::string::npos)
      << newer.error().message();
}

// Version 1 as released: requests without the escalation columns.
constexpr std::string_view kVersion1Schema = R"sql(
CREATE TABLE requests (
  id INTEGER PRIMARY KEY, request_id TEXT NOT NULL, started_at_ms INTEGER NOT NULL,
  client_key TEXT NOT NULL, api TEXT NOT NULL, requested_model TEXT NOT NULL,
  stream INTEGER NOT NULL, side TEXT NOT NULL, task TEXT NOT NULL, rule TEXT NOT NULL,
  reason TEXT NOT NULL, sensitive INTEGER NOT NULL, fallback_reason TEXT NOT NULL,
  backend TEXT NOT NULL, model TEXT NOT NULL, local INTEGER NOT NULL,
  input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  cache_write_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL,
  thinking_tokens INTEGER NOT NULL, stop_reason TEXT NOT NULL, ttft_ms INTEGER,
  latency_ms INTEGER NOT NULL, local_busy_seconds REAL NOT NULL, outcome TEXT NOT NULL,
  error_kind TEXT NOT NULL, error_message TEXT NOT NULL, cost_usd REAL NOT NULL,
  claude_haiku_usd REAL NOT NULL, claude_sonnet_usd REAL NOT NULL,
  claude_opus_usd REAL NOT NULL, prompt TEXT, answer TEXT);
CREATE INDEX requests_by_time ON requests(started_at_ms);
CREATE TABLE losses (id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, rows INTEGER NOT NULL,
                     reason TEXT NOT NULL);
INSERT INTO requests VALUES (1, 'req_old', 5, 'key-0123456789ab', 'openai', 'auto', 0,
  'local', 'writing/first_draft', 'task', 'first_draft goes local', 0, '', 'llama', 'qwen', 1,
  100, 50, 0, 0, 0, 'end_turn', 30, 900, 0.9, 'ok', '', '', 0.00001, 0.0004, 0.0011, 0.0018,
  NULL, NULL);
PRAGMA user_version = 1;
)sql";

TEST(LedgerStoreTest, AVersionOneLedgerIsMigratedForwardKeepingItsRows) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  {
    Result<SqliteDb> raw = SqliteDb::Open(path, {});
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE(raw->Exec(kVersion1Schema).ok());
  }
  // Reading alone (`duet report`) cannot migrate, and says what to do.
  Result<LedgerStore> reader = LedgerStore::Open(path, {.read_only = true});
  ASSERT_FALSE(reader.has_value());
  EXPECT_EQ(reader.error().message(),
            "ledger " + path + " has schema version 1, older than this duet's (" +
                std::to_string(kLedgerSchemaVersion) +
                "): run `duet serve` once to upgrade it, then try again");
  Result<LedgerStore> store = LedgerStore::Open(path, {});
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  EXPECT_EQ(store->schema_version(), kLedgerSchemaVersion);
  ASSERT_TRUE(store->Insert(std::vector{SampleEntry("req_new", 10)}).ok());
  const std::vector<LedgerEntry> rows = ReadAll(*store);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].request_id, "req_old");
  EXPECT_EQ(rows[0].model, "qwen");
  EXPECT_EQ(rows[0].usage.input_tokens, 100);
  EXPECT_EQ(rows[0].escalation, "");  // the new columns' defaults
  EXPECT_EQ(rows[0].local_attempt_usd, 0.0);
  EXPECT_EQ(rows[1].request_id, "req_new");
}

TEST(LedgerStoreTest, ReadOnlyOpenOfAMissingFileFails) {
  ScratchDir dir;
  Result<LedgerStore> store = LedgerStore::Open(dir.File("none.db"), {.read_only = true});
  EXPECT_FALSE(store.has_value());
  EXPECT_FALSE(std::filesystem::exists(dir.File("none.db")));
}

TEST(LedgerStoreTest, DefaultPathFollowsXdgThenHome) {
  std::map<std::string, std::string> env = {{"HOME", "/home/ada"}};
  EnvLookup lookup = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_EQ(DefaultLedgerPath(lookup), "/home/ada/.local/share/duet/ledger.db");
  env["XDG_DATA_HOME"] = "/data";
  EXPECT_EQ(DefaultLedgerPath(lookup), "/data/duet/ledger.db");
  env.clear();
  EXPECT_EQ(DefaultLedgerPath(lookup), "");
}

}  // namespace
}  // namespace duet
