#include "ledger/ledger_writer.h"

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "ledger/ledger_test_util.h"

namespace duet {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::SampleEntry;
using testing::ScratchDir;

// Request ids stored in the ledger at `path`, read through a separate
// connection as another process would.
std::multiset<std::string> StoredIds(const std::string& path) {
  std::multiset<std::string> ids;
  Result<LedgerStore> store = LedgerStore::Open(path, {.read_only = true});
  if (!store) {
    return ids;
  }
  (void)store->ForEach(0, INT64_MAX,
                       [&](const LedgerEntry& e) { ids.insert(e.request_id); });
  return ids;
}

// Waits up to `limit` for `done`.
template <typename Done>
bool WaitFor(Done done, milliseconds limit = milliseconds(5'000)) {
  const auto until = steady_clock::now() + limit;
  while (!done()) {
    if (steady_clock::now() > until) {
      return false;
    }
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

TEST(LedgerWriterTest, RowsAreCommittedWithinTheFlushInterval) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  LedgerWriter writer(path, {.flush_interval_ms = 50});
  writer.Enqueue(SampleEntry("req_1", 1));
  writer.Enqueue(SampleEntry("req_2", 2));
  // Committed and visible to another connection without any shutdown.
  EXPECT_TRUE(WaitFor([&] { return StoredIds(path).size() == 2; }, milliseconds(1'000)));
  EXPECT_EQ(writer.stats().written, 2);
  EXPECT_EQ(writer.stats().lost, 0);
  EXPECT_LE(writer.stats().last_lag_ms, 1'000);
}

TEST(LedgerWriterTest, AFullBatchIsWrittenWithoutWaitingForTheInterval) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  ASSERT_TRUE(LedgerStore::Open(path, {}).has_value());
  LedgerWriter writer(path, {.flush_interval_ms = 1'000, .batch_rows = 8});
  std::this_thread::sleep_for(milliseconds(50));  // the writer is waiting now
  const auto start = steady_clock::now();
  for (int i = 0; i < 8; ++i) {
    writer.Enqueue(SampleEntry("req_" + std::to_string(i), i));
  }
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 8; }, milliseconds(2'000)));
  EXPECT_LT(steady_clock::now() - start, milliseconds(700));
  // Fewer rows than a batch wait for the interval.
  writer.Enqueue(SampleEntry("req_last", 9));
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(writer.stats().written, 8);
  EXPECT_TRUE(WaitFor([&] { return writer.stats().written == 9; }, milliseconds(2'000)));
}

TEST(LedgerWriterTest, FeedbackRidesWithTheNextBatch) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  {
    LedgerWriter writer(path, {.flush_interval_ms = 20});
    writer.EnqueueFeedback({"req_9", 5, "", 1.0, ""});
    writer.Enqueue(SampleEntry("req_9", 1));
  }
  Result<LedgerStore> store = LedgerStore::Open(path, {.read_only = true});
  ASSERT_TRUE(store.has_value());
  Result<std::vector<FeedbackEntry>> feedback = store->Feedback(0, INT64_MAX);
  ASSERT_TRUE(feedback.has_value());
  ASSERT_EQ(feedback->size(), 1u);
  EXPECT_EQ((*feedback)[0].request_id, "req_9");
}

TEST(LedgerWriterTest, ShadowRowsAreWrittenEvenWithNoRequestPending) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  {
    LedgerWriter writer(path, {.flush_interval_ms = 20});
    writer.EnqueueShadow(ShadowEntry{.request_id = "req_4",
                                     .finished_at_ms = 7,
                                     .task = "writing/first_draft",
                                     .local_model = "qwen",
                                     .claude_model = "claude-haiku-4-5",
                                     .input_tokens = 10,
                                     .output_tokens = 5,
                                     .cost_usd = 0.001,
                                     .judge = "qwen",
                                     .verdict = "same",
                                     .detail = ""});
    EXPECT_TRUE(WaitFor([&] { return LedgerStore::Open(path, {.read_only = true})
                                  .and_then([](LedgerStore store) { return store.Shadow(0, 10); })
                                  .map([](const auto& rows) { return rows.size() == 1; })
                                  .value_or(false); },
                        milliseconds(2'000)));
  }
  Result<LedgerStore> store = LedgerStore::Open(path, {.read_only = true});
  ASSERT_TRUE(store.has_value());
  Result<std::vector<ShadowEntry>> shadow = store->Shadow(0, INT64_MAX);
  ASSERT_TRUE(shadow.has_value());
  ASSERT_EQ(shadow->size(), 1u);  // written once, not again at shutdown
  EXPECT_EQ((*shadow)[0].verdict, "same");
}

TEST(LedgerWriterTest, ConcurrentRecordersLoseAndDuplicateNothing) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 1'500;
  {
    LedgerWriter writer(path, {.flush_interval_ms = 20});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&writer, t] {
        for (int i = 0; i < kPerThread; ++i) {
          writer.Enqueue(SampleEntry("req_" + std::to_string(t) + "_" + std::to_string(i), i));
        }
      });
    }
    for (std::thread& thread : threads) {
      thread.join();
    }
  }  // clean shutdown writes the rest
  const std::multiset<std::string> ids = StoredIds(path);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(LedgerWriterTest, ALockedDatabaseDelaysRowsWithoutLosingOrBlocking) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  ASSERT_TRUE(LedgerStore::Open(path, {}).has_value());  // create it first
  Result<SqliteDb> other = SqliteDb::Open(path, {});
  ASSERT_TRUE(other.has_value());
  ASSERT_TRUE(other->Exec("BEGIN EXCLUSIVE").ok());  // another process holds it

  LedgerWriter writer(path, {.flush_interval_ms = 20, .store = {.busy_timeout_ms = 10}});
  const auto before = steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    writer.Enqueue(SampleEntry("req_" + std::to_string(i), i));
  }
  EXPECT_LT(steady_clock::now() - before, milliseconds(500));  // never waits on the lock
  EXPECT_TRUE(WaitFor([&] { return writer.stats().failing; }));
  EXPECT_EQ(writer.stats().pending, 100);
  EXPECT_NE(writer.stats().last_error.find("locked"), std::string::npos)
      << writer.stats().last_error;

  ASSERT_TRUE(other->Exec("COMMIT").ok());
  EXPECT_TRUE(WaitFor([&] { return writer.stats().written == 100; }));
  EXPECT_FALSE(writer.stats().failing);
  EXPECT_EQ(writer.stats().lost, 0);
  EXPECT_EQ(StoredIds(path).size(), 100u);
}

TEST(LedgerWriterTest, BeyondMaxPendingRowsAreCountedAndTheLossIsRecorded) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  ASSERT_TRUE(LedgerStore::Open(path, {}).has_value());
  Result<SqliteDb> other = SqliteDb::Open(path, {});
  ASSERT_TRUE(other.has_value());
  ASSERT_TRUE(other->Exec("BEGIN EXCLUSIVE").ok());

  LedgerWriter writer(path, {.flush_interval_ms = 20,
                             .max_pending = 10,
                             .store = {.busy_timeout_ms = 10}});
  for (int i = 0; i < 25; ++i) {
    writer.Enqueue(SampleEntry("req_" + std::to_string(i), i));
  }
  EXPECT_EQ(writer.stats().lost, 15);
  EXPECT_EQ(writer.stats().pending, 10);
  ASSERT_TRUE(other->Exec("COMMIT").ok());
  ASSERT_TRUE(WaitFor([&] { return writer.stats().written == 10; }));

  // The loss itself is in the ledger, so the report can say so.
  writer.Shutdown();
  Result<LedgerStore> store = LedgerStore::Open(path, {.read_only = true});
  ASSERT_TRUE(store.has_value());
  Result<std::vector<LedgerLoss>> losses = store->Losses(0, INT64_MAX);
  ASSERT_TRUE(losses.has_value());
  int64_t lost = 0;
  for (const LedgerLoss& loss : *losses) {
    lost += loss.rows;
    EXPECT_NE(loss.reason.find("more than 10 rows were waiting"), std::string::npos);
  }
  EXPECT_EQ(lost, 15);
}

TEST(LedgerWriterTest, AFullDiskNeverBlocksAndShutdownGivesUpInTime) {
  ScratchDir dir;
  const std::string path = dir.File("l.db");
  // A "disk" of a few pages: the schema fits, a few hundred rows do not.
  LedgerWriter writer(path, {.flush_interval_ms = 20,
                             .max_pending = 1'000,
                             .shutdown_retry_ms = 200,
                             .store = {.max_pages = 8}});
  for (int i = 0; i < 500; ++i) {
    LedgerEntry entry = SampleEntry("req_" + std::to_string(i), i);
    entry.reason.assign(200, 'x');
    writer.Enqueue(std::move(entry));
  }
  EXPECT_TRUE(WaitFor([&] { return writer.stats().failing; }));
  EXPECT_NE(writer.stats().last_error.find("full"), std::string::npos)
      << writer.stats().last_error;
  const auto before = steady_clock::now();
  writer.Shutdown();
  EXPECT_LT(steady_clock::now() - before, milliseconds(3'000));
  EXPECT_EQ(writer.stats().lost, 500);  // all counted, none silently gone
  EXPECT_EQ(writer.stats().pending, 0);
}

TEST(LedgerWriterTest, AnUnwritablePathCountsRowsAsLost) {
  LedgerWriter writer("/proc/duet-cannot-write-here/l.db",
                      {.flush_interval_ms = 10, .shutdown_retry_ms = 50});
  writer.Enqueue(SampleEntry("req_1", 1));
  EXPECT_TRUE(WaitFor([&] { return writer.stats().failing; }));
  writer.Shutdown();
  EXPECT_EQ(writer.stats().lost, 1);
}

}  // namespace
}  // namespace duet
