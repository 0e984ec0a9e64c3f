// BudgetTracker: keeps cloud spend under monthly and daily caps, overall and
// per client key.
//
// Before a cloud call the router reserves the call's estimated cost; the
// call may go to the cloud only if the reservation succeeds, so concurrent
// requests can never promise more money than a cap has left. Afterwards the
// reservation is settled with the real cost from the answer's usage (or
// released when nothing was billed). A request that does not fit is refused
// with kResourceExhausted and the router answers it locally.
//
//   committed = spent in the current period + reserved (in flight)
//   a request fits a cap when committed + estimate <= cap, and the cap is
//   not already reached (committed < cap): a fully spent cap refuses even
//   an estimate of 0
//
// Periods are calendar days and calendar months in UTC, read from the
// injected Clock's NowUnixSeconds(): daily spend resets at 00:00 UTC, monthly
// spend at 00:00 UTC on the first of the month. Periods only move forward; a
// clock that steps back stays in the later period. Reservations in flight
// carry over into the new period (their calls will be billed there), and a
// settled reservation is charged to the period it is settled in.
//
// Money is kept in whole micro-dollars (1e-6 USD): every amount is rounded
// to the nearest micro-dollar when it enters, so comparisons against a cap
// are exact and N reservations of a cost that is a whole number of
// micro-dollars add up to exactly N times that cost. Negative and NaN
// amounts count as 0; amounts above $1e9 count as $1e9.
//
// Client keys: "" (no client key) is one more client: all anonymous requests
// share one bucket, which `per_key_default` caps unless `per_key` lists ""
// (listing it with zero limits leaves anonymous traffic capped only by the
// overall limits). A key is tracked from its first reservation or spend
// until a day ends with nothing spent this month and nothing reserved for it.
//
// Thread safety: BudgetTracker's methods are thread-safe. A BudgetReservation
// is a value owned by one thread at a time; it may be moved to, settled on
// and destroyed on any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace duet {

struct BudgetLimits {
  double monthly_usd = 0;  // 0 = no cap
  double daily_usd = 0;    // 0 = no cap
};

struct BudgetOptions {
  BudgetLimits overall;
  // Applies to every client key (including "") not listed in `per_key`.
  BudgetLimits per_key_default;
  // By client key id; an entry replaces `per_key_default` for that key.
  std::map<std::string, BudgetLimits, std::less<>> per_key;
};

// InvalidArgument naming the field when a limit is negative, NaN or
// infinite. Config loading calls it once; BudgetTracker treats such limits
// as 0 (no cap).
Status ValidateBudgetOptions(const BudgetOptions& options);

// Why a reservation was refused, for the router's explanation. When several
// caps would be exceeded this names the first in the order: the key's daily,
// the key's monthly, the overall daily, the overall monthly cap.
struct BudgetRefusal {
  enum class Scope { kOverall, kClientKey };
  enum class Period { kDaily, kMonthly };
  Scope scope = Scope::kOverall;
  Period period = Period::kMonthly;
  std::string client_key;  // the key asked for, also when scope is kOverall
  double limit_usd = 0;
  double spent_usd = 0;     // in the current period, before this request
  double reserved_usd = 0;  // in flight, before this request
  double requested_usd = 0;

  // "daily budget for key 'team-a' ($5.00) would be exceeded: $4.90 spent,
  // $0.08 reserved, this request needs ~$0.05"
  std::string Message() const;
};

class BudgetTracker;

// A reservation of estimated cost, held while a cloud call runs. Move-only;
// an empty (default-constructed or moved-from) handle ignores every call.
// The first Settle() or Release() ends the reservation and later ones are
// ignored; destroying a handle that was not ended releases it.
//
// REQUIRES: the tracker that made it outlives the handle.
// Thread safety: not thread-safe itself; one thread at a time, any thread.
class BudgetReservation {
 public:
  BudgetReservation() = default;
  BudgetReservation(BudgetReservation&& other) noexcept;
  // Releases what this handle held first, then takes over `other`'s.
  BudgetReservation& operator=(BudgetReservation&& other) noexcept;
  BudgetReservation(const BudgetReservation&) = delete;
  BudgetReservation& operator=(const BudgetReservation&) = delete;
  ~BudgetReservation();

  // Ends the reservation and charges `actual_usd` (clamped to >= 0; it may
  // exceed the estimate and the cap: what was billed was billed) to the
  // current period of the overall budget and of the client key.
  void Settle(double actual_usd);
  // Ends the reservation without spending: the call failed before any token
  // was billed.
  void Release();

  // True until the first Settle() or Release().
  bool pending() const { return tracker_ != nullptr; }
  // What was reserved, after rounding to micro-dollars.
  double estimated_usd() const;
  const std::string& client_key() const { return client_key_; }

 private:
  friend class BudgetTracker;
  BudgetReservation(BudgetTracker* tracker, std::string client_key,
                    int64_t reserved_micros);

  BudgetTracker* tracker_ = nullptr;
  std::string client_key_;
  int64_t reserved_micros_ = 0;
};

class BudgetTracker {
 public:
  // One cap's current period, in USD.
  struct Usage {
    double spent_usd = 0;
    double reserved_usd = 0;  // in flight, counted against every period
    double limit_usd = 0;     // 0 = no cap
  };
  struct UsageSnapshot {
    Usage overall_daily;
    Usage overall_monthly;
    Usage key_daily;
    Usage key_monthly;
  };

  // `clock` must outlive the tracker. Invalid limits (see
  // ValidateBudgetOptions) count as 0, no cap.
  BudgetTracker(BudgetOptions options, const Clock* clock);
  // REQUIRES: no reservation is pending (checked by assert in debug builds).
  ~BudgetTracker();
  BudgetTracker(const BudgetTracker&) = delete;
  BudgetTracker& operator=(const BudgetTracker&) = delete;

  // Reserves `estimated_usd` (clamped to >= 0) against the overall caps and
  // the caps of `client_key`. Returns kResourceExhausted with
  // BudgetRefusal::Message() when any cap would be exceeded, and then fills
  // `*refusal` if it is not null. Never fails otherwise.
  Result<BudgetReservation> Reserve(std::string_view client_key,
                                    double estimated_usd,
                                    BudgetRefusal* refusal = nullptr);

  // Adds spend that happened without a reservation, billed at
  // `unix_seconds` (the ledger's spend of the current month, loaded at
  // startup, so caps survive restarts). Spend before the current month is
  // ignored, spend before today counts only monthly, and spend stamped later
  // than the clock's now counts as now.
  void RecordSpend(std::string_view client_key, double usd,
                   int64_t unix_seconds);

  // The current periods' spend, reservations and limits, overall and for
  // `client_key` (zeros for a key not seen).
  UsageSnapshot Snapshot(std::string_view client_key) const;

  // True when any cap is configured. A tracker without caps still counts.
  bool Enabled() const { return enabled_; }

 private:
  friend class BudgetReservation;

  struct LimitsMicros {
    int64_t daily = 0;  // 0 = no cap
    int64_t monthly = 0;
  };
  struct Account {
    int64_t daily_spent = 0;
    int64_t monthly_spent = 0;
    int64_t reserved = 0;  // in flight; counts against both periods
  };
  struct Periods {
    int64_t day = 0;    // days since the epoch, UTC
    int64_t month = 0;  // year * 12 + month - 1, UTC
  };

  static LimitsMicros ToLimitsMicros(const BudgetLimits& limits);
  static std::map<std::string, LimitsMicros, std::less<>> ToLimitsMicros(
      const std::map<std::string, BudgetLimits, std::less<>>& per_key);
  static Periods PeriodsAt(int64_t unix_seconds);
  bool AnyCap() const;

  LimitsMicros LimitsFor(std::string_view client_key) const;
  // Moves the current periods forward to the clock's now and returns now.
  // REQUIRES: mutex_ held.
  int64_t AdvancePeriods();
  // Finds or adds the key's account. REQUIRES: mutex_ held.
  Account& AccountFor(std::string_view client_key);
  // Called by a handle exactly once.
  void Finish(const std::string& client_key, int64_t reserved_micros,
              int64_t spent_micros);

  const Clock* clock_;
  const LimitsMicros overall_limits_;
  const LimitsMicros default_key_limits_;
  const std::map<std::string, LimitsMicros, std::less<>> key_limits_;
  const bool enabled_;

  mutable std::mutex mutex_;
  Periods periods_;                   // GUARDED_BY(mutex_)
  Account overall_;                   // GUARDED_BY(mutex_)
  int64_t pending_reservations_ = 0;  // GUARDED_BY(mutex_)
  // Keys seen in the current periods. GUARDED_BY(mutex_)
  std::map<std::string, Account, std::less<>> keys_;
};

}  // namespace duet
