// BudgetTracker: caps overall and per key, reservations settled or released,
// UTC day and month rollover, spend loaded from the ledger, refusal messages,
// and racing reservations that must never overspend.
#include "route/budget/budget_tracker.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <thread>
#include <vector>

#include "support/fake_clock.h"

namespace duet {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using testing::FakeClock;

// Seconds since the epoch of a UTC date and time.
int64_t Utc(int year, unsigned month, unsigned day, int hour = 0,
            int minute = 0, int second = 0) {
  const std::chrono::sys_days date = std::chrono::year{year} /
                                     std::chrono::month{month} /
                                     std::chrono::day{day};
  return date.time_since_epoch() / seconds(1) + hour * 3600 + minute * 60 +
         second;
}

BudgetOptions Overall(double monthly_usd, double daily_usd = 0) {
  BudgetOptions options;
  options.overall = {.monthly_usd = monthly_usd, .daily_usd = daily_usd};
  return options;
}

// Reserves and settles at the estimate; fails the test if refused.
void Spend(BudgetTracker& tracker, std::string_view key, double usd) {
  auto reservation = tracker.Reserve(key, usd);
  ASSERT_TRUE(reservation.has_value()) << reservation.error().ToString();
  reservation->Settle(usd);
}

TEST(BudgetTrackerTest, WithoutCapsIsDisabledButStillCounts) {
  FakeClock clock;
  BudgetTracker tracker({}, &clock);
  EXPECT_FALSE(tracker.Enabled());
  Spend(tracker, "team-a", 1'000'000);
  const auto usage = tracker.Snapshot("team-a");
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 1'000'000);
  EXPECT_DOUBLE_EQ(usage.key_daily.spent_usd, 1'000'000);
  EXPECT_EQ(usage.key_daily.limit_usd, 0);
}

TEST(BudgetTrackerTest, AnyCapEnablesIt) {
  FakeClock clock;
  BudgetOptions options;
  options.per_key["team-a"].daily_usd = 1;
  EXPECT_TRUE(BudgetTracker(options, &clock).Enabled());
  EXPECT_TRUE(BudgetTracker(Overall(0, 1), &clock).Enabled());
}

TEST(BudgetTrackerTest, OverallMonthlyCapAdmitsUpToTheCapExactly) {
  FakeClock clock;
  BudgetTracker tracker(Overall(10), &clock);
  auto first = tracker.Reserve("", 6);
  ASSERT_TRUE(first.has_value());
  auto second = tracker.Reserve("", 4);  // 6 + 4 == 10: fits
  ASSERT_TRUE(second.has_value());
  BudgetRefusal refusal;
  auto third = tracker.Reserve("", 0.01, &refusal);
  ASSERT_FALSE(third.has_value());
  EXPECT_EQ(third.error().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(refusal.scope, BudgetRefusal::Scope::kOverall);
  EXPECT_EQ(refusal.period, BudgetRefusal::Period::kMonthly);
  EXPECT_DOUBLE_EQ(refusal.limit_usd, 10);
  EXPECT_DOUBLE_EQ(refusal.reserved_usd, 10);
  EXPECT_DOUBLE_EQ(refusal.requested_usd, 0.01);
}

TEST(BudgetTrackerTest, OverallDailyCapRefusesBeforeTheMonthlyOne) {
  FakeClock clock;
  BudgetTracker tracker(Overall(100, 1), &clock);
  Spend(tracker, "", 0.75);
  BudgetRefusal refusal;
  EXPECT_FALSE(tracker.Reserve("", 0.5, &refusal).has_value());
  EXPECT_EQ(refusal.period, BudgetRefusal::Period::kDaily);
  EXPECT_DOUBLE_EQ(refusal.spent_usd, 0.75);
  EXPECT_TRUE(tracker.Reserve("", 0.25).has_value());
}

TEST(BudgetTrackerTest, PerKeyDefaultCapsEachKeySeparately) {
  FakeClock clock;
  BudgetOptions options;
  options.per_key_default.daily_usd = 1;
  BudgetTracker tracker(options, &clock);
  Spend(tracker, "team-a", 1);
  BudgetRefusal refusal;
  EXPECT_FALSE(tracker.Reserve("team-a", 0.01, &refusal).has_value());
  EXPECT_EQ(refusal.scope, BudgetRefusal::Scope::kClientKey);
  EXPECT_EQ(refusal.client_key, "team-a");
  Spend(tracker, "team-b", 1);
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-b").overall_daily.spent_usd, 2);
}

TEST(BudgetTrackerTest, PerKeyEntryReplacesTheDefault) {
  FakeClock clock;
  BudgetOptions options;
  options.per_key_default.monthly_usd = 1;
  options.per_key["team-a"].monthly_usd = 5;
  options.per_key["admin"] = {};  // listed with no caps: uncapped
  BudgetTracker tracker(options, &clock);
  Spend(tracker, "team-a", 3);
  EXPECT_FALSE(tracker.Reserve("team-a", 2.5).has_value());
  EXPECT_FALSE(tracker.Reserve("team-b", 3).has_value());
  Spend(tracker, "admin", 50);
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-a").key_monthly.limit_usd, 5);
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-b").key_monthly.limit_usd, 1);
}

TEST(BudgetTrackerTest, AnonymousRequestsShareOneBucketUnderTheDefault) {
  FakeClock clock;
  BudgetOptions options;
  options.per_key_default.daily_usd = 1;
  BudgetTracker tracker(options, &clock);
  Spend(tracker, "", 0.6);
  auto refused = tracker.Reserve("", 0.6);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message(),
            "daily budget for anonymous clients ($1.00) would be exceeded: "
            "$0.60 spent, $0.00 reserved, this request needs ~$0.60");
}

TEST(BudgetTrackerTest, SettlingAboveTheEstimateCountsInFull) {
  FakeClock clock;
  BudgetTracker tracker(Overall(1), &clock);
  auto reservation = tracker.Reserve("team-a", 0.5);
  ASSERT_TRUE(reservation.has_value());
  reservation->Settle(1.25);  // billed is billed, even past the cap
  const auto usage = tracker.Snapshot("team-a");
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 1.25);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.reserved_usd, 0);
  EXPECT_DOUBLE_EQ(usage.key_monthly.spent_usd, 1.25);
  EXPECT_FALSE(tracker.Reserve("team-a", 0).has_value());
}

TEST(BudgetTrackerTest, SettlingBelowTheEstimateFreesTheRest) {
  FakeClock clock;
  BudgetTracker tracker(Overall(1), &clock);
  auto reservation = tracker.Reserve("", 0.8);
  ASSERT_TRUE(reservation.has_value());
  EXPECT_FALSE(tracker.Reserve("", 0.7).has_value());
  reservation->Settle(0.3);
  EXPECT_TRUE(tracker.Reserve("", 0.7).has_value());
}

TEST(BudgetTrackerTest, AnUnsettledReservationIsReleasedOnDestruction) {
  FakeClock clock;
  BudgetTracker tracker(Overall(1), &clock);
  {
    auto reservation = tracker.Reserve("team-a", 1);
    ASSERT_TRUE(reservation.has_value());
    EXPECT_DOUBLE_EQ(tracker.Snapshot("team-a").key_daily.reserved_usd, 1);
  }
  const auto usage = tracker.Snapshot("team-a");
  EXPECT_DOUBLE_EQ(usage.key_daily.reserved_usd, 0);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 0);
  EXPECT_TRUE(tracker.Reserve("team-a", 1).has_value());
}

TEST(BudgetTrackerTest, OnlyTheFirstSettleOrReleaseCounts) {
  FakeClock clock;
  BudgetTracker tracker(Overall(10), &clock);
  auto settled = tracker.Reserve("", 1);
  ASSERT_TRUE(settled.has_value());
  settled->Settle(0.5);
  EXPECT_FALSE(settled->pending());
  settled->Settle(0.5);
  settled->Release();
  auto released = tracker.Reserve("", 1);
  ASSERT_TRUE(released.has_value());
  released->Release();
  released->Settle(3);
  const auto usage = tracker.Snapshot("");
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 0.5);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.reserved_usd, 0);
}

TEST(BudgetTrackerTest, AMovedReservationEndsOnceAndAssignmentReleasesTheOld) {
  FakeClock clock;
  BudgetTracker tracker(Overall(10), &clock);
  auto first = tracker.Reserve("", 2);
  ASSERT_TRUE(first.has_value());
  BudgetReservation moved(std::move(*first));
  EXPECT_FALSE(first->pending());
  EXPECT_TRUE(moved.pending());
  EXPECT_DOUBLE_EQ(moved.estimated_usd(), 2);
  auto second = tracker.Reserve("", 3);
  ASSERT_TRUE(second.has_value());
  moved = std::move(*second);  // releases the 2
  EXPECT_DOUBLE_EQ(tracker.Snapshot("").overall_daily.reserved_usd, 3);
  first->Settle(100);  // moved-from: ignored
  moved.Settle(3);
  EXPECT_DOUBLE_EQ(tracker.Snapshot("").overall_daily.spent_usd, 3);
}

TEST(BudgetTrackerTest, AZeroEstimateIsRefusedOnlyOnceTheCapIsReached) {
  FakeClock clock;
  BudgetTracker tracker(Overall(1), &clock);
  Spend(tracker, "", 0.99);
  EXPECT_TRUE(tracker.Reserve("", 0).has_value());
  Spend(tracker, "", 0.01);
  EXPECT_FALSE(tracker.Reserve("", 0).has_value());
}

TEST(BudgetTrackerTest, NegativeAndNaNAmountsCountAsZero) {
  FakeClock clock;
  BudgetTracker tracker(Overall(1), &clock);
  auto reservation = tracker.Reserve("", -5);
  ASSERT_TRUE(reservation.has_value());
  EXPECT_EQ(reservation->estimated_usd(), 0);
  reservation->Settle(std::nan(""));
  tracker.RecordSpend("", -1, clock.NowUnixSeconds());
  EXPECT_TRUE(tracker.Reserve("", std::nan("")).has_value());
  EXPECT_DOUBLE_EQ(tracker.Snapshot("").overall_monthly.spent_usd, 0);
}

TEST(BudgetTrackerTest, InvalidLimitsAreReportedByValidation) {
  EXPECT_TRUE(ValidateBudgetOptions(Overall(5, 1)).ok());
  EXPECT_EQ(ValidateBudgetOptions(Overall(-1)).message(),
            "overall.monthly_usd must be a number >= 0");
  BudgetOptions options;
  options.per_key["team-a"].daily_usd = std::nan("");
  EXPECT_EQ(ValidateBudgetOptions(options).message(),
            "per_key['team-a'].daily_usd must be a number >= 0");
}

TEST(BudgetTrackerTest, DailySpendResetsAtUtcMidnightAndMonthlyDoesNot) {
  FakeClock clock(Utc(2024, 3, 14, 23, 59, 59));
  BudgetTracker tracker(Overall(10, 1), &clock);
  Spend(tracker, "", 1);
  EXPECT_FALSE(tracker.Reserve("", 0.5).has_value());
  clock.Advance(seconds(1));  // 2024-03-15T00:00:00Z
  const auto usage = tracker.Snapshot("");
  EXPECT_DOUBLE_EQ(usage.overall_daily.spent_usd, 0);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 1);
  EXPECT_TRUE(tracker.Reserve("", 0.5).has_value());
}

TEST(BudgetTrackerTest, MonthlySpendResetsOnTheFirstAfterA31DayMonth) {
  FakeClock clock(Utc(2024, 3, 30, 12));
  BudgetOptions options;
  options.per_key_default.monthly_usd = 2;
  BudgetTracker tracker(options, &clock);
  Spend(tracker, "team-a", 2);
  clock.Advance(hours(24));  // March 31st: still March
  EXPECT_FALSE(tracker.Reserve("team-a", 0).has_value());
  clock.Advance(hours(12) - seconds(1));  // 2024-03-31T23:59:59Z
  EXPECT_FALSE(tracker.Reserve("team-a", 0).has_value());
  clock.Advance(seconds(1));  // 2024-04-01T00:00:00Z
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-a").key_monthly.spent_usd, 0);
  EXPECT_TRUE(tracker.Reserve("team-a", 2).has_value());
}

TEST(BudgetTrackerTest, MonthlySpendResetsFromDecemberToJanuary) {
  FakeClock clock(Utc(2023, 12, 31, 23, 59, 59));
  BudgetTracker tracker(Overall(1), &clock);
  Spend(tracker, "", 1);
  EXPECT_FALSE(tracker.Reserve("", 0).has_value());
  clock.Advance(seconds(1));  // 2024-01-01T00:00:00Z
  EXPECT_TRUE(tracker.Reserve("", 1).has_value());
}

TEST(BudgetTrackerTest, AReservationAcrossMidnightIsChargedWhenSettled) {
  FakeClock clock(Utc(2024, 5, 31, 23, 59));
  BudgetTracker tracker(Overall(100, 1), &clock);
  auto reservation = tracker.Reserve("team-a", 0.6);
  ASSERT_TRUE(reservation.has_value());
  clock.Advance(hours(1));  // June 1st: a new day and a new month
  // Still in flight, so it still counts against the new periods.
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-a").overall_daily.reserved_usd, 0.6);
  EXPECT_FALSE(tracker.Reserve("team-a", 0.5).has_value());
  reservation->Settle(0.7);
  const auto usage = tracker.Snapshot("team-a");
  EXPECT_DOUBLE_EQ(usage.overall_daily.spent_usd, 0.7);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 0.7);
  EXPECT_DOUBLE_EQ(usage.key_daily.spent_usd, 0.7);
  EXPECT_DOUBLE_EQ(usage.overall_daily.reserved_usd, 0);
}

TEST(BudgetTrackerTest, AZeroReservationSettlesAfterItsKeyWasForgotten) {
  FakeClock clock(Utc(2024, 5, 31, 23));
  BudgetTracker tracker({}, &clock);
  auto reservation = tracker.Reserve("team-a", 0);
  ASSERT_TRUE(reservation.has_value());
  clock.Advance(hours(2));  // the rollover drops keys with nothing on them
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-a").key_daily.spent_usd, 0);
  reservation->Settle(0.2);
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-a").key_daily.spent_usd, 0.2);
}

TEST(BudgetTrackerTest, RecordSpendCountsTodayAndThisMonthOnly) {
  FakeClock clock(Utc(2024, 3, 14, 12));
  BudgetTracker tracker({}, &clock);
  tracker.RecordSpend("team-a", 1, Utc(2024, 3, 14, 0, 0, 1));
  tracker.RecordSpend("team-a", 0.5, Utc(2024, 3, 1));     // monthly only
  tracker.RecordSpend("team-a", 7, Utc(2024, 2, 29, 23));  // last month
  tracker.RecordSpend("team-b", 0.25, Utc(2024, 3, 15));   // future: now
  const auto a = tracker.Snapshot("team-a");
  EXPECT_DOUBLE_EQ(a.key_daily.spent_usd, 1);
  EXPECT_DOUBLE_EQ(a.key_monthly.spent_usd, 1.5);
  EXPECT_DOUBLE_EQ(a.overall_daily.spent_usd, 1.25);
  EXPECT_DOUBLE_EQ(a.overall_monthly.spent_usd, 1.75);
  EXPECT_DOUBLE_EQ(tracker.Snapshot("team-b").key_daily.spent_usd, 0.25);
}

TEST(BudgetTrackerTest, RecordedSpendCountsAgainstTheCaps) {
  FakeClock clock(Utc(2024, 3, 14, 12));
  BudgetTracker tracker(Overall(10), &clock);
  tracker.RecordSpend("", 9.95, Utc(2024, 3, 2));
  EXPECT_FALSE(tracker.Reserve("", 0.1).has_value());
  EXPECT_TRUE(tracker.Reserve("", 0.05).has_value());
}

TEST(BudgetTrackerTest, RefusalNamesTheCapItsSizeAndTheMoneySoFar) {
  FakeClock clock;
  BudgetOptions options;
  options.per_key["team-a"].daily_usd = 5;
  BudgetTracker tracker(options, &clock);
  tracker.RecordSpend("team-a", 4.9, clock.NowUnixSeconds());
  auto held = tracker.Reserve("team-a", 0.08);
  ASSERT_TRUE(held.has_value());
  auto refused = tracker.Reserve("team-a", 0.05);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message(),
            "daily budget for key 'team-a' ($5.00) would be exceeded: $4.90 "
            "spent, $0.08 reserved, this request needs ~$0.05");
}

TEST(BudgetTrackerTest, RefusalShowsFractionsOfACent) {
  FakeClock clock;
  BudgetTracker tracker(Overall(0.001), &clock);
  Spend(tracker, "team-a", 0.0009);
  auto refused = tracker.Reserve("team-a", 0.0005);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message(),
            "monthly overall budget ($0.001) would be exceeded: $0.0009 "
            "spent, $0.00 reserved, this request needs ~$0.0005");
}

// 8 threads race 50 reservations each of $0.03 against a $1.00 cap: exactly
// floor(1.00 / 0.03) = 33 succeed, whatever the interleaving.
TEST(BudgetTrackerTest, RacingReservationsNeverOverspend) {
  FakeClock clock;
  BudgetTracker tracker(Overall(1), &clock);
  constexpr int kThreads = 8;
  constexpr int kAttempts = 50;
  std::atomic<int> admitted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAttempts; ++i) {
        auto reservation = tracker.Reserve("team-a", 0.03);
        if (reservation.has_value()) {
          ++admitted;
          reservation->Settle(0.03);
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(admitted.load(), 33);
  const auto usage = tracker.Snapshot("team-a");
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 0.99);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.reserved_usd, 0);
}

// Reservations made on some threads are settled on others while new ones
// race for the per-key and overall caps; the overall cap binds first.
TEST(BudgetTrackerTest, HandlesMoveBetweenThreads) {
  FakeClock clock;
  BudgetOptions options = Overall(1);
  options.per_key_default.monthly_usd = 0.3;  // 4 keys x 10 > 33 overall
  BudgetTracker tracker(options, &clock);
  constexpr int kThreads = 8;
  std::vector<std::vector<BudgetReservation>> held(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string key = "key-" + std::to_string(t % 4);
      for (int i = 0; i < 25; ++i) {
        auto reservation = tracker.Reserve(key, 0.03);
        if (reservation.has_value()) {
          held[t].push_back(std::move(*reservation));
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  threads.clear();
  size_t admitted = 0;
  for (const auto& batch : held) {
    admitted += batch.size();
  }
  EXPECT_EQ(admitted, 33u);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back(
        [&, batch = std::move(held[(t + 1) % kThreads])]() mutable {
          for (BudgetReservation& reservation : batch) {
            reservation.Settle(0.03);
            EXPECT_FALSE(tracker.Reserve("key-0", 0.03).has_value());
            tracker.Snapshot("key-0");
          }
        });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  const auto usage = tracker.Snapshot("key-0");
  EXPECT_DOUBLE_EQ(usage.overall_monthly.spent_usd, 0.99);
  EXPECT_DOUBLE_EQ(usage.overall_monthly.reserved_usd, 0);
  EXPECT_LE(usage.key_monthly.spent_usd, 0.3);
}

}  // namespace
}  // namespace duet
