#include "route/budget/budget_tracker.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace duet {
namespace {

constexpr double kMicrosPerUsd = 1'000'000;
// $1e9: far above any real cap or bill, and far enough below INT64_MAX that
// spent + reserved + estimate cannot overflow before saturating.
constexpr int64_t kMaxMicros = 1'000'000'000'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

int64_t ToMicros(double usd) {
  if (!(usd > 0)) {  // negative, zero and NaN
    return 0;
  }
  if (usd >= static_cast<double>(kMaxMicros) / kMicrosPerUsd) {
    return kMaxMicros;
  }
  return std::llround(usd * kMicrosPerUsd);
}

// A limit that is positive must stay a cap after rounding; an invalid one
// is no cap (ValidateBudgetOptions reports it at startup).
int64_t LimitToMicros(double usd) {
  if (!std::isfinite(usd) || usd <= 0) {
    return 0;
  }
  return std::max<int64_t>(1, ToMicros(usd));
}

double ToUsd(int64_t micros) {
  return static_cast<double>(micros) / kMicrosPerUsd;
}

// Spend accumulates for a month; saturate rather than wrap however much the
// ledger reports.
int64_t SaturatingAdd(int64_t a, int64_t b) {
  return a > std::numeric_limits<int64_t>::max() - b
             ? std::numeric_limits<int64_t>::max()
             : a + b;
}

bool Fits(int64_t limit, int64_t committed, int64_t estimate) {
  return limit == 0 || (committed < limit && estimate <= limit - committed);
}

// Cents, unless the amount is a fraction of a cent worth showing.
std::string FormatUsd(double usd) {
  if (usd == 0 || usd >= 0.01) {
    return fmt::format("${:.2f}", usd);
  }
  std::string text = fmt::format("{:.6f}", usd);
  text.erase(text.find_last_not_of('0') + 1);
  return "$" + text;
}

Status ValidateLimits(const BudgetLimits& limits, std::string_view where) {
  const auto valid = [](double usd) { return std::isfinite(usd) && usd >= 0; };
  if (!valid(limits.monthly_usd)) {
    return InvalidArgument(
        fmt::format("{}.monthly_usd must be a number >= 0", where));
  }
  if (!valid(limits.daily_usd)) {
    return InvalidArgument(
        fmt::format("{}.daily_usd must be a number >= 0", where));
  }
  return Status::Ok();
}

}  // namespace

Status ValidateBudgetOptions(const BudgetOptions& options) {
  DUET_RETURN_IF_ERROR(ValidateLimits(options.overall, "overall"));
  DUET_RETURN_IF_ERROR(
      ValidateLimits(options.per_key_default, "per_key_default"));
  for (const auto& [key, limits] : options.per_key) {
    DUET_RETURN_IF_ERROR(
        ValidateLimits(limits, fmt::format("per_key['{}']", key)));
  }
  return Status::Ok();
}

std::string BudgetRefusal::Message() const {
  const std::string_view period_name =
      period == Period::kDaily ? "daily" : "monthly";
  std::string cap;
  if (scope == Scope::kOverall) {
    cap = fmt::format("{} overall budget", period_name);
  } else if (client_key.empty()) {
    cap = fmt::format("{} budget for anonymous clients", period_name);
  } else {
    cap = fmt::format("{} budget for key '{}'", period_name, client_key);
  }
  return fmt::format(
      "{} ({}) would be exceeded: {} spent, {} reserved, this request needs "
      "~{}",
      cap, FormatUsd(limit_usd), FormatUsd(spent_usd), FormatUsd(reserved_usd),
      FormatUsd(requested_usd));
}

// --- BudgetReservation -----------------------------------------------------

BudgetReservation::BudgetReservation(BudgetTracker* tracker,
                                     std::string client_key,
                                     int64_t reserved_micros)
    : tracker_(tracker),
      client_key_(std::move(client_key)),
      reserved_micros_(reserved_micros) {}

BudgetReservation::BudgetReservation(BudgetReservation&& other) noexcept
    : tracker_(std::exchange(other.tracker_, nullptr)),
      client_key_(std::move(other.client_key_)),
      reserved_micros_(other.reserved_micros_) {}

BudgetReservation& BudgetReservation::operator=(
    BudgetReservation&& other) noexcept {
  if (this != &other) {
    Release();
    tracker_ = std::exchange(other.tracker_, nullptr);
    client_key_ = std::move(other.client_key_);
    reserved_micros_ = other.reserved_micros_;
  }
  return *this;
}

BudgetReservation::~BudgetReservation() { Release(); }

void BudgetReservation::Settle(double actual_usd) {
  if (tracker_ != nullptr) {
    std::exchange(tracker_, nullptr)
        ->Finish(client_key_, reserved_micros_, ToMicros(actual_usd));
  }
}

void BudgetReservation::Release() {
  if (tracker_ != nullptr) {
    std::exchange(tracker_, nullptr)->Finish(client_key_, reserved_micros_, 0);
  }
}

double BudgetReservation::estimated_usd() const {
  return ToUsd(reserved_micros_);
}

// --- BudgetTracker ---------------------------------------------------------

namespace {

BudgetTracker::Usage MakeUsage(int64_t spent, int64_t reserved, int64_t limit) {
  return {.spent_usd = ToUsd(spent),
          .reserved_usd = ToUsd(reserved),
          .limit_usd = ToUsd(limit)};
}

}  // namespace

BudgetTracker::BudgetTracker(BudgetOptions options, const Clock* clock)
    : clock_(clock),
      overall_limits_(ToLimitsMicros(options.overall)),
      default_key_limits_(ToLimitsMicros(options.per_key_default)),
      key_limits_(ToLimitsMicros(options.per_key)),
      enabled_(AnyCap()),
      periods_(PeriodsAt(clock->NowUnixSeconds())) {}

BudgetTracker::~BudgetTracker() {
  assert(pending_reservations_ == 0 &&
         "a BudgetReservation outlived its BudgetTracker");
}

BudgetTracker::LimitsMicros BudgetTracker::ToLimitsMicros(
    const BudgetLimits& limits) {
  return {.daily = LimitToMicros(limits.daily_usd),
          .monthly = LimitToMicros(limits.monthly_usd)};
}

std::map<std::string, BudgetTracker::LimitsMicros, std::less<>>
BudgetTracker::ToLimitsMicros(
    const std::map<std::string, BudgetLimits, std::less<>>& per_key) {
  std::map<std::string, LimitsMicros, std::less<>> result;
  for (const auto& [key, limits] : per_key) {
    result.emplace(key, ToLimitsMicros(limits));
  }
  return result;
}

BudgetTracker::Periods BudgetTracker::PeriodsAt(int64_t unix_seconds) {
  using std::chrono::days;
  using std::chrono::sys_days;
  using std::chrono::year_month_day;
  // Floor division, so instants before 1970 fall on the right day too.
  int64_t day = unix_seconds / kSecondsPerDay;
  if (unix_seconds % kSecondsPerDay < 0) {
    --day;
  }
  const year_month_day date{sys_days{days{day}}};
  return {.day = day,
          .month = static_cast<int64_t>(static_cast<int>(date.year())) * 12 +
                   static_cast<unsigned>(date.month()) - 1};
}

bool BudgetTracker::AnyCap() const {
  const auto capped = [](const LimitsMicros& limits) {
    return limits.daily > 0 || limits.monthly > 0;
  };
  return capped(overall_limits_) || capped(default_key_limits_) ||
         std::any_of(key_limits_.begin(), key_limits_.end(),
                     [&](const auto& entry) { return capped(entry.second); });
}

BudgetTracker::LimitsMicros BudgetTracker::LimitsFor(
    std::string_view client_key) const {
  const auto it = key_limits_.find(client_key);
  return it == key_limits_.end() ? default_key_limits_ : it->second;
}

int64_t BudgetTracker::AdvancePeriods() {
  const int64_t now = clock_->NowUnixSeconds();
  const Periods current = PeriodsAt(now);
  if (current.day <= periods_.day) {
    return now;
  }
  const bool new_month = current.month != periods_.month;
  periods_ = current;
  const auto roll = [new_month](Account& account) {
    account.daily_spent = 0;
    if (new_month) {
      account.monthly_spent = 0;
    }
  };
  roll(overall_);
  // The one place keys are forgotten, so memory stays bounded by the keys
  // active in a period.
  for (auto it = keys_.begin(); it != keys_.end();) {
    roll(it->second);
    const Account& account = it->second;
    if (account.monthly_spent == 0 && account.reserved == 0) {
      it = keys_.erase(it);
    } else {
      ++it;
    }
  }
  return now;
}

BudgetTracker::Account& BudgetTracker::AccountFor(std::string_view client_key) {
  auto it = keys_.find(client_key);
  if (it == keys_.end()) {
    it = keys_.emplace(std::string(client_key), Account{}).first;
  }
  return it->second;
}

Result<BudgetReservation> BudgetTracker::Reserve(std::string_view client_key,
                                                 double estimated_usd,
                                                 BudgetRefusal* refusal) {
  const int64_t estimate = ToMicros(estimated_usd);
  const LimitsMicros key_limits = LimitsFor(client_key);
  std::optional<BudgetRefusal> refused;
  {
    std::lock_guard lock(mutex_);
    AdvancePeriods();
    const auto it = keys_.find(client_key);
    const Account key = it == keys_.end() ? Account{} : it->second;
    using Scope = BudgetRefusal::Scope;
    using Period = BudgetRefusal::Period;
    struct Cap {
      Scope scope;
      Period period;
      int64_t limit;
      int64_t spent;
      int64_t reserved;
    };
    const Cap caps[] = {
        {Scope::kClientKey, Period::kDaily, key_limits.daily, key.daily_spent,
         key.reserved},
        {Scope::kClientKey, Period::kMonthly, key_limits.monthly,
         key.monthly_spent, key.reserved},
        {Scope::kOverall, Period::kDaily, overall_limits_.daily,
         overall_.daily_spent, overall_.reserved},
        {Scope::kOverall, Period::kMonthly, overall_limits_.monthly,
         overall_.monthly_spent, overall_.reserved},
    };
    for (const Cap& cap : caps) {
      if (!Fits(cap.limit, SaturatingAdd(cap.spent, cap.reserved), estimate)) {
        refused = BudgetRefusal{.scope = cap.scope,
                                .period = cap.period,
                                .client_key = std::string(client_key),
                                .limit_usd = ToUsd(cap.limit),
                                .spent_usd = ToUsd(cap.spent),
                                .reserved_usd = ToUsd(cap.reserved),
                                .requested_usd = ToUsd(estimate)};
        break;
      }
    }
    if (!refused) {
      AccountFor(client_key).reserved += estimate;
      overall_.reserved += estimate;
      ++pending_reservations_;
    }
  }
  if (refused) {
    Status status(ErrorCode::kResourceExhausted, refused->Message());
    if (refusal != nullptr) {
      *refusal = std::move(*refused);
    }
    return Error(std::move(status));
  }
  return BudgetReservation(this, std::string(client_key), estimate);
}

void BudgetTracker::Finish(const std::string& client_key,
                           int64_t reserved_micros, int64_t spent_micros) {
  std::lock_guard lock(mutex_);
  AdvancePeriods();
  --pending_reservations_;
  overall_.reserved -= reserved_micros;
  overall_.daily_spent = SaturatingAdd(overall_.daily_spent, spent_micros);
  overall_.monthly_spent = SaturatingAdd(overall_.monthly_spent, spent_micros);
  // A key with nothing reserved may have been forgotten at a rollover; a
  // release of nothing need not bring it back.
  if (reserved_micros == 0 && spent_micros == 0) {
    return;
  }
  Account& key = AccountFor(client_key);
  key.reserved -= reserved_micros;
  key.daily_spent = SaturatingAdd(key.daily_spent, spent_micros);
  key.monthly_spent = SaturatingAdd(key.monthly_spent, spent_micros);
}

void BudgetTracker::RecordSpend(std::string_view client_key, double usd,
                                int64_t unix_seconds) {
  const int64_t amount = ToMicros(usd);
  if (amount == 0) {
    return;
  }
  std::lock_guard lock(mutex_);
  const int64_t now = AdvancePeriods();
  const Periods billed = PeriodsAt(std::min(unix_seconds, now));
  // `>=`: a clock that stepped back leaves periods_ ahead of `now`.
  const bool today = billed.day >= periods_.day;
  const bool this_month = billed.month >= periods_.month;
  if (!this_month) {
    return;
  }
  const auto add = [&](Account& account) {
    if (today) {
      account.daily_spent = SaturatingAdd(account.daily_spent, amount);
    }
    account.monthly_spent = SaturatingAdd(account.monthly_spent, amount);
  };
  add(overall_);
  add(AccountFor(client_key));
}

BudgetTracker::UsageSnapshot BudgetTracker::Snapshot(
    std::string_view client_key) const {
  const LimitsMicros key_limits = LimitsFor(client_key);
  std::lock_guard lock(mutex_);
  // Const, so nothing rolls over here: spend of a period that has ended
  // reads as 0, as it will once the next call rolls it over.
  const Periods current = PeriodsAt(clock_->NowUnixSeconds());
  const bool new_day = current.day > periods_.day;
  const bool new_month = new_day && current.month != periods_.month;
  const auto it = keys_.find(client_key);
  const Account key = it == keys_.end() ? Account{} : it->second;
  const auto daily = [&](const Account& account, int64_t limit) {
    return MakeUsage(new_day ? 0 : account.daily_spent, account.reserved,
                     limit);
  };
  const auto monthly = [&](const Account& account, int64_t limit) {
    return MakeUsage(new_month ? 0 : account.monthly_spent, account.reserved,
                     limit);
  };
  return {.overall_daily = daily(overall_, overall_limits_.daily),
          .overall_monthly = monthly(overall_, overall_limits_.monthly),
          .key_daily = daily(key, key_limits.daily),
          .key_monthly = monthly(key, key_limits.monthly)};
}

}  // namespace duet
